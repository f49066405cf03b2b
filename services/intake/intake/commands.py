"""What applicants and staff ask of intake, as typed commands."""

from __future__ import annotations

from dataclasses import dataclass

from intake.domain import Applicant, Application, Request
from ogi_law.agencies import Agency
from ogi_platform.eventstore.commands import ApplicationCommand, Command


@dataclass(frozen=True, kw_only=True)
class SubmitApplication(Command[Application]):
    """Submit an application to ``agency`` (Art. 29), received on ``on`` (Art. 31): it is
    accepted and numbered at once. A repeated ``request_id`` names the application already
    stored instead of making a second one."""

    agency: Agency
    applicant: Applicant
    request: Request
    request_id: str = ""


@dataclass(frozen=True, kw_only=True)
class RequestCorrection(ApplicationCommand[Application]):
    """Ask the applicant, once, to correct everything in ``items`` within ``period_days``
    working days (Art. 30), by a notice dated ``on``; ``late_reason`` records a notice sent
    after the seven working days Art. 30 allows."""

    items: tuple[str, ...]
    period_days: int
    late_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordCorrection(ApplicationCommand[Application]):
    """The corrected application arrived on ``on`` (Art. 30); ``good_reason`` accepts it after
    the period ended."""

    description: str
    good_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class WithdrawApplication(ApplicationCommand[Application]):
    """The applicant withdraws the application on ``on``."""

    reason: str
