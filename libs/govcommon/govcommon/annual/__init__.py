"""The annual report's parts 三 and 四, counted from application facts, checked and rendered.

Pure (the renderers produce bytes), except ``readmodel``, which reads the agency's stores.
"""

from __future__ import annotations

from govcommon.annual.counting import count_year
from govcommon.annual.facts import ApplicationFacts, Closing, Remedy
from govcommon.annual.render import FORMATS, MEDIA_TYPES, render
from govcommon.annual.table import AnnualTable, BrokenTable, sum_tables

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
