"""HTML: a self-contained document; merged headers as rowspan/colspan; every text escaped."""

from __future__ import annotations

from html import escape

from ogi_report.layout import Grid, HeaderCell, caption, part_four, part_three
from ogi_report.table import AnnualTable

STYLE = """
body { font-family: "SimSun", "Songti SC", serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #000; padding: 0.3em 0.6em; }
thead th { text-align: center; font-weight: bold; }
th.corner { font-weight: normal; font-size: 0.85em; max-width: 18em; }
tbody th { text-align: left; font-weight: normal; }
tbody th.level-1 { padding-left: 1.6em; }
tbody th.level-2 { padding-left: 3.2em; }
td { text-align: right; }
"""


def render_html(table: AnnualTable) -> bytes:
    table.check()
    title = _text(caption(table))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
    ]
    for grid in (part_three(table), part_four(table)):
        parts += [f"<h2>{_text(grid.title)}</h2>", *_table(grid)]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


def _table(grid: Grid) -> list[str]:
    lines = ["<table>", "<thead>"]
    for r in range(grid.header_rows):
        cells = "".join(_th(c, grid.label_column) for c in grid.header if c.row == r)
        lines.append(f"<tr>{cells}</tr>")
    lines += ["</thead>", "<tbody>"]
    for row in grid.body:
        label = (
            f'<th scope="row" class="level-{row.level}">{_text(row.label)}</th>'
            if grid.label_column
            else ""
        )
        width = grid.width - 1 if grid.label_column else grid.width
        numbers = [""] * width if row.values is None else [str(v) for v in row.values]
        lines.append(f"<tr>{label}{''.join(f'<td>{n}</td>' for n in numbers)}</tr>")
    lines += ["</tbody>", "</table>"]
    return lines


def _th(cell: HeaderCell, label_column: bool) -> str:
    attrs = ""
    if label_column and cell.col == 0:
        attrs += ' class="corner"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.title:
        attrs += f' title="{escape(cell.title)}"'
    return f"<th{attrs}>{_text(cell.text)}</th>"


def _text(text: str) -> str:
    """Escaped element content; quotes need no escaping there and are kept as printed."""
    return escape(text, quote=False)
