"""The complaint gRPC API of the supervision bureau."""

from __future__ import annotations

import json
from datetime import date

import grpc
from ogi.v1 import complaint_pb2, complaint_pb2_grpc

from complaint.application import ComplaintApplication
from complaint.commands import (
    AcceptComplaint,
    AttachTrace,
    CloseComplaint,
    FileComplaint,
    IssueCriticism,
    OrderRectification,
    RecommendAccountability,
    RecordFinding,
    RejectComplaint,
)
from complaint.domain import Complaint, checked_text
from ogi_errors import InvalidInput, NotFound
from ogi_law.agencies import AgencyRegistry
from ogi_law.dates import day_from_input
from ogi_law.labels import COMPLAINT_GROUNDS
from ogi_law.rules import choose
from ogi_platform.ids import checked_application_id
from ogi_platform.rpc.auth import allowed, caller, require
from ogi_platform.rpc.history import history_registration
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.runtime import AgencyUnit, ServiceRuntime
from ogi_platform.today import today_in_china

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
        upheld=bool(complaint.upheld),
        outcomes=complaint.outcomes,
        orders=[
            complaint_pb2.RectificationOrderView(
                order_id=order_id,
                answer_due=o["answer_due"],
                answer=o["answer"],
                answer_late=Complaint.answered_late(o),
                requirements=o.get("requirements", ""),
                answered_on=str(o.get("answered_on", "")),
            )
            for order_id, o in complaint.orders.items()
        ],
        complainant_contact=complaint.complainant_contact,
        acceptance_note=complaint.acceptance_note,
        rejection_reasons=complaint.rejection_reasons,
        finding_reasons=complaint.finding_reasons,
        criticisms=complaint.criticisms,
        recommendations=[
            complaint_pb2.RecommendationView(body=body, text=text)
            for body, text in complaint.recommendations
        ],
        closing_notice=complaint.closing_notice,
    )


