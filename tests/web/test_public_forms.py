"""The public forms' rate limit (so many posts per address and form within a sliding window)
and the Chinese messages for a service's refusal of a field."""

from __future__ import annotations

from ogi_web.backend import ServiceError
from ogi_web.errors import field_message
from ogi_web.ratelimit import RateLimit


def test_the_limit_counts_each_address_and_form_within_its_window() -> None:
    now = [0.0]
    limit = RateLimit(2, 60.0, clock=lambda: now[0])
    assert limit.allow("10.0.0.1", "apply") and limit.allow("10.0.0.1", "apply")
    assert not limit.allow("10.0.0.1", "apply")
    assert limit.allow("10.0.0.1", "lookup")  # another form
    assert limit.allow("10.0.0.2", "apply")  # another address
    now[0] = 60.5
    assert limit.allow("10.0.0.1", "apply")  # the first posts left the window


def test_a_refused_field_reads_in_chinese() -> None:
    def message(text: str) -> str:
        return field_message(
            ServiceError("INVALID_ARGUMENT", f"applicant.name: {text}", "applicant.name")
        )

    assert message("is required") == "此项必填"
    assert message("is longer than 200 characters") == "不能超过 200 个字"
    assert message("'x' is not one of a, b") == "'x' 不在可选范围内（a, b）"
    assert message("something new").startswith("不符合要求：")
