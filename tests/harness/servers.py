"""A system on real servers of its own: a fresh PostgreSQL database and a nats-server, and a
legal day the test moves on by writing it into a file."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from harness.ogisystem import OgiSystem
from ogi_platform.natsserver import NatsServer
from ogi_platform.today import write_today_file

PG_ADMIN = os.environ.get("OGI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def postgres_and_nats(base: Path) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database and a nats-server of its own, as the system's environment;
    both gone afterwards."""
    name = f"ogi_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is needed at {PG_ADMIN}: {error}", pytrace=False)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    nats = NatsServer(base / "nats", log_file=base / "nats.log").start()
    try:
        yield {
            "OGI_DATABASE_URL": f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}",
            "OGI_NATS_URL": nats.url,
        }
    finally:
        nats.stop()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def dated_system(
    base: Path, first_day: str, env: dict[str, str] | None = None
) -> Iterator[tuple[OgiSystem, Path]]:
    """`ogi up` on PostgreSQL and a nats-server of its own, its legal day read from a file that
    starts at ``first_day`` (write another day into it to move on); ticks every 0.3 s; ``env``
    adds settings."""
    today = base / "today"
    write_today_file(today, first_day)
    with postgres_and_nats(base) as servers:
        system = OgiSystem(
            base / "home",
            base / "data",
            env=servers | {"OGI_TODAY_FILE": str(today), "OGI_TICK_SECONDS": "0.3"} | (env or {}),
        )
        try:
            system.start()
            yield system, today
        finally:
            system.stop()
    assert not system.leftovers, system.leftovers
