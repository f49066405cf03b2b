"""An applicant's reconsideration application or lawsuit about the agency's handling, as the
agency records it (part 四 of the annual report counts them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from ogi_contracts.reply import REMEDY_CONCLUDED, REMEDY_FILED
from ogi_errors import IllegalStep, InvalidInput
from ogi_law.rules import REMEDY_KINDS, REMEDY_RESULTS, choose
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate
from ogi_platform.ids import aggregate_id


def remedy_id(application_id: str, ref: str) -> UUID:
    return aggregate_id("remedy", f"{application_id}/{ref}")


def numbered_remedies(
    find: Callable[[UUID, type[RemedyCase]], RemedyCase | None], application_id: str
) -> list[RemedyCase]:
    """The remedies of the application that ``find`` knows of (the store's, or a unit of work's
    with what it has changed), R1, R2, ... up to the first number it does not know."""
    found: list[RemedyCase] = []
    while case := find(remedy_id(application_id, f"R{len(found) + 1}"), RemedyCase):
        found.append(case)
    return found


class RemedyCase(OgiAggregate):
    @staticmethod
    def create_id(application_id: str, ref: str) -> UUID:
        return remedy_id(application_id, ref)

    @event(REMEDY_FILED)
    def __init__(
        self,
        application_id: str,
        agency: str,
        ref: str,
        kind: str,
        body: str,
        case_number: str,
        filed_on: str,
        meta: Meta,
    ) -> None:
        self.application_id = application_id
        self.agency = agency
        self.ref = ref
        self.kind = kind
        self.body = body
        self.case_number = case_number
        self.filed_on = date.fromisoformat(filed_on)
        self.result = ""
        self.concluded_on: date | None = None

    @classmethod
    def file(
        cls,
        application_id: str,
        agency: str,
        ref: str,
        kind: str,
        body: str,
        case_number: str,
        filed_on: date,
        meta: Meta,
    ) -> RemedyCase:
        return cls(
            application_id=application_id,
            agency=agency,
            ref=ref,
            kind=choose("kind", kind, REMEDY_KINDS),
            body=body.strip(),
            case_number=case_number.strip(),
            filed_on=filed_on.isoformat(),
            meta=meta,
        )

    def conclude(self, result: str, concluded_on: date, meta: Meta) -> None:
        """The reconsideration body's or court's result: upheld, corrected (revoked, changed,
        ordered to act again, confirmed unlawful) or other (withdrawn, dismissed...)."""
        if self.result:
            raise IllegalStep(f"{self.ref} of {self.application_id} is already concluded")
        result = choose("result", result, REMEDY_RESULTS)
        if concluded_on < self.filed_on:
            raise InvalidInput("concluded_on", f"is before it was filed ({self.filed_on})")
        self._concluded(self.ref, result, concluded_on.isoformat(), meta)

    @event(REMEDY_CONCLUDED)
    def _concluded(self, ref: str, result: str, concluded_on: str, meta: Meta) -> None:
        self.result = result
        self.concluded_on = date.fromisoformat(concluded_on)
