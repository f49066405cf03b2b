"""No needless round trips on the hot path (issue 13): the store's one writer keeps what it
committed in memory and uses it without asking the store (no fast-forwarding SELECT); a fresh
random application id is not looked up; what a failed command or commit touched is not trusted
afterwards. On the in-memory store and on SQLite, counting the reads that reach the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

import intake.application
from intake.application import IntakeApplication
from intake.commands import RequestCorrection, SubmitApplication
from intake.domain import Applicant, Application, MonthlyCount, NumberSeries, Request
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.aggregate import meta
from ogi_platform.eventstore.application import SnapshotFailed
from ogi_platform.eventstore.store import creating, store_location

AGENCY = load_agencies().get("municipal-office")
ON = date(2026, 11, 20)


class Reads:
    """How many times the store was asked for an aggregate's events or its latest snapshot."""

    def __init__(self, app: IntakeApplication, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events = 0
        self.snapshots = 0
        self._count(app.events.recorder, "events", monkeypatch)
        if app.snapshots is not None:
            self._count(app.snapshots.recorder, "snapshots", monkeypatch)

    def _count(self, recorder: Any, what: str, monkeypatch: pytest.MonkeyPatch) -> None:
        select = recorder.select_events

        def counted(*args: Any, **kwargs: Any) -> Any:
            setattr(self, what, getattr(self, what) + 1)
            return select(*args, **kwargs)

        monkeypatch.setattr(recorder, "select_events", counted)

    def reset(self) -> tuple[int, int]:
        """The counts since the last reset: events, snapshots."""
        counts = (self.events, self.snapshots)
        self.events = self.snapshots = 0
        return counts


def opened(kind: str, folder: Path) -> IntakeApplication:
    if kind == "memory":
        return IntakeApplication(AGENCY.code)
    location = store_location(None, folder, AGENCY.code, "intake")
    with creating(location):
        return IntakeApplication(AGENCY.code, env=location.env)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(store: str, tmp_path: Path) -> Iterator[IntakeApplication]:
    opened_app = opened(store, tmp_path)
    yield opened_app
    opened_app.close()


def submission(id_doc: str, request_id: str = "") -> SubmitApplication:
    return SubmitApplication(
        actor="test",
        on=ON,
        agency=AGENCY,
        applicant=Applicant.checked("张三", "natural_person", id_doc, "138"),
        request=Request("城市更新项目批复文件", "electronic", "online"),
        request_id=request_id,
    )


def number(application: Application) -> int:
    return int(application.application_number.rsplit("-", 1)[1])


def test_a_submission_asks_the_store_only_whether_the_applicant_applied_this_month(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.handle(submission("110101"))
    reads = Reads(app, monkeypatch)
    app.handle(submission("110102"))  # a new applicant: their monthly count is looked up
    assert reads.reset() == (1, 0)  # no snapshot of a count, no series, no fresh id
    app.handle(submission("110102"))  # kept in memory since
    assert reads.reset() == (0, 0)
    app.handle_all([submission("110102"), submission("110101")])
    assert reads.reset() == (0, 0)


def test_submissions_queued_together_take_a_count_not_in_memory_as_new(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group (the writer's, ``handle_all``) asks the store nothing for an applicant's monthly
    count that is not in memory (nearly every applicant is new in a month). A count that existed
    nonetheless (not in memory since a restart) fails the group's commit on its first version,
    and the group is handled again, each count looked up: nothing counted twice, no number lost.
    """
    app.handle(submission("110101"))
    reads = Reads(app, monkeypatch)
    first, second = app.handle_all([submission("110102"), submission("110103")])
    assert reads.reset() == (0, 0)
    app.cache.forget([MonthlyCount.create_id(AGENCY.code, "110101", ON.strftime("%Y-%m"))])
    again, other = app.handle_all([submission("110101"), submission("110104")])
    assert reads.reset()[0] >= 1, "the counts were looked up when handled again"
    assert [a.monthly_count for a in (first, second, again, other)] == [1, 1, 2, 1]
    assert [number(a) for a in (first, second, again, other)] == [2, 3, 4, 5]
    assert app.application(again.application_id).monthly_count == 2
    assert app.application(other.application_id).application_number.endswith("-00005")
    app.cache.forget([MonthlyCount.create_id(AGENCY.code, "110101", ON.strftime("%Y-%m"))])
    [alone] = app.handle_all([submission("110101")])  # a group of one: not refused either
    assert (alone.monthly_count, number(alone)) == (3, 6)


def test_a_repeated_submission_is_still_found_by_its_request_id(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = app.handle(submission("110101", request_id="r-1"))
    again = app.handle(submission("110101", request_id="r-1"))
    assert again.application_id == first.application_id and number(again) == 1
    assert app.handle(submission("110101")).application_number.endswith("-00002")


def test_reads_and_commands_of_a_stored_application_ask_the_store_nothing(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = app.handle(submission("110101")).application_id
    reads = Reads(app, monkeypatch)
    assert app.application(application_id).state == "accepted"
    app.handle(
        RequestCorrection(
            actor="test", on=ON, application_id=application_id, items=("身份证明",), period_days=5
        )
    )
    assert app.application(application_id).state == "awaiting_correction"
    assert reads.reset() == (0, 0)


def test_a_read_does_not_fill_the_cache_the_writer_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader's aggregate, loaded before a commit and put in memory after it, would hide that
    commit from the writer: only the writer's units of work keep what they load (on a store that
    outlives its application)."""
    store = "sqlite"
    with_store = opened(store, tmp_path)
    application_id = with_store.handle(submission("110101")).application_id
    with_store.close()
    app = opened(store, tmp_path)  # a process starting on the store: nothing in memory
    reads = Reads(app, monkeypatch)
    app.application(application_id)
    app.application(application_id)
    assert reads.reset() == (2, 0)
    uow = app.unit_of_work()
    uow.get(Application.create_id(application_id), Application, "application")
    app.application(application_id)
    assert reads.reset() == (1, 0)
    app.close()


def test_a_copy_is_handed_out_so_a_failed_command_changes_nothing_kept(
    app: IntakeApplication,
) -> None:
    application_id = app.handle(submission("110101")).application_id
    uow = app.unit_of_work()
    changed = uow.get(Application.create_id(application_id), Application, "application")
    changed.withdraw("不要了", meta(application_id, "test", ON))
    assert app.application(application_id).state == "accepted"  # never committed
    series = app.find(NumberSeries.create_id(AGENCY.code, 2026), NumberSeries)
    assert series is not None and series.last == 1


def test_a_commit_that_raised_is_not_trusted_the_store_is_asked_again(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store may have taken a commit that raised (its answer lost): what it held is loaded
    again, so the next number follows the one stored, not the one in memory."""
    assert number(app.handle(submission("110101"))) == 1
    insert = app.events.recorder.insert_events

    def stored_then_lost(*args: Any, **kwargs: Any) -> Any:
        insert(*args, **kwargs)
        raise OperationalError("the connection was lost before the answer")

    monkeypatch.setattr(app.events.recorder, "insert_events", stored_then_lost)
    with pytest.raises(OperationalError):
        app.handle(submission("110101"))
    monkeypatch.setattr(app.events.recorder, "insert_events", insert)
    assert number(app.handle(submission("110101"))) == 3


def test_a_fresh_id_the_store_holds_is_refused_by_the_store(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not looked up beforehand (60 random bits): the store's version check refuses an
    application whose id it holds, and nothing of the refused submission is kept."""
    first = app.handle(submission("110101"))
    monkeypatch.setattr(intake.application, "new_application_id", lambda: first.application_id)
    with pytest.raises(IntegrityError):
        app.handle(submission("110102"))
    [refused] = app.handle_all([submission("110102")])
    assert isinstance(refused.error, IntegrityError)
    assert app.application(first.application_id).applicant["id_doc"] == "110101"
    monkeypatch.undo()
    assert number(app.handle(submission("110102"))) == 2


def test_an_optimistic_unit_of_work_takes_an_aggregate_not_in_memory_as_new(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an inbound handler is about to make (``find_to_create``): an optimistic unit of
    work asks the store nothing and takes an aggregate not in memory as new; one that is not
    optimistic asks the store. Either way one in memory is found."""
    key = app.handle(submission("110101")).id
    reads = Reads(app, monkeypatch)
    assert app.unit_of_work(optimistic=True).find_to_create(key, Application) is not None
    app.cache.forget([key])
    assert app.unit_of_work(optimistic=True).find_to_create(key, Application) is None
    assert reads.reset() == (0, 0)
    assert app.unit_of_work().find_to_create(key, Application) is not None
    assert reads.reset()[0] == 1


def test_a_commit_whose_snapshot_fails_is_heard_by_the_listeners(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The events are stored before a snapshot is taken: the listeners (the relay, which
    publishes what it hears) hear of them even when the snapshot fails, and the caller is told
    that it failed after storing (``SnapshotFailed``, never the store's refusal of the events).
    """
    heard: list[int] = []
    app.on_commit(lambda recordings: heard.append(len(recordings)))

    def no_snapshot(*args: Any) -> None:
        raise IntegrityError("a snapshot of that version exists")

    monkeypatch.setattr(app, "_take_snapshots", no_snapshot)
    with pytest.raises(SnapshotFailed):
        app.handle(submission("110101"))
    assert heard and heard[0] > 0
    monkeypatch.undo()
    assert number(app.handle(submission("110101"))) == 2


def test_a_tick_reads_the_log_again_only_after_a_commit(
    app: IntakeApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The applications awaiting a correction, kept from the store's log, are read again only
    once the process committed something (a thousand idle stores, ticking every minute, ask
    their databases nothing); what a commit changed is seen at the next tick."""
    application_id = app.handle(submission("110101")).application_id
    reads: list[int] = []
    select = app.recorder.select_notifications

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return select(*args, **kwargs)

    monkeypatch.setattr(app.recorder, "select_notifications", counted)
    assert app.tick(ON) == 0
    assert len(reads) == 1  # the whole log, once
    assert app.tick(ON) == 0
    assert len(reads) == 1, "nothing committed since: not read again"
    app.handle(RequestCorrection(actor="test", on=ON, application_id=application_id,
                                 items=("身份证明",), period_days=15))  # fmt: skip
    assert app.tick(date(2027, 1, 29)) == 1  # the correction lapsed, read after the commit
    assert len(reads) == 2


def test_a_copy_from_the_cache_shares_only_what_cannot_change(app: IntakeApplication) -> None:
    """What the cache hands out is a copy: changing it, or what it holds, changes nothing
    cached; values that cannot change (texts, dates, ids, frozen sets of texts) are shared
    rather than copied one by one."""
    application_id = app.handle(submission("110101")).application_id
    key = Application.create_id(application_id)
    first, second = app.cache.find(key, Application), app.cache.find(key, Application)
    assert first is not None and second is not None and first is not second
    assert first.applicant is not second.applicant and first.applicant == second.applicant
    assert first.received_on is second.received_on and first.id is second.id
    first.applicant["name"] = "李四"
    first.handled_events = first.handled_events | {"event-1"}
    again = app.cache.find(key, Application)
    assert again is not None
    assert again.applicant["name"] == "张三" and "event-1" not in again.handled_events
    assert again.application_number == first.application_number
