"""What each command prints without --json: one view per kind of result, in Chinese.

Each command names its view (``show`` in its parser's defaults); ``text(show, result)`` lays
the result out. The views only read the result: --json prints the same result, codes and all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ogi_cli import human, queryviews
from ogi_cli.cjk import table
from ogi_cli.clocktext import clock_sentence
from ogi_cli.human import Field, Rows, View, agency, date, each, numbered, term, working_days, yes
from ogi_cli.registry import agency_name
from ogi_law.labels import (
    ACTORS,
    APPLICANT_TYPES,
    APPLICATION_STATES,
    CHANNELS,
    COMPLAINT_GROUNDS,
    COMPLAINT_OUTCOMES,
    COMPLAINT_STATES,
    CONSULTATION_KINDS,
    DELIVERY_METHODS,
    EVENT_TYPES,
    FEE_METHODS,
    FINDINGS,
    FORMS,
    ORGAN_ANSWERS,
    REMEDY_KINDS,
    REMEDY_RESULTS,
    REPLY_STATES,
    REVIEW_STATES,
    ROUTING_STATES,
    SECRECY_RESULTS,
    SERVICES,
    THIRD_PARTY_ANSWERS,
    ground_label,
    label,
    outcome_label,
)

Result = Mapping[str, Any]
APPLICATION_ID = Field("application_id", "申请标识")
ANSWERS = THIRD_PARTY_ANSWERS | ORGAN_ANSWERS


def actor(value: Any) -> str:
    """Who acted: ``staff:张三@municipal-office`` as 机关工作人员 张三（市人民政府办公室）."""
    kind, _, who = str(value).partition(":")
    if kind == "system":
        return f"系统（{label(SERVICES, who)}）"
    name, _, at = who.partition("@")
    return f"{label(ACTORS, kind)} {name}" + (f"（{agency_name(at)}）" if at else "")


def party(value: Any) -> str:
    """A consulted party: an agency by name when it is one, else as written."""
    return agency_name(str(value))


HOPS = (
    Field("forwarded_on", "日期", date),
    Field("from_agency", "转出机关", party),
    Field("to_agency", "转入机关", party),
    Field("reason", "理由"),
    Field("actor", "经办人", actor),
)

APPLICATION: View = (
    Field("application_number", "申请编号"),
    APPLICATION_ID,
    Field("agency", "受理机关", agency),
    Field("state", "状态", term(APPLICATION_STATES)),
    Field("applicant.name", "申请人"),
    Field("applicant.type", "申请人类型", term(APPLICANT_TYPES)),
    Field("applicant.id_doc", "身份证件号码"),
    Field("applicant.contact", "联系方式"),
    Field("description", "所需政府信息"),
    Field("form", "获取信息的方式", term(FORMS)),
    Field("channel", "申请方式", term(CHANNELS)),
    Field("received_on", "收到申请日期", date),
    Field("correction_items", "补正事项", numbered),
    Field("correct_by", "补正期限", date),
    Field("forwarded_to", "已转送至", agency),
    Rows("chain", "转送经过", HOPS),
)

ARCHIVES_LAW = "是：已移交档案馆，依档案法提供利用"
ROUTING: View = (
    APPLICATION_ID,
    Field("agency", "办理机关", agency),
    Field("office", "承办科室"),
    Field("state", "状态", term(ROUTING_STATES)),
    Field("forwarded_to", "已转送至", agency),
    Field("suggested_agency", "建议办理机关", agency),
    Field("suggested_subject", "所需信息属于"),
    Field("suggestion_note", "说明"),
    Field("archives_law", "适用档案法", lambda _: ARCHIVES_LAW),
    Rows("chain", "转送经过", HOPS),
)
SUGGESTION: View = (
    APPLICATION_ID,
    Field("handled_by", "办理机关", agency),
    Field("suggested_agency", "建议办理机关", agency),
    Field("subject", "所需信息属于"),
    Field("note", "说明"),
    Field("archives_law", "适用档案法", lambda _: ARCHIVES_LAW),
)

REVIEW: View = (
    APPLICATION_ID,
    Field("ref", "征求意见编号"),
    Field("agency", "机关", agency),
    Field("office", "承办科室"),
    Field("state", "状态", term(REVIEW_STATES)),
    Field("outcome", "办理结果", outcome_label),
    Field("grounds", "理由和依据", each(ground_label)),
    Field("reason", "说明"),
    Field("decided_on", "决定日期", date),
    Field("secrecy", "保密审查（第十七条）", term(SECRECY_RESULTS)),
    Field("extension_days", "延长答复期限（第三十三条）", working_days),
    Field("reply_due", "确定的答复期限（第三十五条）", date),
    Field("fee", "收费（第四十二条）"),
    Field("rectification_order", "督促整改通知"),
    Rows(
        "consultations",
        "征求意见",
        (
            Field("ref", "编号"),
            Field("kind", "类型", term(CONSULTATION_KINDS)),
            Field("party", "征求对象", party),
            Field("sent_on", "发出日期", date),
            Field("answer_due", "答复期限", date),
            Field("answer", "意见", term(ANSWERS)),
            Field("answered_on", "答复日期", date),
        ),
    ),
)
CONSULTATION_ANSWER: View = (
    APPLICATION_ID,
    Field("from_agency", "征求意见的机关", agency),
    Field("ref", "征求意见编号"),
    Field("answer", "意见", term(ORGAN_ANSWERS)),
)

PRINTINGS = (
    Field("letter_number", "答复书文号"),
    Field("printed_on", "打印日期", date),
    Field("copies", "份数"),
    Field("printed_by", "打印人", actor),
)
REPLY: View = (
    APPLICATION_ID,
    Field("agency", "机关", agency),
    Field("state", "状态", term(REPLY_STATES)),
    Field("letter_number", "答复书文号"),
    Field("outcome", "办理结果", outcome_label),
    Field("delivered_on", "送达日期", date),
    Field("delivery_method", "送达方式", term(DELIVERY_METHODS)),
    Field("html", "网页版答复书"),
    Rows("printings", "打印记录", PRINTINGS),
)

REMEDIES: View = (
    APPLICATION_ID,
    Rows(
        "remedies",
        "行政复议、行政诉讼",
        (
            Field("ref", "编号"),
            Field("kind", "类型", term(REMEDY_KINDS)),
            Field("body", "复议机关或法院"),
            Field("case_number", "案号"),
            Field("filed_on", "提起日期", date),
            Field("result", "结果", term(REMEDY_RESULTS | {"pending": "尚未审结"})),
            Field("concluded_on", "审结日期", date),
        ),
    ),
)

COMPLAINT: View = (
    Field("complaint_id", "投诉编号"),
    Field("order_id", "整改通知编号"),
    Field("state", "状态", term(COMPLAINT_STATES)),
    Field("bureau", "受理投诉的机关", agency),
    Field("against_agency", "被投诉机关", agency),
    APPLICATION_ID,
    Field("ground", "投诉事由", term(COMPLAINT_GROUNDS)),
    Field("text", "投诉内容"),
    Field("complainant", "投诉人"),
    Field("complainant_contact", "投诉人联系方式"),
    Field("filed_on", "投诉日期", date),
    Field("acceptance_note", "受理意见"),
    Field("rejection_reasons", "不予受理理由"),
    Field("trace_events", "调取办理记录", lambda n: f"{n} 条"),
    Field("finding", "调查结论", term(FINDINGS)),
    Field("finding_reasons", "结论理由"),
    Field("outcomes", "处理结果", each(term(COMPLAINT_OUTCOMES))),
    Field("criticisms", "通报批评", each(str, "\n")),
    Field("closing_notice", "办结告知"),
    Rows(
        "orders",
        "督促整改",
        (
            Field("order_id", "编号"),
            Field("requirements", "整改要求"),
            Field("answer_due", "答复期限", date),
            Field("answer", "机关答复"),
            Field("answered_on", "答复日期", date),
            Field("answer_late", "逾期", yes),
        ),
    ),
    Rows(
        "recommendations",
        "追究责任建议（第五十二条、第五十三条）",
        (Field("body", "有权处理的机关"), Field("text", "建议")),
    ),
)

CLOCK: View = (
    APPLICATION_ID,
    Field("sentence", "答复期限"),
    Field("received_on", "收到申请日期", date),
    Field("started_on", "起算日期", date),
    Field("due_on", "到期日", date),
    Field("extension_days", "延长", working_days),
    Field("paused_days", "暂停计时", working_days),
    Field("stopped_on", "停止计时日期", date),
    Field("as_of", "计算日期", date),
    Rows(
        "paused_periods",
        "暂停期间",
        (
            Field("start", "开始", date),
            Field("end", "结束", lambda d: d if d == "尚未结束" else date(d)),
        ),
    ),
)

STATUS: View = (
    Field("application_number", "申请编号"),
    APPLICATION_ID,
    Field("agency", "办理机关", agency),
    Field("state", "状态", term(APPLICATION_STATES)),
    Field("services.intake.applicant.name", "申请人"),
    Field("services.intake.description", "所需政府信息"),
    Field("received_on", "收到申请日期", date),
    Field("office", "承办科室"),
    Field("deadline", "答复期限"),
    Field("outcome", "办理结果", outcome_label),
    Field("letter_number", "答复书文号"),
    Field("delivered_on", "送达日期", date),
)


def _fee(review: Result) -> str:
    """The fee notice in one line: method, amount, when to pay, whether paid."""
    if not review.get("fee_method"):
        return ""
    pay_by = review.get("fee_pay_by")
    return (
        f"{label(FEE_METHODS, review['fee_method'])} {review.get('fee_amount_yuan', 0)} 元"
        + (f"，{date(pay_by)}前缴纳" if pay_by else "")
        + ("，已缴纳" if review.get("fee_paid") else "")
    )


def review(result: Result) -> str:
    return human.render({**result, "fee": _fee(result)}, REVIEW)


def complaint(result: Result) -> str:
    decided = result.get("state") in ("found", "closed") and result.get("finding_reasons")
    finding = ("upheld" if result.get("upheld") else "not_upheld") if decided else ""
    return human.render({**result, "finding": finding}, COMPLAINT)


def clock(result: Result) -> str:
    periods = [p | {"end": p["end"] or "尚未结束"} for p in result.get("paused_periods", [])]
    return human.render(
        {**result, "sentence": clock_sentence(result), "paused_periods": periods}, CLOCK
    )


def remedies(result: Result) -> str:
    """Each case filed, a pending one as the annual table names it (尚未审结)."""
    cases = [r | {"result": r["result"] or "pending"} for r in result.get("remedies", [])]
    return human.render({**result, "remedies": cases}, REMEDIES)


def status(result: Result) -> str:
    clock_view = result.get("clock")
    correct_by = human.value_at(result, "services.intake.correct_by") or ""
    deadline = clock_sentence(clock_view, correct_by) if clock_view else ""
    return human.render({**result, "deadline": deadline}, STATUS)


def letter(result: Result) -> str:
    """The reply letter as text (never its HTML), after what it is and where it stands."""
    return human.render(result, REPLY) + "\n" + str(result.get("letter_text", ""))


def trace(result: Result) -> str:
    """An application's history as a table: when, which agency and step, what, by whom."""
    rows = [
        [
            str(e["recorded_at"])[:19].replace("T", " "),
            date(e["occurred_at"]),
            agency_name(e["agency"]),
            label(SERVICES, e["service"]),
            label(EVENT_TYPES, e["type"]),
            actor(e["actor"]),
        ]
        for e in result["events"]
    ]
    return table(["记录时间", "发生日期", "机关", "环节", "事件", "操作人"], rows)


VIEWS: dict[str, Callable[[Result], str]] = {
    "application": lambda r: human.render(r, APPLICATION),
    "routing": lambda r: human.render(r, ROUTING),
    "suggestion": lambda r: human.render(r, SUGGESTION),
    "review": review,
    "consultation_answer": lambda r: human.render(r, CONSULTATION_ANSWER),
    "reply": lambda r: human.render(r, REPLY),
    "letter": letter,
    "remedies": remedies,
    "complaint": complaint,
    "clock": clock,
    "status": status,
    "trace": trace,
    **queryviews.VIEWS,  # the read side's lists and boards
}
