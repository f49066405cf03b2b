"""Causal order of a trace: each event after its cause, otherwise by time recorded."""

from __future__ import annotations

from typing import Any

from ogi_cli.trace import causal_order


def ev(event_id: str, recorded_at: str, cause: str = "") -> dict[str, Any]:
    return {"event_id": event_id, "recorded_at": recorded_at, "causation_id": cause}


def test_orders_by_time_when_independent() -> None:
    events = [ev("b", "2026-01-01T10:00:02"), ev("a", "2026-01-01T10:00:01")]
    assert [e["event_id"] for e in causal_order(events)] == ["a", "b"]


def test_effect_follows_cause_even_with_a_skewed_clock() -> None:
    events = [
        ev("effect", "2026-01-01T09:59:59", cause="cause"),
        ev("cause", "2026-01-01T10:00:00"),
        ev("later", "2026-01-01T10:00:05"),
    ]
    assert [e["event_id"] for e in causal_order(events)] == ["cause", "effect", "later"]


def test_duplicates_are_shown_once_and_unknown_causes_ignored() -> None:
    events = [ev("a", "1", cause="elsewhere"), ev("a", "1", cause="elsewhere"), ev("b", "2", "a")]
    assert [e["event_id"] for e in causal_order(events)] == ["a", "b"]
