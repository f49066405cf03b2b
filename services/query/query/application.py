"""The query service's store of one agency: SQL tables, not event-sourced aggregates.

It is an ``OgiApplication`` so that the service runtime, the inbox, the stream guard and the
writer lock work on it as on every store; but its unit of work is a ``QueryBatch``, which takes
the inbound events from the handlers and, on commit, applies them to the rows they touch and
writes those rows and the tracking of the bus position in one transaction. The tracking row is
eventsourcing's own, so ``position`` (what the inbox skips as done) works unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from eventsourcing.persistence import Tracking

from ogi_contracts.contract import BUREAU
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.envelope import EventRecord
from query.calendars import Calendars
from query.dialect import Dialect, dialect_of
from query.projection import Projection
from query.schema import create_statements, drop_statements
from query.store import RowStore

if TYPE_CHECKING:
    from ogi_platform.service.config import ServiceConfig

T = TypeVar("T")


class QueryApplication(OgiApplication):
    name = "query"
    service = "query"
    # No aggregates, so no aggregate cache.
    env: ClassVar[dict[str, str]] = {}

    def __init__(self, agency: str, env: dict[str, str] | None = None) -> None:
        super().__init__(agency, env)
        recorder: Any = self.recorder  # both of eventsourcing's recorders keep their datastore
        self.datastore = recorder.datastore
        self.dialect: Dialect = dialect_of(self.datastore)
        with self.datastore.transaction(commit=True) as cursor:
            for statement in create_statements(self.dialect):
                cursor.execute(statement)

    def configure(self, config: ServiceConfig | None) -> None:
        """The agencies' calendars, and whether this agency is a supervision bureau (whose read
        model keeps every agency's applications): from the agency file and calendar directory."""
        registry = load_agencies(config.agency_file if config else None)
        kind = next((a.kind for a in registry.all() if a.code == self.agency), "")
        self.calendars = Calendars(config.calendar_dir if config else None)
        self.projection = Projection(self.agency, kind == BUREAU, self.calendars.between)

    def unit_of_work(self, optimistic: bool = False) -> QueryBatch:
        return QueryBatch(self)  # no aggregates to take as new

    def apply(self, records: Sequence[EventRecord], tracking: Tracking | None) -> None:
        """Apply ``records`` to the rows they touch and record ``tracking``, in one transaction
        (runs in the store's writer)."""
        with self.datastore.transaction(commit=True) as cursor:
            store = RowStore(cursor, self.dialect)
            wanted = [self.projection.wanted(record) for record in records]
            rows = store.load(wanted)
            for record, rows_wanted in zip(records, wanted, strict=True):
                self.projection.apply(rows, record, rows_wanted)
            store.write(rows)
            if tracking is not None:
                recorder: Any = self.recorder  # eventsourcing's recorder, either database
                recorder._insert_tracking(cursor, tracking)

    def read(self, query: Callable[..., T], *args: Any) -> T:
        """``query(cursor, dialect, *args)`` in a read-only transaction."""
        with self.datastore.transaction(commit=False) as cursor:
            return query(cursor, self.dialect, *args)

    def drop(self) -> None:
        """Empty the read model and forget the bus positions it had applied (runs in the writer):
        the inbox then consumes the stream again from its first message (``InboxConsumer.replay``).
        eventsourcing's own tracking row (its table's format) stays."""
        recorder: Any = self.recorder
        tracking = self.dialect.table(getattr(recorder, "tracking_table_name", "tracking"))
        with self.datastore.transaction(commit=True) as cursor:
            for statement in drop_statements(self.dialect):
                cursor.execute(statement)
            cursor.execute(
                f"DELETE FROM {tracking} WHERE application_name <> {self.dialect.mark}",
                (recorder.table_migration_identifier,),
            )
            for statement in create_statements(self.dialect):
                cursor.execute(statement)

    def tidy(self) -> None:
        """After a rebuild: let the database's planner know the tables as they now are, and
        build the work queue's index again compact (a replay puts nearly every row in it and
        takes most out again); PostgreSQL also reclaims the row versions the replay left."""
        queue = self.dialect.table("applications_open_queue")
        if self.dialect.postgres:
            with self.datastore.get_connection() as conn:  # autocommit: VACUUM needs it
                for table in ("applications", "complaints", "consultations", "overdue_reports"):
                    conn.execute(f"VACUUM (ANALYZE) {self.dialect.table(table)}")
                conn.execute(f"REINDEX INDEX {queue}")
        else:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute(f"REINDEX {queue}")
                cursor.execute("PRAGMA optimize")


class QueryBatch(UnitOfWork):
    """The unit of work of a batch of inbound events: the handlers note them, the commit applies
    them all at once (``QueryApplication.apply``)."""

    def __init__(self, app: QueryApplication) -> None:
        super().__init__(app)
        self.query_app = app
        self.records: list[EventRecord] = []

    def note(self, record: EventRecord) -> None:
        self.records.append(record)

    def commit(self, tracking: Tracking | None = None) -> int:
        """Apply the noted events and record ``tracking``; returns the events applied."""
        if not self.records and tracking is None:
            return 0
        self.query_app.apply(self.records, tracking)
        return len(self.records)
