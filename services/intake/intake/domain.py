"""The application as received: Art. 29 contents, Art. 31 receipt date, acceptance, withdrawal."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ogi_contracts.intake import (
    APPLICATION_ACCEPTED,
    APPLICATION_CORRECTED,
    APPLICATION_FORWARD_NOTED,
    APPLICATION_RECEIVED,
    APPLICATION_WITHDRAWN,
    CORRECTION_LAPSED,
    CORRECTION_REQUESTED,
)
from ogi_errors import IllegalStep, InvalidInput
from ogi_law.calendar import WorkingCalendar
from ogi_law.rules import APPLICANT_TYPES, CHANNELS, FORMS, choose, required_text
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate
from ogi_platform.eventstore.aggregate import meta as event_meta
from ogi_platform.ids import aggregate_id

MAX_TEXT = 4000
CORRECTION_NOTICE_DAYS = 7  # Art. 30: the notice goes out within 7 working days of receipt
MAX_CORRECTION_PERIOD = 60

# The names of intake's internal events (its public ones are in ogi_contracts.intake).
APPLICATION_CLOSED_NOTED = "ApplicationClosedNoted"
NUMBER_SERIES_STARTED = "NumberSeriesStarted"
APPLICATION_NUMBER_ISSUED = "ApplicationNumberIssued"
MONTHLY_COUNT_STARTED = "MonthlyCountStarted"
APPLICATION_COUNTED = "ApplicationCounted"


def _text(field: str, value: str, max_len: int = 200) -> str:
    return required_text(field, value, max_len)


@dataclass(frozen=True)
class Applicant:
    name: str
    type: str
    id_doc: str
    contact: str

    @classmethod
    def checked(cls, name: str, type: str, id_doc: str, contact: str) -> Applicant:
        """The applicant of Art. 29(1): name, kind, identity document and contact are required."""
        return cls(
            name=_text("applicant.name", name),
            type=choose("applicant.type", type, APPLICANT_TYPES),
            id_doc=_text("applicant.id_doc", id_doc, 64),
            contact=_text("applicant.contact", contact),
        )


@dataclass(frozen=True)
class Request:
    """What is asked for (Art. 29(2), (3)): a description, a form and a channel."""

    description: str
    form: str
    channel: str

    @classmethod
    def checked(cls, description: str, form: str, channel: str) -> Request:
        return cls(
            description=_text("description", description, MAX_TEXT),
            form=choose("form", form, FORMS, "electronic"),
            channel=choose("channel", channel, CHANNELS, "online"),
        )


class Application(OgiAggregate):
    @staticmethod
    def create_id(application_id: str) -> UUID:
        return aggregate_id("intake", application_id)

    @event(APPLICATION_RECEIVED)
    def __init__(
        self,
        application_id: str,
        agency: str,
        applicant: dict[str, str],
        description: str,
        form: str,
        channel: str,
        received_on: date,
        meta: Meta,
        chain: list[dict[str, str]] | None = None,
    ) -> None:
        self.application_id = application_id
        self.agency = agency
        self.applicant = applicant
        self.description = description
        self.form = form
        self.channel = channel
        self.received_on = received_on
        self.application_number = ""
        self.state = "received"
        self.correction: dict[str, Any] = {}
        self.monthly_count = 0
        self.chain = list(chain or [])
        self.forwarded_to = ""

    @classmethod
    def receive(
        cls,
        application_id: str,
        agency: str,
        applicant: Applicant,
        request: Request,
        received_on: date,
        meta: Meta,
        chain: list[dict[str, str]] | None = None,
    ) -> Application:
        """Receipt (Art. 31); ``chain`` lists the forwards that brought it here, if any."""
        return cls(
            application_id=application_id,
            agency=agency,
            applicant=asdict(applicant),
            description=request.description,
            form=request.form,
            channel=request.channel,
            received_on=received_on,
            meta=meta,
            chain=list(chain or []),
        )

    def snapshot(self) -> dict[str, Any]:
        """What downstream services need to know, carried on the acceptance event."""
        return {
            "application_id": self.application_id,
            "agency": self.agency,
            "application_number": self.application_number,
            "applicant": dict(self.applicant),
            "description": self.description,
            "form": self.form,
            "channel": self.channel,
            "received_on": self.received_on.isoformat(),
            "monthly_count": self.monthly_count,
            "chain": list(self.chain),
        }

    def accept(self, application_number: str, monthly_count: int, meta: Meta) -> None:
        """Accepted and numbered; ``monthly_count`` is the applicant's nth this month (fees)."""
        if self.state != "received":
            raise IllegalStep(f"application {self.application_id} is {self.state}")
        snapshot = self.snapshot() | {
            "application_number": application_number,
            "monthly_count": monthly_count,
        }
        self._accepted(application_number, snapshot, meta)

    @event(APPLICATION_ACCEPTED)
    def _accepted(self, application_number: str, application: dict[str, Any], meta: Meta) -> None:
        self.application_number = application_number
        self.monthly_count = int(application.get("monthly_count", 0))
        self.state = "accepted"

    def request_correction(
        self,
        items: list[str],
        period_days: int,
        notice_on: date,
        calendar: WorkingCalendar,
        late_reason: str,
        meta: Meta,
    ) -> None:
        """Art. 30: one notice listing everything to correct, within 7 working days of receipt."""
        if self.correction:
            raise IllegalStep("a correction notice was already sent: Art. 30 allows one (一次性)")
        if self.state != "accepted":
            raise IllegalStep(f"application {self.application_id} is {self.state}")
        items = [_text("items", item, MAX_TEXT) for item in items]
        if not items:
            raise InvalidInput("items", "list every item to correct")
        if not 1 <= period_days <= MAX_CORRECTION_PERIOD:
            raise InvalidInput("period_days", f"must be 1 to {MAX_CORRECTION_PERIOD} working days")
        if notice_on < self.received_on:
            raise InvalidInput("notice_on", "is before the application was received")
        latest = calendar.add_working_days(self.received_on, CORRECTION_NOTICE_DAYS).date
        late = notice_on > latest
        if late and not late_reason.strip():
            raise IllegalStep(
                f"the correction notice is due within {CORRECTION_NOTICE_DAYS} working days of "
                f"receipt, by {latest.isoformat()} (Art. 30); give a late_reason to record it late"
            )
        correct_by = calendar.add_working_days(notice_on, period_days).date
        self._correction_requested(
            items, period_days, correct_by.isoformat(), late, late_reason.strip(), meta
        )

    @event(CORRECTION_REQUESTED)
    def _correction_requested(
        self,
        items: list[str],
        period_days: int,
        correct_by: str,
        late: bool,
        late_reason: str,
        meta: Meta,
    ) -> None:
        self.correction = {"items": items, "correct_by": correct_by, "late": late}
        self.state = "awaiting_correction"

    @property
    def correct_by(self) -> date | None:
        value = self.correction.get("correct_by")
        return date.fromisoformat(value) if value else None

    def correct(self, description: str, on: date, good_reason: str, meta: Meta) -> None:
        """The corrected application arrived: the clock restarts from ``on`` (Art. 30)."""
        if self.state != "awaiting_correction" or self.correct_by is None:
            raise IllegalStep(f"application {self.application_id} awaits no correction")
        if on > self.correct_by and not good_reason.strip():
            raise IllegalStep(
                f"the correction period ended on {self.correct_by.isoformat()}; "
                "give a good_reason to accept it late"
            )
        text = _text("description", description, MAX_TEXT) if description.strip() else ""
        self._corrected(text, good_reason.strip(), meta)

    @event(APPLICATION_CORRECTED)
    def _corrected(self, description: str, good_reason: str, meta: Meta) -> None:
        if description:
            self.description = description
        self.state = "accepted"

    def lapse_if_due(self, today: date, actor: str) -> bool:
        """No correction by the end of the period: deemed abandoned (Art. 30)."""
        if self.state != "awaiting_correction" or self.correct_by is None:
            return False
        if today <= self.correct_by:
            return False
        lapsed_on = self.correct_by + timedelta(days=1)
        self._lapsed(self.correct_by.isoformat(), event_meta(self.application_id, actor, lapsed_on))
        return True

    @event(CORRECTION_LAPSED)
    def _lapsed(self, correct_by: str, meta: Meta) -> None:
        self.state = "closed"

    def withdraw(self, reason: str, meta: Meta) -> None:
        if self.state in ("withdrawn", "closed"):
            raise IllegalStep(f"application {self.application_id} is already {self.state}")
        if self.state == "forwarded":
            raise IllegalStep(
                f"application {self.application_id} was forwarded to {self.forwarded_to}: "
                "it is withdrawn there"
            )
        if date.fromisoformat(meta["occurred_on"]) < self.received_on:
            raise InvalidInput(
                "withdrawn_on", f"is before the application was received ({self.received_on})"
            )
        self._withdrawn(reason.strip(), meta)

    @event(APPLICATION_WITHDRAWN)
    def _withdrawn(self, reason: str, meta: Meta) -> None:
        self.state = "withdrawn"

    def note_forwarded(self, to_agency: str, reason: str, meta: Meta) -> None:
        """This agency forwarded the application: it is handled elsewhere from now on."""
        if self.state not in ("forwarded", "closed", "withdrawn"):
            self._forward_noted(to_agency, reason, meta)

    @event(APPLICATION_FORWARD_NOTED)
    def _forward_noted(self, to_agency: str, reason: str, meta: Meta) -> None:
        self.forwarded_to = to_agency
        self.state = "forwarded"

    def note_closed(self, reason: str, meta: Meta) -> None:
        """The reply service closed the application: intake keeps it closed too."""
        if self.state != "closed":
            self._closed(reason, meta)

    @event(APPLICATION_CLOSED_NOTED)
    def _closed(self, reason: str, meta: Meta) -> None:
        self.state = "closed"


