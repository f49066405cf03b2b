"""What a PostgreSQL store sends the server on the hot path (eventstore.pgstore): an insert takes
its table's lock and sends no NOTIFY and no SET LOCAL lock_timeout; statements are prepared
while a dozen stores or fewer share a connection, not past that; each store keeps one connection;
opening a store asks nothing about the composite type of stored events, which no insert sends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
import pytest
from bushelpers import RECEIVED_ON, agency, open_app, statements_sent, submit_many
from eventsourcing.postgres import PostgresProcessRecorder

from intake.application import IntakeApplication
from intake.commands import SubmitApplication
from intake.domain import Applicant, NumberSeries, Request
from ogi_platform.eventstore.pgstore import PREPARED_STORES
from ogi_platform.eventstore.writer import Writer
from routing.application import RoutingApplication

SENDERS = ("municipal-office", "archives-bureau")
T = TypeVar("T")


def test_an_insert_locks_its_table_and_sends_no_notify_and_no_lock_timeout(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(IntakeApplication, pg_url)
    sent = statements_sent(monkeypatch)
    try:
        [application_id] = submit_many(app, 1)
        assert any(s.startswith("LOCK TABLE") for s in sent), sent
        assert not [s for s in sent if s.startswith(("NOTIFY", "SET LOCAL"))], sent
        assert app.application(application_id).application_id == application_id
    finally:
        app.close()


def test_opening_a_store_asks_nothing_about_the_type_no_insert_sends(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_app(IntakeApplication, pg_url).close()  # its tables and types made
    sent = statements_sent(monkeypatch)
    app = open_app(IntakeApplication, pg_url)
    try:
        assert not [s for s in sent if "pg_type" in s], sent
        recorder = app.recorder
        assert isinstance(recorder, PostgresProcessRecorder)
        assert recorder.datastore.psycopg_type_adapters == {}
        [application_id] = submit_many(app, 1)
        assert app.application(application_id).application_id == application_id
    finally:
        app.close()


def test_statements_are_prepared_only_while_few_stores_share_a_connection(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OGI_PG_CONNECTIONS", "1")
    apps = [open_app(RoutingApplication, pg_url, f"agency-{n}") for n in range(PREPARED_STORES + 1)]
    try:
        assert in_a_writer(prepare_threshold, apps[0]) is None
        assert prepare_threshold(apps[0]) is None  # the readers serve every store's reads
        apps.pop().close()
        assert in_a_writer(prepare_threshold, apps[0]) is not None
        assert prepare_threshold(apps[0]) is not None
    finally:
        for app in apps:
            app.close()


def prepare_threshold(app: RoutingApplication) -> int | None:
    recorder = app.recorder
    assert isinstance(recorder, PostgresProcessRecorder)
    with recorder.datastore.get_connection() as conn:
        return conn.prepare_threshold


def in_a_writer(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` as a store's writer runs it (within 10 s)."""
    return asyncio.run(asyncio.wait_for(Writer("test").run(fn, *args), 10))


def test_stores_of_two_schemas_insert_events_and_snapshots_on_shared_connections(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inserts send four plain arrays, not an array of a composite type that each schema has
    under the same name: two stores writing in turn over one shared connection store their
    events and snapshots, and a store opened afresh loads its series from the snapshot."""
    monkeypatch.setenv("OGI_PG_CONNECTIONS", "1")
    first, second = (open_app(IntakeApplication, pg_url, code) for code in SENDERS)
    try:
        for turn in range(0, 104, 8):
            for app in (first, second):
                app.handle_all([submission(app, turn + n) for n in range(8)])
        series = NumberSeries.create_id(SENDERS[0], RECEIVED_ON.year)
        assert first.snapshots is not None
        assert [s.originator_version for s in first.snapshots.get(series)] == [100]
        again = open_app(IntakeApplication, pg_url, SENDERS[0])
        try:
            numbered = again.handle(submission(again, 104)).application_number
            assert numbered.endswith("-00105"), numbered
        finally:
            again.close()
    finally:
        first.close()
        second.close()


def submission(app: IntakeApplication, n: int) -> SubmitApplication:
    return SubmitApplication(
        actor="test",
        on=RECEIVED_ON,
        agency=agency(app.agency),
        applicant=Applicant.checked("张三", "natural_person", f"ID{n:06d}", "13800000000"),
        request=Request.checked(f"请公开第 {n} 号文件", "electronic", "online"),
    )


def test_each_store_keeps_one_of_the_process_connections_and_they_are_taken_in_turn(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store's writer always sends its statements to the same server process (which then
    keeps that store's tables, files and plans, and not every store's); the stores take the
    process's connections in turn, never more than ``OGI_PG_CONNECTIONS`` of them."""
    monkeypatch.setenv("OGI_PG_CONNECTIONS", "2")
    apps = [open_app(RoutingApplication, pg_url, f"agency-{n}") for n in range(5)]
    try:
        backends = [[in_a_writer(backend_of, app) for _ in range(3)] for app in apps]
        assert all(len(set(seen)) == 1 for seen in backends), backends
        first = [seen[0] for seen in backends]
        assert first[0] == first[2] == first[4] != first[1] == first[3]
    finally:
        for app in apps:
            app.close()


def test_reads_outside_the_writers_go_over_connections_of_their_own(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a thread other than a writer reads (a gRPC read, a search, the relay) goes over the
    readers: never over a writer's connection, never more than ``OGI_PG_READ_CONNECTIONS``."""
    monkeypatch.setenv("OGI_PG_CONNECTIONS", "1")
    monkeypatch.setenv("OGI_PG_READ_CONNECTIONS", "2")
    apps = [open_app(RoutingApplication, pg_url, f"agency-{n}") for n in range(3)]
    try:
        writing = {in_a_writer(backend_of, app) for app in apps}
        with ThreadPoolExecutor(6) as threads:
            reading = set(threads.map(held_backend_of, apps * 2))
        assert len(writing) == 1 and writing.isdisjoint(reading), (writing, reading)
        assert 1 <= len(reading) <= 2, reading
    finally:
        for app in apps:
            app.close()


def test_a_read_held_up_holds_up_no_write_of_the_stores_sharing_its_connection(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two stores share one connection for their writers; a read of the first is held up (its
    table locked by another session): the second store's writer still commits, and the read
    ends once the lock is gone."""
    monkeypatch.setenv("OGI_PG_CONNECTIONS", "1")
    first, second = (open_app(IntakeApplication, pg_url, code) for code in SENDERS)
    recorder = first.recorder
    assert isinstance(recorder, PostgresProcessRecorder)
    table = f"{recorder.datastore.schema}.{recorder.events_table_name}"
    try:
        with ThreadPoolExecutor(1) as reader, psycopg.connect(pg_url) as locker:
            locker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            read = reader.submit(first.notifications, 0, 10)
            time.sleep(0.3)
            assert not read.done()
            committed = in_a_writer(second.handle, submission(second, 0))
            assert committed.application_number and not read.done()
            locker.rollback()
            assert read.result(timeout=10) == []
    finally:
        first.close()
        second.close()


def held_backend_of(app: RoutingApplication) -> int:
    """The server process of a read that holds its connection a moment (so that reads side by
    side need connections of their own)."""
    backend = backend_of(app)
    time.sleep(0.2)
    return backend


def backend_of(app: RoutingApplication) -> int:
    recorder = app.recorder
    assert isinstance(recorder, PostgresProcessRecorder)
    with recorder.datastore.get_connection() as conn:
        row = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
        assert row is not None
        return int(row["pid"])
