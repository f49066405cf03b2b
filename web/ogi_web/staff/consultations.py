"""Consultations addressed to the agency (Art. 34): another agency handling an application asks
whether this one, which made or holds the information too, consents to its disclosure. The
list comes from the query service; the answer goes to review (AnswerConsultation), which sends
it back to the consulting agency."""

from __future__ import annotations

from ogi.v1 import query_pb2, review_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ogi_law.labels import ORGAN_ANSWERS
from ogi_web.backend import ServiceError, as_dict
from ogi_web.errors import PageError
from ogi_web.forms import Input, Posted, checked
from ogi_web.pages import page
from ogi_web.session import posted, staff
from ogi_web.state import shared

DONE = "done"
INPUTS = (
    Input("application_id", "申请标识", required=True),
    Input("from_agency", "征求意见的机关", required=True),
    Input("ref", "征求意见编号", required=True),
    Input("answer", "意见", "radio",
          {k: ORGAN_ANSWERS[k] for k in ("consent", "objection")}, required=True),
    Input("reasons", "理由（不同意公开的须说明）", "textarea"),
)  # fmt: skip


async def _render(request: Request, form: Posted | None = None, status: int = 200) -> HTMLResponse:
    who = staff(request)
    web = shared(request)
    ask = query_pb2.ListConsultationsRequest(page_size=100)
    try:
        listed = await web.backend.call("query", "ListConsultations", ask, who.token)
    except ServiceError as error:
        raise PageError.of(error) from None
    return page(
        request,
        "staff/consultations.html",
        status,
        listed=as_dict(listed),
        inputs=INPUTS,
        form=form,
        done=request.session.pop(DONE, ""),
    )


async def show(request: Request) -> HTMLResponse:
    return await _render(request)


async def answer(request: Request) -> Response:
    who = staff(request)
    form = checked(await posted(request), INPUTS)
    if form.ok:
        ask = review_pb2.AnswerConsultationRequest(
            agency=who.agency,
            application_id=form.text("application_id"),
            from_agency=form.text("from_agency"),
            ref=form.text("ref"),
            answer=form.text("answer"),
            reasons=form.text("reasons"),
        )
        web = shared(request)
        try:
            await web.backend.call("review", "AnswerConsultation", ask, who.token)
        except ServiceError as error:
            form.refused(error, INPUTS)
        else:
            request.session[DONE] = f"已答复征求意见 {form.text('ref')}"
            return RedirectResponse("/staff/consultations", 303)
    return await _render(request, form, 422)
