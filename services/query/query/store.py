"""Loading and writing the rows of a batch of events, on the cursor of its one transaction.

Every row a batch may change is read with one query per table (``load``); the events are applied
to them in memory (``query.projection``); the rows changed are written back with one statement
per table (``write``): an upsert keyed by the row's key, so the batch costs a few round trips to
the database however many events it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from query.dialect import Dialect
from query.projection import AppKey, ConsultationKey, Rows, Wanted
from query.rows import (
    APPLICATION_COLUMNS,
    APPLICATION_DEFAULTS,
    COMPLAINT_COLUMNS,
    CONSULTATION_COLUMNS,
    OVERDUE_COLUMNS,
    derived,
    search_text,
)
from query.words import agency_lexeme, index_words

#: The most parameters of one ``IN (...)`` list (SQLite allows 32,766 in a statement).
CHUNK = 500
#: The columns a loaded application row has (the derived ones are computed again on writing).
LOADED = ("id", *APPLICATION_DEFAULTS)
APPLICATION_KEY = ("application_id", "agency")
Row = dict[str, Any]


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def upsert(
    d: Dialect,
    table: str,
    columns: Sequence[str],
    keys: Sequence[str],
    values: Sequence[str] = (),
) -> str:
    """An insert of a whole row that replaces the row with the same key; ``values`` are the SQL
    of each column's value (default: a parameter each)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in (*keys, "id"))
    return (
        f"INSERT INTO {d.table(table)} ({', '.join(columns)}) "
        f"VALUES ({', '.join(values) if values else d.marks(len(columns))}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


class RowStore:
    """The rows of one batch, read and written through ``cursor`` (one transaction)."""

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self.cursor = cursor
        self.d = dialect
        #: The searched text of each application row as loaded ("" for a new row).
        self.searched: dict[AppKey, str] = {}

    def _select(self, table: str, columns: Sequence[str], key: str, values: set[str]) -> list[Any]:
        found = []
        for chunk in _chunks(sorted(values)):
            condition, params = self.d.one_of(key, chunk)
            self.cursor.execute(
                f"SELECT {', '.join(columns)} FROM {self.d.table(table)} WHERE {condition}",
                params,
            )
            found += [dict(row) for row in self.cursor.fetchall()]
        return found

    def load(self, wanted: Iterable[Wanted]) -> Rows:
        wanted = list(wanted)
        if self.d.postgres:
            # Rows are read by key only. Without statistics (a fresh table filled by a rebuild;
            # autovacuum off) the planner would read a list of keys by scanning the table.
            self.cursor.execute("SET LOCAL enable_seqscan = off")
        rows = Rows()
        ids = {w.application[0] for w in wanted if w.application}
        for row in self._select("applications", LOADED, "application_id", ids):
            key = (row["application_id"], row["agency"])
            rows.applications[key] = row
            self.searched[key] = search_text(row)
        complaint_ids = {w.complaint for w in wanted if w.complaint}
        for row in self._select("complaints", COMPLAINT_COLUMNS, "complaint_id", complaint_ids):
            rows.complaints[row["complaint_id"]] = row
        consulted = {w.consultation[0] for w in wanted if w.consultation}
        for row in self._select("consultations", CONSULTATION_COLUMNS, "application_id", consulted):
            key3: ConsultationKey = (row["application_id"], row["from_agency"], row["ref"])
            rows.consultations[key3] = row
        return rows

    def new_ids(self, count: int) -> int:
        """The first of ``count`` new row ids in SQLite (its next rowid: ids link a row to its
        search entry, and order search results)."""
        self.cursor.execute("SELECT MAX(id) AS top FROM applications")
        return int(self.cursor.fetchone()["top"] or 0) + 1

    def write(self, rows: Rows) -> None:
        """Write the changed rows (new ones given their ids: in SQLite here, in PostgreSQL by the
        insert, from the store's sequence, in the same order)."""
        written = [derived(rows.applications[key]) for key in sorted(rows.changed_applications)]
        searched = [
            row
            for row in written
            if search_text(row) != self.searched.get((row["application_id"], row["agency"]))
        ]
        if self.d.postgres:
            for row in written:
                row.setdefault("id", None)
            self._write_postgres(written, searched)
        else:
            new = [row for row in written if row.get("id") is None]
            if new:
                first = self.new_ids(len(new))
                for offset, row in enumerate(new):
                    row["id"] = first + offset
            self._upsert_all("applications", APPLICATION_COLUMNS, APPLICATION_KEY, written)
            self._index_sqlite(searched)
        self._upsert_all(
            "complaints",
            COMPLAINT_COLUMNS,
            ("complaint_id",),
            [rows.complaints[k] for k in sorted(rows.changed_complaints)],
        )
        self._upsert_all(
            "consultations",
            CONSULTATION_COLUMNS,
            ("application_id", "from_agency", "ref"),
            [rows.consultations[k] for k in sorted(rows.changed_consultations)],
        )
        if rows.overdue_reports:
            self.cursor.executemany(
                f"INSERT INTO {self.d.table('overdue_reports')} ({', '.join(OVERDUE_COLUMNS)}) "
                f"VALUES ({self.d.marks(len(OVERDUE_COLUMNS))}) ON CONFLICT DO NOTHING",
                [tuple(r[c] for c in OVERDUE_COLUMNS) for r in rows.overdue_reports],
            )

    def _upsert_all(
        self, table: str, columns: Sequence[str], keys: Sequence[str], rows: list[dict[str, Any]]
    ) -> None:
        if rows:
            self._execute(
                upsert(self.d, table, columns, keys), list(map(itemgetter(*columns), rows))
            )

    def _write_postgres(self, written: list[Row], searched: list[Row]) -> None:
        """Each row in one statement, its search words with it when its text changed (a second
        write of the row would make another version of it in every index); the words hold the
        row's agency as a lexeme, so that the GIN index alone finds an agency's matches."""
        renewed = {id(row) for row in searched}
        with_words = [row for row in written if id(row) in renewed]
        without = [row for row in written if id(row) not in renewed]
        # A new row's id (None) is the sequence's next; a row's id never changes (``upsert``).
        row_id = f"COALESCE(%s::bigint, nextval('{self.d.table('application_ids')}'))"
        values = [row_id, *[self.d.mark] * (len(APPLICATION_COLUMNS) - 1)]
        get = itemgetter(*APPLICATION_COLUMNS)
        if without:
            self._execute(
                upsert(self.d, "applications", APPLICATION_COLUMNS, APPLICATION_KEY, values),
                [get(row) for row in without],
            )
        if with_words:
            columns = (*APPLICATION_COLUMNS, "words")
            words = "to_tsvector('simple', %s) || array_to_tsvector(ARRAY[%s])"
            self._execute(
                upsert(self.d, "applications", columns, APPLICATION_KEY, [*values, words]),
                [
                    (*get(row), index_words(search_text(row)), agency_lexeme(row["agency"]))
                    for row in with_words
                ],
            )

    def _execute(self, statement: str, params: list[Sequence[Any]]) -> None:
        """``statement`` with each of ``params``: one row alone is one execution (psycopg's
        executemany pipelines the rows, which costs more than it saves for one)."""
        if len(params) == 1:
            self.cursor.execute(statement, params[0])
        else:
            self.cursor.executemany(statement, params)

    def _index_sqlite(self, searched: list[Row]) -> None:
        """Segment and index the searched text of rows whose text changed (FTS5, by row id)."""
        if not searched:
            return
        entries = [(row["id"], index_words(search_text(row)), row["agency"]) for row in searched]
        self.cursor.executemany(
            "DELETE FROM application_search WHERE rowid = ?", [(entry[0],) for entry in entries]
        )
        self.cursor.executemany(
            "INSERT INTO application_search (rowid, words, agency) VALUES (?, ?, ?)",
            [entry for entry in entries if entry[1]],
        )
