"""The case file of one application (办理页): the summary, the clock with its pauses and its
extension, the timeline of every service and agency in Chinese, the letter, and the actions
(ogi_web.staff.actions). An action done goes back to the case file with a note; one refused
shows the case file again with the form open and the refusal beside its field."""

from __future__ import annotations

import asyncio
from typing import Any

from ogi.v1 import reply_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ogi_law.rules import OUTCOMES
from ogi_web.backend import ServiceError
from ogi_web.errors import PageError
from ogi_web.forms import Posted, checked, defaults
from ogi_web.pages import page
from ogi_web.portal.casefile import case_file
from ogi_web.session import Staff, posted, staff
from ogi_web.staff.actions import Action, action, actions
from ogi_web.state import shared
from ogi_web.timeline import trace

DONE = "done"


def _prefilled(case: dict[str, Any]) -> dict[str, Posted]:
    """Each action's form, with what the case file already says filled in."""
    forms = {a.name: defaults(a.inputs) for a in actions()}
    review, routing = case.get("review") or {}, case.get("routing") or {}
    waiting = [c["ref"] for c in review.get("consultations", []) if not c["answer"]]
    if waiting:
        forms["answer"].values["ref"] = waiting[0]
    if review.get("rectification_order"):
        forms["rectify"].values["order_id"] = review["rectification_order"]
    if routing.get("suggested_agency"):
        forms["forward"].values["to_agency"] = routing["suggested_agency"]
    return forms


async def _render(
    request: Request,
    who: Staff,
    application_id: str,
    failed: Action | None = None,
    form: Posted | None = None,
) -> HTMLResponse:
    web = shared(request)
    try:
        case, history = await asyncio.gather(
            case_file(web.backend, application_id, who.token),
            trace(web.backend, application_id, who.token),
        )
    except ServiceError as error:
        raise PageError.of(error) from None
    forms = _prefilled(case)
    if failed is not None and form is not None:
        forms[failed.name] = form
    offered = [a for a in actions() if a.shown(case) or a is failed]
    return page(
        request,
        "staff/casefile.html",
        422 if failed else 200,
        case=case,
        events=history["events"],
        application_id=application_id,
        actions=offered,
        forms=forms,
        failed=failed.name if failed else "",
        done=request.session.pop(DONE, ""),
    )


async def show(request: Request) -> HTMLResponse:
    return await _render(request, staff(request), request.path_params["application_id"])


async def act(request: Request) -> Response:
    """Do the action posted: on success back to the case file (the letter after printing)."""
    who = staff(request)
    application_id = request.path_params["application_id"]
    chosen = action(request.path_params["action"])
    if chosen is None:
        raise PageError(404, "没有这项操作")
    form = checked(await posted(request), chosen.inputs)
    if form.ok:
        web = shared(request)
        ask = chosen.build(application_id, form)
        try:
            answer = await web.backend.call(chosen.service, chosen.method, ask, who.token)
        except ServiceError as error:
            form.refused(error, chosen.inputs)
        else:
            ref = getattr(answer, "ref", "") if chosen.name == "consult" else ""
            request.session[DONE] = f"已办理：{chosen.title}" + (
                f"（征求意见编号 {ref}）" if ref else ""
            )
            where = f"/staff/applications/{application_id}"
            return RedirectResponse(where + ("/letter" if chosen.name == "print" else ""), 303)
    return await _render(request, who, application_id, chosen, form)


async def preview(request: Request) -> HTMLResponse:
    """The decision's statutory wording as the applicant will read it (htmx, as it is chosen)."""
    staff(request)
    form = await posted(request)
    outcome = OUTCOMES.get(str(form.get("outcome") or ""))
    grounds = [str(g) for g in form.getlist("grounds")]
    return page(request, "staff/preview.html", outcome=outcome, grounds=grounds)


async def letter(request: Request) -> HTMLResponse:
    """The reply letter as its printable page (the service's HTML), for staff."""
    who = staff(request)
    web = shared(request)
    ask = reply_pb2.GetReplyRequest(application_id=request.path_params["application_id"])
    try:
        reply = await web.backend.call("reply", "GetReply", ask, who.token)
    except ServiceError as error:
        raise PageError.of(error) from None
    return HTMLResponse(reply.reply.letter_html)
