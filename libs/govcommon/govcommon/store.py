"""Event stores from one database URL: PostgreSQL (a schema per agency) or SQLite files.

``postgresql://user:pass@host:port/db`` puts agency ``archives-bureau``'s intake events in
``archives_bureau.intake_events``; ``sqlite:///path/to/dir`` (or no URL and a data folder) puts
them in ``dir/archives-bureau/intake.sqlite``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg

from govcommon.errors import InvalidInput


@dataclass(frozen=True)
class StoreLocation:
    """Where one service of one agency keeps its events, as eventsourcing environment."""

    env: dict[str, str]
    description: str
    postgres_schema: str | None = None
    postgres_dsn: str | None = None


def schema_name(agency: str) -> str:
    return agency.replace("-", "_").lower()


def store_location(
    database_url: str | None, data_dir: Path, agency: str, service: str
) -> StoreLocation:
    """The store of ``service`` for ``agency``: from the URL, or SQLite under ``data_dir``."""
    if not database_url or database_url.startswith("sqlite:"):
        base = data_dir
        if database_url:
            path = database_url.removeprefix("sqlite:").removeprefix("//")
            base = Path(path) if path else data_dir
        folder = base / agency
        folder.mkdir(parents=True, exist_ok=True)
        db_file = folder / f"{service}.sqlite"
        return StoreLocation(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(db_file),
                "SQLITE_LOCK_TIMEOUT": "30",
            },
            description=f"sqlite:{db_file}",
        )
    parsed = urlparse(database_url)
    if parsed.scheme not in ("postgresql", "postgres"):
        raise InvalidInput("database_url", f"unsupported scheme {parsed.scheme!r}")
    schema = schema_name(agency)
    dbname = parsed.path.lstrip("/") or "postgres"
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": unquote(parsed.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parsed.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "2",
        "POSTGRES_CONNECT_TIMEOUT": "10",
    }
    safe = f"postgresql://{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{dbname}"
    return StoreLocation(
        env=env,
        description=f"{safe} schema {schema}",
        postgres_schema=schema,
        postgres_dsn=database_url,
    )


# Every process creating tables and functions in a database takes this advisory lock first:
# PostgreSQL refuses concurrent CREATE OR REPLACE FUNCTION ("tuple concurrently updated").
_CREATION_LOCK = 0x0651_0001


@contextmanager
def creating(location: StoreLocation) -> Iterator[None]:
    """Hold the database's creation lock, with the agency's schema made, while tables are made."""
    if not location.postgres_schema or not location.postgres_dsn:
        yield
        return
    with psycopg.connect(location.postgres_dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_CREATION_LOCK,))
        try:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{location.postgres_schema}"')
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_CREATION_LOCK,))


def ensure_schema(location: StoreLocation) -> None:
    """Create the agency's PostgreSQL schema if it is missing (no-op for SQLite)."""
    with creating(location):
        pass
