"""Pages from Jinja2 templates (autoescaped), every code shown as the catalogue's Chinese term
(ogi_law.labels), dates as 2026年12月18日, agencies by name, people as the CLI names them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from ogi_cli.clocktext import clock_sentence
from ogi_cli.registry import agency_name, registry
from ogi_cli.views import actor
from ogi_law import labels
from ogi_law.dates import chinese_date
from ogi_law.labels import ground_label, label, outcome_label
from ogi_web.session import csrf_token, signed_in

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _date(value: Any) -> str:
    text = str(value or "")
    try:
        return chinese_date(text[:10])
    except ValueError:
        return text


def _term(code: Any, vocabulary: str) -> str:
    """A code as the term of the catalogue's vocabulary (``APPLICATION_STATES``…)."""
    return label(getattr(labels, vocabulary), str(code or ""))


def _days_left(value: Any) -> str:
    """Working days left as staff read them in the queue."""
    if value is None or value == "":
        return ""
    days = int(value)
    return f"剩余 {days} 个工作日" if days >= 0 else f"已逾期 {-days} 个工作日"


TEMPLATES.env.filters.update(
    cdate=_date,
    term=_term,
    agency=lambda code: agency_name(str(code or "")),
    actor=actor,
    outcome=lambda code: outcome_label(str(code or "")),
    ground=lambda code: ground_label(str(code or "")),
    days_left=_days_left,
)
TEMPLATES.env.globals.update(labels=labels, registry=registry, clock_sentence=clock_sentence)


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template ``name`` with the session's CSRF token and signed-in staff member."""
    context |= {"csrf": csrf_token(request), "who": signed_in(request)}
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)
