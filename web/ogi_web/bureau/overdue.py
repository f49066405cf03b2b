"""The overdue board: each agency's open, overdue and replied applications with its median
working days to reply, and the applications the reply clocks declared overdue (as the bureau
hears of them)."""

from __future__ import annotations

import asyncio

from ogi.v1 import query_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ogi_cli.registry import registry
from ogi_web.backend import ServiceError, as_dict
from ogi_web.errors import PageError
from ogi_web.pages import page
from ogi_web.session import bureau
from ogi_web.state import shared


async def board(request: Request) -> HTMLResponse:
    who = bureau(request, registry())
    web = shared(request)
    try:
        reports, figures = await asyncio.gather(
            web.backend.call("query", "ListOverdueReports",
                             query_pb2.ListOverdueReportsRequest(page_size=200), who.token),
            web.backend.call("query", "GetAgencyFigures", query_pb2.GetAgencyFiguresRequest(),
                             who.token),
        )  # fmt: skip
    except ServiceError as error:
        raise PageError.of(error) from None
    return page(request, "bureau/overdue.html", reports=as_dict(reports), figures=as_dict(figures))
