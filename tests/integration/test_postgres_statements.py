"""What a PostgreSQL store sends the server on the hot path (eventstore.pgstore): a commit is one
call of the store's record function, which takes its table's lock; statements are prepared
while a dozen stores or fewer share a connection, not past that; each store keeps one connection;
opening a store asks nothing about the composite type of stored events, which no insert sends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from uuid import uuid4

import psycopg
import pytest
from bushelpers import RECEIVED_ON, agency, open_app, statements_sent, submit_many
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from eventsourcing.postgres import PostgresProcessRecorder

from intake.application import IntakeApplication
from intake.commands import SubmitApplication
from intake.domain import Applicant, NumberSeries, Request
from ogi_platform.eventstore.pgstore import PREPARED_STORES
from ogi_platform.eventstore.writer import Writer
from routing.application import RoutingApplication

SENDERS = ("municipal-office", "archives-bureau")
T = TypeVar("T")


def test_a_commit_is_one_call_of_the_stores_record_function_outside_any_transaction(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(IntakeApplication, pg_url)
    sent = statements_sent(monkeypatch)
    transactions = transactions_begun(monkeypatch)
    try:
        [application_id] = submit_many(app, 1)
        writes = [s for s in sent if not s.startswith("SELECT * FROM")]  # the loads
        assert len(writes) == 1, sent
        assert '"municipal_office"."intake_events_record"(' in writes[0], writes
        assert transactions == [], "the call is its transaction (autocommit)"
        assert app.application(application_id).application_id == application_id
    finally:
        app.close()


def transactions_begun(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One item per transaction psycopg is asked to begin from now on."""
    begun: list[bool] = []
    transaction = psycopg.Connection.transaction

    def counted(conn: Any, *args: Any, **kwargs: Any) -> Any:
        begun.append(True)
        return transaction(conn, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "transaction", counted)
    return begun


def test_a_commit_waits_for_the_commit_holding_its_events_table_and_follows_it(
    pg_url: str,
) -> None:
    """The record function locks the events table before it takes notification ids: a commit
    begun while another one holds the table waits for it, and its events are numbered after
    the other's (a reader that saw the later ones never misses the earlier)."""
    app = open_app(IntakeApplication, pg_url)
    try:
        with psycopg.connect(pg_url) as other:  # a transaction, held open
            [held] = other.execute(
                'SELECT n FROM "municipal_office"."intake_events_record"(NULL, NULL, '
                "ARRAY[gen_random_uuid()], ARRAY[1::bigint], ARRAY['t'], ARRAY['\\x00'::bytea]) "
                "AS n"
            ).fetchone() or (None,)
            with ThreadPoolExecutor(1) as pool:
                committing = pool.submit(submit_many, app, 1)
                time.sleep(0.5)
                assert not committing.done(), "the commit did not wait for the table"
                other.commit()
                [application_id] = committing.result(timeout=10)
        first, *submitted = app.notifications(0, 10)
        assert first.id == held
        assert submitted and all(n.id > held for n in submitted), submitted
        assert app.application(application_id).application_id == application_id
    finally:
        app.close()


def test_a_refused_commit_stores_neither_its_events_nor_its_tracking(pg_url: str) -> None:
    app = open_app(RoutingApplication, pg_url)
    recorder = app.process_recorder
    event = StoredEvent(uuid4(), 1, "t", b"{}")
    try:
        recorder.insert_events([event], tracking=Tracking("intake", 5))
        later = StoredEvent(uuid4(), 1, "t", b"{}")
        with pytest.raises(IntegrityError):  # a position not above the one recorded
            recorder.insert_events([later], tracking=Tracking("intake", 5))
        with pytest.raises(IntegrityError):  # a version taken
            recorder.insert_events([later, event], tracking=Tracking("intake", 6))
        assert app.position("intake") == 5
        assert [n.originator_id for n in app.notifications(0, 10)] == [event.originator_id]
        assert recorder.insert_events([], tracking=Tracking("intake", 6)) is None
        assert app.position("intake") == 6
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
