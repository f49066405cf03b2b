"""The intake application: submit, accept and number, correct, withdraw, time passing, queries."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from intake.commands import (
    RecordCorrection,
    RequestCorrection,
    SubmitApplication,
    WithdrawApplication,
)
from intake.domain import Application, MonthlyCount, NumberSeries
from ogi_contracts.intake import (
    APPLICATION_CORRECTED,
    APPLICATION_WITHDRAWN,
    CORRECTION_LAPSED,
    CORRECTION_REQUESTED,
)
from ogi_errors import NotFound
from ogi_law.agencies import Agency
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import Meta, meta
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.commands import ApplicationCommand, handles
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
    monthly = uow.find_to_create(
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

    def not_handled_here(self, application_id: str) -> bool:
        found = self.find(Application.create_id(application_id), Application)
        return found is not None and found.state == "forwarded"

    def application(self, application_id: str) -> Application:
        found = self.find(Application.create_id(application_id), Application)
        if found is None:
            raise NotFound(f"application {application_id} not found")
        return found

    @handles(SubmitApplication)
    def _submit(self, uow: UnitOfWork, c: SubmitApplication) -> Application:
        """Receipt (Art. 31) and acceptance with the agency's next application number, stored
        together.

        With a ``request_id`` a repeated submission returns the application already stored.
        Without one the id is fresh and random (60 bits), so it is not looked up: the store
        refuses an application of an id it holds (its first event's version is taken).
        """
        if c.request_id:
            application_id = new_application_id(f"{c.agency.code}:{c.request_id}")
            existing = uow.find(Application.create_id(application_id), Application)
            if existing is not None:
                return existing
        else:
            application_id = new_application_id()
        m = meta(application_id, c.actor, c.on)
        application = Application.receive(
            application_id, c.agency.code, c.applicant, c.request, c.on, m
        )
        accept_numbered(uow, c.agency, application, m)
        return application

    @staticmethod
    def _received(uow: UnitOfWork, command: ApplicationCommand[Any]) -> tuple[Application, Meta]:
        """The application a command acts on, and the metadata of the events it makes."""
        application = uow.get(
            Application.create_id(command.application_id), Application, "application"
        )
        return application, meta(command.application_id, command.actor, command.on)

    @handles(RequestCorrection)
    def _request_correction(self, uow: UnitOfWork, c: RequestCorrection) -> Application:
        application, m = self._received(uow, c)
        application.request_correction(
            list(c.items), c.period_days, c.on, self.calendar, c.late_reason, m
        )
        return application

    @handles(RecordCorrection)
    def _record_correction(self, uow: UnitOfWork, c: RecordCorrection) -> Application:
        application, m = self._received(uow, c)
        application.correct(c.description, c.on, c.good_reason, m)
        return application

    @handles(WithdrawApplication)
    def _withdraw(self, uow: UnitOfWork, c: WithdrawApplication) -> Application:
        application, m = self._received(uow, c)
        application.withdraw(c.reason, m)
        return application

    def tick(self, today: date) -> int:
        """Applications whose correction period ended without a correction lapse (Art. 30)."""
        if self._awaiting is None:
            self._awaiting = OpenSet(
                self,
                opens={CORRECTION_REQUESTED},
                closes={APPLICATION_CORRECTED, CORRECTION_LAPSED, APPLICATION_WITHDRAWN},
            )
        return self._awaiting.act_on_each(Application, lambda a: a.lapse_if_due(today, SYSTEM))
