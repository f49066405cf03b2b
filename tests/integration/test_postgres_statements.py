"""What a PostgreSQL store sends the server on the hot path (eventstore.store): an insert takes
its table's lock and sends no NOTIFY and no SET LOCAL lock_timeout; statements are prepared
while a dozen stores or fewer share a connection, not past that; each store keeps one connection;
opening a store asks nothing about the composite type of stored events, which no insert sends."""

from __future__ import annotations

import pytest
from bushelpers import RECEIVED_ON, agency, open_app, statements_sent, submit_many
from eventsourcing.postgres import PostgresProcessRecorder

from intake.application import IntakeApplication
from intake.commands import SubmitApplication
from intake.domain import Applicant, NumberSeries, Request
from ogi_platform.eventstore.store import PREPARED_STORES
from routing.application import RoutingApplication

SENDERS = ("municipal-office", "archives-bureau")


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
    recorder = apps[0].recorder
    assert isinstance(recorder, PostgresProcessRecorder)
    try:
        with recorder.datastore.get_connection() as conn:
            assert conn.prepare_threshold is None
        apps.pop().close()
        with recorder.datastore.get_connection() as conn:
            assert conn.prepare_threshold is not None
    finally:
        for app in apps:
            app.close()


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
    """A store's statements always go to the same server process (which then keeps that
    store's tables, files and plans, and not every store's); the stores take the process's
    connections in turn, never more than ``OGI_PG_CONNECTIONS`` of them."""
    monkeypatch.setenv("OGI_PG_CONNECTIONS", "2")
    apps = [open_app(RoutingApplication, pg_url, f"agency-{n}") for n in range(5)]
    try:
        backends = [[backend_of(app) for _ in range(3)] for app in apps]
        assert all(len(set(seen)) == 1 for seen in backends), backends
        first = [seen[0] for seen in backends]
        assert first[0] == first[2] == first[4] != first[1] == first[3]
    finally:
        for app in apps:
            app.close()


def backend_of(app: RoutingApplication) -> int:
    recorder = app.recorder
    assert isinstance(recorder, PostgresProcessRecorder)
    with recorder.datastore.get_connection() as conn:
        row = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
        assert row is not None
        return int(row["pid"])
