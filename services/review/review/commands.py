"""What staff (and the applicant paying a fee) ask of the review, as typed commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ogi_platform.eventstore.commands import ApplicationCommand
from review.domain import ConsultationFile, Review


@dataclass(frozen=True, kw_only=True)
class ReviewSecrecy(ApplicationCommand[Review]):
    """Record the confidentiality review (Art. 17)."""

    result: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Consult(ApplicationCommand[tuple[Review, str]]):
    """Consult a third party (Art. 32) or an organ (Art. 34); returns the consultation's ref.
    An organ that is one of the agencies (``organ_agency``) hears of it over NATS."""

    kind: str
    party: str
    organ_agency: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordConsultationAnswer(ApplicationCommand[Review]):
    ref: str
    answer: str
    reasons: str = ""


@dataclass(frozen=True, kw_only=True)
class AnswerConsultation(ApplicationCommand[ConsultationFile]):
    """This agency's answer to another agency's consultation, sent back to it."""

    from_agency: str
    ref: str
    answer: str
    reasons: str = ""


@dataclass(frozen=True, kw_only=True)
class Extend(ApplicationCommand[Review]):
    """Extend the time limit (Art. 33(2)), dated the day the applicant is told."""

    working_days: int
    approved_by: str
    approver_role: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class SetReplyDate(ApplicationCommand[Review]):
    due_on: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class AssessFee(ApplicationCommand[Review]):
    method: str
    pages: int


@dataclass(frozen=True, kw_only=True)
class RecordPayment(ApplicationCommand[Review]):
    pass


@dataclass(frozen=True, kw_only=True)
class Decide(ApplicationCommand[Review]):
    outcome: str
    grounds: tuple[str, ...] = ()
    reason: str = ""
    form_of_provision: str = ""
    competent_organ: str = ""
    competent_organ_contact: str = ""
    where_published: str = ""
    public_interest_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class AnswerRectification(ApplicationCommand[Review]):
    order_id: str
    text: str
