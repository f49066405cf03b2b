"""The decision on an application: one reply type of Art. 35-39, with grounds and reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from govcommon.aggregate import Meta, OgiAggregate
from govcommon.errors import IllegalStep, InvalidInput
from govcommon.ids import aggregate_id
from govcommon.rules import EXEMPTION_GROUNDS, FORMS, OUTCOMES, choose


@dataclass(frozen=True)
class Decision:
    outcome: str
    grounds: tuple[str, ...]
    reason: str
    form_of_provision: str
    competent_organ: str
    competent_organ_contact: str
    where_published: str

    @classmethod
    def checked(
        cls,
        outcome: str,
        grounds: list[str],
        reason: str,
        form_of_provision: str,
        requested_form: str,
        competent_organ: str = "",
        competent_organ_contact: str = "",
        where_published: str = "",
    ) -> Decision:
        """A decision as the Regulations allow it; InvalidInput names the field at fault."""
        kind = OUTCOMES[choose("outcome", outcome, OUTCOMES)]
        for ground in grounds:
            choose("grounds", ground, EXEMPTION_GROUNDS)
        if kind.needs_grounds and not grounds:
            raise InvalidInput("grounds", f"{outcome} needs at least one exemption ground")
        if grounds and not kind.needs_grounds:
            raise InvalidInput("grounds", f"{outcome} takes no exemption ground")
        if kind.needs_grounds and not reason.strip():
            raise InvalidInput("reason", f"{outcome} must state the reasons (Art. 36(3), 37)")
        provides = outcome in ("disclose", "partial", "already_public")
        form = choose("form_of_provision", form_of_provision, FORMS, requested_form)
        return cls(
            outcome=outcome,
            grounds=tuple(dict.fromkeys(grounds)),
            reason=reason.strip(),
            form_of_provision=form if provides else "",
            competent_organ=competent_organ.strip(),
            competent_organ_contact=competent_organ_contact.strip(),
            where_published=where_published.strip(),
        )


class Review(OgiAggregate):
    @staticmethod
    def create_id(application: dict[str, Any]) -> UUID:
        return aggregate_id("review", application["application_id"])

    @event("ReviewOpened")
    def __init__(self, application: dict[str, Any], office: str, meta: Meta) -> None:
        self.application_id: str = application["application_id"]
        self.agency: str = application["agency"]
        self.application = application
        self.office = office
        self.state = "open"
        self.decision: dict[str, Any] = {}
        self.decided_on: date | None = None

    @property
    def received_on(self) -> date:
        return date.fromisoformat(self.application["received_on"])

    def decide(self, decision: Decision, decided_on: date, meta: Meta) -> None:
        if self.state != "open":
            raise IllegalStep(f"application {self.application_id} is {self.state}")
        if decided_on < self.received_on:
            raise InvalidInput("decided_on", "is before the application was received")
        self._decided(
            application=self.application,
            outcome=decision.outcome,
            grounds=list(decision.grounds),
            reason=decision.reason,
            form_of_provision=decision.form_of_provision,
            competent_organ=decision.competent_organ,
            competent_organ_contact=decision.competent_organ_contact,
            where_published=decision.where_published,
            meta=meta,
        )

    @event("DecisionMade")
    def _decided(
        self,
        application: dict[str, Any],
        outcome: str,
        grounds: list[str],
        reason: str,
        form_of_provision: str,
        competent_organ: str,
        competent_organ_contact: str,
        where_published: str,
        meta: Meta,
    ) -> None:
        self.state = "decided"
        self.decided_on = date.fromisoformat(meta["occurred_on"])
        self.decision = {
            "outcome": outcome,
            "grounds": grounds,
            "reason": reason,
            "form_of_provision": form_of_provision,
        }

    def move_to(self, office: str, meta: Meta) -> None:
        if office != self.office:
            self._moved(office, meta)

    @event("ReviewMovedToOffice")
    def _moved(self, office: str, meta: Meta) -> None:
        self.office = office

    def close(self, reason: str, meta: Meta) -> None:
        if self.state != "closed":
            self._closed(reason, meta)

    @event("ReviewClosed")
    def _closed(self, reason: str, meta: Meta) -> None:
        self.state = "closed"
