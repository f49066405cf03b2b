"""From stored events to the facts the annual report counts (ogi_report.projection)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ogi_law.rules import EXEMPTION_GROUNDS, OUTCOMES
from ogi_report.facts import Closing, Remedy
from ogi_report.labels import LEAF_ROWS
from ogi_report.projection import FactsProjection, decision_row


def stored(application_id: str, on: str, **data: Any) -> dict[str, Any]:
    return data | {"meta": {"application_id": application_id, "occurred_on": on}}


def received(projection: FactsProjection, application_id: str, on: str, kind: str) -> None:
    projection.apply(
        "ApplicationReceived",
        stored(application_id, on, applicant={"type": kind}, received_on=date.fromisoformat(on)),
    )


def test_every_reply_type_and_ground_has_a_leaf_row() -> None:
    for code, outcome in OUTCOMES.items():
        grounds = list(EXEMPTION_GROUNDS) if outcome.needs_grounds else []
        assert decision_row(code, grounds) in LEAF_ROWS, code
    for ground in EXEMPTION_GROUNDS:
        assert decision_row("withhold", [ground, "state_secret"]) == f"withheld.{ground}"
    assert decision_row("partial", ["third_party"]) == "partial"


def test_facts_follow_the_events_of_intake_review_and_reply() -> None:
    p = FactsProjection("municipal-office")
    received(p, "A1", "2025-12-20", "research")
    p.apply(
        "DecisionMade", stored("A1", "2026-01-06", outcome="withhold", grounds=["process_info"])
    )
    p.apply("HandlingReopened", stored("A1", "2026-03-01"))  # ignored: not a closing
    p.apply("DecisionMade", stored("A1", "2026-03-10", outcome="disclose", grounds=[]))
    p.apply("RemedyFiled", stored("A1", "2026-02-01", ref="R1", kind="reconsideration",
                                  filed_on="2026-02-01"))  # fmt: skip
    p.apply("RemedyConcluded", stored("A1", "2026-04-01", ref="R1", result="corrected",
                                      concluded_on="2026-04-01"))  # fmt: skip
    received(p, "A2", "2026-02-02", "natural_person")
    p.apply("CorrectionLapsed", stored("A2", "2026-03-02", correct_by="2026-02-27"))
    received(p, "A3", "2026-02-03", "other_org")
    p.apply("FeeUnpaidClosed", stored("A3", "2026-04-03", pay_by="2026-04-02"))
    received(p, "A4", "2026-02-04", "legal_services")
    p.apply("ApplicationWithdrawn", stored("A4", "2026-02-05", reason="不再需要"))
    received(p, "A5", "2026-02-05", "commercial")
    p.apply("ApplicationForwardNoted", stored("A5", "2026-02-06", to_agency="archives-bureau"))
    p.apply("ConsultationRequestReceived", stored("A6", "2026-02-07"))  # consulted only

    facts = {f.application_id: f for f in p.facts()}
    assert set(facts) == {"A1", "A2", "A3", "A4", "A5"}
    a1 = facts["A1"]
    assert (a1.agency, a1.applicant_type, a1.received_on) == (
        "municipal-office",
        "research",
        date(2025, 12, 20),
    )
    assert a1.closings == (
        Closing(date(2026, 1, 6), "withheld.process_info"),
        Closing(date(2026, 3, 10), "disclosed"),
    )
    assert a1.remedies == (
        Remedy("reconsideration", date(2026, 2, 1), date(2026, 4, 1), "corrected"),
    )
    assert facts["A2"].closings == (Closing(date(2026, 3, 2), "other.correction_lapsed"),)
    assert facts["A3"].closings == (Closing(date(2026, 4, 3), "other.fee_unpaid"),)
    assert facts["A4"].closings == (Closing(date(2026, 2, 5), "other.other"),)
    assert facts["A5"].forwarded_away and not facts["A5"].closings


def test_a_forwarding_agency_that_replied_counts_its_reply() -> None:
    p = FactsProjection("municipal-office")
    received(p, "A1", "2026-05-06", "natural_person")
    p.apply("DecisionMade", stored("A1", "2026-05-07", outcome="not_ours", grounds=[]))
    p.apply("ApplicationForwardNoted", stored("A1", "2026-05-07", to_agency="archives-bureau"))
    (fact,) = p.facts()
    assert not fact.forwarded_away
    assert fact.closings == (Closing(date(2026, 5, 7), "unable.not_held"),)


def test_an_unknown_reply_type_is_an_error_not_a_silent_row() -> None:
    p = FactsProjection("municipal-office")
    received(p, "A1", "2026-05-06", "natural_person")
    with pytest.raises(KeyError):
        p.apply("DecisionMade", stored("A1", "2026-05-07", outcome="maybe", grounds=[]))


def test_a_withdrawal_after_the_decision_leaves_the_reply_counted() -> None:
    """Whatever order the stores are read in (intake before review here)."""
    p = FactsProjection("municipal-office")
    received(p, "A1", "2026-05-06", "natural_person")
    p.apply("ApplicationWithdrawn", stored("A1", "2026-05-20", reason="不再需要"))
    p.apply("DecisionMade", stored("A1", "2026-05-18", outcome="disclose", grounds=[]))
    received(p, "A2", "2026-05-06", "natural_person")
    p.apply("ApplicationWithdrawn", stored("A2", "2026-05-10", reason="不再需要"))
    facts = {f.application_id: f for f in p.facts()}
    assert facts["A1"].closings == (Closing(date(2026, 5, 18), "disclosed"),)
    assert facts["A2"].closings == (Closing(date(2026, 5, 10), "other.other"),)
