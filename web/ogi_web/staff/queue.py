"""The work queue (工作台): the agency's open applications, due date first, with the clock's
working days left; filters (overdue, due within 5 working days, waiting for a correction, a fee
or a consultation's answer, every state) in the query (no personal data), search by words or
lookup by number posted. A supervision bureau's staff see every agency's."""

from __future__ import annotations

from typing import Any

from ogi.v1 import query_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ogi_law.refusals import refusal_detail
from ogi_web.backend import ServiceError, as_dict
from ogi_web.errors import PageError
from ogi_web.pages import page
from ogi_web.session import Staff, posted, staff
from ogi_web.state import shared

#: The queue's views: what each lists.
VIEWS = {
    "": "待办（全部未办结）",
    "overdue": "已逾期",
    "soon": "5 个工作日内到期",
    "correction": "待补正",
    "fee": "待缴费",
    "consultation": "征求意见待答复",
    "all": "全部（含已办结）",
}
SORTS = {"due": "按到期日", "received": "按收到日期（新的在前）"}
SOON_DAYS = 5
NUMBER_PREFIX_SEPARATOR = "-"


def _request(view: str, sort: str, after: str) -> query_pb2.ListApplicationsRequest:
    ask = query_pb2.ListApplicationsRequest(
        sort=sort, page_size=50, page_token=after, up_to_date=True
    )
    if view == "overdue":
        ask.overdue = True
    elif view == "soon":
        ask.due_within_days = SOON_DAYS
    elif view == "correction":
        ask.waiting_correction = True
    elif view == "fee":
        ask.waiting_fee = True
    elif view == "consultation":
        ask.waiting_consultation = True
    elif view == "all":
        ask.all_states = True
    return ask


def _render(request: Request, who: Staff, listed: dict[str, Any], **context: Any) -> HTMLResponse:
    params = request.query_params
    return page(
        request,
        "staff/queue.html",
        listed=listed,
        views=VIEWS,
        sorts=SORTS,
        view=params.get("view", ""),
        sort=params.get("sort", "due"),
        agency=who.agency,
        **context,
    )


async def queue(request: Request) -> HTMLResponse:
    who = staff(request)
    params = request.query_params
    view = params.get("view", "") if params.get("view", "") in VIEWS else ""
    sort = params.get("sort", "due") if params.get("sort", "due") in SORTS else "due"
    web = shared(request)
    ask = _request(view, sort, params.get("after", ""))
    try:
        listed = await web.backend.call("query", "ListApplications", ask, who.token)
    except ServiceError as error:
        raise PageError.of(error) from None
    return _render(request, who, as_dict(listed))


async def search(request: Request) -> Response:
    """Words to search for, or an application number to open."""
    who = staff(request)
    form = await posted(request)
    words = str(form.get("words") or "").strip()
    if not words:
        return RedirectResponse("/staff/", 303)
    web = shared(request)
    try:
        if NUMBER_PREFIX_SEPARATOR in words and " " not in words and words.isascii():
            ask = query_pb2.FindApplicationRequest(number=words, up_to_date=True)
            found = await web.backend.call("query", "FindApplication", ask, who.token)
            return RedirectResponse(f"/staff/applications/{found.application.application_id}", 303)
        asked = query_pb2.SearchApplicationsRequest(words=words, page_size=50, up_to_date=True)
        listed = await web.backend.call("query", "SearchApplications", asked, who.token)
    except ServiceError as error:
        message = (
            "没有找到该编号的申请。"
            if error.code == "NOT_FOUND"
            else refusal_detail(error.message, error.field)
        )
        return _render(request, who, {"applications": [], "total": 0}, words=words, problem=message)
    return _render(request, who, as_dict(listed), words=words)
