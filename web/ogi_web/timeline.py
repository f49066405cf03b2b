"""An application's history across every service and agency (`ogi trace`), gathered with the
caller's token: every event in causal order (ogi_cli.trace), shaped as `ogi trace --json`
prints it (the shape the complaint service takes as a case file's trace), and as the rows a
page shows in Chinese."""

from __future__ import annotations

import asyncio
from typing import Any

from ogi.v1 import history_pb2

from ogi_cli.trace import causal_order
from ogi_platform.messaging.envelope import SERVICES
from ogi_web.backend import Backend, as_dict


def _sorted(value: Any) -> Any:
    """Payload maps in a stable key order, as `ogi trace` gives them."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


async def trace(backend: Backend, application_id: str, token: str) -> dict[str, Any]:
    """``{"application_id", "events"}`` as `ogi trace --json` prints it (no events: an empty
    list, which the pages show as such)."""
    request = history_pb2.ListEventsRequest(application_id=application_id)
    answers = await asyncio.gather(*(backend.history(s, request, token) for s in SERVICES))
    events = []
    for answer in answers:
        for event in answer.events:
            item = as_dict(event)
            item["recorded_at"] = event.recorded_at.ToDatetime().isoformat() + "Z"
            item["occurred_at"] = item.pop("occurred_on")
            item["data"] = _sorted(item["data"])
            events.append(item)
    return {"application_id": application_id, "events": causal_order(events)}
