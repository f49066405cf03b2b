"""The complaint application of a supervision bureau: filing, the steps of a case, queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID

from complaint.commands import (
    AcceptComplaint,
    AttachTrace,
    CaseCommand,
    CloseComplaint,
    FileComplaint,
    IssueCriticism,
    OrderRectification,
    RecommendAccountability,
    RecordFinding,
    RejectComplaint,
)
from complaint.domain import (
    Complaint,
    KnownApplication,
    complaint_aggregate_id,
    complaint_key,
)
from ogi_contracts.complaint import COMPLAINT_CLOSED, RECTIFICATION_ORDERED
from ogi_errors import InvalidInput, NotFound
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import Meta, meta
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.commands import handles
from ogi_platform.eventstore.history import Numbered
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
                self, opens={RECTIFICATION_ORDERED}, closes={COMPLAINT_CLOSED}
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

    def history_ids(self, application_id: str) -> tuple[list[UUID], list[Numbered]]:
        """The application as known here, then its complaints 1, 2, ...: in one statement."""
        return [KnownApplication.create_id(application_id)], [
            lambda number: complaint_aggregate_id(complaint_key(application_id, number))
        ]

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

    @staticmethod
    def _case(uow: UnitOfWork, c: CaseCommand) -> tuple[Complaint, Meta]:
        """The complaint a step acts on, and the metadata of the events it makes."""
        complaint = uow.get(complaint_aggregate_id(c.complaint_id), Complaint, "complaint")
        return complaint, meta(complaint.application_id, c.actor, c.on)

    @handles(AcceptComplaint)
    def _accept(self, uow: UnitOfWork, c: AcceptComplaint) -> Complaint:
        complaint, m = self._case(uow, c)
        complaint.accept(c.note, m)
        return complaint

    @handles(RejectComplaint)
    def _reject(self, uow: UnitOfWork, c: RejectComplaint) -> Complaint:
        complaint, m = self._case(uow, c)
        complaint.reject(c.reasons, m)
        return complaint

    @handles(AttachTrace)
    def _attach_trace(self, uow: UnitOfWork, c: AttachTrace) -> Complaint:
        complaint, m = self._case(uow, c)
        complaint.attach_trace(c.trace_json, c.event_count, m)
        return complaint

    @handles(RecordFinding)
    def _record_finding(self, uow: UnitOfWork, c: RecordFinding) -> Complaint:
        complaint, m = self._case(uow, c)
        complaint.find(c.upheld, c.reasons, m)
        return complaint

    @handles(OrderRectification)
    def _order_rectification(self, uow: UnitOfWork, c: OrderRectification) -> Complaint:
        """The order is addressed to the agency complained about, with its answer date."""
        complaint, _ = self._case(uow, c)
        due = self.calendar.add_working_days(c.on, c.answer_days).date
        m = meta(complaint.application_id, c.actor, c.on, to_agency=complaint.against_agency)
        complaint.order_rectification(c.requirements, due, m)
        return complaint

    @handles(IssueCriticism)
    def _issue_criticism(self, uow: UnitOfWork, c: IssueCriticism) -> Complaint:
        complaint, m = self._case(uow, c)
        complaint.issue_criticism(c.text, m)
        return complaint

    @handles(RecommendAccountability)
    def _recommend_accountability(self, uow: UnitOfWork, c: RecommendAccountability) -> Complaint:
        complaint, m = self._case(uow, c)
        complaint.recommend_accountability(c.body, c.text, m)
        return complaint

    @handles(CloseComplaint)
    def _close(self, uow: UnitOfWork, c: CloseComplaint) -> Complaint:
        complaint, m = self._case(uow, c)
        complaint.close(c.notice, m)
        return complaint

    @handles(FileComplaint)
    def _file(self, uow: UnitOfWork, c: FileComplaint) -> Complaint:
        """A complaint about an application (against the agency handling it unless another is
        named), or about an agency's work in general (no application: a random number)."""
        if not c.application_id and not c.against_agency:
            raise InvalidInput(
                "application_id", "name the application, or the agency complained about"
            )
        number: int | str
        if c.application_id:
            key, number = c.application_id, len(list(self._ids(c.application_id))) + 1
            # The numbers of complaints filed before in the same transaction (group commit).
            while uow.find(complaint_aggregate_id(complaint_key(key, number)), Complaint):
                number += 1
        else:  # about an agency's work: an id no one can enumerate, as application ids
            key, number = str(c.against_agency), new_application_id()[1:]
        handler = self.known(c.application_id).agency if c.application_id else ""
        complaint = Complaint(
            complaint_id=complaint_key(key, number),
            bureau=self.agency,
            application_id=c.application_id,
            against_agency=c.against_agency or handler,
            ground=c.ground,
            text=c.text,
            complainant=c.complainant,
            complainant_contact=c.complainant_contact,
            filed_on=c.on,
            meta=meta(c.application_id, c.actor, c.on),
        )
        uow.add(complaint)
        return complaint
