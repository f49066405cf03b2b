"""What the read side's commands print without --json: work queues, search results and the
bureau's boards as tables aligned for CJK width, states and grounds as the catalogue names them,
dates in Chinese, the days left as working days (已逾期 once past the due date), and under each
list its total and how to ask for the next page."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ogi_cli.cjk import shorten
from ogi_cli.human import Field, agency, date, rows_table, term
from ogi_cli.registry import agency_name
from ogi_law.labels import APPLICATION_STATES, COMPLAINT_GROUNDS, COMPLAINT_STATES, ORGAN_ANSWERS

Result = Mapping[str, Any]
Row = Mapping[str, Any]

#: Columns a summary keeps in a table (the whole text is in --json).
SUMMARY_COLUMNS = 24
NAME_COLUMNS = 16
#: What an application waits for, noted after its state.
WAITING = (
    ("waiting_fee", "待缴费"),
    ("waiting_consultation", "征求意见中，暂停计时"),
    ("reopened", "督促整改后重新办理"),
)


def days_left(row: Row) -> str:
    """Working days to the due date; 已逾期 (by how many) once past it; while a correction is
    awaited the clock is suspended (Art. 30), never "0 left"; nothing once settled."""
    left = row.get("days_left")
    if row.get("overdue"):
        return f"已逾期 {-left}" if left is not None and left < 0 else "已逾期"
    if left is None:
        return "中止计时" if row.get("waiting_correction") else ""
    return str(left)


def state(row: Row) -> str:
    """The state as the catalogue names it, with what the application waits for and the
    agency that forwarded it here (its time limit counts from this agency's receipt)."""
    notes = [note for flag, note in WAITING if row.get(flag)]
    if row.get("forwarded_from"):
        notes.append(f"{agency_name(str(row['forwarded_from']))}转来")
    text = APPLICATION_STATES.get(str(row.get("state")), str(row.get("state")))
    return text + (f"（{'，'.join(notes)}）" if notes else "")


def due(row: Row) -> str:
    """The due date; provisional when counted through a year not yet published."""
    return date(row["due_on"]) + ("（暂定）" if row.get("provisional") else "")


def _shown(row: Row) -> dict[str, Any]:
    return {
        **row,
        "state_text": state(row),
        "days_text": days_left(row),
        "due_text": due(row) if row.get("due_on") else "",
        "name_text": shorten(str(row.get("applicant_name", "")), NAME_COLUMNS),
        "summary_text": shorten(str(row.get("description", "")), SUMMARY_COLUMNS),
    }


QUEUE = (
    Field("number", "申请编号"),
    Field("name_text", "申请人"),
    Field("summary_text", "内容摘要"),
    Field("state_text", "状态"),
    Field("due_text", "到期日"),
    Field("days_text", "剩余工作日"),
    Field("office", "办理科室"),
)
AGENCY_COLUMN = Field("agency", "办理机关", agency_name)


def footer(result: Result, rows: str, unit: str) -> str:
    """The total, the page, and how to get the next one."""
    shown, total = len(result.get(rows, [])), result.get("total", 0)
    page = result.get("page")
    text = f"共 {total} {unit}"
    if shown < total:
        text += f"，本页 {shown} {unit}" + (f"（第 {page} 页）" if page else "")
    text += "。\n"
    token = result.get("next_page_token")
    if token:
        text += f"下一页：同一命令加上 --page-token {token}"
        text += f"（或 --page {page + 1}）。\n" if page else "。\n"
    return text


def _table(result: Result, rows: str, columns: Sequence[Field], unit: str, none: str) -> str:
    """The rows as a table with the footer; ``none`` when there is none at all (a page past the
    last still tells the total)."""
    records = result.get(rows, [])
    if not records and not result.get("total"):
        return f"{none}\n"
    body = rows_table(records, columns) if records else f"{none}\n"
    return body + footer(result, rows, unit)


def applications(result: Result) -> str:
    """A work queue, a search's or a lookup's rows: the agency (or a column of agencies when
    the rows are of several), then the table; days left count from the legal date given."""
    rows = result.get("applications") or (
        [result["application"]] if "application" in result else []
    )
    agencies = {r["agency"] for r in rows}
    heading = f"{agency_name(agencies.pop())}；" if len(agencies) == 1 else ""
    columns = QUEUE if heading or not rows else (*QUEUE, AGENCY_COLUMN)
    searched = result.get("searched")
    text = f"查找的词：{' '.join(searched)}\n" if searched else ""
    if result.get("today") and rows:
        text += f"{heading}剩余工作日自{date(result['today'])}起算\n"
    shown = {
        **result,
        "applications": [_shown(r) for r in rows],
        "total": result.get("total", len(rows)),
    }
    return text + _table(shown, "applications", columns, "件", "没有符合条件的申请。")


CASES = (
    Field("complaint_id", "投诉编号"),
    Field("filed_on", "投诉日期", date),
    Field("against_agency", "被投诉机关", agency_name),
    Field("application_number", "申请编号"),
    Field("ground", "投诉事由", term(COMPLAINT_GROUNDS)),
    Field("state", "状态", term(COMPLAINT_STATES)),
    Field("complainant", "投诉人"),
)


def cases(result: Result) -> str:
    """A bureau's complaint cases, newest first; ogi case show gives everything of one."""
    text = _table(result, "cases", CASES, "件", "没有符合条件的投诉。")
    return text + ("详情：ogi case show 投诉编号\n" if result.get("cases") else "")


REPORTS = (
    Field("number", "申请编号"),
    Field("agency", "机关", agency_name),
    Field("office", "办理科室"),
    Field("due_on", "到期日", date),
    Field("reported_on", "逾期报告日期", date),
    Field("state", "现在的状态", term(APPLICATION_STATES)),
)


def overdue(result: Result) -> str:
    """A bureau's overdue reports, or an agency's overdue applications."""
    if "reports" not in result:
        return applications(result)
    heading = "答复期限届满仍未答复的申请（逾期报告）：\n"
    return heading + _table(result, "reports", REPORTS, "件", "没有逾期报告。")


def _consultation(row: Row) -> dict[str, Any]:
    left = row.get("days_left")
    late = left is not None and left < 0
    return {
        **row,
        "summary_text": shorten(str(row.get("description", "")), SUMMARY_COLUMNS),
        "days_text": "" if left is None else f"已逾期 {-left}" if late else str(left),
    }


CONSULTATIONS = (
    Field("ref", "征求意见编号"),
    Field("from_agency", "征求意见的机关", agency),
    Field("application_id", "申请标识"),
    Field("summary_text", "所需信息"),
    Field("asked_on", "收到日期", date),
    Field("answer_due", "答复期限", date),
    Field("days_text", "剩余工作日"),
    Field("answer", "意见", term(ORGAN_ANSWERS)),
    Field("answered_on", "答复日期", date),
)
ANSWER_HINT = (
    "答复：ogi consultation-answer 申请标识 --agency 本机关 --from 征求意见的机关 "
    "--ref 征求意见编号 --answer consent|objection\n"
)


def consultations(result: Result) -> str:
    """Consultations addressed to the agency (Art. 34), earliest answer date first."""
    rows = [_consultation(r) for r in result.get("consultations", [])]
    text = _table({**result, "consultations": rows}, "consultations", CONSULTATIONS, "件",
                  "没有其他机关征求意见。")  # fmt: skip
    return text + (ANSWER_HINT if rows else "")


def _figures(row: Row) -> dict[str, Any]:
    median = row.get("median_reply_working_days")
    return {
        "agency": row["agency"],
        "open": str(row.get("open", 0)),
        "overdue": str(row.get("overdue", 0)),
        "replied": str(row.get("replied", 0)),
        "median": "" if median is None else f"{median:g} 个工作日",
    }


FIGURES = (
    Field("agency", "机关", agency_name),
    Field("open", "办理中"),
    Field("overdue", "已逾期"),
    Field("replied", "已答复"),
    Field("median", "答复用时中位数"),
)


def figures(result: Result) -> str:
    rows = [_figures(r) for r in result.get("agencies", [])]
    heading = f"截至{date(result['today'])}\n" if result.get("today") else ""
    return heading + (rows_table(rows, FIGURES) if rows else "没有机关。\n")


REBUILT = (Field("agency", "机关", agency), Field("events", "重放的事件数"))


def rebuilt(result: Result) -> str:
    rows = [
        {"agency": r["agency"], "events": str(r.get("events_applied", 0))}
        for r in result.get("rebuilt", [])
    ]
    return "已重建读模型：\n" + rows_table(rows, REBUILT)


VIEWS: dict[str, Callable[[Result], str]] = {
    "applications": applications,
    "cases": cases,
    "overdue": overdue,
    "consultations": consultations,
    "figures": figures,
    "rebuilt": rebuilt,
}
