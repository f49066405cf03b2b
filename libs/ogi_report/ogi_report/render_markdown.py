"""Markdown: one header line per table, with the full labels (法人或其他组织 / 商业企业,
行政复议 / 结果维持); sub-rows indented with ideographic spaces; the check rule as a footnote."""

from __future__ import annotations

from ogi_report.labels import (
    APPLICANT_HEADER,
    CHECK_RULE_NOTE,
    COLUMNS,
    REMEDY_GROUPS,
    REMEDY_RESULTS,
)
from ogi_report.layout import caption, part_four, part_three
from ogi_report.table import AnnualTable

INDENT = "\u3000"


def render_markdown(table: AnnualTable) -> bytes:
    table.check()
    three, four = part_three(table), part_four(table)
    lines = [f"# {_cell(caption(table))}", "", f"## {three.title}", ""]
    lines += _table([APPLICANT_HEADER, *(c.label for c in COLUMNS)], label_column=True)
    for row in three.body:
        numbers = [""] * len(COLUMNS) if row.values is None else [str(v) for v in row.values]
        lines.append(_line([INDENT * row.level + row.label, *numbers]))
    lines += ["", CHECK_RULE_NOTE, "", f"## {four.title}", ""]
    lines += _table(
        [f"{g.label} / {r.label}" for g in REMEDY_GROUPS for r in REMEDY_RESULTS], False
    )
    for row in four.body:
        lines.append(_line([str(v) for v in row.values or ()]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _table(headers: list[str], label_column: bool) -> list[str]:
    aligns = [":---" if label_column and i == 0 else "---:" for i in range(len(headers))]
    return [_line(headers), _line(aligns)]


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
