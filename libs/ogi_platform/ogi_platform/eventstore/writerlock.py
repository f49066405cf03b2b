"""One writer per store: the right to write an agency's store of a service, held by one process.

On PostgreSQL a process holds one session advisory lock per database, whatever the number of
stores it writes, and a lease row per store in ``ogi.writer_leases`` naming that lock: a lease
is held while the session holding its lock lives. A standby claims a store whose lease names a
lock nobody holds any more. (An advisory lock per store filled the server's shared lock table,
which every transaction's locks need too: by default 64 x ``max_connections`` entries plus some
slack, between 12,000 and 20,000 here, that is 1,700 to 2,800 agencies of 7 services.)
On SQLite, an exclusive ``flock`` on ``<service>.lock`` beside the store file. Both end with the
process, however it dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import secrets
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ogi_platform.eventstore.store import StoreLocation

if TYPE_CHECKING:  # psycopg is imported by a session only (a SQLite process starts without it)
    import psycopg

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
        import psycopg
        from psycopg.errors import DeadlockDetected

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
            import psycopg

            from ogi_platform.eventstore.pgplatform import ensure_platform_tables

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
        import psycopg

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
        import psycopg

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


class WriterLock:
    """The right to be the one writer of a store: a lease of the process's ``LockSession`` for
    the database, or for SQLite a ``flock`` beside the store file."""

    def __init__(
        self, location: StoreLocation, service: str, session: LockSession | None = None
    ) -> None:
        self.location = location
        self.service = service
        #: The process's session for the store's database (None: a SQLite store).
        self.session = session
        self._taken = False
        self._file: IO[str] | None = None

    @property
    def name(self) -> str:
        """The store's lease name: ``<schema>.<service>``."""
        return self.location.store_name(self.service)

    def _flock(self) -> bool:
        path = Path(self.location.env["SQLITE_DBNAME"]).with_suffix(".lock")
        file = open(path, "a")  # noqa: SIM115 - held for the life of the unit
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            file.close()
            return False
        self._file = file
        return True

    def held(self, session_alive: bool | None = None) -> bool:
        """Whether the lock is still held (a lost database connection loses it); with
        ``session_alive``, what its session was just found to be."""
        if self._file is not None:
            return True
        if not self._taken or self.session is None:
            return False
        return self.session.alive() if session_alive is None else session_alive


def acquire_all(locks: list[WriterLock]) -> list[WriterLock]:
    """Take every lock of ``locks`` no other process holds (one statement per database); the
    locks this process holds now."""
    by_session: dict[int, list[WriterLock]] = {}
    for lock in locks:
        if lock.session is None:
            if lock._file is None:
                lock._flock()
        elif not lock._taken:
            by_session.setdefault(id(lock.session), []).append(lock)
    for group in by_session.values():
        session = group[0].session
        assert session is not None
        taken = session.claim(lock.name for lock in group)
        for lock in group:
            lock._taken = lock.name in taken
    return [lock for lock in locks if lock._file is not None or lock._taken]


def release_all(locks: list[WriterLock]) -> None:
    """Give back every lock of ``locks`` (one statement per database)."""
    by_session: dict[int, list[WriterLock]] = {}
    for lock in locks:
        if lock._file is not None:
            lock._file.close()
            lock._file = None
        if lock._taken and lock.session is not None:
            by_session.setdefault(id(lock.session), []).append(lock)
            lock._taken = False
    for group in by_session.values():
        session = group[0].session
        assert session is not None
        session.release(lock.name for lock in group)


def lost_locks(locks: list[WriterLock]) -> list[WriterLock]:
    """The locks no longer held, each session asked once (not once per store)."""
    alive: dict[int, bool] = {}
    lost = []
    for lock in locks:
        session = lock.session
        if session is not None and id(session) not in alive:
            alive[id(session)] = session.alive()
        if not lock.held(None if session is None else alive[id(session)]):
            lost.append(lock)
    return lost
