"""The intake gRPC API: a thin turn from requests into commands."""

from __future__ import annotations

from datetime import date

import grpc
from ogi.v1 import common_pb2, intake_pb2, intake_pb2_grpc

from intake.application import IntakeApplication
from intake.commands import (
    RecordCorrection,
    RequestCorrection,
    SubmitApplication,
    WithdrawApplication,
)
from intake.domain import Applicant, Application, Request
from ogi_errors import InvalidInput
from ogi_law.agencies import AgencyRegistry
from ogi_law.calendar import WorkingCalendar
from ogi_law.dates import day_from_input
from ogi_platform.ids import checked_application_id
from ogi_platform.rpc.auth import caller
from ogi_platform.rpc.history import history_registration
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.runtime import ServiceRuntime
from ogi_platform.today import today_in_china

DEFAULT_CORRECTION_PERIOD = 15


def view(application: Application) -> intake_pb2.ApplicationView:
    return intake_pb2.ApplicationView(
        application_id=application.application_id,
        agency=application.agency,
        application_number=application.application_number,
        state=application.state,
        applicant=common_pb2.Applicant(**application.applicant),
        description=application.description,
        form=application.form,
        channel=application.channel,
        received_on=application.received_on.isoformat(),
        correction_items=application.correction.get("items", []),
        correct_by=application.correction.get("correct_by", ""),
        chain=[common_pb2.ForwardHop(**hop) for hop in application.chain],
        forwarded_to=application.forwarded_to,
    )


def countable(field: str, day: date, calendar: WorkingCalendar) -> date:
    """A receipt date whose time limits the working-day calendar can count; else InvalidInput."""
    first, last = calendar.receipt_range()
    if not first <= day <= last:
        raise InvalidInput(
            field,
            f"{day.isoformat()} is outside the working-day calendar ({first.isoformat()} to "
            f"{last.isoformat()}): its time limits cannot be counted",
        )
    return day


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime

    @handles_domain_errors
    async def SubmitApplication(
        self, request: intake_pb2.SubmitApplicationRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.SubmitApplicationResponse:
        agency = self.runtime.registry.get(request.agency)
        unit = self.runtime.unit(request.agency, "submit")
        applicant = Applicant.checked(
            request.applicant.name,
            request.applicant.type,
            request.applicant.id_doc,
            request.applicant.contact,
        )
        what = Request.checked(request.description, request.form, request.channel)
        intake = self.runtime.app(unit, IntakeApplication)
        received_on = countable(
            "received_on",
            day_from_input("received_on", request.received_on, today_in_china()),
            intake.calendar,
        )
        application = await self.runtime.execute(
            unit,
            SubmitApplication(
                actor=f"applicant:{applicant.name}", on=received_on, agency=agency,
                applicant=applicant, request=what, request_id=request.request_id,
            ),
        )  # fmt: skip
        return intake_pb2.SubmitApplicationResponse(application=view(application))

    @handles_domain_errors
    async def GetApplication(
        self, request: intake_pb2.GetApplicationRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.GetApplicationResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id), "read")
        application = await self.runtime.read(
            unit, self.runtime.app(unit, IntakeApplication).application, request.application_id
        )
        return intake_pb2.GetApplicationResponse(application=view(application))

    @handles_domain_errors
    async def WithdrawApplication(
        self, request: intake_pb2.WithdrawApplicationRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.WithdrawApplicationResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id), "submit")
        on = day_from_input("withdrawn_on", request.withdrawn_on, today_in_china())
        application = await self.runtime.execute(
            unit,
            WithdrawApplication(
                application_id=request.application_id, actor="applicant", on=on,
                reason=request.reason,
            ),
        )  # fmt: skip
        return intake_pb2.WithdrawApplicationResponse(application=view(application))

    @handles_domain_errors
    async def RequestCorrection(
        self, request: intake_pb2.RequestCorrectionRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.RequestCorrectionResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        notice_on = day_from_input("notice_on", request.notice_on, today_in_china())
        application = await self.runtime.execute(
            unit,
            RequestCorrection(
                application_id=request.application_id, actor=caller().actor, on=notice_on,
                items=tuple(request.items),
                period_days=request.period_days or DEFAULT_CORRECTION_PERIOD,
                late_reason=request.late_reason,
            ),
        )  # fmt: skip
        return intake_pb2.RequestCorrectionResponse(application=view(application))

    @handles_domain_errors
    async def RecordCorrection(
        self, request: intake_pb2.RecordCorrectionRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.RecordCorrectionResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id), "submit")
        corrected_on = day_from_input("corrected_on", request.corrected_on, today_in_china())
        application = await self.runtime.execute(
            unit,
            RecordCorrection(
                application_id=request.application_id, actor="applicant", on=corrected_on,
                description=request.description, good_reason=request.good_reason,
            ),
        )  # fmt: skip
        return intake_pb2.RecordCorrectionResponse(application=view(application))


def servicers(runtime: ServiceRuntime[AgencyRegistry]) -> list[Registration]:
    return [
        (
            intake_pb2_grpc.add_IntakeServiceServicer_to_server,
            IntakeServicer(runtime),
            "ogi.v1.IntakeService",
        ),
        history_registration(runtime),
    ]
