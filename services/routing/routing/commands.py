"""What staff ask of routing, as typed commands."""

from __future__ import annotations

from dataclasses import dataclass

from ogi_platform.eventstore.commands import ApplicationCommand
from routing.domain import Routing


@dataclass(frozen=True, kw_only=True)
class ForwardApplication(ApplicationCommand[Routing]):
    """Forward the application to the agency that holds the information (Art. 36(5))."""

    to_agency: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReassignApplication(ApplicationCommand[Routing]):
    """Move the application to another of the agency's ``offices`` (its registry entry's)."""

    office: str
    offices: tuple[str, ...]
    reason: str
