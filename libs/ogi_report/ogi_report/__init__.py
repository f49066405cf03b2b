"""The annual report's parts 三 and 四, counted from application facts, checked and rendered.

Pure: the renderers produce bytes; the facts come from ``projection`` (fed by the report
service's read model, ``report.readmodel``).
"""

from __future__ import annotations

from ogi_report.counting import count_year
from ogi_report.facts import ApplicationFacts, Closing, Remedy
from ogi_report.render import FORMATS, MEDIA_TYPES, render
from ogi_report.table import AnnualTable, BrokenTable, sum_tables

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "AnnualTable",
    "ApplicationFacts",
    "BrokenTable",
    "Closing",
    "Remedy",
    "count_year",
    "render",
    "sum_tables",
]
