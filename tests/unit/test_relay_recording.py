"""How long the relay leaves a published position unrecorded while it keeps publishing: the
commits recording positions cost about the same per event however many stores publish, and a
crash never republishes more than JetStream drops as duplicates; a recording that failed is
tried again a while later, never in a loop, and never forgotten. Stores, writers and the stream
are stand-ins in memory (tests/integration/test_outbox_relay.py has the real ones)."""

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest

from ogi_platform.messaging import outbox as outbox_module
from ogi_platform.messaging.bus import DUPLICATE_WINDOW_SECONDS
from ogi_platform.messaging.outbox import (
    RECORD_MAX_SECONDS,
    OutboxRelay,
    Relay,
    longest_unrecorded,
)
from ogi_platform.messaging.streamguard import Checked


def test_a_few_stores_record_every_minute_of_steady_publishing() -> None:
    assert longest_unrecorded(1) == longest_unrecorded(200) == RECORD_MAX_SECONDS


def test_many_stores_record_less_often_within_the_duplicate_window() -> None:
    assert longest_unrecorded(1000) == 300.0
    assert longest_unrecorded(100_000) <= DUPLICATE_WINDOW_SECONDS / 6


class _Stream:
    """The JetStream context: how often the stream was looked at."""

    def __init__(self) -> None:
        self.looks = 0

    async def stream_info(self, name: str) -> object:
        self.looks += 1
        return object()


class _Guard:
    def __init__(self, failures: list[Exception]) -> None:
        self.problem = None
        self.failures = failures

    def connection(self) -> int:
        return 0

    async def check(self, since: int | None = None, info: object = None) -> Checked:
        if self.failures:
            raise self.failures.pop(0)
        return Checked("relay", 0)


class _Writer:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.tries = 0

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.tries += 1
        if self.failures:
            raise self.failures.pop(0)
        return fn(*args)


class _Outbox:
    """A store that published one event, whose position is to be recorded."""

    what = "a store"
    batch_size = 500

    def __init__(
        self, js: _Stream, check_fails: list[Exception], write_fails: list[Exception]
    ) -> None:
        self.js, self.guard, self.writer = js, _Guard(check_fails), _Writer(write_fails)
        self.published, self.verified, self.recorded = 0, 0, 0
        self.unverified_over: int | None = None

    def listen(self, committed: object) -> None:
        pass

    @property
    def unrecorded(self) -> bool:
        return self.published != self.recorded

    def proven(self) -> None:
        self.verified, self.unverified_over = self.published, None

    def roll_back(self) -> None:
        self.published, self.unverified_over = self.verified, None

    def record(self) -> None:
        self.recorded = self.verified

    def forget_heard(self) -> None:
        pass


async def _published_once(outboxes: list[Any], **_: Any) -> list[tuple[Any, int]]:
    published = []
    for outbox in outboxes:
        fresh = outbox.published == 0
        outbox.published, outbox.unverified_over = 1, (0 if fresh else outbox.unverified_over)
        published.append((outbox, int(fresh)))
    return published


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_module, "publish_cycle", _published_once)
    monkeypatch.setattr(outbox_module, "RECORD_SECONDS", 0.01)
    monkeypatch.setattr(outbox_module, "RECHECK_SECONDS", 0.3)


async def _recorded(relay: Relay, outboxes: list[_Outbox], seconds: float) -> None:
    running = asyncio.create_task(relay.run())
    try:
        deadline = asyncio.get_running_loop().time() + seconds
        while any(o.recorded != 1 for o in outboxes):
            assert asyncio.get_running_loop().time() < deadline, "positions not recorded"
            await asyncio.sleep(0.01)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


@pytest.mark.usefixtures("quick")
async def test_a_position_that_failed_to_be_written_is_tried_again_a_while_later() -> None:
    js = _Stream()
    store = _Outbox(js, [], [OSError("the store's disk is away")])
    relay = Relay([cast(OutboxRelay, store)])
    started = asyncio.get_running_loop().time()
    await _recorded(relay, [store], 5.0)
    assert store.writer.tries == 2, "tried again once, not in a loop"
    assert asyncio.get_running_loop().time() - started >= 0.3
    assert js.looks == 2


@pytest.mark.usefixtures("quick")
async def test_a_store_whose_check_failed_is_recorded_later_and_the_others_at_once() -> None:
    js = _Stream()
    failing = _Outbox(js, [sqlite3.OperationalError("disk I/O error")], [])
    other = _Outbox(js, [], [])
    relay = Relay([cast(OutboxRelay, failing), cast(OutboxRelay, other)])
    await _recorded(relay, [failing, other], 5.0)
    assert failing.published == 1, "not rolled back: proven later"
    assert (failing.writer.tries, other.writer.tries) == (1, 1)


def test_after_a_commit_that_may_have_been_stored_the_next_heard_is_read_from_the_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The failed commit may land after the read made at once (the server finishing it): the
    commit heard next, which the store orders after it, is read from the store too."""
    app = SimpleNamespace(agency="a", service="intake")
    monkeypatch.setattr(outbox_module, "StreamGuard", lambda *args: None)
    relay = OutboxRelay(cast(Any, app), cast(Any, None), cast(Any, None))
    relay._published, relay._hearing, relay._heard_from = ("relay", 4), True, 4
    relay.committed([(5, None)])
    assert relay.fresh("relay") == ([], 5, 1)
    relay.committed(None)  # commit 6 failed, and may have been stored
    assert relay.fresh("relay") is None
    relay._published, relay._hearing, relay._heard_from = ("relay", 5), True, 5  # 6 not found
    relay.committed([(7, None)])
    assert relay.fresh("relay") is None, "7 heard, 6 not: read from the store"
    relay._published, relay._hearing, relay._heard_from = ("relay", 7), True, 7  # read, sent
    relay.committed([(8, None)])
    assert relay.fresh("relay") == ([], 8, 1)
