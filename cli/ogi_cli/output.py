"""A command's result as people read it (without --json): the view the command names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ogi_cli import adminviews, views


def text(show: str, result: Mapping[str, Any]) -> str:
    """The result laid out by the view ``show``; a document the command made itself (a report
    table, the dead letters) as it is."""
    if set(result) == {"_text"}:
        return str(result["_text"])
    return (views.VIEWS | adminviews.VIEWS)[show](result)
