"""The bureau's complaint cases: the list by state (new ones first in mind: 已收到), and the case
file with what the bureau decided, the application's timeline across agencies, and the steps."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ogi.v1 import complaint_pb2, query_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ogi_cli.registry import registry
from ogi_law.labels import COMPLAINT_STATES
from ogi_web.backend import ServiceError, as_dict
from ogi_web.bureau.steps import Step, step, steps
from ogi_web.errors import PageError
from ogi_web.forms import Posted, checked, defaults
from ogi_web.pages import page
from ogi_web.session import Staff, bureau, posted
from ogi_web.state import shared
from ogi_web.timeline import trace

DONE = "done"


async def cases(request: Request) -> HTMLResponse:
    who = bureau(request, registry())
    state = request.query_params.get("state", "")
    ask = query_pb2.ListComplaintCasesRequest(
        states=[state] if state in COMPLAINT_STATES else [], page_size=100
    )
    web = shared(request)
    try:
        listed, figures = await asyncio.gather(
            web.backend.call("query", "ListComplaintCases", ask, who.token),
            web.backend.call("query", "GetAgencyFigures", query_pb2.GetAgencyFiguresRequest(),
                             who.token),
        )  # fmt: skip
    except ServiceError as error:
        raise PageError.of(error) from None
    return page(
        request,
        "bureau/cases.html",
        listed=as_dict(listed),
        figures=as_dict(figures),
        state=state,
        states=COMPLAINT_STATES,
    )


async def _render(
    request: Request, who: Staff, complaint_id: str, failed: Step | None = None,
    form: Posted | None = None,
) -> HTMLResponse:  # fmt: skip
    web = shared(request)
    ask = complaint_pb2.GetComplaintRequest(complaint_id=complaint_id)
    try:
        case = as_dict(
            (await web.backend.call("complaint", "GetComplaint", ask, who.token)).complaint
        )
        history = (
            await trace(web.backend, case["application_id"], who.token)
            if case["application_id"]
            else {"events": []}
        )
    except ServiceError as error:
        raise PageError.of(error) from None
    forms: dict[str, Posted] = {s.name: defaults(s.inputs) for s in steps()}
    if failed is not None and form is not None:
        forms[failed.name] = form
    return page(
        request,
        "bureau/case.html",
        422 if failed else 200,
        case=case,
        events=history["events"],
        steps=[s for s in steps() if s.shown(case) or s is failed],
        forms=forms,
        failed=failed.name if failed else "",
        done=request.session.pop(DONE, ""),
    )


async def show(request: Request) -> HTMLResponse:
    who = bureau(request, registry())
    return await _render(request, who, request.path_params["complaint_id"])


async def _trace_json(request: Request, who: Staff, complaint_id: str) -> str:
    """The application's trace, as `ogi case investigate` attaches it."""
    web = shared(request)
    ask = complaint_pb2.GetComplaintRequest(complaint_id=complaint_id)
    case: Any = (await web.backend.call("complaint", "GetComplaint", ask, who.token)).complaint
    history = await trace(web.backend, case.application_id, who.token)
    return json.dumps(history, ensure_ascii=False)


async def act(request: Request) -> Response:
    who = bureau(request, registry())
    complaint_id = request.path_params["complaint_id"]
    chosen = step(request.path_params["step"])
    if chosen is None:
        raise PageError(404, "没有这个步骤")
    form = checked(await posted(request), chosen.inputs)
    if form.ok:
        web = shared(request)
        try:
            if chosen.name == "investigate":
                form.values["trace_json"] = await _trace_json(request, who, complaint_id)
            ask = chosen.build(complaint_id, form)
            answer = await web.backend.call("complaint", chosen.method, ask, who.token)
        except ServiceError as error:
            form.refused(error, chosen.inputs)
        else:
            order = getattr(answer, "order_id", "") if chosen.name == "order" else ""
            request.session[DONE] = f"已办理：{chosen.title}" + (
                f"（整改通知编号 {order}）" if order else ""
            )
            return RedirectResponse(f"/bureau/cases/{complaint_id}", 303)
    return await _render(request, who, complaint_id, chosen, form)
