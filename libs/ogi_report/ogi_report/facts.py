"""What the annual report is counted from: one record per application, derived from its events.

The read side builds these from the event history; the counting never looks at anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Closing:
    """The application was closed with an outcome."""

    on: date
    """The legal date of the closing (the reply's date)."""
    row: str
    """A leaf row of part 三: ``disclosed``, ``partial``, ``withheld.third_party``, ..."""


@dataclass(frozen=True)
class Remedy:
    """An administrative reconsideration or lawsuit about the application's reply."""

    kind: str
    """``reconsideration`` | ``lawsuit_direct`` | ``lawsuit_after_reconsideration``."""
    filed_on: date
    concluded_on: date | None = None
    result: str = ""
    """``upheld`` | ``corrected`` | ``other``; empty while pending."""


@dataclass(frozen=True)
class ApplicationFacts:
    """One application as the agency that received it saw it."""

    application_id: str
    agency: str
    applicant_type: str
    """An applicant column key (``natural_person``, ``commercial``, ...), never ``total``."""
    received_on: date
    closings: tuple[Closing, ...] = ()
    """In the order they happened; a reopened application can close more than once."""
    forwarded_away: bool = False
    """Sent on to another agency without a reply from this one."""
    remedies: tuple[Remedy, ...] = ()
