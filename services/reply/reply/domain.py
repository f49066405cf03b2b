"""The answer: the reply letter issued from the decision, its delivery (legal date), closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ogi_contracts.reply import APPLICATION_CLOSED, REPLY_DELIVERED, REPLY_ISSUED, REPLY_REISSUED
from ogi_errors import IllegalStep, InvalidInput
from ogi_law.rules import DELIVERY_METHODS, choose
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate
from ogi_platform.ids import aggregate_id

#: Internal (ogi_contracts.reply.INTERNAL): the office's record, no other service's business.
REPLY_LETTER_PRINTED = "ReplyLetterPrinted"
#: A sanity bound on one printing, against a mistyped count; not a legal rule.
MAX_COPIES = 100


@dataclass(frozen=True)
class Printing:
    """One printing of a reply letter: which letter, who printed it, how many copies, when."""

    letter_number: str
    printed_by: str
    copies: int
    printed_on: date


class Reply(OgiAggregate):
    @staticmethod
    def create_id(application: dict[str, Any]) -> UUID:
        return aggregate_id("reply", application["application_id"])

    @event(REPLY_ISSUED)
    def __init__(
        self,
        application: dict[str, Any],
        letter_number: str,
        outcome: str,
        letter_text: str,
        meta: Meta,
    ) -> None:
        self.application_id: str = application["application_id"]
        self.agency: str = application["agency"]
        self.letter_number = letter_number
        self.outcome = outcome
        self.letter_text = letter_text
        self.issued_on = date.fromisoformat(meta["occurred_on"])
        self.state = "issued"
        self.delivered_on: date | None = None
        self.delivery_method = ""
        self.letters = 1
        self.printings: tuple[Printing, ...] = ()

    def reissue(self, letter_number: str, outcome: str, letter_text: str, meta: Meta) -> None:
        """A new decision after the handling was reopened: a new letter to deliver."""
        self._reissued(letter_number, outcome, letter_text, meta)

    @event(REPLY_REISSUED)
    def _reissued(self, letter_number: str, outcome: str, letter_text: str, meta: Meta) -> None:
        self.letter_number = letter_number
        self.outcome = outcome
        self.letter_text = letter_text
        self.issued_on = date.fromisoformat(meta["occurred_on"])
        self.delivered_on = None
        self.delivery_method = ""
        self.state = "issued"
        self.letters += 1

    def deliver(self, method: str, delivered_on: date, meta: Meta) -> None:
        """Record delivery with its legal date (Art. 11 of the rules) and close the application."""
        if self.state != "issued":
            raise IllegalStep(f"the reply to {self.application_id} is already {self.state}")
        method = choose("method", method, DELIVERY_METHODS)
        if delivered_on < self.issued_on:
            raise InvalidInput("delivered_on", "is before the reply was issued")
        self._delivered(method, delivered_on, meta)
        self._closed("replied", meta)

    def record_printing(self, printed_by: str, copies: int, printed_on: date, meta: Meta) -> None:
        """The office printed the current letter: to deliver it, or after delivery as a
        duplicate copy (office practice, no legal rule); never dated before it was issued."""
        if not 1 <= copies <= MAX_COPIES:
            raise InvalidInput("copies", f"must be 1 to {MAX_COPIES}")
        if printed_on < self.issued_on:
            raise InvalidInput("printed_on", "is before the reply was issued")
        self._printed(self.letter_number, printed_by, copies, printed_on, meta)

    @event(REPLY_LETTER_PRINTED)
    def _printed(
        self, letter_number: str, printed_by: str, copies: int, printed_on: date, meta: Meta
    ) -> None:
        printing = Printing(letter_number, printed_by, copies, printed_on)
        self.printings = (*self.printings, printing)

    @event(REPLY_DELIVERED)
    def _delivered(self, method: str, delivered_on: date, meta: Meta) -> None:
        self.delivery_method = method
        self.delivered_on = delivered_on
        self.state = "delivered"

    @event(APPLICATION_CLOSED)
    def _closed(self, reason: str, meta: Meta) -> None:
        self.state = "closed"
