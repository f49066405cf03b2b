"""The one PostgreSQL session holding a process's writer leases (eventstore.writerlock)."""

from __future__ import annotations

import psycopg

from ogi_platform.eventstore.leasesession import LockSession


def _advisory_locks(session: LockSession, admin: psycopg.Connection[tuple[int]]) -> int:
    assert session._conn is not None
    pid = session._conn.info.backend_pid
    row = admin.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s", (pid,)
    ).fetchone()
    return int(row[0]) if row else 0


def test_leases_are_held_by_one_session_and_refused_to_another(pg_url: str) -> None:
    mine, theirs = LockSession(pg_url), LockSession(pg_url)
    assert mine.claim(["a.intake", "a.routing"]) == {"a.intake", "a.routing"}
    assert mine.claim(["a.routing"]) == {"a.routing"}, "a holder claims its own store again"
    assert theirs.claim(["a.routing", "b.routing"]) == {"b.routing"}
    mine.release(["a.routing"])
    assert theirs.claim(["a.routing"]) == {"a.routing"}
    assert mine.alive()
    mine.release(["a.intake"])
    assert mine._conn is None, "the session ends with its last lease"
    theirs.release(["a.routing", "b.routing"])


def test_a_thousand_stores_take_one_advisory_lock(pg_url: str) -> None:
    session = LockSession(pg_url)
    stores = [f"agency_{n}.{service}" for n in range(1000) for service in ("intake", "review")]
    assert session.claim(stores) == set(stores)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        assert _advisory_locks(session, admin) == 1
    session.release(stores)


def test_the_leases_of_a_session_that_ended_are_taken_over(pg_url: str) -> None:
    holder, standby = LockSession(pg_url), LockSession(pg_url)
    assert holder.claim(["c.reply", "d.reply"]) == {"c.reply", "d.reply"}
    assert standby.claim(["c.reply", "d.reply"]) == set()
    assert holder._conn is not None
    with psycopg.connect(pg_url, autocommit=True) as admin:  # the holder's process died
        admin.execute("SELECT pg_terminate_backend(%s)", (holder._conn.info.backend_pid,))
    assert not holder.alive()
    assert standby.claim(["c.reply", "d.reply"]) == {"c.reply", "d.reply"}
    standby.release(["c.reply", "d.reply"])


def test_a_standby_whose_connection_was_lost_connects_again(pg_url: str) -> None:
    standby, holder = LockSession(pg_url), LockSession(pg_url)
    assert holder.claim(["e.complaint"])
    assert not standby.claim(["e.complaint"])  # waiting, holding nothing
    assert standby._conn is not None
    with psycopg.connect(pg_url, autocommit=True) as admin:  # the server ends its session
        admin.execute("SELECT pg_terminate_backend(%s)", (standby._conn.info.backend_pid,))
    holder.release(["e.complaint"])
    assert standby.claim(["e.complaint"]) == {"e.complaint"}, "the standby could not take over"
    standby.release(["e.complaint"])


def test_a_lock_key_another_session_holds_is_never_shared(pg_url: str) -> None:
    first, second = LockSession(pg_url), LockSession(pg_url)
    assert first.claim(["f.report"]) == {"f.report"}
    second.holder = first.holder  # the same random key by chance
    assert second.claim(["g.report"]) == {"g.report"}
    assert second.holder != first.holder
    assert second.claim(["f.report"]) == set(), "a lease of the first session was shared"
    first.release(["f.report"])
    second.release(["g.report"])
