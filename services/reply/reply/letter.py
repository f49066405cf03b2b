"""The reply letter (政府信息公开申请答复书), built from the decision: pure text, in Chinese."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from ogi_law.agencies import Agency
from ogi_law.dates import chinese_date
from ogi_law.labels import FORMS, ground_label
from ogi_law.rules import OUTCOMES


def _outcome_paragraph(decision: dict[str, Any]) -> str:
    outcome = OUTCOMES[decision["outcome"]]
    basis = f"根据《中华人民共和国政府信息公开条例》{outcome.article}的规定"
    grounds = "；".join(ground_label(g, "相关规定") for g in decision.get("grounds", []))
    form = FORMS.get(decision.get("form_of_provision", ""), "")
    reason = decision.get("reason", "")
    code = outcome.code
    if code == "already_public":
        where = decision.get("where_published") or "本机关政府信息公开专栏"
        text = f"您申请的信息已经主动公开，{basis}，可通过以下途径获取：{where}。"
    elif code == "disclose":
        text = f"{basis}，本机关决定予以公开，现以{form}形式提供。"
    elif code == "partial":
        text = (
            f"根据《中华人民共和国政府信息公开条例》第三十七条的规定，本机关对可以公开的部分予以公开，"
            f"现以{form}形式提供；其余部分不予公开，理由：{grounds}。{reason}"
        )
    elif code == "withhold":
        text = f"{basis}，本机关决定不予公开，理由：{grounds}。{reason}"
    elif code == "not_ours":
        organ = decision.get("competent_organ", "")
        contact = decision.get("competent_organ_contact", "")
        named = f"负责公开该政府信息的机关为{organ}" + (f"，联系方式：{contact}" if contact else "")
        text = f"{basis}，您申请的信息不属于本机关负责公开。" + (f"{named}。" if organ else "")
    else:
        text = f"{basis}，{outcome.label}。"
    if reason and code not in ("partial", "withhold"):
        text += f"说明：{reason}"
    return text


def _remedies(agency: Agency, refusal: bool) -> str:
    body = agency.reconsideration_body or "本机关的上一级行政机关"
    if refusal:
        return (
            f"如对本答复不服，可以自收到本答复之日起六十日内向{body}申请行政复议；"
            "依照《中华人民共和国行政复议法》第二十三条的规定，对政府信息公开申请答复不服的，"
            "应当先申请行政复议，对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内"
            "依法向人民法院提起行政诉讼。"
        )
    return (
        f"如对本答复不服，可以自收到本答复之日起六十日内向{body}申请行政复议，"
        "或者自收到本答复之日起六个月内依法向人民法院提起行政诉讼。"
    )


def compose_letter(
    agency: Agency,
    application: dict[str, Any],
    decision: dict[str, Any],
    letter_number: str,
    issued_on: date,
) -> str:
    """The full reply letter: title and number, addressee, receipt, outcome, basis, remedies."""
    received = date.fromisoformat(application["received_on"])
    outcome = OUTCOMES[decision["outcome"]]
    lines = [
        f"{agency.name}",
        "政府信息公开申请答复书",
        f"{letter_number}",
        "",
        f"{application['applicant']['name']}：",
        f"    本机关于{chinese_date(received)}收到您（单位）提出的政府信息公开申请"
        f"（申请编号：{application.get('application_number', '')}），"
        f"申请获取：{application['description']}。",
        f"    {_outcome_paragraph(decision)}",
        f"    {_remedies(agency, outcome.refusal)}",
        "",
        f"{agency.name}",
        f"{chinese_date(issued_on)}",
        f"（联系方式：{agency.contact}）" if agency.contact else "",
    ]
    return "\n".join(line for line in lines if line is not None).rstrip() + "\n"


def letter_html(letter_text: str) -> str:
    """The letter as a printable A4 HTML page: title centred, body paragraphs, signature right."""
    lines = [escape(line) for line in letter_text.rstrip("\n").split("\n")]
    head, number = lines[:2], lines[2] if len(lines) > 2 else ""
    body = lines[3:]
    signature_at = max(i for i, line in enumerate(body) if line == "") if "" in body else len(body)
    paragraphs = "".join(
        f"<p class='indent'>{line.strip()}</p>" if line.startswith("    ") else f"<p>{line}</p>"
        for line in body[:signature_at]
        if line
    )
    signature = "".join(f"<p>{line}</p>" for line in body[signature_at:] if line)
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{head[-1]}</title><style>"
        "@page{size:A4;margin:25mm 20mm}body{font-family:'FangSong','STFangsong',serif;"
        "font-size:16pt;line-height:1.8}h1{text-align:center;font-size:22pt;margin:0}"
        ".org{text-align:center;font-size:20pt}.no{text-align:right}.indent{text-indent:2em}"
        ".sign{text-align:right;margin-top:3em}</style></head><body>"
        f"<div class='org'>{head[0]}</div><h1>{head[-1]}</h1><p class='no'>{number}</p>"
        f"{paragraphs}<div class='sign'>{signature}</div></body></html>"
    )
