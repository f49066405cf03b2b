"""The read model's row ids (they order search results and pages): a batch's new rows take
ids in the order of their keys, after every row made before; a row keeps its id when changed.
On PostgreSQL the insert takes them from the store's sequence, in SQLite the batch counts on."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ogi_platform.eventstore.store import creating, store_location
from query.application import QueryApplication
from query.dialect import Dialect

sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))
from test_query_projection import OFFICE, Bus, arrival, feed


@pytest.fixture(params=["sqlite", "postgres"])
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueryApplication]:
    url = f"sqlite://{tmp_path}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    location = store_location(url, tmp_path, OFFICE, "query")
    with creating(location):
        app = QueryApplication(OFFICE, env=location.env)
    yield app
    app.close()


def ids(app: QueryApplication) -> dict[str, int]:
    def query(cursor: Any, d: Dialect) -> dict[str, int]:
        cursor.execute(f"SELECT application_id, id FROM {d.table('applications')}")
        return {row["application_id"]: int(row["id"]) for row in cursor.fetchall()}

    return app.read(query)


def test_new_rows_take_ids_in_key_order_after_the_rows_before_and_keep_them(
    office: QueryApplication,
) -> None:
    bus = Bus()
    feed(office, arrival(bus, "app-b", OFFICE, "N-2") + arrival(bus, "app-a", OFFICE, "N-1"), 4)
    first = ids(office)
    assert first["app-a"] < first["app-b"], first
    feed(office, arrival(bus, "app-0", OFFICE, "N-3"), 8)
    later = ids(office)
    assert later["app-0"] > first["app-b"], later
    feed(office, arrival(bus, "app-a", OFFICE, "N-1", due="2026-04-30")[-1:], 9)
    assert ids(office) == later
