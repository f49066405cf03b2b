"""What a complainant and the supervision bureau's staff ask of the complaint service, as typed
commands (Art. 47, 51-53); ``on`` is each one's legal date."""

from __future__ import annotations

from dataclasses import dataclass

from complaint.domain import Complaint
from ogi_platform.eventstore.commands import Command


@dataclass(frozen=True, kw_only=True)
class FileComplaint(Command[Complaint]):
    """A complaint about an application (against the agency handling it unless
    ``against_agency`` names another), or, with no ``application_id``, about an agency's work in
    general. The actor is the complainant (``complainant:<name>``)."""

    application_id: str
    against_agency: str | None
    ground: str
    text: str
    complainant: str
    #: How the bureau tells the complainant what became of the complaint.
    complainant_contact: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseCommand(Command[Complaint]):
    """A step of the case ``complaint_id``, taken by the bureau's staff."""

    complaint_id: str


@dataclass(frozen=True, kw_only=True)
class AcceptComplaint(CaseCommand):
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class RejectComplaint(CaseCommand):
    reasons: str


@dataclass(frozen=True, kw_only=True)
class AttachTrace(CaseCommand):
    """The application's full cross-agency history (``ogi trace --json``) joins the case file."""

    trace_json: str
    event_count: int


@dataclass(frozen=True, kw_only=True)
class RecordFinding(CaseCommand):
    upheld: bool
    reasons: str


@dataclass(frozen=True, kw_only=True)
class OrderRectification(CaseCommand):
    """督促整改: the agency is to answer within ``answer_days`` working days."""

    requirements: str
    answer_days: int


@dataclass(frozen=True, kw_only=True)
class IssueCriticism(CaseCommand):
    """通报批评."""

    text: str


@dataclass(frozen=True, kw_only=True)
class RecommendAccountability(CaseCommand):
    """A handling recommendation to the body with power to act (Art. 52, 53)."""

    body: str
    text: str


@dataclass(frozen=True, kw_only=True)
class CloseComplaint(CaseCommand):
    """Closed with ``notice`` to the complainant."""

    notice: str
