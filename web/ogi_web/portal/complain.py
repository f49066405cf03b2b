"""The applicant's complaint to the supervision bureau about the application looked up
(Art. 51): the ground, what happened, and whom to tell the result. The bureau is the one the
complaint service defaults to; the agency complained about, the one handling the application."""

from __future__ import annotations

from ogi.v1 import complaint_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ogi_web.backend import ServiceError, as_dict
from ogi_web.forms import checked
from ogi_web.portal.lookup import complaint_inputs, looked_up, status_page
from ogi_web.portal.public import public_post
from ogi_web.state import shared


async def complain(request: Request) -> HTMLResponse:
    form = await public_post(request, "complain")
    application_id = looked_up(request)
    inputs = complaint_inputs("")
    posted = checked(form, inputs)
    if posted.ok:
        web = shared(request)
        ask = complaint_pb2.FileComplaintRequest(
            application_id=application_id,
            ground=posted.text("ground"),
            text=posted.text("text"),
            complainant=posted.text("complainant"),
            complainant_contact=posted.text("contact"),
        )
        try:
            filed = await web.backend.call(
                "complaint", "FileComplaint", ask, web.credentials.portal()
            )
            return await status_page(request, application_id, filed=as_dict(filed.complaint))
        except ServiceError as error:
            posted.refused(error, inputs)
    page = await status_page(request, application_id, posted=posted)
    page.status_code = 422
    return page
