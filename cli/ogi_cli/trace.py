"""Rebuilding one application's history from the events of every service: causal order.

Each event names the event that caused it. An event is placed after its cause; events that do
not depend on each other keep the order in which they were recorded.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

TraceEvent = dict[str, Any]


def _key(event: TraceEvent) -> tuple[str, str, str, int]:
    return (
        str(event.get("recorded_at", "")),
        str(event.get("service", "")),
        str(event.get("agency", "")),
        int(event.get("aggregate_version", 0)),
    )


def causal_order(events: Iterable[TraceEvent]) -> list[TraceEvent]:
    """The events, each after the event that caused it, otherwise by time recorded."""
    unique = {e["event_id"]: e for e in events}
    children: dict[str, list[str]] = {}
    waiting: dict[str, int] = {}
    for event_id, event in unique.items():
        cause = event.get("causation_id") or ""
        if cause in unique and cause != event_id:
            children.setdefault(cause, []).append(event_id)
            waiting[event_id] = 1
        else:
            waiting[event_id] = 0
    ready = [(_key(unique[i]), i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    ordered: list[TraceEvent] = []
    while ready:
        _, event_id = heapq.heappop(ready)
        ordered.append(unique[event_id])
        for child in children.get(event_id, []):
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (_key(unique[child]), child))
    return ordered
