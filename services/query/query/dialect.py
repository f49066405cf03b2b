"""What differs between the two databases the read model lives in: SQLite (a file per agency,
the embedded default) and PostgreSQL (a schema per agency, as every store: ``store_location``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventsourcing.sqlite import SQLiteDatastore

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore


@dataclass(frozen=True)
class Dialect:
    #: The parameter mark: ``?`` (sqlite3) or ``%s`` (psycopg).
    mark: str
    #: The agency's schema (PostgreSQL), "" for SQLite.
    schema: str = ""

    @property
    def postgres(self) -> bool:
        return self.mark == "%s"

    def table(self, name: str) -> str:
        return f"{self.schema}.{name}" if self.schema else name

    def marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    def unindexed(self, column: str) -> str:
        """``column``, to be filtered without its indexes: SQLite plans without statistics and
        would take the agency's index over a far narrower one (a number, the search words);
        PostgreSQL's planner has them."""
        return column if self.postgres else f"+{column}"

    def one_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column`` is one of ``values``: the condition and its parameters (one value: an
        equality, which the planners can read an index's order under)."""
        if len(values) == 1:
            return f"{column} = {self.mark}", list(values)
        if self.postgres:
            return f"{column} = ANY({self.mark})", [list(values)]
        return f"{column} IN ({self.marks(len(values))})", list(values)


def dialect_of(datastore: SQLiteDatastore | PostgresDatastore) -> Dialect:
    if isinstance(datastore, SQLiteDatastore):
        return Dialect("?")
    return Dialect("%s", datastore.schema)
