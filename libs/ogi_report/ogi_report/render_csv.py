"""CSV: UTF-8 with a byte-order mark (so that Excel in China opens it right), CRLF lines.

The merged header cells are written as a sheet exports them: the text in the span's first
cell, the rest empty.
"""

from __future__ import annotations

import csv
import io

from ogi_report.layout import Grid, caption, header_lines, part_four, part_three
from ogi_report.table import AnnualTable


def render_csv(table: AnnualTable) -> bytes:
    table.check()
    lines: list[list[str]] = [[caption(table)]]
    for grid in (part_three(table), part_four(table)):
        lines += [[], *_lines(grid)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return out.getvalue().encode("utf-8-sig")


def _lines(grid: Grid) -> list[list[str]]:
    lines = [[grid.title], *header_lines(grid)]
    for row in grid.body:
        width = grid.width - 1 if grid.label_column else grid.width
        numbers = [""] * width if row.values is None else [str(v) for v in row.values]
        lines.append([row.label, *numbers] if grid.label_column else numbers)
    return lines
