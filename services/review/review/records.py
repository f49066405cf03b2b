"""What a review keeps of its steps, as values built from its events' fields (the events are the
record; these are the state read back from them, replaced whole when a later event changes one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Consultation:
    """A consultation of a third party (Art. 32) or a co-producing organ (Art. 34)."""

    kind: str
    """``third_party`` or ``organ``."""
    party: str
    sent_on: date
    answer_due: date
    """15 working days after it was sent: silence then ends it (Art. 32, 34)."""
    answer: str = ""
    """Empty while the consultation is open."""
    answered_on: date | None = None
    organ_agency: str = ""
    """The organ's agency code when the organ is one of the agencies (it answers over NATS)."""

    @property
    def pending(self) -> bool:
        return not self.answer


@dataclass(frozen=True)
class Extension:
    """The one extension of the reply period (Art. 33)."""

    working_days: int
    approved_by: str


@dataclass(frozen=True)
class FeeNotice:
    """The one fee notice of an application (Art. 42), and whether it was paid."""

    method: str
    amount_yuan: int
    pay_by: date
    paid: bool = False


@dataclass(frozen=True)
class ConsultationRequest:
    """Another agency's consultation of this one (Art. 34), as its request said."""

    answer_due: str
    answer: str = ""


@dataclass(frozen=True)
class RectificationOrder:
    """A supervision bureau's order to handle the application again (Art. 47)."""

    order_id: str
    complaint_id: str
    bureau: str
    """The agency code of the bureau: the answer is addressed to it."""
    answer: str = ""
    """The agency's answer to the bureau; empty until it is given."""