class NumberSeries(OgiAggregate):
    """An agency's yearly series of application numbers: one number per accepted application."""

    @staticmethod
    def create_id(agency: str, year: int) -> UUID:
        return aggregate_id("intake-numbers", f"{agency}:{year}")

    @event(NUMBER_SERIES_STARTED)
    def __init__(self, agency: str, year: int, series: str, meta: Meta) -> None:
        self.series = series
        self.last = 0

    def next_number(self, meta: Meta) -> str:
        self._issued(self.series, self.last + 1, meta)
        return f"{self.series}-{self.last:05d}"

    @event(APPLICATION_NUMBER_ISSUED)
    def _issued(self, series: str, number: int, meta: Meta) -> None:
        self.last = number


class MonthlyCount(OgiAggregate):
    """How many applications one applicant made to one agency in one calendar month.

    Fees per application are tiered by this count (国办函〔2020〕109号).
    """

    @staticmethod
    def create_id(agency: str, id_doc: str, month: str) -> UUID:
        return aggregate_id("intake-monthly", f"{agency}:{id_doc}:{month}")

    @event(MONTHLY_COUNT_STARTED)
    def __init__(self, agency: str, id_doc: str, month: str, meta: Meta) -> None:
        self.count = 0

    def count_one(self, meta: Meta) -> int:
        self._counted(self.count + 1, meta)
        return self.count

    @event(APPLICATION_COUNTED)
    def _counted(self, count: int, meta: Meta) -> None:
        self.count = count
