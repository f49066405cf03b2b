"""The application form of Art. 29 and its receipt (Art. 31: the receipt date starts the clock).

The form names the agency (each with the subjects its catalogue lists), the applicant (name,
kind, identity document, contact), the description, and the form and channel of provision. It
is checked here first, then by intake; every refusal is shown beside its field. The receipt
shows the application number; the routing service's suggestion from the catalogues, when it
points at another agency, is shown with it (the agency then forwards it, Art. 31-33).
"""

from __future__ import annotations

import asyncio
import secrets

from ogi.v1 import common_pb2, intake_pb2, routing_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ogi_cli.registry import registry
from ogi_law.rules import APPLICANT_TYPES, CHANNELS, FORMS
from ogi_web.backend import ServiceError, as_dict
from ogi_web.forms import Input, Posted, checked, defaults
from ogi_web.pages import page
from ogi_web.portal.public import public_post
from ogi_web.state import shared

SUGGESTION_WAIT_SECONDS = 2.0


def agencies() -> dict[str, str]:
    return {a.code: a.name for a in registry().all()}


def inputs() -> tuple[Input, ...]:
    return (
        Input("agency", "向哪个机关申请", "select", agencies(), required=True,
              hint="请选择掌握所需信息的机关；各机关掌握的信息见下方目录"),
        Input("applicant.name", "申请人姓名或者名称", required=True, max_len=200),
        Input("applicant.type", "申请人类型", "select", APPLICANT_TYPES, required=True),
        Input("applicant.id_doc", "身份证件号码或统一社会信用代码", required=True, max_len=64,
              hint="查询办理情况时需要提供证件号码的后几位"),
        Input("applicant.contact", "联系方式", required=True, max_len=200,
              hint="电话、电子邮箱或者通信地址"),
        Input("description", "所需政府信息的名称、文号或者便于查询的其他特征性描述", "textarea",
              required=True, max_len=4000),
        Input("form", "获取信息的方式", "radio", FORMS, default="electronic"),
        Input("channel", "申请方式", "select", CHANNELS, required=True, default="online"),
    )  # fmt: skip


def _form(request: Request, posted: Posted, status: int = 200) -> HTMLResponse:
    return page(
        request,
        "portal/apply.html",
        status,
        inputs=inputs(),
        posted=posted,
        catalogue=registry().all(),
        request_id=posted.text("request_id") or secrets.token_urlsafe(16),
    )


async def show_form(request: Request) -> HTMLResponse:
    return _form(request, defaults(inputs()))


async def _suggestion(request: Request, application_id: str) -> dict[str, str]:
    """Routing's suggestion from the catalogues, once routing has the application (briefly
    waited for: it arrives over the bus); empty when there is none or it is not there yet."""
    web = shared(request)
    ask = routing_pb2.GetRoutingRequest(application_id=application_id)
    deadline = asyncio.get_running_loop().time() + SUGGESTION_WAIT_SECONDS
    while True:
        try:
            routing = await web.backend.call("routing", "GetRouting", ask, web.credentials.portal())
            return as_dict(routing.routing)
        except ServiceError as error:
            if error.code != "NOT_FOUND" or asyncio.get_running_loop().time() > deadline:
                return {}
        await asyncio.sleep(0.2)


async def submit(request: Request) -> HTMLResponse:
    form = await public_post(request, "apply")
    fields = inputs()
    posted = checked(form, fields)
    posted.values["request_id"] = str(form.get("request_id") or "")
    if not posted.ok:
        return _form(request, posted, 422)
    web = shared(request)
    ask = intake_pb2.SubmitApplicationRequest(
        agency=posted.text("agency"),
        applicant=common_pb2.Applicant(
            name=posted.text("applicant.name"),
            type=posted.text("applicant.type"),
            id_doc=posted.text("applicant.id_doc"),
            contact=posted.text("applicant.contact"),
        ),
        description=posted.text("description"),
        form=posted.text("form"),
        channel=posted.text("channel"),
        request_id=posted.text("request_id"),
    )
    try:
        reply = await web.backend.call("intake", "SubmitApplication", ask, web.credentials.portal())
    except ServiceError as error:
        posted.refused(error, fields)
        return _form(request, posted, 422)
    application = as_dict(reply.application)
    routing = await _suggestion(request, application["application_id"])
    return page(request, "portal/receipt.html", application=application, routing=routing)
