"""Without --json every command prints Chinese: field names, the catalogue's terms for codes,
dates as 2026年12月18日, agencies by name, no JSON; its --help lists every valid value with its
legal meaning. --json prints the result itself (the views only read it)."""

from __future__ import annotations

import argparse
import copy
import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from ogi_cli.main import _print
from ogi_cli.output import text
from ogi_cli.parser import GROUPS, build
from ogi_law.labels import APPLICANT_TYPES, COMPLAINT_GROUNDS, EVENT_TYPES, OUTCOMES
from ogi_law.rules import EXEMPTION_GROUNDS

APP = "A39EGYBQR6PBY"
INTAKE = {
    "application_id": APP, "agency": "municipal-office", "application_number": "SZFB-2026-00001",
    "state": "awaiting_correction",
    "applicant": {"name": "张三", "type": "natural_person", "id_doc": "110101199003077777",
                  "contact": "13800138000"},
    "description": "2023年度本市财政预算执行情况报告", "form": "electronic", "channel": "online",
    "received_on": "2026-11-30", "correction_items": ["请说明年份", "请说明用途"],
    "correct_by": "2026-12-21", "chain": [], "forwarded_to": "",
}  # fmt: skip
REVIEW = {
    "application_id": APP,
    "agency": "municipal-office",
    "office": "政府信息公开办公室",
    "state": "decided",
    "outcome": "partial",
    "grounds": ["third_party"],
    "reason": "部分涉及商业秘密",
    "decided_on": "2026-12-01",
    "secrecy": "cleared",
    "consultations": [
        {
            "ref": "ORG-1",
            "kind": "organ",
            "party": "natural-resources-bureau",
            "sent_on": "2026-11-30",
            "answer_due": "2026-12-21",
            "answer": "consent",
            "answered_on": "2026-12-01",
        }
    ],
    "extension_days": 10,
    "reply_due": "",
    "fee_method": "per_page",
    "fee_amount_yuan": 1100,
    "fee_pay_by": "2026-12-28",
    "fee_paid": True,
    "rectification_order": "",
}
REPLY = {
    "application_id": APP,
    "agency": "municipal-office",
    "state": "delivered",
    "letter_number": "SZFB-2026-00001-答",
    "outcome": "partial",
    "letter_text": "市人民政府办公室\n政府信息公开申请答复书\n",
    "delivered_on": "2026-12-02",
    "delivery_method": "post",
    "letter_html": "<!DOCTYPE html><html>…</html>",
    "printings": [
        {
            "letter_number": "SZFB-2026-00001-答",
            "printed_by": "staff:王五@municipal-office",
            "copies": 2,
            "printed_on": "2026-12-02",
        }
    ],
}
CLOCK = {
    "status": "awaiting_correction", "received_on": "2026-11-30", "started_on": "2026-11-30",
    "due_on": "", "allowed_days": 20, "used_days": 0, "left_days": 0, "paused_days": 0,
    "paused_periods": [], "extension_days": 0, "overdue": False, "provisional": False,
    "stopped_on": "", "as_of": "2026-11-30",
}  # fmt: skip
STATUS = {
    "application_id": APP, "agency": "municipal-office", "application_number": "SZFB-2026-00001",
    "state": "under_review", "received_on": "2026-11-30", "office": "政府信息公开办公室",
    "outcome": "", "letter_number": "", "delivered_on": "", "clock": CLOCK,
    "services": {"intake": INTAKE, "routing": None, "review": REVIEW, "reply": REPLY},
}  # fmt: skip
COMPLAINT = {
    "complaint_id": f"{APP}-C1",
    "bureau": "supervision-bureau",
    "application_id": APP,
    "against_agency": "municipal-office",
    "ground": "unlawful_refusal",
    "text": "理由不充分",
    "complainant": "张三",
    "complainant_contact": "13800138000",
    "filed_on": "2026-12-03",
    "state": "closed",
    "upheld": True,
    "outcomes": ["rectification_order", "criticism", "accountability"],
    "orders": [
        {
            "order_id": f"{APP}-C1-R1",
            "answer_due": "2026-12-14",
            "answer": "已重新审查",
            "answer_late": False,
            "requirements": "重新审查并答复",
            "answered_on": "2026-12-05",
        }
    ],
    "acceptance_note": "符合受理条件",
    "rejection_reasons": "",
    "finding_reasons": "不予公开理由不充分",
    "criticisms": ["予以通报批评"],
    "recommendations": [{"body": "市监察委员会", "text": "建议追究责任"}],
    "closing_notice": "经督促，已重新答复",
}
TRACE = {
    "application_id": APP,
    "events": [
        {"recorded_at": "2026-11-30T07:34:29.1Z", "occurred_at": "2026-11-30", "agency": agency,
         "service": service, "type": kind, "actor": actor}
        for agency, service, kind, actor in [
            ("municipal-office", "intake", "ApplicationReceived", "applicant:张三"),
            ("natural-resources-bureau", "review", "ConsultationRequestReceived", "system:review"),
            ("municipal-office", "review", "DecisionMade", "staff:王五@municipal-office"),
        ]
    ],
}  # fmt: skip

RESULTS: dict[str, dict[str, Any]] = {
    "application": INTAKE,
    "review": REVIEW,
    "reply": REPLY,
    "letter": {k: v for k, v in REPLY.items() if k != "letter_html"},
    "clock": {"application_id": APP, **CLOCK},
    "status": STATUS,
    "complaint": COMPLAINT,
    "trace": TRACE,
}
CODES = re.compile(r"\b(?:awaiting_correction|under_review|natural_person|unlawful_refusal|"
                   r"third_party|partial|cleared|per_page|delivered|organ|consent)\b")  # fmt: skip


