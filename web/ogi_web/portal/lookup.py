"""查询申请: an application by its number and the last digits of the applicant's identity
document, posted (never in a URL). The portal shows the state, the statutory clock in plain
words, the notices and letters issued, and the complaint form; the application looked up is
remembered in the session for the complaint and the printable letter, and for nothing else.

A number no agency gave, and digits that do not match, get the same answer: the page does not
tell which applications exist.
"""

from __future__ import annotations

from typing import Any

from ogi.v1 import query_pb2, reply_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ogi_law.labels import COMPLAINT_GROUNDS
from ogi_web.backend import ServiceError
from ogi_web.errors import PageError
from ogi_web.forms import Input, Posted, checked
from ogi_web.pages import page
from ogi_web.portal.casefile import case_file
from ogi_web.portal.public import public_post
from ogi_web.session import posted
from ogi_web.state import shared

MIN_DIGITS = 4
NO_MATCH = "申请编号或证件号码后几位不正确，请核对后重新输入。"
LOOKED_UP = "looked_up"

INPUTS = (
    Input("number", "申请编号", required=True, hint="回执上的编号，例如 SZFB-2026-00001"),
    Input("digits", "身份证件号码后几位", required=True,
          hint=f"申请时所填证件号码的最后 {MIN_DIGITS} 位或更多位"),
)  # fmt: skip


def complaint_inputs(name: str) -> tuple[Input, ...]:
    return (
        Input("ground", "投诉事由", "select", COMPLAINT_GROUNDS, required=True),
        Input("text", "投诉内容", "textarea", required=True, max_len=4000),
        Input("complainant", "投诉人", required=True, default=name, max_len=200),
        Input("contact", "联系方式", required=True, max_len=200, hint="用于告知处理结果"),
    )


def _form(request: Request, posted_form: Posted, status: int = 200) -> HTMLResponse:
    return page(request, "portal/lookup.html", status, inputs=INPUTS, posted=posted_form)


async def show_form(request: Request) -> HTMLResponse:
    return _form(request, Posted())


async def _find(request: Request, number: str, digits: str) -> str:
    """The application id, if the number exists and its applicant's document ends in
    ``digits`` (the query service checks them); else ""."""
    web = shared(request)
    ask = query_pb2.FindApplicationRequest(
        number=number, up_to_date=True, applicant_id_doc_tail=digits
    )
    try:
        found = await web.backend.call("query", "FindApplication", ask, web.credentials.portal())
    except ServiceError as error:
        if error.code in ("NOT_FOUND", "INVALID_ARGUMENT"):
            return ""
        raise
    return str(found.application.application_id)


async def status_page(request: Request, application_id: str, **extra: Any) -> HTMLResponse:
    web = shared(request)
    try:
        application = await case_file(web.backend, application_id, web.credentials.portal())
    except ServiceError as error:
        raise PageError.of(error) from None
    name = application["intake"]["applicant"]["name"]
    context: dict[str, Any] = {
        "inputs": complaint_inputs(name),
        "posted": Posted({"complainant": name}),
    }
    context |= extra
    return page(request, "portal/status.html", application=application, **context)


async def look_up(request: Request) -> HTMLResponse:
    form = await public_post(request, "lookup")
    posted_form = checked(form, INPUTS)
    number = posted_form.text("number").upper()
    digits = posted_form.text("digits").upper()
    if posted_form.ok and len(digits) < MIN_DIGITS:
        posted_form.errors["digits"] = f"至少填写 {MIN_DIGITS} 位"
    if not posted_form.ok:
        return _form(request, posted_form, 422)
    application_id = await _find(request, number, digits)
    if not application_id:
        posted_form.problem = NO_MATCH
        return _form(request, posted_form, 404)
    request.session[LOOKED_UP] = application_id
    return await status_page(request, application_id)


def looked_up(request: Request) -> str:
    """The application this visitor proved to be theirs; else a page asking to look it up."""
    application_id = str(request.session.get(LOOKED_UP) or "")
    if not application_id:
        raise PageError(403, "请先查询申请", "请先用申请编号和证件号码后几位查询申请。")
    return application_id


async def letter(request: Request) -> Response:
    """The reply letter as its printable page, for the application looked up."""
    await posted(request)
    web = shared(request)
    ask = reply_pb2.GetReplyRequest(application_id=looked_up(request))
    try:
        reply = await web.backend.call("reply", "GetReply", ask, web.credentials.portal())
    except ServiceError as error:
        raise PageError.of(error) from None
    return HTMLResponse(reply.reply.letter_html)
