"""xlsx (openpyxl): sheet 三 and sheet 四, merged header cells, counts as numbers."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ogi_report.layout import Grid, caption, part_four, part_three
from ogi_report.table import AnnualTable

SHEET_THREE = "三"
SHEET_FOUR = "四"
FIRST_HEADER_ROW = 3
"""Row 1 holds the title, row 2 the year and agency, the header starts at row 3."""

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def render_xlsx(table: AnnualTable) -> bytes:
    table.check()
    book = Workbook()
    _fill(book.active, SHEET_THREE, part_three(table), caption(table), label_width=62)
    _fill(book.create_sheet(), SHEET_FOUR, part_four(table), caption(table), label_width=12)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Any, name: str, grid: Grid, subtitle: str, label_width: int) -> None:
    sheet.title = name
    last = get_column_letter(grid.width)
    sheet["A1"] = grid.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = subtitle
    sheet.merge_cells(f"A2:{last}2")
    for cell in grid.header:
        top, left = FIRST_HEADER_ROW + cell.row, 1 + cell.col
        target = sheet.cell(row=top, column=left, value=cell.text)
        target.font = Font(bold=not (grid.label_column and cell.col == 0))
        target.alignment = _CENTRE
        for r in range(top, top + cell.rowspan):
            for c in range(left, left + cell.colspan):
                sheet.cell(row=r, column=c).border = _BORDER
        if cell.rowspan > 1 or cell.colspan > 1:
            sheet.merge_cells(
                start_row=top,
                start_column=left,
                end_row=top + cell.rowspan - 1,
                end_column=left + cell.colspan - 1,
            )
    first_body = FIRST_HEADER_ROW + grid.header_rows
    for i, row in enumerate(grid.body):
        r = first_body + i
        column = 1
        if grid.label_column:
            label = sheet.cell(row=r, column=1, value=row.label)
            label.alignment = Alignment(indent=2 * row.level, vertical="center", wrap_text=True)
            label.border = _BORDER
            column = 2
        width = grid.width - column + 1
        values: tuple[int | None, ...] = row.values if row.values is not None else (None,) * width
        for j, value in enumerate(values):
            target = sheet.cell(row=r, column=column + j, value=value)
            target.border = _BORDER
    for c in range(1, grid.width + 1):
        first = grid.label_column and c == 1
        sheet.column_dimensions[get_column_letter(c)].width = label_width if first else 12
    sheet.freeze_panes = sheet.cell(row=first_body, column=2 if grid.label_column else 1)
