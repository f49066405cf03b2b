"""The platform's own tables in a PostgreSQL database, in the schema ``ogi`` beside the agencies'.

- ``ogi.writer_leases``: which process writes each store (eventstore.writerlock).
- ``ogi.stores_made``: the stores whose tables, types and functions eventsourcing and the
  platform made, and which versions made them. A process opens such a store without making them
  again: at 1,000 agencies a start made 7,000 stores, each a dozen statements and a schema lock.
  Another version of eventsourcing, or of what the platform adds (``STORE_VERSION``), makes them
  again (eventsourcing's table creation also migrates; the platform's statements replace what
  they made before).
- ``ogi.holders`` and ``ogi.holders_indexed``: which stores of a service hold each application,
  and how far each store's log was indexed (eventstore.holders, for service.locating).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version
from typing import Any

import psycopg

#: The transaction-level advisory lock (a single bigint key) under which the tables are made:
#: PostgreSQL refuses concurrent CREATE ... IF NOT EXISTS of one name.
_TABLES_KEY = 0x0653_0000

_CREATE = (
    "CREATE SCHEMA IF NOT EXISTS ogi",
    "CREATE TABLE IF NOT EXISTS ogi.writer_leases (store TEXT PRIMARY KEY, "
    "holder BIGINT NOT NULL, since TIMESTAMPTZ NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS ogi.stores_made (store TEXT PRIMARY KEY, "
    "made_by TEXT NOT NULL, made TIMESTAMPTZ NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS ogi.holders (service TEXT NOT NULL, application_id TEXT NOT NULL, "
    "agency TEXT NOT NULL, PRIMARY KEY (service, application_id, agency))",
    "CREATE TABLE IF NOT EXISTS ogi.holders_indexed (service TEXT NOT NULL, "
    "agency TEXT NOT NULL, up_to BIGINT NOT NULL, PRIMARY KEY (service, agency))",
)

#: The version of what the platform adds to a store's tables (2: the record function of
#: ``pgstore.LeanProcessRecorder``).
STORE_VERSION = 2
#: What makes a store's tables: a store made by another version is made again.
MADE_BY = f"eventsourcing {version('eventsourcing')}, ogi store {STORE_VERSION}"


def ensure_platform_tables(conn: psycopg.Connection[Any]) -> None:
    """Make the schema ``ogi`` and its tables if missing (``conn`` in autocommit)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_TABLES_KEY,))
        for statement in _CREATE:
            conn.execute(statement)


def connect(dsn: str, **params: Any) -> psycopg.Connection[Any]:
    """A connection in autocommit (with libpq's ``params``), the platform's tables made."""
    conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10, **params)
    ensure_platform_tables(conn)
    return conn


# A store noted as made whose events or tracking table or record function is gone (a schema
# dropped by hand) is made again.
_MADE = """
SELECT m.store FROM ogi.stores_made m
WHERE m.made_by = %s AND m.store = ANY(%s::text[])
AND (SELECT count(*) FROM pg_tables t WHERE t.schemaname = split_part(m.store, '.', 1)
     AND t.tablename IN (split_part(m.store, '.', 2) || '_events',
                         split_part(m.store, '.', 2) || '_tracking')) = 2
AND to_regproc(quote_ident(split_part(m.store, '.', 1)) || '.'
               || quote_ident(split_part(m.store, '.', 2) || '_events_record')) IS NOT NULL
"""


def stores_made(dsn: str, stores: Iterable[str]) -> set[str]:
    """Which of ``stores`` (``<schema>.<service>``) this version of eventsourcing made, their
    tables still there."""
    with connect(dsn) as conn:
        rows = conn.execute(_MADE, (MADE_BY, sorted(stores))).fetchall()
    return {str(row[0]) for row in rows}


def note_made(dsn: str, stores: Iterable[str]) -> None:
    """``stores`` are made (by this version): the next start opens them as they are."""
    names = sorted(stores)
    if not names:
        return
    with connect(dsn) as conn:
        conn.execute(
            "INSERT INTO ogi.stores_made (store, made_by) "
            "SELECT unnest(%s::text[]), %s ON CONFLICT (store) DO UPDATE "
            "SET made_by = EXCLUDED.made_by, made = now()",
            (names, MADE_BY),
        )
