"""What a PostgreSQL store sends the server on the hot path (eventstore.store): an insert takes
its table's lock and sends no NOTIFY and no SET LOCAL lock_timeout; statements are prepared
while a dozen stores or fewer share the process's connections, not past that."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import PostgresProcessRecorder

from ogi_platform.eventstore.aggregate import meta
from ogi_platform.eventstore.store import PREPARED_STORES, creating, store_location
from routing.application import RoutingApplication
from routing.domain import Routing

APPLICATION = {
    "application_id": "A0000000000HQ",
    "agency": "municipal-office",
    "application_number": "SZFB-2026-00007",
    "applicant": {"name": "李四", "type": "commercial", "id_doc": "9111", "contact": "x"},
    "description": "2026年度土地出让计划",
    "form": "paper",
    "channel": "registered_mail",
    "received_on": "2026-09-28",
}


def _opened(pg_url: str, folder: Path, agency: str) -> RoutingApplication:
    location = store_location(pg_url, folder, agency, "routing")
    with creating(location):
        return RoutingApplication(agency, env=location.env)


def test_an_insert_locks_its_table_and_sends_no_notify_and_no_lock_timeout(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _opened(pg_url, tmp_path, "municipal-office")
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(query if isinstance(query, str) else query.as_string(cursor.connection))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    try:
        routing = Routing(
            application=APPLICATION,
            office="政府信息公开办公室",
            meta=meta("A0000000000HQ", "staff", date(2026, 9, 28)),
        )
        app.save(routing)
        assert any(s.startswith("LOCK TABLE") for s in sent), sent
        assert not [s for s in sent if s.startswith(("NOTIFY", "SET LOCAL"))], sent
        assert app.repository.get(routing.id).office == "政府信息公开办公室"
    finally:
        app.close()


def test_statements_are_prepared_only_while_few_stores_share_the_connections(
    pg_url: str, tmp_path: Path
) -> None:
    apps = [_opened(pg_url, tmp_path, f"agency-{n}") for n in range(PREPARED_STORES + 1)]
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
