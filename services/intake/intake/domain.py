"""The application as received: Art. 29 contents, Art. 31 receipt date, acceptance, withdrawal."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from govcommon.aggregate import Meta, OgiAggregate
from govcommon.errors import IllegalStep, InvalidInput
from govcommon.ids import aggregate_id
from govcommon.rules import APPLICANT_TYPES, CHANNELS, FORMS, choose

MAX_TEXT = 4000


def _text(field: str, value: str, max_len: int = 200) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(field, "is required")
    if len(value) > max_len:
        raise InvalidInput(field, f"is longer than {max_len} characters")
    return value


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

    @event("ApplicationReceived")
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

    @classmethod
    def receive(
        cls,
        application_id: str,
        agency: str,
        applicant: Applicant,
        request: Request,
        received_on: date,
        meta: Meta,
    ) -> Application:
        return cls(
            application_id=application_id,
            agency=agency,
            applicant=asdict(applicant),
            description=request.description,
            form=request.form,
            channel=request.channel,
            received_on=received_on,
            meta=meta,
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
        }

    def accept(self, application_number: str, meta: Meta) -> None:
        if self.state != "received":
            raise IllegalStep(f"application {self.application_id} is {self.state}")
        snapshot = self.snapshot() | {"application_number": application_number}
        self._accepted(application_number, snapshot, meta)

    @event("ApplicationAccepted")
    def _accepted(self, application_number: str, application: dict[str, Any], meta: Meta) -> None:
        self.application_number = application_number
        self.state = "accepted"

    def withdraw(self, reason: str, meta: Meta) -> None:
        if self.state in ("withdrawn", "closed"):
            raise IllegalStep(f"application {self.application_id} is already {self.state}")
        self._withdrawn(reason.strip(), meta)

    @event("ApplicationWithdrawn")
    def _withdrawn(self, reason: str, meta: Meta) -> None:
        self.state = "withdrawn"

    def note_closed(self, reason: str, meta: Meta) -> None:
        """The reply service closed the application: intake keeps it closed too."""
        if self.state != "closed":
            self._closed(reason, meta)

    @event("ApplicationClosedNoted")
    def _closed(self, reason: str, meta: Meta) -> None:
        self.state = "closed"


class NumberSeries(OgiAggregate):
    """An agency's yearly series of application numbers: one number per accepted application."""

    @staticmethod
    def create_id(agency: str, year: int) -> UUID:
        return aggregate_id("intake-numbers", f"{agency}:{year}")

    @event("NumberSeriesStarted")
    def __init__(self, agency: str, year: int, series: str, meta: Meta) -> None:
        self.series = series
        self.last = 0

    def next_number(self, meta: Meta) -> str:
        self._issued(self.series, self.last + 1, meta)
        return f"{self.series}-{self.last:05d}"

    @event("ApplicationNumberIssued")
    def _issued(self, series: str, number: int, meta: Meta) -> None:
        self.last = number
