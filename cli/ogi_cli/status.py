"""An application's overall state, from what each service knows of it."""

from __future__ import annotations

from typing import Any


def overall_state(views: dict[str, dict[str, Any] | None]) -> str:
    """The furthest step reached: reply, then review, then routing, then intake; but a
    withdrawn application is withdrawn, and one whose correction intake awaits (Art. 30: the
    clock stands still until it comes) awaits it, whatever review had begun."""
    reply, review = views.get("reply"), views.get("review")
    routing, intake = views.get("routing"), views.get("intake")
    if intake and intake.get("state") == "withdrawn":
        return "withdrawn"
    if intake and intake.get("state") == "awaiting_correction" and not reply:
        return "awaiting_correction"
    if review and review.get("state") == "open" and reply and reply.get("state") == "closed":
        return "reopened"
    if reply:
        return {"issued": "replied", "delivered": "delivered"}.get(reply["state"], reply["state"])
    if review:
        return {"open": "under_review"}.get(review["state"], review["state"])
    if routing:
        return str(routing["state"])
    return str(intake["state"]) if intake else "unknown"
