"""The annual report's read model: the facts of one agency's applications, read from the
notification logs of its intake, review and reply stores.

It is kept in memory and brought up to date before every report by reading only what was
recorded since (positions per store); dropping it and reading every log again from the start
gives the same facts, which is what ``rebuild`` does.
"""

from __future__ import annotations

from collections.abc import Mapping

from ogi_errors import IllegalStep
from ogi_platform.eventstore.application import OgiApplication
from ogi_report.counting import count_year
from ogi_report.facts import ApplicationFacts
from ogi_report.projection import EVENT_TYPES, FactsProjection
from ogi_report.table import AnnualTable

#: The services whose stores hold the events the report counts, in the order they are read.
SOURCES = ("intake", "review", "reply")
BATCH = 5000


class AnnualReadModel:
    def __init__(self, agency: str, stores: Mapping[str, OgiApplication]) -> None:
        missing = set(SOURCES) - set(stores)
        if missing:
            raise ValueError(f"the annual report needs the {', '.join(sorted(missing))} store")
        self.agency = agency
        self.stores = dict(stores)
        self.projection = FactsProjection(agency)
        self.positions = dict.fromkeys(SOURCES, 0)

    def refresh(self) -> int:
        """Read what the stores recorded since the last refresh; returns the events applied."""
        applied = 0
        for service in SOURCES:
            store = self.stores[service]
            decode = store.mapper.transcoder.decode
            while True:
                notifications = store.notifications(self.positions[service], BATCH)
                for notification in notifications:
                    event_type = notification.topic.rsplit(".", 1)[-1]
                    if event_type in EVENT_TYPES:
                        self.projection.apply(event_type, decode(notification.state))
                        applied += 1
                    self.positions[service] = notification.id
                if len(notifications) < BATCH:
                    break
        return applied

    def rebuild(self) -> int:
        """Drop everything and read every store from its first event."""
        self.projection = FactsProjection(self.agency)
        self.positions = dict.fromkeys(SOURCES, 0)
        return self.refresh()

    def facts(self) -> list[ApplicationFacts]:
        self.refresh()
        return self.projection.facts()

    def table(self, year: int) -> AnnualTable:
        """Part 三 and 四 for ``year``, checked (BrokenTable names a cell that breaks a rule)."""
        try:
            table = count_year(self.facts(), self.agency, year)
        except ValueError as error:  # stored events no rule can count: say which, do not guess
            raise IllegalStep(f"the events of {self.agency} cannot be counted: {error}") from None
        table.check()
        return table
