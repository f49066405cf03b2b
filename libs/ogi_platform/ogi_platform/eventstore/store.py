"""Event stores from one database URL: PostgreSQL (a schema per agency) or SQLite files.

``postgresql://user:pass@host:port/db`` puts agency ``archives-bureau``'s intake events in
``archives_bureau.intake_events``; ``sqlite:///path/to/dir`` (or no URL and a data folder) puts
them in ``dir/archives-bureau/intake.sqlite``. The PostgreSQL side (the connections a process's
stores share, the lean recorders) is ``eventstore.pgstore``, imported only for such a store.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import unquote, urlparse

from eventsourcing.sqlite import SQLiteDatastore

from ogi_errors import InvalidInput

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore


@dataclass(frozen=True)
class StoreLocation:
    """Where one service of one agency keeps its events, as eventsourcing environment."""

    env: dict[str, str]
    description: str
    postgres_schema: str | None = None
    postgres_dsn: str | None = None

    def store_name(self, service: str) -> str:
        """The name of ``service``'s store here in the platform's tables: ``<schema>.<service>``."""
        return f"{self.postgres_schema}.{service}"


def schema_name(agency: str) -> str:
    return agency.replace("-", "_").lower()


def sqlite_folder(database_url: str | None, data_dir: Path) -> Path:
    """The folder of the SQLite stores: the URL's path, else ``data_dir``."""
    path = (database_url or "").removeprefix("sqlite:").removeprefix("//")
    return Path(path) if path else data_dir


def store_location(
    database_url: str | None, data_dir: Path, agency: str, service: str
) -> StoreLocation:
    """The store of ``service`` for ``agency``: from the URL, or SQLite under ``data_dir``."""
    if not database_url or database_url.startswith("sqlite:"):
        folder = sqlite_folder(database_url, data_dir) / agency
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
        "PERSISTENCE_MODULE": "ogi_platform.eventstore.pgstore:SharedPoolFactory",
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


def _signed32(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


# Every process creating tables, types and functions in an agency's schema takes that schema's
# advisory lock first: PostgreSQL refuses concurrent CREATE OR REPLACE FUNCTION and CREATE TYPE
# of one name ("tuple concurrently updated"); what eventsourcing creates is all in the schema, so
# the stores of different agencies are made side by side. The key space of two integers: (this
# class, a hash of the schema), apart from the single-key locks (writer sessions, pgplatform).
_CREATION_LOCK_CLASS = 0x0652


@contextmanager
def creating(location: StoreLocation) -> Iterator[None]:
    """Hold the schema's creation lock, with the schema made, while tables are made."""
    if not location.postgres_schema or not location.postgres_dsn:
        yield
        return
    import psycopg  # only where stores are on PostgreSQL: a SQLite process starts without it

    key = (_CREATION_LOCK_CLASS, _signed32(zlib.crc32(location.postgres_schema.encode())))
    with psycopg.connect(location.postgres_dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s, %s)", key)
        try:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{location.postgres_schema}"')
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def stores_made(service: str, locations: dict[str, StoreLocation]) -> set[str]:
    """The agencies of ``locations`` (agency -> location) whose store of ``service`` this
    version of eventsourcing made (``pgplatform``); none on SQLite, whose tables are made on
    opening with a few cheap statements."""
    made: set[str] = set()
    for dsn, names in _store_names(service, locations).items():
        from ogi_platform.eventstore import pgplatform  # only for stores on PostgreSQL

        made |= {names[name] for name in pgplatform.stores_made(dsn, names)}
    return made


def note_made(service: str, locations: dict[str, StoreLocation]) -> None:
    """The stores of ``service`` at ``locations`` are made: the next start opens them as they
    are."""
    for dsn, names in _store_names(service, locations).items():
        from ogi_platform.eventstore import pgplatform  # only for stores on PostgreSQL

        pgplatform.note_made(dsn, names)


def _store_names(service: str, locations: dict[str, StoreLocation]) -> dict[str, dict[str, str]]:
    """The PostgreSQL stores of ``locations``: database -> store name -> agency."""
    by_database: dict[str, dict[str, str]] = {}
    for agency, location in locations.items():
        if location.postgres_dsn is not None:
            names = by_database.setdefault(location.postgres_dsn, {})
            names[location.store_name(service)] = agency
    return by_database


def ensure_schema(location: StoreLocation) -> None:
    """Create the agency's PostgreSQL schema if it is missing (no-op for SQLite)."""
    with creating(location):
        pass


@dataclass(frozen=True)
class Adoption:
    """The stream a store's positions of one upstream refer to, and how many it has adopted."""

    identity: str
    epoch: int

    def tracking_name(self, upstream: str) -> str:
        """The tracking record of positions in this stream: ``upstream`` for the first stream
        (so stores kept before identities were recorded go on), ``upstream#<epoch>`` after."""
        return upstream if self.epoch == 1 else f"{upstream}#{self.epoch}"


class StreamIdentities:
    """Which stream each bus position of one store refers to, in a small table beside the store's
    events (``<service>_streams``: upstream, identity, epoch), through the store's datastore.

    The tracking table cannot hold it: its rows are (name, integer position), one per name, and
    a position can only grow. So the positions in each adopted stream are tracked under a name of
    their own (``Adoption.tracking_name``): adopting a new stream starts its positions at 0, and no
    position is ever read against a stream it was not counted in.
    """

    #: Held while a table is made and a first adoption written (the relay's and the inbox's
    #: checks of a store adopt their streams side by side on its first start).
    _making: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, datastore: SQLiteDatastore | PostgresDatastore, service: str) -> None:
        self.datastore = datastore
        self.table = f"{service}_streams"
        self.mark = "?"
        self._exists_query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"
        if not isinstance(datastore, SQLiteDatastore):
            self.table = f"{datastore.schema}.{self.table}" if datastore.schema else self.table
            self.mark = "%s"
            self._exists_query = "SELECT to_regclass(%s) AS name"
        #: Whether the table is known to exist.
        self._made = False

    def get(self, upstream: str) -> Adoption | None:
        """The stream ``upstream``'s positions refer to; None before the first adoption. The
        table is made by the first adoption: opening a store changes nothing (a thousand
        agencies' stores started, each with a statement making a table that was there, and a
        transaction for it)."""
        if not self._made:
            self._made = self._table_exists()
            if not self._made:
                return None
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT identity, epoch FROM {self.table} WHERE upstream = {self.mark}",
                (upstream,),
            )
            row = cursor.fetchone()
        return None if row is None else Adoption(str(row["identity"]), int(row["epoch"]))

    def _table_exists(self) -> bool:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._exists_query, (self.table,))
            row = cursor.fetchone()
        return row is not None and row["name"] is not None

    def adopt(self, upstream: str, identity: str) -> Adoption:
        """Record ``identity`` as the stream of ``upstream`` (first use, or an operator's
        recovery); a stream other than the current one starts a new epoch."""
        current = self.get(upstream)
        if current is not None and current.identity == identity:
            return current
        adoption = Adoption(identity, 1 if current is None else current.epoch + 1)
        m = self.mark
        with self._making, self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (upstream TEXT PRIMARY KEY, "
                "identity TEXT NOT NULL, epoch INTEGER NOT NULL)"
            )
            cursor.execute(f"DELETE FROM {self.table} WHERE upstream = {m}", (upstream,))
            cursor.execute(
                f"INSERT INTO {self.table} (upstream, identity, epoch) VALUES ({m}, {m}, {m})",
                (upstream, identity, adoption.epoch),
            )
        self._made = True
        return adoption
