"""The annual report's read model of one agency: the facts projected from the report's own store.

It is kept in memory and brought up to date before every report by reading only what the inbox
stored since; ``drop`` empties the store and its tracking, so that the inbox consumes the bus
again from the start (``report.rebuild``).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.sqlite import SQLiteDatastore

from ogi_errors import IllegalStep
from ogi_report.counting import count_year
from ogi_report.facts import ApplicationFacts
from ogi_report.projection import FactsProjection
from ogi_report.table import AnnualTable
from report.application import ReportApplication

BATCH = 5000


class AnnualReadModel:
    def __init__(self, app: ReportApplication) -> None:
        self.app = app
        self.projection = FactsProjection(app.agency)
        self.position = 0

    def refresh(self) -> int:
        """Read what the inbox stored since the last refresh; returns the events applied."""
        decode = self.app.mapper.transcoder.decode
        applied = 0
        while True:
            notifications = self.app.notifications(self.position, BATCH)
            for notification in notifications:
                state = decode(notification.state)
                self.projection.apply(state["event_type"], state["data"])
                applied += 1
                self.position = notification.id
            if len(notifications) < BATCH:
                return applied

    def drop(self) -> None:
        """Empty the store's events and positions (run in the store's writer), and forget them.
        eventsourcing's own row (its tracking table's format) stays."""
        recorder: Any = self.app.recorder
        datastore = recorder.datastore
        events = recorder.events_table_name
        tracking = getattr(recorder, "tracking_table_name", "tracking")  # SQLite: "tracking"
        mark = "?"
        if not isinstance(datastore, SQLiteDatastore):  # PostgreSQL: the agency's schema
            events, tracking = (f"{datastore.schema}.{t}" for t in (events, tracking))
            mark = "%s"
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(f"DELETE FROM {events}")
            cursor.execute(
                f"DELETE FROM {tracking} WHERE application_name <> {mark}",
                (recorder.table_migration_identifier,),
            )
        self.projection = FactsProjection(self.app.agency)
        self.position = 0

    def facts(self) -> list[ApplicationFacts]:
        self.refresh()
        return self.projection.facts()

    def table(self, year: int) -> AnnualTable:
        """Part 三 and 四 for ``year``, checked (BrokenTable names a cell that breaks a rule)."""
        agency = self.app.agency
        try:
            table = count_year(self.facts(), agency, year)
        except ValueError as error:  # stored events no rule can count: say which, do not guess
            raise IllegalStep(f"the events of {agency} cannot be counted: {error}") from None
        table.check()
        return table
