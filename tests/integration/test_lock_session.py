"""The one PostgreSQL session holding a process's writer locks (eventstore.store.LockSession)."""

from __future__ import annotations

import psycopg

from ogi_platform.eventstore.store import LockSession


def test_locks_are_held_by_one_session_and_refused_to_another(pg_url: str) -> None:
    mine, theirs = LockSession(pg_url), LockSession(pg_url)
    assert mine.try_lock((0x0651, 1)) and mine.try_lock((0x0651, 2))
    assert not theirs.try_lock((0x0651, 2))
    mine.unlock((0x0651, 2))
    assert theirs.try_lock((0x0651, 2))
    assert mine.alive()
    mine.unlock((0x0651, 1))
    theirs.unlock((0x0651, 2))


def test_a_standby_whose_connection_was_lost_connects_again(pg_url: str) -> None:
    standby, holder = LockSession(pg_url), LockSession(pg_url)
    assert holder.try_lock((0x0651, 3))
    assert not standby.try_lock((0x0651, 3))  # waiting, holding nothing
    assert standby._conn is not None
    with psycopg.connect(pg_url, autocommit=True) as admin:  # the server ends its session
        admin.execute("SELECT pg_terminate_backend(%s)", (standby._conn.info.backend_pid,))
    holder.unlock((0x0651, 3))
    assert standby.try_lock((0x0651, 3)), "the standby could not take over"
    standby.unlock((0x0651, 3))
