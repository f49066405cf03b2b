"""From an agency's stored events to the facts the annual report counts (pure; no I/O).

The events, by the service that records them:

- intake: ``ApplicationReceived`` (applicant type, receipt date; also the receipt of a forwarded
  application), ``ApplicationForwardNoted`` (sent on to another agency), ``CorrectionLapsed``
  (六.1), ``ApplicationWithdrawn`` (六.3 其他);
- review: ``DecisionMade`` (the reply type of Art. 36-39, dated the day of the decision, which
  is the reply letter's date), ``FeeUnpaidClosed`` (六.2);
- reply: ``RemedyFiled`` and ``RemedyConcluded`` (part 四).

Their names are the publishers' contracts (ogi_contracts): plain data, which the report table
may import as it imports no platform or service code.

A withholding decision is counted under its first exemption ground; a partial disclosure only
under （二）, whatever its grounds (the table's own rule). An application forwarded away counts
at the agency that received the forward, unless the forwarding agency itself replied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ogi_contracts.intake import (
    APPLICATION_FORWARD_NOTED,
    APPLICATION_RECEIVED,
    APPLICATION_WITHDRAWN,
    CORRECTION_LAPSED,
)
from ogi_contracts.reply import REMEDY_CONCLUDED, REMEDY_FILED
from ogi_contracts.review import DECISION_MADE, FEE_UNPAID_CLOSED
from ogi_law.rules import OUTCOMES
from ogi_report.facts import ApplicationFacts, Closing, Remedy

#: Closings recorded by intake and review other than a decision, and their rows.
CLOSING_ROWS = {
    CORRECTION_LAPSED: "other.correction_lapsed",
    APPLICATION_WITHDRAWN: "other.other",
    FEE_UNPAID_CLOSED: "other.fee_unpaid",
}
EVENT_TYPES = frozenset(
    {
        APPLICATION_RECEIVED,
        APPLICATION_FORWARD_NOTED,
        DECISION_MADE,
        REMEDY_FILED,
        REMEDY_CONCLUDED,
        *CLOSING_ROWS,
    }
)


def decision_row(outcome: str, grounds: list[str]) -> str:
    """The part 三 row of a decision (annual-report.md, "Mapping the reply types")."""
    row = OUTCOMES[outcome].report_row
    if row == "withheld":
        return f"withheld.{grounds[0]}"
    return row


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass
class _Draft:
    applicant_type: str = ""
    received_on: date | None = None
    forwarded: bool = False
    decisions: list[date] = field(default_factory=list)
    withdrawn_on: date | None = None
    closings: list[Closing] = field(default_factory=list)
    remedies: dict[str, Remedy] = field(default_factory=dict)


class FactsProjection:
    """The facts of one agency's applications, kept current event by event."""

    def __init__(self, agency: str) -> None:
        self.agency = agency
        self._drafts: dict[str, _Draft] = {}

    def apply(self, event_type: str, data: dict[str, Any]) -> None:
        """Take one stored event (its decoded state, with ``meta``); others are ignored."""
        if event_type not in EVENT_TYPES:
            return
        meta = data["meta"]
        draft = self._drafts.setdefault(meta["application_id"], _Draft())
        on = _day(meta["occurred_on"])
        if event_type == APPLICATION_RECEIVED:
            draft.applicant_type = data["applicant"]["type"]
            draft.received_on = _day(data["received_on"])
        elif event_type == APPLICATION_FORWARD_NOTED:
            draft.forwarded = True
        elif event_type == DECISION_MADE:
            draft.closings.append(Closing(on, decision_row(data["outcome"], data["grounds"])))
            draft.decisions.append(on)
        elif event_type == APPLICATION_WITHDRAWN:
            draft.withdrawn_on = on
        elif event_type in CLOSING_ROWS:
            draft.closings.append(Closing(on, CLOSING_ROWS[event_type]))
        elif event_type == REMEDY_FILED:
            draft.remedies[data["ref"]] = Remedy(data["kind"], _day(data["filed_on"]))
        elif event_type == REMEDY_CONCLUDED:
            filed = draft.remedies[data["ref"]]
            draft.remedies[data["ref"]] = Remedy(
                filed.kind, filed.filed_on, _day(data["concluded_on"]), data["result"]
            )

    @staticmethod
    def _withdrawal(draft: _Draft) -> list[Closing]:
        """A withdrawal closes the application, unless a decision came first: then the reply
        stands and is what is counted (the stores are read one after the other, so this is
        settled here, not as the events arrive)."""
        withdrawn = draft.withdrawn_on
        if withdrawn is None or any(decided <= withdrawn for decided in draft.decisions):
            return []
        return [Closing(withdrawn, CLOSING_ROWS[APPLICATION_WITHDRAWN])]

    def facts(self) -> list[ApplicationFacts]:
        """One record per application this agency received (events of others are ignored)."""
        found = []
        for application_id, draft in self._drafts.items():
            if draft.received_on is None:
                continue  # consulted about it, or it was never received here
            closings = tuple(sorted(draft.closings + self._withdrawal(draft), key=lambda c: c.on))
            found.append(
                ApplicationFacts(
                    application_id=application_id,
                    agency=self.agency,
                    applicant_type=draft.applicant_type,
                    received_on=draft.received_on,
                    closings=closings,
                    forwarded_away=draft.forwarded and not closings,
                    remedies=tuple(draft.remedies.values()),
                )
            )
        return found
