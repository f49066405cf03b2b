"""The PostgreSQL side of the event stores (``eventstore.store`` names this module's factory in
a PostgreSQL store's environment, so a process on SQLite never imports psycopg): the connections
a process's stores share, for their writers and for reads, and eventsourcing's recorders made
lean for stores sharing them."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, cast

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent, Tracking
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresProcessRecorder,
)
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier
from psycopg_pool import ConnectionPool

from ogi_platform.eventstore.writer import in_writer
from ogi_platform.settings import whole_setting

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

    def __init__(self, key: tuple[str, ...], size: int, first: ConnectionPool[Any]) -> None:
        self.key = key
        self.size = size
        #: One pool of one connection each, the first ``size`` stores' own pools made so, and
        #: how many stores each serves.
        self.connections: list[ConnectionPool[Any]] = []
        self.stores: list[int] = []
        self._lent = 0
        self.readers = _readers_like(first)

    @classmethod
    def lend(cls, datastore: PostgresDatastore) -> None:
        """Put a connection of the shared ones of the datastore's database in place of its own
        pool (its own pool becomes one of them while there are fewer than their number)."""
        kwargs = cast(dict[str, Any], datastore.pool.kwargs)
        key = tuple(str(kwargs.get(k)) for k in ("host", "port", "dbname", "user"))
        with cls._lock:
            own = datastore.pool
            shared = cls._pools.get(key)
            if shared is None:
                size = whole_setting("OGI_PG_CONNECTIONS", SHARED_CONNECTIONS)
                shared = cls._pools[key] = cls(key, size, own)
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
        max_size=whole_setting("OGI_PG_READ_CONNECTIONS", READ_CONNECTIONS),
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
    send plain arrays (``_columns``), not a composite type of the schema."""

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
        pool = self.pool if writing else self.shared.readers
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


def sharing(datastore: PostgresDatastore) -> object:
    """What the datastores of a process's database share, so that a statement naming several
    stores' schemas may run on a connection of any of them: their shared connections (a
    datastore with a pool of its own shares with nothing but itself)."""
    pool: Any = datastore.pool
    return pool.shared if isinstance(pool, _Borrowed) else datastore


class LeanAggregateRecorder(PostgresAggregateRecorder):
    """The snapshots' recorder, inserting stored events as four arrays, one per column,
    unnested in order (eventsourcing sends one array of its composite type, each element dumped
    by psycopg in Python, and the type's adapters were registered again on a shared connection
    each time it went to another store's schema, the type having the same name in every
    schema). The arrays are sent in binary: psycopg escapes every byte of a text array's
    elements in Python (a 3-event insert took 56 µs to convert, 16 µs in binary)."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.insert_events_statement = SQL(
            "INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
        ).format(
            table=Identifier(datastore.schema, self.events_table_name),
            id_type=Identifier(datastore.originator_id_type),
        )

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        curs.execute(self.insert_events_statement, _columns(stored_events))


def _columns(stored_events: Sequence[StoredEvent]) -> tuple[list[Any], ...]:
    """The stored events' ids, versions, topics and states, a list each."""
    return (
        [e.originator_id for e in stored_events],
        [e.originator_version for e in stored_events],
        [e.topic for e in stored_events],
        [e.state for e in stored_events],
    )


class LeanProcessRecorder(PostgresProcessRecorder):
    """eventsourcing's process recorder committing a store's events and tracking record in one
    statement: a function of the store's schema (``<events table>_record``, made with the
    store's tables) that records the tracking position, locks the events table (notification
    ids in the order of the commits) and inserts the events, called in autocommit, so that the
    call is the transaction. eventsourcing sends BEGIN, the tracking upsert, SET LOCAL
    lock_timeout, LOCK TABLE, NOTIFY, the insert and COMMIT, each parsed, planned and run by
    the server and each a round of psycopg's pipeline in the writer: a commit of one event cost
    about 0.8 ms of the writer's CPU and 0.6 ms of the server's, the call 0.25 and 0.3 ms. No
    NOTIFY: nobody listens (a process's relay hears its own commits, ``messaging.outbox``).

    As eventsourcing's: a tracking position not above the one recorded, or an event whose
    version is taken, refuses the whole commit with ``IntegrityError``, nothing stored."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        function = Identifier(datastore.schema, f"{self.events_table_name}_record")
        self.sql_create_statements.append(self._create_record_function(function))
        # Rendered once: psycopg renders a composed statement again at every execution.
        self.record_statement = (
            SQL(
                "SELECT n FROM {function}(%s::text, %s::bigint, "
                "%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[]) AS n"
            )
            .format(function=function, id_type=Identifier(datastore.originator_id_type))
            .as_bytes(None)
        )

    def _create_record_function(self, function: Identifier) -> Composed:
        timeout = self.datastore.lock_timeout
        return SQL(
            "CREATE OR REPLACE FUNCTION {function}(tracking_name text, tracking_position bigint, "
            "ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ BEGIN "
            "IF tracking_name IS NOT NULL THEN "
            "INSERT INTO {tracking} AS t VALUES (tracking_name, tracking_position) "
            "ON CONFLICT (application_name) DO UPDATE SET notification_id = tracking_position "
            "WHERE t.notification_id < tracking_position; "
            "IF NOT FOUND THEN RAISE unique_violation USING MESSAGE = "
            "format('Failed to record tracking for %s %s', tracking_name, tracking_position); "
            "END IF; END IF; "
            "IF cardinality(ids) > 0 THEN {lock_timeout}"
            "LOCK TABLE {events} IN EXCLUSIVE MODE; "
            "RETURN QUERY INSERT INTO {events} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id; "
            "END IF; END $body$"
        ).format(
            function=function,
            id_type=Identifier(self.datastore.originator_id_type),
            tracking=Identifier(self.datastore.schema, self.tracking_table_name),
            events=Identifier(self.datastore.schema, self.events_table_name),
            lock_timeout=SQL(
                f"PERFORM set_config('lock_timeout', '{int(timeout)}s', true); " if timeout else ""
            ),
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        tracking: Tracking | None = kwargs.get("tracking")
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                self.record_statement,
                (
                    tracking.application_name if tracking else None,
                    tracking.notification_id if tracking else None,
                    *_columns(stored_events),
                ),
            )
            return [row["n"] for row in curs.fetchall()] if stored_events else None


class _ArraysDatastore(PostgresDatastore):
    """eventsourcing's datastore without the adapters of its composite type of stored events:
    the recorders here send arrays of the columns (``_columns``), never that type. Registering
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
