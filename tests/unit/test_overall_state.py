"""An application's overall state (`ogi status`, the portal), from each service's view."""

from __future__ import annotations

from typing import Any

import pytest

from ogi_cli.status import overall_state

ACCEPTED = {"state": "accepted"}
AWAITING = {"state": "awaiting_correction"}
ASSIGNED = {"state": "assigned"}
OPEN = {"state": "open"}


@pytest.mark.parametrize(
    ("views", "expected"),
    [
        ({"intake": ACCEPTED}, "accepted"),
        ({"intake": ACCEPTED, "routing": ASSIGNED}, "assigned"),
        ({"intake": ACCEPTED, "routing": ASSIGNED, "review": OPEN}, "under_review"),
        # a correction asked for during review: the application waits for it, not for review
        ({"intake": AWAITING, "routing": ASSIGNED, "review": OPEN}, "awaiting_correction"),
        ({"intake": AWAITING}, "awaiting_correction"),
        ({"intake": {"state": "withdrawn"}, "review": OPEN}, "withdrawn"),
        ({"intake": ACCEPTED, "review": OPEN, "reply": {"state": "issued"}}, "replied"),
        ({"intake": ACCEPTED, "review": OPEN, "reply": {"state": "closed"}}, "reopened"),
        ({}, "unknown"),
    ],
)
def test_the_furthest_step_unless_the_applicant_is_waited_for(
    views: dict[str, dict[str, Any] | None], expected: str
) -> None:
    assert overall_state(views) == expected
