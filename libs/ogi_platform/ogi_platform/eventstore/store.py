"""Event stores from one database URL: PostgreSQL (a schema per agency) or SQLite files.

``postgresql://user:pass@host:port/db`` puts agency ``archives-bureau``'s intake events in
``archives_bureau.intake_events``; ``sqlite:///path/to/dir`` (or no URL and a data folder) puts
them in ``dir/archives-bureau/intake.sqlite``.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import unquote, urlparse

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresProcessRecorder,
)
from eventsourcing.sqlite import SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier
from psycopg_pool import ConnectionPool

from ogi_errors import InvalidInput
from ogi_platform.eventstore import pgplatform
from ogi_platform.eventstore.writer import in_writer


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
        "PERSISTENCE_MODULE": "ogi_platform.eventstore.store:SharedPoolFactory",
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
        made |= {names[name] for name in pgplatform.stores_made(dsn, names)}
    return made


def note_made(service: str, locations: dict[str, StoreLocation]) -> None:
    """The stores of ``service`` at ``locations`` are made: the next start opens them as they
    are."""
    for dsn, names in _store_names(service, locations).items():
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


#: The connections a process's stores on one PostgreSQL database share for their writers
#: when ``OGI_PG_CONNECTIONS`` is unset...
SHARED_CONNECTIONS = 4
#: ...and the most it opens for reads outside the writers (gRPC reads, searches, a trace, the
#: relay's reads of a store) when ``OGI_PG_READ_CONNECTIONS`` is unset: made when wanted, closed
#: after ``READ_IDLE_SECONDS`` unused.
READ_CONNECTIONS = 2
READ_IDLE_SECONDS = 60.0


class _SharedPool:
    """The PostgreSQL connections of a process on one database, lent to the datastores of
    every store it serves there: the connections a process holds do not grow with the agencies
    it serves. Each store is given one of them for its life (stores take them in turn), so that
    each server process keeps the tables, files and plans of a share of the stores only, and
    not of every store of the process (a thousand agencies' tables warmed in every backend, and
    its open files going round, were most of the server's work per application). Reads outside
    the writers go over connections of their own (``readers``), so that a long read (a search,
    a trace) never holds up the writes of the stores sharing a connection, nor they it. It
    closes when the last store borrowing it closes."""

    _pools: ClassVar[dict[tuple[str, ...], _SharedPool]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, key: tuple[str, ...], size: int) -> None:
        self.key = key
        self.size = size
        #: One pool of one connection each, the first ``size`` stores' own pools made so, and
        #: how many stores each serves.
        self.connections: list[ConnectionPool[Any]] = []
        self.stores: list[int] = []
        self._lent = 0
        self.readers: ConnectionPool[Any] | None = None

    @classmethod
    def lend(cls, datastore: PostgresDatastore) -> None:
        """Put a connection of the shared ones of the datastore's database in place of its own
        pool (its own pool becomes one of them while there are fewer than their number)."""
        kwargs = cast(dict[str, Any], datastore.pool.kwargs)
        key = tuple(str(kwargs.get(k)) for k in ("host", "port", "dbname", "user"))
        with cls._lock:
            shared = cls._pools.get(key)
            if shared is None:
                size = int(os.environ.get("OGI_PG_CONNECTIONS") or SHARED_CONNECTIONS)
                shared = cls._pools[key] = cls(key, max(1, size))
            own = datastore.pool
            if shared.readers is None:
                shared.readers = _readers_like(own)
            if len(shared.connections) < shared.size:
                own.resize(min_size=1, max_size=1)
                shared.connections.append(own)
                shared.stores.append(0)
            else:
                own.close()
            index = shared._lent % shared.size
            shared._lent += 1
            shared.stores[index] += 1
        datastore.pool = _Borrowed(shared, index, datastore)  # type: ignore[assignment]

    def give_back(self, index: int) -> None:
        with self._lock:
            self.stores[index] -= 1
            if any(self.stores):
                return
            del self._pools[self.key]
        for connection in self.connections:
            connection.close()
        if self.readers is not None:
            self.readers.close()

    def lends_more_than(self, stores: int, index: int | None) -> bool:
        """Whether more than ``stores`` stores send statements over connection ``index``
        (None: over the readers, which every store's reads share)."""
        return (sum(self.stores) if index is None else self.stores[index]) > stores


def _readers_like(own: ConnectionPool[Any]) -> ConnectionPool[Any]:
    """The connections for reads outside the writers, made as a store's own are."""
    readers: ConnectionPool[Any] = ConnectionPool(
        own.conninfo,
        connection_class=own.connection_class,
        kwargs=own.kwargs,
        configure=own._configure,
        min_size=0,
        max_size=max(1, int(os.environ.get("OGI_PG_READ_CONNECTIONS") or READ_CONNECTIONS)),
        max_idle=READ_IDLE_SECONDS,
        max_lifetime=own.max_lifetime,
        timeout=own.timeout,
        name="readers",
        num_workers=1,
        open=False,
    )
    readers.open(wait=False)
    return readers


#: The most stores on one shared connection whose statements are prepared (``_Borrowed``), and
#: after how many executions (psycopg's default).
PREPARED_STORES = 12
PREPARE_AFTER = 5


class _Borrowed:
    """What a datastore holds in place of its own pool: the shared connection it was given,
    for its writer's statements, and the readers for the others (``writer.in_writer``); given
    back on close. Any store's statements run on any connection: they name their schema, and
    insert plain arrays (``_ArrayInsert``), not a composite type of the schema."""

    def __init__(self, shared: _SharedPool, index: int, datastore: PostgresDatastore) -> None:
        self.shared = shared
        self.index = index
        self.pool = shared.connections[index]
        self.datastore = datastore
        self.closed = False

    def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        self.pool.open(wait, timeout)

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[Any]:
        writing = in_writer()
        pool = self.pool if writing or self.shared.readers is None else self.shared.readers
        with pool.connection(timeout) as conn:
            # psycopg keeps 100 prepared statements per connection and a store uses about 8:
            # past a dozen stores on one connection, each statement would be prepared and
            # another one deallocated, more work for the server than parsing it each time.
            many = self.shared.lends_more_than(PREPARED_STORES, self.index if writing else None)
            conn.prepare_threshold = None if many else PREPARE_AFTER
            yield conn

    def close(self, timeout: float = 5.0) -> None:
        if not self.closed:
            self.closed = True
            self.shared.give_back(self.index)

    def __enter__(self) -> _Borrowed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _ArrayInsert:
    """Stored events inserted as four arrays, one per column, unnested in order (eventsourcing
    sends one array of its composite type, each element dumped by psycopg in Python, and the
    type's adapters were registered again on a shared connection each time it went to another
    store's schema, the type having the same name in every schema). The arrays are sent in
    binary: psycopg escapes every byte of a text array's elements in Python (a 3-event insert
    took 56 µs to convert, 16 µs in binary)."""

    datastore: PostgresDatastore
    events_table_name: str
    insert_events_statement: Composed

    def _array_insert(self, returning: bool) -> None:
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
            + (" RETURNING notification_id" if returning else "")
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
        )

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        curs.execute(
            self.insert_events_statement,
            (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
        )


class LeanAggregateRecorder(_ArrayInsert, PostgresAggregateRecorder):
    """The snapshots' recorder, inserting arrays (``_ArrayInsert``)."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._array_insert(returning=False)


class LeanProcessRecorder(_ArrayInsert, PostgresProcessRecorder):
    """eventsourcing's process recorder inserting arrays (``_ArrayInsert``), without two
    statements of every insert that do nothing here: NOTIFY (nobody listens: a process's relay
    hears its own commits, messaging.outbox) and SET LOCAL lock_timeout to the default. A
    process serving many agencies commits each store's part of a batch on its own, and the
    server's work per statement is most of what an application costs there."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._array_insert(returning=True)
        if not datastore.lock_timeout:
            self.lock_table_statements = [
                statement
                for statement in self.lock_table_statements
                if "lock_timeout" not in str(statement)
            ]

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        self._lock_table(curs)  # notification ids in the order of the commits (no NOTIFY)
        super()._insert_stored_events(curs, stored_events, **kwargs)


class _ArraysDatastore(PostgresDatastore):
    """eventsourcing's datastore without the adapters of its composite type of stored events:
    the recorders here insert arrays (``_ArrayInsert``) and never send that type. Registering
    them asked the server for the type's description for every store opened (a thousand
    agencies' stores, thousands of catalogue queries at every start) and built a Python class
    for each."""

    def register_type_adapters(self) -> None:
        return


class SharedPoolFactory(PostgresFactory):
    """eventsourcing's PostgreSQL persistence with the datastore on its process's shared
    connections from the start: a store's tables are made, and its events read and written,
    without a connection of its own; inserts by ``LeanProcessRecorder``, no type adapters
    (``_ArraysDatastore``)."""

    aggregate_recorder_class = LeanAggregateRecorder
    process_recorder_class = LeanProcessRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.datastore.__class__ = _ArraysDatastore
        _SharedPool.lend(self.datastore)


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
    events (``<service>_streams``: upstream, identity, epoch), through the store's own connection.

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
        if isinstance(datastore, PostgresDatastore):
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
