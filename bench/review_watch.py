"""When each application was opened in review: a thread polling review's stores for new
``ReviewOpened`` events, as a reader beside the service (review publishes no event when it opens
one: ``ReviewOpened`` is internal, kept in its store only).

A poll reads only what was stored after the last one (by notification id), and only from the
stores that committed since: on PostgreSQL those a trigger the watch adds said so, in one query;
on SQLite, one query per store, one that committed since (``PRAGMA data_version``: its files'
times and sizes are no sign, as a write-ahead log reused after a checkpoint keeps its size and
a file's time may not move within a clock tick, which left commits unseen for up to a second).
The time an application is seen is the poll's: at most ``interval`` after its commit.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.utils import get_topic
from running import PhaseTimeout

from ogi_platform.eventstore.store import schema_name
from ogi_platform.ids import aggregate_id
from review.domain import REVIEW_OPENED, Review

TOPIC = f"{get_topic(Review)}.{REVIEW_OPENED}"
#: The channel, trigger and function by which review's stores on PostgreSQL say they committed.
NOTIFIER = "ogi_bench_review_opened"


def review_of(application_id: str) -> UUID:
    """The id of the review an application opens (review.domain.Review.create_id)."""
    return aggregate_id("review", application_id)


class _SqliteStores:
    """Each agency's review.sqlite, read-only."""

    def __init__(self, stores: Path, agencies: list[str]) -> None:
        self.files = [stores / agency / "review.sqlite" for agency in agencies]
        self.connections = [
            sqlite3.connect(f"file:{f}?mode=ro", uri=True, check_same_thread=False)
            for f in self.files
        ]
        self.after = [0] * len(self.files)
        self.versions: list[int | None] = [None] * len(self.files)

    def new_reviews(self) -> list[UUID]:
        found = []
        for i, conn in enumerate(self.connections):
            # changes when another connection committed: a store nobody wrote is not read
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self.versions[i]:
                continue
            self.versions[i] = version
            rows = conn.execute(
                "SELECT rowid, originator_id FROM stored_events WHERE rowid > ? AND topic = ?",
                (self.after[i], TOPIC),
            ).fetchall()
            if rows:
                self.after[i] = rows[-1][0]
                found += [UUID(row[1]) for row in rows]
        return found

    def close(self) -> None:
        for conn in self.connections:
            conn.close()


class _PostgresStores:
    """Each agency's ``<schema>.review_events``. A statement trigger the watch adds to each
    (``NOTIFY`` with the schema's name) says which stores committed since the last poll, and only
    those are read: reading a thousand tables in one query at every poll cost the server more
    than a third of a core, part of what a benchmark measured."""

    def __init__(self, url: str, agencies: list[str]) -> None:
        self.conn: psycopg.Connection[Any] = psycopg.connect(url, autocommit=True)
        self.schemas = [schema_name(agency) for agency in agencies]
        self.after = dict.fromkeys(self.schemas, 0)
        self.conn.execute(
            f"CREATE OR REPLACE FUNCTION public.{NOTIFIER}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN PERFORM pg_notify('{NOTIFIER}', TG_TABLE_SCHEMA); RETURN NULL; END $$"
        )
        self.conn.execute(f"LISTEN {NOTIFIER}")
        for schema in self.schemas:
            self.conn.execute(
                f'CREATE OR REPLACE TRIGGER {NOTIFIER} AFTER INSERT ON "{schema}".review_events '
                f"FOR EACH STATEMENT EXECUTE FUNCTION public.{NOTIFIER}()"
            )
        #: Stores to read at the next poll: all of them first (commits before the triggers).
        self.due: set[str] = set(self.schemas)

    def new_reviews(self) -> list[UUID]:
        self.due.update(n.payload for n in self.conn.notifies(timeout=0.0))
        due, self.due = sorted(self.due), set()
        if not due:
            return []
        parts, params = [], []
        for schema in due:
            parts.append(
                f'SELECT %s, notification_id, originator_id FROM "{schema}".review_events '
                "WHERE notification_id > %s AND topic = %s"
            )
            params += [schema, self.after[schema], TOPIC]
        rows = self.conn.execute(" UNION ALL ".join(parts), params).fetchall()
        for schema, notification_id, _ in rows:
            self.after[schema] = max(self.after[schema], notification_id)
        return [UUID(str(row[2])) for row in rows]

    def close(self) -> None:
        self.conn.close()


class ReviewWatch:
    """Polls every ``interval`` seconds: ``opened`` maps each review seen to when (monotonic)."""

    def __init__(
        self, database_url: str | None, stores: Path, agencies: list[str], interval: float
    ) -> None:
        self.stores = (
            _PostgresStores(database_url, agencies)
            if database_url
            else _SqliteStores(stores, agencies)
        )
        self.interval = interval
        self.opened: dict[UUID, float] = {}
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="review-watch", daemon=True)

    def __enter__(self) -> ReviewWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.stores.close()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                now = time.monotonic()
                for review in self.stores.new_reviews():
                    self.opened.setdefault(review, now)
        except BaseException as error:  # reported by wait_for, in the benchmark's thread
            self._error = error

    def wait_for(self, count: int, timeout: float, phase: str) -> float:
        """Wait until ``count`` reviews were seen; when the last one was. PhaseTimeout after
        ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.opened) < count:
            if self._error is not None:
                raise RuntimeError(f"{phase}: reading review's stores failed") from self._error
            if time.monotonic() > deadline:
                raise PhaseTimeout(
                    f"{phase}: {len(self.opened)} of {count} applications open in review "
                    f"after {timeout:.0f} s"
                )
            time.sleep(self.interval)
        return max(self.opened.values())
