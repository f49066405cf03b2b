"""The locating index and its ledger (service.locating, eventstore.holders): what is written, and
when a store is old. Stores and ledger are stand-ins in memory; the real ones are in
tests/integration/test_locate.py."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import cast
from unittest.mock import Mock

import pytest

from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.service.locating import ApplicationIndex


@dataclass
class Ledger:
    rows: set[tuple[str, str]] = field(default_factory=set)
    marks: dict[str, int] = field(default_factory=dict)
    failing: bool = False

    def indexed(self) -> dict[str, int]:
        return dict(self.marks)

    def holders(self, application_id: str) -> set[str]:
        return {agency for app, agency in self.rows if app == application_id}

    def write(
        self,
        rows: Iterable[tuple[str, str]],
        indexed: Mapping[str, int],
        cleared: Collection[str] = (),
    ) -> None:
        if self.failing:
            raise OSError("the ledger's disk is full")
        self.rows = {row for row in self.rows if row[1] not in cleared} | set(rows)
        self.marks |= indexed

    def close(self) -> None:
        pass


class Store:
    """A store's log: notification id -> the application its event is about."""

    def __init__(self, agency: str, log: list[str]) -> None:
        self.agency = agency
        self.log = log
        self.listeners: list[Callable[[set[str], int], None]] = []
        self.unsure: list[Callable[[set[str]], None]] = []
        self.recorder = SimpleNamespace(
            max_notification_id=lambda: len(self.log), select_notifications=self._select
        )
        self.mapper = SimpleNamespace(to_domain_event=lambda n: SimpleNamespace(meta=n.meta))

    def on_recorded(self, listener: Callable[[set[str], int], None]) -> None:
        self.listeners.append(listener)

    def on_unsure(self, listener: Callable[[set[str]], None]) -> None:
        self.unsure.append(listener)

    def commit_unsure(self, application_id: str) -> None:
        """A commit stored as its connection broke: the store raised, as if nothing was."""
        self.log.append(application_id)
        for listener in self.unsure:
            listener({application_id})

    def commit(self, application_id: str) -> None:
        self.log.append(application_id)
        for listener in self.listeners:
            listener({application_id}, len(self.log))

    def _select(
        self, start: int, stop: int, limit: int, inclusive_of_start: bool
    ) -> list[SimpleNamespace]:
        first = start + (0 if inclusive_of_start else 1)
        return [
            SimpleNamespace(id=n, meta={"application_id": self.log[n - 1]})
            for n in range(max(first, 1), min(stop, first + limit - 1) + 1)
        ]


def served(ledger: Ledger, *stores: Store) -> ApplicationIndex:
    index = ApplicationIndex(ledger=ledger)
    for store in stores:
        index.serve(cast(OgiApplication, store))
    return index


def test_commits_are_written_with_how_far_each_store_was_indexed() -> None:
    ledger = Ledger()
    a, b = Store("a", []), Store("b", [])
    index = served(ledger, a, b)
    a.commit("A1")
    a.commit("A2")
    b.commit("A1")
    index.write()
    assert ledger.rows == {("A1", "a"), ("A2", "a"), ("A1", "b")}
    assert ledger.marks == {"a": 2, "b": 1}
    index.write()  # nothing more to write
    assert ledger.marks == {"a": 2, "b": 1}


def test_what_fails_to_be_written_is_written_next_time() -> None:
    ledger = Ledger(failing=True)
    a = Store("a", [])
    index = served(ledger, a)
    a.commit("A1")
    with pytest.raises(OSError):
        index.write()
    a.commit("A2")
    ledger.failing = False
    index.write()
    assert ledger.rows == {("A1", "a"), ("A2", "a")}
    assert ledger.marks == {"a": 2}