@pytest.mark.parametrize("view", sorted(RESULTS))
def test_plain_output_is_chinese_without_codes_or_json(view: str) -> None:
    printed = text(view, RESULTS[view])
    assert re.search(r"[\u4e00-\u9fff]", printed)
    assert "{" not in printed and "[" not in printed and "<" not in printed, printed
    assert not CODES.search(printed), CODES.findall(printed)
    assert not re.search(r"\d{4}-\d{2}-\d{2}(?!T)", printed.replace("2026-11-30 07", "")), printed


def test_status_speaks_of_the_clock_in_a_sentence_and_drops_the_services_dump() -> None:
    printed = text("status", STATUS)
    assert "状态          审查中" in printed.splitlines()
    assert "答复期限      中止计时：等待申请人于2026年12月21日前补正（第三十条）" in printed
    assert "letter" not in printed and "services" not in printed


def test_the_review_reads_as_the_regulations_name_things() -> None:
    printed = text("review", REVIEW)
    for line in (
        "办理结果                    部分公开（第三十七条）",
        "理由和依据                  "
        "涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害（第十五条）",
        "收费（第四十二条）          按量计收 1100 元，2026年12月28日前缴纳，已缴纳",
        "延长答复期限（第三十三条）  10 个工作日",
    ):
        assert line in printed.splitlines(), printed
    assert "市自然资源和规划局" in printed and "同意公开" in printed


def test_the_letter_is_printed_as_text_never_html() -> None:
    printed = text("letter", RESULTS["letter"])
    assert printed.endswith("市人民政府办公室\n政府信息公开申请答复书\n")
    assert "送达方式    邮寄" in printed and "<" not in printed


def test_a_case_shows_everything_the_bureau_decided_and_whom_to_tell() -> None:
    printed = text("complaint", COMPLAINT)
    for expected in (
        "投诉人联系方式  13800138000", "受理意见        符合受理条件", "调查结论        投诉成立",
        "结论理由        不予公开理由不充分", "通报批评        予以通报批评",
        "办结告知        经督促，已重新答复", "重新审查并答复", "2026年12月14日", "已重新审查",
        "市监察委员会", "建议追究责任",
    ):  # fmt: skip
        assert expected in printed, (expected, printed)


def test_the_trace_is_a_table_of_chinese_events_with_a_heading() -> None:
    lines = text("trace", TRACE).splitlines()
    assert len(lines) == 1 + len(TRACE["events"])
    assert lines[0].split() == ["记录时间", "发生日期", "机关", "环节", "事件", "操作人"]
    assert EVENT_TYPES["ApplicationReceived"] in lines[1] and "申请人 张三" in lines[1]
    assert "市自然资源和规划局" in lines[2] and "系统（审查）" in lines[2]
    assert "机关工作人员 王五（市人民政府办公室）" in lines[3]


def test_json_prints_the_result_itself(capsys: pytest.CaptureFixture[str]) -> None:
    result = copy.deepcopy(STATUS)
    _print(result, True, "status")
    assert json.loads(capsys.readouterr().out) == STATUS


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for sub in subs:
        for name, child in sub.choices.items():
            yield from _leaves(child, (*path, name))


@functools.cache
def every_command() -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command's parser (built once: building them all takes a second)."""
    found = {p: c for p, c in _leaves(build([])) if p[0] not in GROUPS}
    for group in GROUPS:
        found |= {p: c for p, c in _leaves(build([group])) if p[0] == group}
    return sorted(found.items())


def test_every_command_names_a_view_that_exists() -> None:
    from ogi_cli import adminviews, views

    known = set(views.VIEWS) | set(adminviews.VIEWS)
    shows = {" ".join(path): parser.get_default("show") for path, parser in every_command()}
    printed_by_themselves = {"dlq list", "dlq replay"}  # their own tables of dead letters
    assert {
        c: s for c, s in shows.items() if s not in known and c not in printed_by_themselves
    } == {}


@pytest.mark.parametrize("path", [p for p, _ in every_command()], ids=" ".join)
def test_every_help_is_chinese(path: tuple[str, ...]) -> None:
    parser = dict(every_command())[path]
    help_text = parser.format_help()
    assert help_text.startswith("用法：ogi ")
    assert "usage:" not in help_text and "show this help" not in help_text
    assert "options:" not in help_text and "positional arguments" not in help_text
    for action in parser._actions:
        assert action.help and re.search(r"[\u4e00-\u9fff]", action.help), (path, action.dest)


@pytest.mark.parametrize(
    ("path", "codes"),
    [
        (("decide",), [f"{c}  {o.label}（{o.article}）" for c, o in OUTCOMES.items()]),
        (("decide",), list(EXEMPTION_GROUNDS)),
        (("apply",), [f"{c}  {t}" for c, t in APPLICANT_TYPES.items()]),
        (("apply",), ["natural-resources-bureau  市自然资源和规划局"]),
        (("complain",), [f"{c}  {t}" for c, t in COMPLAINT_GROUNDS.items()]),
        (("complain",), ["supervision-bureau  市政务公开监督局"]),
    ],
)
def test_help_lists_every_valid_value_with_its_meaning(
    path: tuple[str, ...], codes: list[str]
) -> None:
    help_text = "".join(dict(every_command())[path].format_help().split())
    for code in codes:
        assert "".join(code.split()) in help_text, code
