"""A complaint to the supervision bureau about an application's handling (Art. 47, 51)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from govcommon.aggregate import Meta, OgiAggregate
from govcommon.errors import InvalidInput
from govcommon.ids import aggregate_id

COMPLAINT_GROUNDS = {
    "overdue": "逾期未答复",
    "no_reply": "未予答复",
    "unlawful_refusal": "违法不予公开",
    "improper_fee": "违规收费",
    "failed_proactive_disclosure": "未依法主动公开",
    "other": "其他",
}


def complaint_key(application_id: str, number: int) -> str:
    return f"{application_id}-C{number}"


def complaint_aggregate_id(complaint_id: str) -> UUID:
    return aggregate_id("complaint", complaint_id)


def checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("text", "is required: say what the complaint is about")
    if len(text) > 4000:
        raise InvalidInput("text", "is longer than 4000 characters")
    return text


class Complaint(OgiAggregate):
    @staticmethod
    def create_id(complaint_id: str) -> UUID:
        return complaint_aggregate_id(complaint_id)

    @event("ComplaintFiled")
    def __init__(
        self,
        complaint_id: str,
        bureau: str,
        application_id: str,
        against_agency: str,
        ground: str,
        text: str,
        complainant: str,
        filed_on: date,
        meta: Meta,
    ) -> None:
        self.complaint_id = complaint_id
        self.bureau = bureau
        self.application_id = application_id
        self.against_agency = against_agency
        self.ground = ground
        self.text = text
        self.complainant = complainant
        self.filed_on = filed_on
        self.state = "received"


class KnownApplication(OgiAggregate):
    """An application of any agency, as the supervision bureau knows of it."""

    @staticmethod
    def create_id(application_id: str) -> UUID:
        return aggregate_id("complaint-known", application_id)

    @event("ApplicationKnown")
    def __init__(
        self,
        application_id: str,
        agency: str,
        application_number: str,
        received_on: str,
        meta: Meta,
    ) -> None:
        self.application_id = application_id
        self.agency = agency

    def handled_by(self, agency: str, application_number: str, meta: Meta) -> None:
        """A forward moved the application: complaints now default to the new agency."""
        if agency != self.agency:
            self._moved(agency, application_number, meta)

    @event("ApplicationKnownAt")
    def _moved(self, agency: str, application_number: str, meta: Meta) -> None:
        self.agency = agency
