"""The complaint application of a supervision bureau: filing and queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from uuid import UUID

from complaint.domain import (
    Complaint,
    KnownApplication,
    complaint_aggregate_id,
    complaint_key,
)
from ogi_errors import InvalidInput, NotFound
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import Meta, meta
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.readmodel import OpenSet
from ogi_platform.ids import new_application_id
from ogi_platform.service.config import ServiceConfig


class ComplaintApplication(OgiApplication):
    name = "complaint"
    service = "complaint"
    _ordered_cases: OpenSet | None = None

    calendar: WorkingCalendar

    def configure(self, config: ServiceConfig | None) -> None:
        self.calendar = WorkingCalendar.load(config.calendar_dir if config else None, self.agency)

    def tick(self, today: date) -> int:
        """Rectification orders whose answer date passed unanswered are recorded as late."""
        if self._ordered_cases is None:
            self._ordered_cases = OpenSet(
                self, opens={"RectificationOrdered"}, closes={"ComplaintClosed"}
            )
        return self._ordered_cases.act_on_each(
            Complaint, lambda c: c.note_late_answers(today, "system:complaint")
        )

    def _ids(self, application_id: str) -> Iterator[UUID]:
        """Complaints about an application are numbered 1, 2, ...: ids until the first gap."""
        number = 1
        while True:
            aggregate = complaint_aggregate_id(complaint_key(application_id, number))
            if not list(self.events.get(aggregate, limit=1)):
                return
            yield aggregate
            number += 1

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [KnownApplication.create_id(application_id), *self._ids(application_id)]

    def known(self, application_id: str) -> KnownApplication:
        found = self.find(KnownApplication.create_id(application_id), KnownApplication)
        if found is None:
            raise NotFound(f"application {application_id} is not known to {self.agency}")
        return found

    def complaints_about(self, application_id: str) -> list[Complaint]:
        return [c for i in self._ids(application_id) if (c := self.find(i, Complaint))]

    def complaint(self, complaint_id: str) -> Complaint:
        found = self.find(complaint_aggregate_id(complaint_id), Complaint)
        if found is None:
            raise NotFound(f"complaint {complaint_id} not found")
        return found

    def step(
        self, complaint_id: str, on: date, actor: str, act: Callable[[Complaint, Meta], object]
    ) -> Complaint:
        """One step of a complaint case, dated ``on`` and committed."""
        uow = self.unit_of_work()
        complaint = uow.get(complaint_aggregate_id(complaint_id), Complaint, "complaint")
        act(complaint, meta(complaint.application_id, actor, on))
        uow.commit()
        return complaint

    def order_rectification(
        self, complaint_id: str, requirements: str, days: int, on: date, actor: str
    ) -> Complaint:
        """The order is addressed to the agency complained about, with its answer date."""
        uow = self.unit_of_work()
        complaint = uow.get(complaint_aggregate_id(complaint_id), Complaint, "complaint")
        due = self.calendar.add_working_days(on, days).date
        m = meta(complaint.application_id, actor, on, to_agency=complaint.against_agency)
        complaint.order_rectification(requirements, due, m)
        uow.commit()
        return complaint

    def file(
        self,
        application_id: str,
        against_agency: str | None,
        ground: str,
        text: str,
        complainant: str,
        filed_on: date,
    ) -> Complaint:
        """A complaint about an application (against the agency handling it unless another is
        named), or about an agency's work in general (no application: a random number)."""
        if not application_id and not against_agency:
            raise InvalidInput(
                "application_id", "name the application, or the agency complained about"
            )
        number: int | str
        if application_id:
            key, number = application_id, len(list(self._ids(application_id))) + 1
        else:  # about an agency's work: an id no one can enumerate, as application ids
            key, number = str(against_agency), new_application_id()[1:]
        handler = self.known(application_id).agency if application_id else ""
        against = against_agency or handler
        uow = self.unit_of_work()
        complaint = Complaint(
            complaint_id=complaint_key(key, number),
            bureau=self.agency,
            application_id=application_id,
            against_agency=against,
            ground=ground,
            text=text,
            complainant=complainant,
            filed_on=filed_on,
            meta=meta(application_id, f"complainant:{complainant}", filed_on),
        )
        uow.add(complaint)
        uow.commit()
        return complaint
