"""The intake application: submit, accept and number, withdraw, and queries."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from intake.domain import Applicant, Application, MonthlyCount, NumberSeries, Request
from ogi_errors import NotFound
from ogi_law.agencies import Agency
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import Meta, meta
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.readmodel import OpenSet
from ogi_platform.ids import new_application_id
from ogi_platform.service.config import ServiceConfig

SYSTEM = "system:intake"


def accept_numbered(uow: UnitOfWork, agency: Agency, application: Application, m: Meta) -> None:
    """Accept with the agency's next number of the year and count it for the applicant."""
    received_on = application.received_on
    series = uow.find(NumberSeries.create_id(agency.code, received_on.year), NumberSeries)
    if series is None:
        series = NumberSeries(
            agency=agency.code,
            year=received_on.year,
            series=f"{agency.number_prefix}-{received_on.year}",
            meta=m,
        )
    id_doc = application.applicant["id_doc"]
    month = received_on.strftime("%Y-%m")
    monthly = uow.find(
        MonthlyCount.create_id(agency.code, id_doc, month), MonthlyCount
    ) or MonthlyCount(agency=agency.code, id_doc=id_doc, month=month, meta=m)
    application.accept(series.next_number(m), monthly.count_one(m), m)
    uow.add(monthly)
    uow.add(series)
    uow.add(application)


class IntakeApplication(OgiApplication):
    name = "intake"
    service = "intake"
    # A number series gains one event per application: snapshots keep its loading short.
    snapshotting_intervals: ClassVar = {NumberSeries: 100}
    _awaiting: OpenSet | None = None

    calendar: WorkingCalendar

    def configure(self, config: ServiceConfig | None) -> None:
        self.calendar = WorkingCalendar.load(config.calendar_dir if config else None, self.agency)

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [Application.create_id(application_id)]

    def submit(
        self,
        agency: Agency,
        applicant: Applicant,
        request: Request,
        received_on: date,
        actor: str,
        request_id: str = "",
    ) -> Application:
        """Record receipt and acceptance with the next application number, in one commit.

        With a ``request_id`` a repeated submission returns the application already stored.
        """
        application_id = new_application_id(f"{agency.code}:{request_id}" if request_id else None)
        uow = self.unit_of_work()
        existing = uow.find(Application.create_id(application_id), Application)
        if existing is not None:
            return existing
        m = meta(application_id, actor, received_on)
        application = Application.receive(
            application_id, agency.code, applicant, request, received_on, m
        )
        accept_numbered(uow, agency, application, m)
        uow.commit()
        return application

    def not_handled_here(self, application_id: str) -> bool:
        found = self.find(Application.create_id(application_id), Application)
        return found is not None and found.state == "forwarded"

    def application(self, application_id: str) -> Application:
        found = self.find(Application.create_id(application_id), Application)
        if found is None:
            raise NotFound(f"application {application_id} not found")
        return found

    def request_correction(
        self,
        application_id: str,
        items: list[str],
        period_days: int,
        notice_on: date,
        late_reason: str,
        actor: str,
    ) -> Application:
        uow = self.unit_of_work()
        application = uow.get(Application.create_id(application_id), Application, "application")
        application.request_correction(
            items, period_days, notice_on, self.calendar, late_reason,
            meta(application_id, actor, notice_on),
        )  # fmt: skip
        uow.commit()
        return application

    def record_correction(
        self, application_id: str, description: str, on: date, good_reason: str, actor: str
    ) -> Application:
        uow = self.unit_of_work()
        application = uow.get(Application.create_id(application_id), Application, "application")
        application.correct(description, on, good_reason, meta(application_id, actor, on))
        uow.commit()
        return application

    def tick(self, today: date) -> int:
        """Applications whose correction period ended without a correction lapse (Art. 30)."""
        if self._awaiting is None:
            self._awaiting = OpenSet(
                self,
                opens={"CorrectionRequested"},
                closes={"ApplicationCorrected", "CorrectionLapsed", "ApplicationWithdrawn"},
            )
        return self._awaiting.act_on_each(Application, lambda a: a.lapse_if_due(today, SYSTEM))

    def withdraw(self, application_id: str, reason: str, on: date, actor: str) -> Application:
        uow = self.unit_of_work()
        application = uow.get(Application.create_id(application_id), Application, "application")
        application.withdraw(reason, meta(application_id, actor, on))
        uow.commit()
        return application
