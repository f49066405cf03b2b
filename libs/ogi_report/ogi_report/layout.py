"""The printed layout shared by the renderers: titles, the merged header grids, the body rows.

Part 三 is laid out like the published reports: a corner cell with the check rule, 申请人情况
spanning the columns, 法人或其他组织 spanning its five sub-columns, and one label column whose
sub-rows are indented. Part 四 has no label column: 行政复议 spans its five results and 行政诉讼
spans its two groups of five.
"""

from __future__ import annotations

from dataclasses import dataclass

from ogi_report.labels import (
    ALL_AGENCIES,
    APPLICANT_HEADER,
    CHECK_RULE_NOTE,
    COLUMN_KEYS,
    COLUMNS,
    REMEDY_GROUPS,
    REMEDY_RESULTS,
    ROWS,
    TITLE_PART_FOUR,
    TITLE_PART_THREE,
)
from ogi_report.table import AnnualTable


@dataclass(frozen=True)
class HeaderCell:
    """A header cell at (row, col) of the header grid; ``title`` is the full label when
    ``text`` is the short one printed under a spanning parent."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    title: str = ""


@dataclass(frozen=True)
class BodyRow:
    key: str
    label: str
    level: int
    values: tuple[int, ...] | None
    """None for a heading row, which prints no numbers."""


@dataclass(frozen=True)
class Grid:
    title: str
    header_rows: int
    width: int
    header: tuple[HeaderCell, ...]
    body: tuple[BodyRow, ...]
    label_column: bool


def caption(table: AnnualTable) -> str:
    return f"{table.year}年度 · {table.agency_name or table.agency or ALL_AGENCIES}"


def part_three(table: AnnualTable) -> Grid:
    header: list[HeaderCell] = [
        HeaderCell(CHECK_RULE_NOTE, 0, 0, rowspan=3),
        HeaderCell(APPLICANT_HEADER, 0, 1, colspan=len(COLUMNS)),
    ]
    col = 1
    while col <= len(COLUMNS):
        column = COLUMNS[col - 1]
        if not column.parent:
            header.append(HeaderCell(column.label, 1, col, rowspan=2))
            col += 1
            continue
        under = [c for c in COLUMNS[col - 1 :] if c.parent == column.parent]
        header.append(HeaderCell(column.parent, 1, col, colspan=len(under)))
        for i, c in enumerate(under):
            header.append(HeaderCell(c.short, 2, col + i, title=c.label))
        col += len(under)
    body = tuple(
        BodyRow(
            r.key,
            r.label,
            r.level,
            None if r.heading else tuple(table.cell(r.key, c) for c in COLUMN_KEYS),
        )
        for r in ROWS
    )
    return Grid(TITLE_PART_THREE, 3, 1 + len(COLUMNS), tuple(header), body, True)


def part_four(table: AnnualTable) -> Grid:
    n = len(REMEDY_RESULTS)
    header: list[HeaderCell] = []
    values: list[int] = []
    parents_done: set[str] = set()
    for i, group in enumerate(REMEDY_GROUPS):
        col = i * n
        values.extend(table.remedy(group.key, r.key) for r in REMEDY_RESULTS)
        titles = [f"{group.label} / {r.label}" for r in REMEDY_RESULTS]
        if not group.parent:
            header.append(HeaderCell(group.label, 0, col, colspan=n))
            header.extend(
                HeaderCell(r.label, 1, col + j, rowspan=2, title=titles[j])
                for j, r in enumerate(REMEDY_RESULTS)
            )
            continue
        if group.parent not in parents_done:
            siblings = [g for g in REMEDY_GROUPS if g.parent == group.parent]
            header.append(HeaderCell(group.parent, 0, col, colspan=n * len(siblings)))
            parents_done.add(group.parent)
        header.append(HeaderCell(group.short, 1, col, colspan=n, title=group.label))
        header.extend(
            HeaderCell(r.label, 2, col + j, title=titles[j]) for j, r in enumerate(REMEDY_RESULTS)
        )
    body = (BodyRow("part_four", "", 0, tuple(values)),)
    return Grid(TITLE_PART_FOUR, 3, n * len(REMEDY_GROUPS), tuple(header), body, False)


def header_lines(grid: Grid) -> list[list[str]]:
    """The header as plain lines, each cell's text at the top-left of its span (as a sheet
    with merged cells reads when exported)."""
    lines = [[""] * grid.width for _ in range(grid.header_rows)]
    for cell in grid.header:
        lines[cell.row][cell.col] = cell.text
    return lines
