"""Rendering a checked annual table: json, csv, markdown, html, xlsx.

Every renderer runs ``table.check()`` first and lets BrokenTable through: a table that breaks
its own sums is never emitted.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ogi_report.render_csv import render_csv
from ogi_report.render_html import render_html
from ogi_report.render_markdown import render_markdown
from ogi_report.render_xlsx import render_xlsx
from ogi_report.table import AnnualTable


def render_json(table: AnnualTable) -> bytes:
    table.check()
    return (json.dumps(table.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


RENDERERS: dict[str, Callable[[AnnualTable], bytes]] = {
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "html": render_html,
    "xlsx": render_xlsx,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILE_EXTENSIONS: dict[str, str] = {
    "json": "json",
    "csv": "csv",
    "markdown": "md",
    "html": "html",
    "xlsx": "xlsx",
}


def render(table: AnnualTable, fmt: str) -> bytes:
    """The table in ``fmt`` (one of FORMATS); BrokenTable if it fails its check, ValueError
    for an unknown format."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}") from None
    return renderer(table)
