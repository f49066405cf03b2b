"""The query service's inbox: every event the projection acts on (its contract,
ogi_contracts.query, lists them) is noted in the batch, and applied with the whole batch when it
commits (query.application)."""

from __future__ import annotations

from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord
from query.application import QueryBatch
from query.projection import EVENT_TYPES


def note(uow: UnitOfWork, record: EventRecord) -> None:
    assert isinstance(uow, QueryBatch)  # the query application's unit of work
    uow.note(record)


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    return dict.fromkeys(sorted(EVENT_TYPES), note)
