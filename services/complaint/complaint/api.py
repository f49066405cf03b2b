"""The complaint gRPC API of the supervision bureau."""

from __future__ import annotations

import grpc
from ogi.v1 import complaint_pb2, complaint_pb2_grpc

from complaint.application import ComplaintApplication
from complaint.domain import COMPLAINT_GROUNDS, Complaint, checked_text
from govcommon.dates import day_from_input
from govcommon.errors import InvalidInput, NotFound
from govcommon.history import history_registration
from govcommon.ids import checked_application_id
from govcommon.rpc import Registration, handles_domain_errors
from govcommon.rules import choose
from govcommon.runtime import ServiceRuntime

DEFAULT_BUREAU = "supervision-bureau"


def view(complaint: Complaint) -> complaint_pb2.ComplaintView:
    return complaint_pb2.ComplaintView(
        complaint_id=complaint.complaint_id,
        bureau=complaint.bureau,
        application_id=complaint.application_id,
        against_agency=complaint.against_agency,
        ground=complaint.ground,
        text=complaint.text,
        complainant=complaint.complainant,
        filed_on=complaint.filed_on.isoformat(),
        state=complaint.state,
    )


class ComplaintServicer(complaint_pb2_grpc.ComplaintServiceServicer):
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    @handles_domain_errors
    async def FileComplaint(
        self, request: complaint_pb2.FileComplaintRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.FileComplaintResponse:
        bureau = self.runtime.registry.get(request.bureau or DEFAULT_BUREAU, "bureau")
        if bureau.kind != "supervision_bureau":
            raise InvalidInput("bureau", f"{bureau.code} is not a supervision bureau")
        unit = self.runtime.unit(bureau.code, "bureau")
        application_id = checked_application_id(request.application_id)
        against = (
            self.runtime.registry.get(request.against_agency, "against_agency").code
            if request.against_agency
            else None
        )
        ground = choose("ground", request.ground, COMPLAINT_GROUNDS)
        text = checked_text(request.text)
        filed_on = day_from_input("filed_on", request.filed_on)
        app = self.runtime.app(unit, ComplaintApplication)
        complaint = await self.runtime.write(
            unit,
            app.file,
            application_id,
            against,
            ground,
            text,
            request.complainant.strip() or "applicant",
            filed_on,
        )
        return complaint_pb2.FileComplaintResponse(complaint=view(complaint))

    @handles_domain_errors
    async def GetComplaint(
        self, request: complaint_pb2.GetComplaintRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.GetComplaintResponse:
        if not request.complaint_id:
            raise InvalidInput("complaint_id", "is required")
        for unit in self.runtime.units.values():
            app = self.runtime.app(unit, ComplaintApplication)
            try:
                found = await self.runtime.read(unit, app.complaint, request.complaint_id)
            except NotFound:
                continue
            return complaint_pb2.GetComplaintResponse(complaint=view(found))
        raise NotFound(f"complaint {request.complaint_id} not found")

    @handles_domain_errors
    async def ListComplaints(
        self, request: complaint_pb2.ListComplaintsRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.ListComplaintsResponse:
        application_id = checked_application_id(request.application_id)
        complaints: list[Complaint] = []
        for unit in self.runtime.units.values():
            app = self.runtime.app(unit, ComplaintApplication)
            complaints += await self.runtime.read(unit, app.complaints_about, application_id)
        return complaint_pb2.ListComplaintsResponse(complaints=[view(c) for c in complaints])


def servicers(runtime: ServiceRuntime) -> list[Registration]:
    return [
        (
            complaint_pb2_grpc.add_ComplaintServiceServicer_to_server,
            ComplaintServicer(runtime),
            "ogi.v1.ComplaintService",
        ),
        history_registration(runtime),
    ]
