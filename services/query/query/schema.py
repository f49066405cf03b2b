"""The read model's tables and indexes, made when the store opens and dropped by a rebuild.

- ``applications``: a row per application and agency handling it (``query.rows``), with the
  indexes of the work queue (the open rows by agency and due date), of lookup by number and
  identity document, of received-date order and of the reply-time median.
- full-text search: in SQLite an FTS5 table ``application_search`` of the segmented text and
  the agency (its rowid is the row's ``id``); in PostgreSQL a ``words`` tsvector column
  (``to_tsvector('simple', <segmented text>)``) with a GIN index.
- ``complaints``, ``consultations``, ``overdue_reports``; in PostgreSQL the sequence
  ``application_ids`` of the rows' ids.

The tracking of the bus position is eventsourcing's own table, written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from query.dialect import Dialect
from query.rows import (
    APPLICATION_DEFAULTS,
    COMPLAINT_DEFAULTS,
    CONSULTATION_DEFAULTS,
    OVERDUE_COLUMNS,
)

TABLES = ("applications", "application_search", "complaints", "consultations", "overdue_reports")


def _column(name: str, default: Any, dialect: Dialect) -> str:
    if isinstance(default, str):
        return f"{name} TEXT NOT NULL DEFAULT ''"
    kind = "BIGINT" if dialect.postgres else "INTEGER"
    if default is None:
        return f"{name} {kind}"
    return f"{name} {kind} NOT NULL DEFAULT {int(default)}"


def _columns(defaults: Mapping[str, Any], dialect: Dialect) -> str:
    return ", ".join(_column(name, default, dialect) for name, default in defaults.items())


def create_statements(d: Dialect) -> list[str]:
    applications = d.table("applications")
    # SQLite: the id is the rowid (the search entry's); PostgreSQL keeps the words in the row.
    key = (
        "id BIGINT NOT NULL, {columns}, words tsvector, PRIMARY KEY (application_id, agency)"
        if d.postgres
        else "id INTEGER PRIMARY KEY, {columns}, UNIQUE (application_id, agency)"
    )
    columns = (
        f"{_columns(APPLICATION_DEFAULTS, d)}, open INTEGER NOT NULL DEFAULT 0, "
        "due_sort TEXT NOT NULL DEFAULT ''"
    )
    statements = [
        f"CREATE TABLE IF NOT EXISTS {applications} ({key.format(columns=columns)})",
        # The work queue: open rows only (most rows are settled and never listed by due date).
        f"CREATE INDEX IF NOT EXISTS applications_open_queue ON {applications} "
        "(agency, due_sort, application_id) WHERE open = 1",
        f"CREATE INDEX IF NOT EXISTS applications_received ON {applications} "
        "(agency, received_on, application_id)",
        f"CREATE INDEX IF NOT EXISTS applications_number ON {applications} (number)",
        f"CREATE INDEX IF NOT EXISTS applications_id_doc ON {applications} (applicant_id_doc)",
        f"CREATE INDEX IF NOT EXISTS applications_reply_days ON {applications} "
        "(agency, reply_days)",
        f"CREATE TABLE IF NOT EXISTS {d.table('complaints')} "
        f"({_columns(COMPLAINT_DEFAULTS, d)}, PRIMARY KEY (complaint_id))",
        f"CREATE INDEX IF NOT EXISTS complaints_board ON {d.table('complaints')} "
        "(bureau, state, filed_on)",
        f"CREATE TABLE IF NOT EXISTS {d.table('consultations')} "
        f"({_columns(CONSULTATION_DEFAULTS, d)}, PRIMARY KEY (application_id, from_agency, ref))",
        f"CREATE INDEX IF NOT EXISTS consultations_addressed ON {d.table('consultations')} "
        "(to_agency, answered_on, answer_due)",
        f"CREATE TABLE IF NOT EXISTS {d.table('overdue_reports')} "
        f"({', '.join(f'{c} TEXT NOT NULL' for c in OVERDUE_COLUMNS)}, "
        "PRIMARY KEY (application_id, agency, due_on))",
        f"CREATE INDEX IF NOT EXISTS overdue_reports_new ON {d.table('overdue_reports')} "
        "(reported_on)",
    ]
    if d.postgres:
        statements.append(
            f"CREATE INDEX IF NOT EXISTS applications_words ON {applications} USING GIN (words)"
        )
        statements.append(f"CREATE SEQUENCE IF NOT EXISTS {d.table('application_ids')}")
        # A search's page: an agency's rows, newest first (SQLite reads its FTS5 rowids in order).
        statements.append(
            f"CREATE INDEX IF NOT EXISTS applications_newest ON {applications} (agency, id)"
        )
    else:
        # The agency too, so that a search is answered from this table alone; "-" inside a
        # token keeps an agency code one token.
        statements.append(
            "CREATE VIRTUAL TABLE IF NOT EXISTS application_search "
            """USING fts5(words, agency, tokenize="unicode61 tokenchars '-'")"""
        )
    return statements


def drop_statements(d: Dialect) -> list[str]:
    """Every table of the read model (a rebuild makes them again, empty)."""
    drops = [f"DROP TABLE IF EXISTS {d.table(name)}" for name in TABLES]
    if d.postgres:
        drops.append(f"DROP SEQUENCE IF EXISTS {d.table('application_ids')}")
    return drops
