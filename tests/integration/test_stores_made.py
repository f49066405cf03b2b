"""A store made once is opened as it is (eventstore.pgplatform): no tables made again, no
schema lock taken, as long as the same version of eventsourcing made it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import psycopg
import pytest
from harness.runtimes import local_config

from ogi_platform.eventstore import pgplatform
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.store import (
    StoreLocation,
    creating,
    note_made,
    store_location,
    stores_made,
)
from ogi_platform.service.runtime import build_app
from routing.main import SPEC as ROUTING

AGENCIES = ("municipal-office", "archives-bureau")


def _open(location: StoreLocation, agency: str, made: bool, folder: Path) -> OgiApplication:
    url = location.postgres_dsn or ""
    config = local_config("routing", url, "", folder, agencies=(agency,))
    return build_app(ROUTING, config, agency, location, made)


def test_a_store_made_once_opens_without_being_made_again(pg_url: str, tmp_path: Path) -> None:
    locations = {a: store_location(pg_url, tmp_path, a, "routing") for a in AGENCIES}
    assert stores_made("routing", locations) == set()
    location = locations["municipal-office"]
    app = _open(location, "municipal-office", False, tmp_path)
    app.record_position("intake", 7)
    app.close()
    note_made("routing", {"municipal-office": location})
    assert stores_made("routing", locations) == {"municipal-office"}

    with ThreadPoolExecutor(1) as pool:
        with creating(location):  # another process makes tables in the schema meanwhile
            opening = pool.submit(_open, location, "municipal-office", True, tmp_path)
            done, _ = wait([opening], timeout=20)
        app = opening.result()
    try:
        assert done, "opening the made store waited for the schema's lock"
        assert app.position("intake") == 7
        app.record_position("intake", 8)
        assert app.position("intake") == 8
    finally:
        app.close()


def test_a_store_made_by_another_version_of_eventsourcing_is_made_again(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locations = {a: store_location(pg_url, tmp_path, a, "routing") for a in AGENCIES}
    _open(locations["archives-bureau"], "archives-bureau", False, tmp_path).close()
    monkeypatch.setattr(pgplatform, "MADE_BY", "eventsourcing 9.4.0")
    note_made("routing", locations)
    monkeypatch.undo()
    assert stores_made("routing", locations) == set()


@pytest.mark.parametrize(
    "dropped",
    ["SCHEMA archives_bureau CASCADE", "FUNCTION archives_bureau.routing_events_record"],
)
def test_a_store_whose_schema_or_record_function_was_dropped_is_made_again(
    pg_url: str, tmp_path: Path, dropped: str
) -> None:
    locations = {a: store_location(pg_url, tmp_path, a, "routing") for a in AGENCIES}
    for agency, location in locations.items():
        _open(location, agency, False, tmp_path).close()
    note_made("routing", locations)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"DROP {dropped}")
    assert stores_made("routing", locations) == {"municipal-office"}
    app = _open(locations["archives-bureau"], "archives-bureau", False, tmp_path)
    try:
        app.record_position("intake", 3)
        assert app.position("intake") == 3
    finally:
        app.close()


def test_sqlite_stores_are_always_made_on_opening(tmp_path: Path) -> None:
    locations = {a: store_location(None, tmp_path, a, "routing") for a in AGENCIES}
    note_made("routing", locations)
    assert stores_made("routing", locations) == set()
