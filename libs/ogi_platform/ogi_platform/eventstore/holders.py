"""The stored half of a process's locating index (``service.locating``): which agencies' stores
of a service recorded events of each application, and how far each store's log was indexed.

Two tables, beside the stores: on PostgreSQL in the platform's schema ``ogi``
(``ogi.holders``: service, application, agency; ``ogi.holders_indexed``: service, agency, the
store's notification id indexed up to), on SQLite in a file of the stores' folder
(``_index/<service>.sqlite``, same tables without the service). Rows are only ever added: a
store holds an application's events for good (a store emptied, found by its log being shorter
than indexed, has its rows dropped with ``cleared``).

What a store indexed up to is written in the transaction of the rows up to it: a process that
stops or crashes leaves the ledger consistent, and the next start reads the store's log from
there (``service.locating``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from ogi_platform.eventstore.store import StoreLocation

_SQLITE_TABLES = (
    "CREATE TABLE IF NOT EXISTS holders (application_id TEXT NOT NULL, agency TEXT NOT NULL, "
    "PRIMARY KEY (application_id, agency)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS holders_indexed (agency TEXT PRIMARY KEY, up_to INTEGER NOT NULL)",
)


class HoldersLedger(Protocol):
    """Where a process's locating index is kept (thread-safe)."""

    def indexed(self) -> dict[str, int]:
        """How far each agency's store was indexed (its notification id; absent: not at all)."""
        ...

    def holders(self, application_id: str) -> set[str]:
        """The agencies whose stores are written as holding the application."""
        ...

    def write(
        self,
        rows: Iterable[tuple[str, str]],
        indexed: Mapping[str, int],
        cleared: Collection[str] = (),
    ) -> None:
        """In one transaction: drop the rows of the ``cleared`` agencies, add ``rows``
        (application, agency), and record how far stores were ``indexed``."""
        ...

    def close(self) -> None: ...


class SqliteHolders:
    """The ledger in a SQLite file of its own (WAL, synchronous as the stores')."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA busy_timeout=30000")
            for statement in _SQLITE_TABLES:
                self._conn.execute(statement)

    def indexed(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT agency, up_to FROM holders_indexed").fetchall()
        return {str(agency): int(up_to) for agency, up_to in rows}

    def holders(self, application_id: str) -> set[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT agency FROM holders WHERE application_id = ?", (application_id,)
            ).fetchall()
        return {str(row[0]) for row in rows}

    def write(
        self,
        rows: Iterable[tuple[str, str]],
        indexed: Mapping[str, int],
        cleared: Collection[str] = (),
    ) -> None:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "DELETE FROM holders WHERE agency = ?", [(agency,) for agency in cleared]
                )
                conn.executemany(
                    "INSERT INTO holders (application_id, agency) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING",
                    list(rows),
                )
                conn.executemany(
                    "INSERT INTO holders_indexed (agency, up_to) VALUES (?, ?) "
                    "ON CONFLICT (agency) DO UPDATE SET up_to = excluded.up_to",
                    list(indexed.items()),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


#: The ledger's connection finds a server gone silent within half a minute, and no statement
#: waits longer (a write holds the ledger, and the stop of the process waits for its last one).
LEDGER_CONNECTION: dict[str, Any] = {
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
    "options": "-c statement_timeout=30s -c lock_timeout=10s",
}


class PostgresHolders:
    """The ledger in the platform's tables of a PostgreSQL database (one connection)."""

    def __init__(self, dsn: str, service: str) -> None:
        self.service = service
        self._dsn = dsn
        self._lock = threading.Lock()
        self._conn: Any = self._connect()
        self._closed = False

    def _connect(self) -> Any:
        from ogi_platform.eventstore import pgplatform  # only where stores are on PostgreSQL

        return pgplatform.connect(self._dsn, **LEDGER_CONNECTION)

    @property
    def _connection(self) -> Any:
        """The ledger's connection, made again if the last one broke (a server restarted)."""
        if self._closed:
            raise RuntimeError("the locating ledger is closed")
        if self._conn.closed:
            self._conn = self._connect()
        return self._conn

    def indexed(self) -> dict[str, int]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT agency, up_to FROM ogi.holders_indexed WHERE service = %s",
                (self.service,),
            ).fetchall()
        return {str(agency): int(up_to) for agency, up_to in rows}

    def holders(self, application_id: str) -> set[str]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT agency FROM ogi.holders WHERE service = %s AND application_id = %s",
                (self.service, application_id),
            ).fetchall()
        return {str(row[0]) for row in rows}

    def write(
        self,
        rows: Iterable[tuple[str, str]],
        indexed: Mapping[str, int],
        cleared: Collection[str] = (),
    ) -> None:
        added = list(rows)
        with self._lock:
            conn = self._connection
            with conn.transaction():
                if cleared:
                    conn.execute(
                        "DELETE FROM ogi.holders WHERE service = %s AND agency = ANY(%s::text[])",
                        (self.service, sorted(cleared)),
                    )
                if added:
                    conn.execute(
                        "INSERT INTO ogi.holders (service, application_id, agency) SELECT %s, "
                        "unnest(%s::text[]), unnest(%s::text[]) ON CONFLICT DO NOTHING",
                        (self.service, [a for a, _ in added], [g for _, g in added]),
                    )
                if indexed:
                    conn.execute(
                        "INSERT INTO ogi.holders_indexed (service, agency, up_to) "
                        "SELECT %s, unnest(%s::text[]), unnest(%s::bigint[]) "
                        "ON CONFLICT (service, agency) DO UPDATE SET up_to = EXCLUDED.up_to",
                        (self.service, list(indexed), list(indexed.values())),
                    )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._conn.close()


def open_holders(location: StoreLocation, stores_folder: Path, service: str) -> HoldersLedger:
    """The ledger of ``service`` beside its stores: in the PostgreSQL database of
    ``location`` (any agency's store of the process), else in ``stores_folder``."""
    if location.postgres_dsn is not None:
        return PostgresHolders(location.postgres_dsn, service)
    return SqliteHolders(stores_folder / "_index" / f"{service}.sqlite")
