"""A fresh PostgreSQL database per benchmark run on the machine's server, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

PG_ADMIN = os.environ.get("OGI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(purpose: str) -> Iterator[str]:
    """The URL of a new empty database, ``ogi_bench_<purpose>_<random>``; dropped (its sessions
    ended) afterwards."""
    name = f"ogi_bench_{purpose}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(on_postgres: bool, purpose: str) -> Iterator[str | None]:
    """A fresh PostgreSQL database's URL (``fresh_database``), or None: SQLite."""
    if not on_postgres:
        yield None
        return
    with fresh_database(purpose) as url:
        yield url