class ComplaintServicer(complaint_pb2_grpc.ComplaintServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime

    @handles_domain_errors
    async def FileComplaint(
        self, request: complaint_pb2.FileComplaintRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.FileComplaintResponse:
        bureau = self.runtime.registry.get(request.bureau or DEFAULT_BUREAU, "bureau")
        if bureau.kind != "supervision_bureau":
            raise InvalidInput("bureau", f"{bureau.code} is not a supervision bureau")
        unit = self.runtime.unit(bureau.code, "submit", "bureau")
        application_id = (
            checked_application_id(request.application_id) if request.application_id else ""
        )
        against = (
            self.runtime.registry.get(request.against_agency, "against_agency").code
            if request.against_agency
            else None
        )
        ground = choose("ground", request.ground, COMPLAINT_GROUNDS)
        text = checked_text(request.text)
        filed_on = day_from_input("filed_on", request.filed_on, today_in_china())
        complainant = request.complainant.strip() or "applicant"
        complaint = await self.runtime.execute(
            unit,
            FileComplaint(
                actor=f"complainant:{complainant}", on=filed_on, application_id=application_id,
                against_agency=against, ground=ground, text=text, complainant=complainant,
                complainant_contact=request.complainant_contact.strip(),
            ),
        )  # fmt: skip
        return complaint_pb2.FileComplaintResponse(complaint=view(complaint))

    @handles_domain_errors
    async def GetComplaint(
        self, request: complaint_pb2.GetComplaintRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.GetComplaintResponse:
        _, found = await self._find(request.complaint_id)
        return complaint_pb2.GetComplaintResponse(complaint=view(found))

    @handles_domain_errors
    async def ListComplaints(
        self, request: complaint_pb2.ListComplaintsRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.ListComplaintsResponse:
        application_id = checked_application_id(request.application_id)
        complaints: list[Complaint] = []
        for unit in self.runtime.units.values():
            app = self.runtime.app(unit, ComplaintApplication)
            complaints += await self.runtime.read(unit, app.complaints_about, application_id)
        readable = [c for c in complaints if self._may_read(self.runtime.units[c.bureau], c)]
        return complaint_pb2.ListComplaintsResponse(complaints=[view(c) for c in readable])

    def _may_read(self, unit: AgencyUnit, complaint: Complaint) -> bool:
        """The bureau's staff, the public portal, and the staff of the agency complained
        against may read a complaint."""
        principal = caller()
        against = principal.role == "staff" and principal.agency == complaint.against_agency
        return against or allowed(principal, "read", unit.agency, self.runtime.supervisors)

    async def _find(self, complaint_id: str) -> tuple[AgencyUnit, Complaint]:
        """The bureau holding the complaint and the complaint, if the caller may read it: one
        who may not gets the answer for an absent complaint, so no one learns which exist."""
        if not complaint_id:
            raise InvalidInput("complaint_id", "is required")
        for unit in self.runtime.units.values():
            app = self.runtime.app(unit, ComplaintApplication)
            try:
                found = await self.runtime.read(unit, app.complaint, complaint_id)
            except NotFound:
                continue
            if self._may_read(unit, found):
                return unit, found
            break
        raise NotFound(f"complaint {complaint_id} not found")

    async def _case(self, complaint_id: str, on: str) -> tuple[AgencyUnit, date]:
        """The bureau that holds the complaint, if the caller may supervise it, and the date
        of the step (today unless given)."""
        unit = await self._holder(complaint_id)
        return unit, day_from_input("on", on, today_in_china())

    async def _holder(self, complaint_id: str) -> AgencyUnit:
        unit, _ = await self._find(complaint_id)
        require("supervise", unit.agency, self.runtime.supervisors)
        return unit

    @handles_domain_errors
    async def AcceptComplaint(
        self, request: complaint_pb2.AcceptComplaintRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.AcceptComplaintResponse:
        unit, on = await self._case(request.complaint_id, request.on)
        done = await self.runtime.execute(
            unit,
            AcceptComplaint(
                complaint_id=request.complaint_id, actor=caller().actor, on=on,
                note=request.note,
            ),
        )  # fmt: skip
        return complaint_pb2.AcceptComplaintResponse(complaint=view(done))

    @handles_domain_errors
    async def RejectComplaint(
        self, request: complaint_pb2.RejectComplaintRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.RejectComplaintResponse:
        unit, on = await self._case(request.complaint_id, request.on)
        done = await self.runtime.execute(
            unit,
            RejectComplaint(
                complaint_id=request.complaint_id, actor=caller().actor, on=on,
                reasons=request.reasons,
            ),
        )  # fmt: skip
        return complaint_pb2.RejectComplaintResponse(complaint=view(done))

    @handles_domain_errors
    async def AttachTrace(
        self, request: complaint_pb2.AttachTraceRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.AttachTraceResponse:
        try:
            events = json.loads(request.trace_json)["events"]
        except (ValueError, KeyError, TypeError):
            raise InvalidInput(
                "trace_json", "is not a trace as `ogi trace --json` prints it"
            ) from None
        unit, on = await self._case(request.complaint_id, request.on)
        done = await self.runtime.execute(
            unit,
            AttachTrace(
                complaint_id=request.complaint_id, actor=caller().actor, on=on,
                trace_json=request.trace_json, event_count=len(events),
            ),
        )  # fmt: skip
        return complaint_pb2.AttachTraceResponse(complaint=view(done))

    @handles_domain_errors
    async def RecordFinding(
        self, request: complaint_pb2.RecordFindingRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.RecordFindingResponse:
        unit, on = await self._case(request.complaint_id, request.on)
        done = await self.runtime.execute(
            unit,
            RecordFinding(
                complaint_id=request.complaint_id, actor=caller().actor, on=on,
                upheld=request.upheld, reasons=request.reasons,
            ),
        )  # fmt: skip
        return complaint_pb2.RecordFindingResponse(complaint=view(done))

    @handles_domain_errors
    async def OrderRectification(
        self, request: complaint_pb2.OrderRectificationRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.OrderRectificationResponse:
        unit, on = await self._case(request.complaint_id, request.on)
        days = request.answer_days or self.runtime.config.rectification_days
        if not 1 <= days <= 60:
            raise InvalidInput("answer_days", "must be 1 to 60 working days")
        complaint = await self.runtime.execute(
            unit,
            OrderRectification(
                complaint_id=request.complaint_id, actor=caller().actor, on=on,
                requirements=request.requirements, answer_days=days,
            ),
        )  # fmt: skip
        return complaint_pb2.OrderRectificationResponse(
            complaint=view(complaint), order_id=list(complaint.orders)[-1]
        )

    @handles_domain_errors
    async def IssueCriticism(
        self, request: complaint_pb2.IssueCriticismRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.IssueCriticismResponse:
        unit, on = await self._case(request.complaint_id, request.on)
        done = await self.runtime.execute(
            unit,
            IssueCriticism(
                complaint_id=request.complaint_id, actor=caller().actor, on=on,
                text=request.text,
            ),
        )  # fmt: skip
        return complaint_pb2.IssueCriticismResponse(complaint=view(done))

    @handles_domain_errors
    async def RecommendAccountability(
        self,
        request: complaint_pb2.RecommendAccountabilityRequest,
        context: grpc.aio.ServicerContext,
    ) -> complaint_pb2.RecommendAccountabilityResponse:
        unit, on = await self._case(request.complaint_id, request.on)
        done = await self.runtime.execute(
            unit,
            RecommendAccountability(
                complaint_id=request.complaint_id, actor=caller().actor, on=on,
                body=request.body, text=request.text,
            ),
        )  # fmt: skip
        return complaint_pb2.RecommendAccountabilityResponse(complaint=view(done))

    @handles_domain_errors
    async def CloseComplaint(
        self, request: complaint_pb2.CloseComplaintRequest, context: grpc.aio.ServicerContext
    ) -> complaint_pb2.CloseComplaintResponse:
        unit, on = await self._case(request.complaint_id, request.on)
        done = await self.runtime.execute(
            unit,
            CloseComplaint(
                complaint_id=request.complaint_id, actor=caller().actor, on=on,
                notice=request.notice,
            ),
        )  # fmt: skip
        return complaint_pb2.CloseComplaintResponse(complaint=view(done))


def servicers(runtime: ServiceRuntime[AgencyRegistry]) -> list[Registration]:
    return [
        (
            complaint_pb2_grpc.add_ComplaintServiceServicer_to_server,
            ComplaintServicer(runtime),
            "ogi.v1.ComplaintService",
        ),
        history_registration(runtime),
    ]
