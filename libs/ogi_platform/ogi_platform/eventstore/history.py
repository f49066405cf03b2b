"""A service's part of an application's history: the stored events of its aggregates, read from
the store in one statement (``ogi trace`` reads every service's part; issue 13).

Besides the aggregates named by id, a service may keep aggregates numbered 1, 2, ... about the
application (reply's remedies R1, R2, ...; a bureau's complaints): the first numbers of each such
series are read in the same statement, and a series ends before the first number not stored.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.sqlite import SQLiteAggregateRecorder
from eventsourcing.utils import retry

from ogi_platform.messaging.envelope import EventRecord, record_of

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresAggregateRecorder

    from ogi_platform.eventstore.application import OgiApplication

#: The id of the aggregate of a given number (1, 2, ...) of a numbered series.
Numbered = Callable[[int], UUID]

#: The numbers of each series read with the named aggregates; a series that has them all is
#: read on, as many more at a time.
NUMBERS_READ_AT_ONCE = 8


def history_of(
    app: OgiApplication, aggregate_ids: Sequence[UUID], numbered: Sequence[Numbered] = ()
) -> list[EventRecord]:
    """The stored events of the given aggregates, then those of each numbered series (1, 2, ...
    up to the first number not stored), with their envelopes: aggregate after aggregate in that
    order, each one's events by version. One statement reads them all, unless a series is
    longer than ``NUMBERS_READ_AT_ONCE``."""
    first = [_numbers(number, 1) for number in numbered]
    stored = stored_events(app, [*aggregate_ids, *(i for ids in first for i in ids)])
    return _recorded(app, aggregate_ids, numbered, first, stored)


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
def histories_of(apps: Sequence[OgiApplication], application_id: str) -> list[list[EventRecord]]:
    """For each store of a group of ``asked_together``, its part of the application's history
    (``OgiApplication.history``); a group of PostgreSQL stores read in one statement (a trace
    after a restart reads every store its process's index cannot rule out)."""
    if len(apps) == 1 or not _on_postgres(apps[0].recorder):
        return [app.history(application_id) for app in apps]
    plans = [app.history_ids(application_id) for app in apps]
    firsts = [[_numbers(number, 1) for number in numbered] for _, numbered in plans]
    wanted = [
        [*ids, *(i for some in first for i in some)]
        for (ids, _), first in zip(plans, firsts, strict=True)
    ]
    stored = _postgres_stored([app.recorder for app in apps], wanted)
    return [
        _recorded(app, ids, numbered, first, found)
        for app, (ids, numbered), first, found in zip(apps, plans, firsts, stored, strict=True)
    ]


def _recorded(
    app: OgiApplication,
    aggregate_ids: Sequence[UUID],
    numbered: Sequence[Numbered],
    first: list[list[UUID]],
    stored: dict[UUID, list[StoredEvent]],
) -> list[EventRecord]:
    """The envelopes of what ``stored`` holds of the aggregates and of each series, whose
    ``first`` numbers were read (a series that has them all is read on)."""
    ordered = list(aggregate_ids)
    for number, ids in zip(numbered, first, strict=True):
        held = _held(ids, stored)
        while len(held) == len(ids):  # every number read is stored: read on
            more = _numbers(number, len(held) + 1)
            stored.update(stored_events(app, more))
            ids += more
            held = _held(ids, stored)
        ordered += held
    return [
        record_of(app.mapper.to_domain_event(event), app.agency, app.service, 0)
        for aggregate_id in ordered
        for event in stored.get(aggregate_id, ())
    ]


def _numbers(number: Numbered, start: int) -> list[UUID]:
    return [number(n) for n in range(start, start + NUMBERS_READ_AT_ONCE)]


def _held(ids: list[UUID], stored: dict[UUID, list[StoredEvent]]) -> list[UUID]:
    """``ids`` up to the first one not stored."""
    held = []
    for aggregate_id in ids:
        if aggregate_id not in stored:
            break
        held.append(aggregate_id)
    return held


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
def stored_events(
    app: OgiApplication, aggregate_ids: Sequence[UUID]
) -> dict[UUID, list[StoredEvent]]:
    """The stored events of each of the aggregates that has any, by version, in one statement
    (the in-memory store of unit tests is asked aggregate by aggregate)."""
    recorder: Any = app.recorder
    if isinstance(recorder, SQLiteAggregateRecorder):
        rows = _sqlite_rows(recorder, aggregate_ids)
    elif _on_postgres(recorder):
        rows = _postgres_rows(recorder, aggregate_ids)
    else:
        rows = [e for i in dict.fromkeys(aggregate_ids) for e in recorder.select_events(i)]
    found: dict[UUID, list[StoredEvent]] = {}
    for event in rows:  # the ids of OGI's stores are UUIDs (``Application[UUID]``)
        found.setdefault(cast(UUID, event.originator_id), []).append(event)
    return found


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
def holds_any(app: OgiApplication, aggregate_ids: Sequence[UUID]) -> bool:
    """Whether the store holds an event of any of the aggregates, in one statement that reads
    no event (locating asks this of every store that may hold an application it does not know
    of, before it reads what the holders hold)."""
    recorder: Any = app.recorder
    if isinstance(recorder, SQLiteAggregateRecorder):
        marks = ", ".join("?" * len(aggregate_ids))
        statement = (
            f"SELECT 1 FROM {recorder.events_table_name} WHERE originator_id IN ({marks}) LIMIT 1"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [i.hex for i in aggregate_ids])
            return cursor.fetchone() is not None
    if _on_postgres(recorder):
        return bool(_postgres_holders([recorder], [aggregate_ids]))
    return any(recorder.select_events(i, limit=1) for i in aggregate_ids)


def asked_together(apps: Sequence[OgiApplication]) -> list[list[OgiApplication]]:
    """``apps`` in groups that ``holding_each`` and ``histories_of`` ask at once: the
    PostgreSQL stores of one process's database in one statement; the others in turn (a store
    of its own, a SQLite file, answers in tens of microseconds: handing each to a thread of
    its own cost more than asking it)."""
    groups: dict[object, list[OgiApplication]] = {}
    for app in apps:
        recorder: Any = app.recorder
        if _on_postgres(recorder):
            from ogi_platform.eventstore.pgstore import sharing

            key = sharing(recorder.datastore)
        else:
            key = None
        groups.setdefault(key, []).append(app)
    return list(groups.values())


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
def holding_each(apps: Sequence[OgiApplication], application_id: str) -> list[bool]:
    """For each store of a group of ``asked_together``, whether it recorded an event of the
    application (``OgiApplication.holds``); a group of PostgreSQL stores in one statement."""
    if len(apps) == 1 or not _on_postgres(apps[0].recorder):
        return [app.holds(application_id) for app in apps]
    ids = [app.aggregate_ids_of(application_id) for app in apps]
    holders = _postgres_holders([app.recorder for app in apps], ids)
    return [n in holders for n in range(len(apps))]


def _postgres_holders(recorders: Sequence[Any], ids: Sequence[Sequence[UUID]]) -> set[int]:
    """The positions of the stores that hold an event of any of their ``ids``, in one statement
    on a connection of the first one's (the stores of one database of a process)."""
    statement = _union_over(
        "SELECT {n} AS n WHERE EXISTS (SELECT FROM {schema}.{table} WHERE originator_id = ANY(%s))",
        _tables(recorders),
    )
    with recorders[0].datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(statement, [list(some) for some in ids])
        return {row["n"] for row in cursor.fetchall()}


def _union_over(branch: str, tables: tuple[tuple[str, str], ...]) -> bytes:
    """``branch`` for each store's events table, its position ``n``, in one statement; for two
    stores or more, rendered once for each set of stores (``_remembered_union``)."""
    return _union(branch, tables) if len(tables) == 1 else _remembered_union(branch, tables)


def _union(branch: str, tables: tuple[tuple[str, str], ...]) -> bytes:
    from psycopg.sql import SQL, Identifier, Literal

    return (
        SQL(" UNION ALL ")
        .join(
            SQL(branch).format(n=Literal(n), schema=Identifier(schema), table=Identifier(table))
            for n, (schema, table) in enumerate(tables)
        )
        .as_bytes(None)
    )


#: A process asks about the same stores again and again (those that held events when it
#: started): at 300 stores, rendering their statement took 4 ms.
_remembered_union = functools.lru_cache(maxsize=16)(_union)


def _tables(recorders: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    return tuple((r.datastore.schema, r.events_table_name) for r in recorders)


def _on_postgres(recorder: object) -> bool:
    """Whether ``recorder`` keeps its events in PostgreSQL (eventsourcing's PostgreSQL module is
    imported only by a process with stores there)."""
    postgres = sys.modules.get("eventsourcing.postgres")
    return postgres is not None and isinstance(recorder, postgres.PostgresAggregateRecorder)


def _postgres_rows(
    recorder: PostgresAggregateRecorder, aggregate_ids: Sequence[UUID]
) -> list[StoredEvent]:
    """One SELECT on a connection of the process's shared pool (in autocommit: one round trip,
    where a transaction would add a BEGIN and a ROLLBACK)."""
    from psycopg.sql import SQL, Identifier

    datastore = recorder.datastore
    statement = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
    ).format(schema=Identifier(datastore.schema), table=Identifier(recorder.events_table_name))
    with datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(statement, (list(aggregate_ids),), prepare=True)
        return [
            StoredEvent(
                row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
            )
            for row in cursor.fetchall()
        ]


def _postgres_stored(
    recorders: Sequence[Any], ids: Sequence[Sequence[UUID]]
) -> list[dict[UUID, list[StoredEvent]]]:
    """For each store, the stored events of its ``ids`` by aggregate, by version: one statement
    on a connection of the first one's (the stores of one database of a process). Sorted here:
    an ``ORDER BY`` over the union made the planner gather parallel workers (milliseconds to
    start) when a store's statistics were not yet gathered."""
    statement = _union_over(
        "SELECT {n} AS n, originator_id, originator_version, topic, state "
        "FROM {schema}.{table} WHERE originator_id = ANY(%s)",
        _tables(recorders),
    )
    with recorders[0].datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(statement, [list(some) for some in ids])
        rows = cursor.fetchall()
    found: list[dict[UUID, list[StoredEvent]]] = [{} for _ in recorders]
    for row in sorted(rows, key=lambda row: row["originator_version"]):
        event = StoredEvent(
            row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
        )
        found[row["n"]].setdefault(row["originator_id"], []).append(event)
    return found


def _sqlite_rows(
    recorder: SQLiteAggregateRecorder, aggregate_ids: Sequence[UUID]
) -> list[StoredEvent]:
    """One SELECT; the store keeps ids as 32 hex digits (``SQLiteAggregateRecorder``)."""
    marks = ", ".join("?" * len(aggregate_ids))
    statement = (
        "SELECT originator_id, originator_version, topic, state "
        f"FROM {recorder.events_table_name} WHERE originator_id IN ({marks}) "
        "ORDER BY originator_id, originator_version"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [i.hex for i in aggregate_ids])
        return [
            StoredEvent(
                recorder.convert_originator_id(row["originator_id"]),
                row["originator_version"],
                row["topic"],
                row["state"],
            )
            for row in cursor.fetchall()
        ]
