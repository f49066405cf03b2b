"""One writer per store: the right to write an agency's store of a service, held by one process.

On PostgreSQL a process holds one session advisory lock per database, whatever the number of
stores it writes, and a lease row per store in ``ogi.writer_leases`` naming that lock: a lease
is held while the session holding its lock lives. A standby claims a store whose lease names a
lock nobody holds any more. (An advisory lock per store filled the server's shared lock table,
which every transaction's locks need too: by default 64 x ``max_connections`` entries plus some
slack, between 12,000 and 20,000 here, that is 1,700 to 2,800 agencies of 7 services.)
On SQLite, an exclusive ``flock`` on ``<service>.lock`` beside the store file. Both end with the
process, however it dies. The PostgreSQL session is ``eventstore.leasesession``.
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ogi_platform.eventstore.store import StoreLocation

# PostgreSQL's session is imported where one is made: a SQLite process starts without psycopg.
if TYPE_CHECKING:
    from ogi_platform.eventstore.leasesession import LockSession


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
