"""How long the relay leaves a published position unrecorded while it keeps publishing: the
commits recording positions cost about the same per event however many stores publish, and a
crash never republishes more than JetStream drops as duplicates."""

from ogi_platform.messaging.bus import DUPLICATE_WINDOW_SECONDS
from ogi_platform.messaging.outbox import RECORD_MAX_SECONDS, longest_unrecorded


def test_a_few_stores_record_every_minute_of_steady_publishing() -> None:
    assert longest_unrecorded(1) == longest_unrecorded(200) == RECORD_MAX_SECONDS


def test_many_stores_record_less_often_within_the_duplicate_window() -> None:
    assert longest_unrecorded(1000) == 300.0
    assert longest_unrecorded(100_000) <= DUPLICATE_WINDOW_SECONDS / 6
