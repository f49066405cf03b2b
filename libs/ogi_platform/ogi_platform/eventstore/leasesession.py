"""A process's session of writer leases on one PostgreSQL database (``eventstore.writerlock``):
one session advisory lock, and a lease row per store in ``ogi.writer_leases`` naming it."""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterable
from typing import Any

import psycopg
from psycopg.errors import DeadlockDetected

from ogi_platform.eventstore.pgplatform import ensure_platform_tables

# A lease whose holder's lock is granted in this database is held; any other is free. Stores are
# claimed in sorted order, so two claimers of overlapping sets wait for each other, not deadlock.
_CLAIM = """
WITH live AS MATERIALIZED (
    SELECT (classid::bigint << 32) | objid::bigint AS holder FROM pg_locks
    WHERE locktype = 'advisory' AND objsubid = 1 AND granted
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
INSERT INTO ogi.writer_leases AS w (store, holder)
SELECT store, %(holder)s FROM unnest(%(stores)s::text[]) AS store
ON CONFLICT (store) DO UPDATE SET holder = EXCLUDED.holder, since = now()
WHERE w.holder = EXCLUDED.holder OR NOT EXISTS (SELECT 1 FROM live WHERE live.holder = w.holder)
RETURNING store
"""

_RELEASE = "DELETE FROM ogi.writer_leases WHERE holder = %s AND store = ANY(%s::text[])"


def _new_holder() -> int:
    """A random session advisory lock key, positive and below 2**62 (so that its two halves
    in ``pg_locks`` make it again without overflow)."""
    return secrets.randbelow((1 << 62) - 1) + 1


def _taken(cursor: psycopg.Cursor[Any]) -> bool:
    row = cursor.fetchone()
    return bool(row and row[0])


class LockSession:
    """The PostgreSQL session of a process's writer leases on one database (instead of a
    connection and a lock per store). Keepalives both ways: if the process's host vanishes, the
    server ends the session (and frees its leases for a standby) within about half a minute,
    not hours."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        #: The session advisory lock the leases name.
        self.holder = _new_holder()
        self._conn: psycopg.Connection[Any] | None = None
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def claim(self, stores: Iterable[str]) -> set[str]:
        """Take the leases of ``stores`` no live session holds; the stores this session holds."""
        wanted = sorted(set(stores))
        with self._lock:
            try:
                taken = self._claim(wanted)
            except DeadlockDetected:
                return set(self._held.intersection(wanted))  # a deadlock broken: try again later
            except psycopg.OperationalError:
                if self._held:
                    raise  # the leases held are lost with it: the watchdog ends the process
                self._conn = None  # lost while holding nothing (a standby waits): connect again
                taken = self._claim(wanted)
            self._held |= taken
            return taken

    def _claim(self, stores: list[str]) -> set[str]:
        rows = self._connection().execute(_CLAIM, {"holder": self.holder, "stores": stores})
        return {str(row[0]) for row in rows.fetchall()}

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            conn = psycopg.connect(
                self.dsn,
                autocommit=True,
                connect_timeout=10,
                keepalives_idle=10,
                options="-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 "
                "-c tcp_keepalives_count=3",
            )
            ensure_platform_tables(conn)
            while not _taken(conn.execute("SELECT pg_try_advisory_lock(%s)", (self.holder,))):
                self.holder = _new_holder()  # another session's by chance: held by nobody yet
            self._conn = conn
        return self._conn

    def alive(self) -> bool:
        with self._lock:
            if self._conn is None:
                return False
            try:
                self._conn.execute("SELECT 1")
            except psycopg.Error:
                return False
            return True

    def release(self, stores: Iterable[str]) -> None:
        """Give the leases of ``stores`` back; with the last one, end the session."""
        with self._lock:
            names = sorted(self._held.intersection(stores))
            if self._conn is None or not names:
                return
            with contextlib.suppress(psycopg.Error):
                self._conn.execute(_RELEASE, (self.holder, names))
            self._held.difference_update(names)
            if not self._held:
                with contextlib.suppress(psycopg.Error):
                    self._conn.close()  # the session's lock goes with it
                self._conn = None
