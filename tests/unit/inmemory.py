"""One service of one agency in memory, for rules stated as given events -> new events.

The service's real application on the in-memory event store and its real inbound handlers:
``hear`` tells it an event from the bus (in a unit of work of its own, as its inbox commits a
batch), ``handle`` runs one of its commands, ``tick`` lets a day pass; ``recorded`` reads back
the events it stored about an application, as its history shows them. No NATS, no database, no
process: what crosses processes is proven by the end-to-end stories (tests/e2e).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

import pytest
from eventsourcing.persistence import IntegrityError

from ogi_law.agencies import AgencyRegistry, load_agencies
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.commands import Command
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord

AppT = TypeVar("AppT", bound=OgiApplication)
T = TypeVar("T")

APP_ID = "A0000000000UT"
MUNICIPAL = "municipal-office"


class InMemoryService(Generic[AppT]):
    """``kind``'s service of ``agency``, its legal day set through ``OGI_TODAY`` as it is told
    events and days (a handler may read today's date, as the running service does)."""

    def __init__(
        self,
        kind: type[AppT],
        handlers: Callable[[OgiApplication, AgencyRegistry], dict[str, Handler]],
        monkeypatch: pytest.MonkeyPatch,
        agency: str = MUNICIPAL,
    ) -> None:
        self.app = kind(agency)
        self.handlers = handlers(self.app, load_agencies())
        self.monkeypatch = monkeypatch
        self.told = 0
        #: The last event told (to tell it again, as a redelivery).
        self.last_told: EventRecord | None = None

    def today(self, on: str) -> None:
        self.monkeypatch.setenv("OGI_TODAY", on)

    def hear(
        self,
        event_type: str,
        service: str,
        on: str,
        *,
        agency: str = MUNICIPAL,
        to_agency: str = "",
        application_id: str = APP_ID,
        **data: Any,
    ) -> None:
        """An event ``service`` of ``agency`` published on ``on`` (addressed to that agency
        unless ``to_agency`` says otherwise) reaches this service."""
        self.told += 1
        self.tell(
            EventRecord(
                event_id=f"{service}-{event_type}-{self.told}",
                application_id=application_id,
                agency=agency,
                service=service,
                type=event_type,
                schema_version=1,
                occurred_on=on,
                recorded_at=datetime.fromisoformat(on).replace(tzinfo=UTC),
                actor="test",
                correlation_id="",
                causation_id="",
                to_agency=to_agency or agency,
                position=self.told,
                aggregate_version=1,
                data=data,
            )
        )

    def tell(self, record: EventRecord) -> None:
        """``record`` (hand-made, or recorded by another service in memory) reaches this one, on
        its legal day."""
        self.today(record.occurred_on)
        self.last_told = record
        try:  # as the inbox applies it: what a handler makes is taken as new, ...
            self._apply(self.app.unit_of_work(optimistic=True), record)
        except IntegrityError:  # ... unless it existed: then again, looking each one up
            self._apply(self.app.unit_of_work(), record)

    def _apply(self, uow: UnitOfWork, record: EventRecord) -> None:
        self.handlers[record.type](uow, record)
        uow.commit()

    def handle(self, command: Command[T]) -> T:
        self.today(command.on.isoformat())
        return self.app.handle(command)

    def tick(self, on: str) -> int:
        """The service's daily tick on ``on``: what time brought, the number of events stored."""
        self.today(on)
        return self.app.tick(date.fromisoformat(on))

    def recorded(self, event_type: str = "", application_id: str = APP_ID) -> list[EventRecord]:
        """The events stored about the application (of ``event_type`` only, if given)."""
        history = self.app.history(application_id)
        return [e for e in history if not event_type or e.type == event_type]

    def types(self, application_id: str = APP_ID) -> list[str]:
        return [e.type for e in self.recorded(application_id=application_id)]