async def test_a_store_is_old_until_its_log_is_read_from_where_the_ledger_stopped() -> None:
    ledger = Ledger(rows={("A1", "a")}, marks={"a": 1})
    a = Store("a", ["A1", "A2", "A3"])  # A2 and A3 committed, not written: a crash
    index = served(ledger, a)
    assert index.behind
    assert await index.candidates_of("A1") == ({"a"}, set())  # a holds A1, and is old
    assert await index.candidates_of("A3") == (set(), {"a"})
    a.commit("A4")  # committed while the index catches up
    index.catch_up_step()
    assert not index.behind
    assert ledger.rows == {("A1", "a"), ("A2", "a"), ("A3", "a"), ("A4", "a")}
    assert ledger.marks == {"a": 4}
    assert await index.candidates_of("A3") == ({"a"}, set())


def test_a_long_log_is_read_in_batches_each_written_with_its_position(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("ogi_platform.service.locating.CATCH_UP_BATCH", 2)
    ledger = Ledger()
    index = served(ledger, Store("a", ["A1", "A2", "A3"]))
    index.catch_up_step()
    assert (ledger.marks, index.behind) == ({"a": 2}, True)
    index.catch_up_step()
    assert (ledger.marks, index.behind) == ({"a": 3}, False)
    assert {app for app, _ in ledger.rows} == {"A1", "A2", "A3"}


async def test_a_store_emptied_loses_its_rows_and_is_indexed_again() -> None:
    ledger = Ledger(rows={("A1", "a"), ("A1", "b")}, marks={"a": 5, "b": 1})
    a = Store("a", ["A9"])  # made again: its log is shorter than indexed
    index = served(ledger, a, Store("b", ["A1"]))
    assert index.behind
    index.catch_up_step()
    assert ledger.rows == {("A9", "a"), ("A1", "b")}
    assert ledger.marks == {"a": 1, "b": 1}
    assert await index.candidates_of("A1") == ({"b"}, set())


async def test_stores_empty_at_the_start_never_send_the_index_to_its_ledger() -> None:
    class Counted(Ledger):
        asked = 0

        def holders(self, application_id: str) -> set[str]:
            self.asked += 1
            return super().holders(application_id)

    ledger = Counted()
    a = Store("a", [])
    index = served(ledger, a)
    a.commit("A1")
    assert await index.candidates_of("A1") == ({"a"}, set())
    assert await index.candidates_of("A2") == (set(), set())
    assert ledger.asked == 0


async def test_a_ledger_that_cannot_be_read_leaves_every_store_to_be_asked() -> None:
    class Away(Ledger):
        def holders(self, application_id: str) -> set[str]:
            raise OSError("the ledger's server is away")

    a, b, c = Store("a", ["A1"]), Store("b", ["A2"]), Store("c", [])
    index = served(Away(marks={"a": 1, "b": 1}), a, b, c)
    c.commit("A1")
    assert await index.candidates_of("A1") == ({"c"}, {"a", "b"})


async def test_an_entry_forgotten_is_read_from_the_ledger_again() -> None:
    ledger = Ledger()
    a, b = Store("a", []), Store("b", [])
    index = ApplicationIndex(max_entries=1, ledger=ledger)
    for store in (a, b):
        index.serve(cast(OgiApplication, store))
    a.commit("A1")
    b.commit("A1")
    a.commit("A2")  # A1 forgotten
    index.write()
    assert await index.candidates_of("A1") == ({"a", "b"}, set())


async def test_a_commit_that_failed_and_may_have_been_stored_is_a_possible_holder() -> None:
    ledger = Ledger()
    a, b = Store("a", []), Store("b", ["B1"])
    index = served(ledger, a, b)
    index.catch_up_step()
    a.commit_unsure("A1")
    a.commit("A2")  # moves a's position past A1's
    index.write()
    assert ledger.rows >= {("A1", "a"), ("A2", "a")}
    assert ledger.marks["a"] == 2
    restarted = served(ledger, Store("a", a.log), Store("b", b.log))
    assert await restarted.candidates_of("A1") == ({"a"}, set())


def test_a_store_whose_log_cannot_be_read_stays_old_and_the_others_are_written() -> None:
    ledger = Ledger()
    a, b = Store("a", ["A1"]), Store("b", [])
    a.mapper = SimpleNamespace(to_domain_event=Mock(side_effect=ValueError("no such event")))
    index = served(ledger, a, b)
    index.catch_up_step()
    assert not index.behind
    b.commit("B1")
    index.write()
    assert ledger.rows == {("B1", "b")}
    assert ledger.marks == {"b": 1}, "a's position stays: the next start reads its log again"
    a.commit("A2")
    index.write()
    assert "a" not in ledger.marks


async def test_a_ledger_that_keeps_failing_is_given_up_and_its_stores_are_asked() -> None:
    ledger = Ledger(failing=True)
    a, b = Store("a", []), Store("b", [])
    index = ApplicationIndex(max_entries=2, ledger=ledger)
    for store in (a, b):
        index.serve(cast(OgiApplication, store))
    for n in range(3):
        a.commit(f"A{n}")
    with pytest.raises(OSError):
        index.write()
    b.commit("B1")
    ledger.failing = False
    index.write()
    assert ledger.rows == set() and ledger.marks == {}, "nothing more is written"
    assert await index.candidates_of("A0") == (set(), {"a", "b"}), "forgotten: all asked"
    assert await index.candidates_of("B1") == ({"b"}, {"a"})


async def test_keeping_the_ledger_goes_on_after_a_step_that_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("ogi_platform.service.locating.WRITE_SECONDS", 0.01)
    ledger = Ledger()
    a = Store("a", ["A1"])
    index = served(ledger, a)
    failures = iter([OSError("the store's disk is away")])

    def select(**kwargs: int) -> list[SimpleNamespace]:
        for failure in failures:
            raise failure
        return Store._select(a, **kwargs)  # type: ignore[arg-type]

    a.recorder = SimpleNamespace(
        max_notification_id=lambda: len(a.log), select_notifications=select
    )
    keeping = asyncio.create_task(index.keep())
    try:
        for _ in range(200):
            if ledger.marks == {"a": 1}:
                break
            await asyncio.sleep(0.01)
        assert ledger.marks == {"a": 1} and not index.behind
        a.commit("A2")
        for _ in range(200):
            if ledger.marks == {"a": 2}:
                break
            await asyncio.sleep(0.01)
        assert ledger.rows == {("A1", "a"), ("A2", "a")}
    finally:
        keeping.cancel()


def test_stopping_waits_for_the_read_of_a_log_under_way_and_starts_no_other() -> None:
    ledger = Ledger()
    a = Store("a", ["A1", "A2"])
    index = served(ledger, a)
    reading, release = threading.Event(), threading.Event()
    reads: list[int] = []

    def slow_select(**kwargs: int) -> list[SimpleNamespace]:
        reads.append(kwargs["start"])
        reading.set()
        release.wait(5)
        return Store._select(a, **kwargs)  # type: ignore[arg-type]

    a.recorder = SimpleNamespace(
        max_notification_id=lambda: len(a.log), select_notifications=slow_select
    )
    step = threading.Thread(target=index.catch_up_step)
    step.start()
    assert reading.wait(5)
    stopping = threading.Thread(target=index.stop_catching_up)
    stopping.start()
    stopping.join(0.2)
    assert stopping.is_alive(), "the stores are not closed under the read"
    release.set()
    stopping.join(5)
    step.join(5)
    assert not index.behind
    index.catch_up_step()
    assert reads == [0], "no other read once stopping"


def test_a_failed_commit_leaves_the_position_written_where_it_was() -> None:
    ledger = Ledger(marks={"a": 2})
    a = Store("a", ["A1", "A2"])
    index = served(ledger, a)
    a.commit_unsure("A3")
    index.write()
    assert ledger.marks == {"a": 2}
    assert ("A3", "a") in ledger.rows


async def test_giving_up_keeps_the_position_of_a_store_emptied_at_0() -> None:
    ledger = Ledger(rows={("A1", "a")}, marks={"a": 5}, failing=True)
    a = Store("a", ["A9"])  # made again: its log is shorter than indexed
    index = ApplicationIndex(max_entries=1, ledger=ledger)
    index.serve(cast(OgiApplication, a))
    a.commit("A10")
    a.commit("A11")
    with pytest.raises(OSError):
        index.write()
    ledger.failing = False
    index.write()
    assert ledger.marks == {"a": 0} and ledger.rows == set()
