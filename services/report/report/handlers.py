"""The report's inbox: every event the annual report counts, as its agency's own services sent
it (the contract, ogi_contracts.report, takes them from the agency itself only)."""

from __future__ import annotations

from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord
from ogi_report.projection import EVENT_TYPES
from report.application import Counted, counted_id, facts_of


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    def count(uow: UnitOfWork, record: EventRecord) -> None:
        if uow.find_to_create(counted_id(record.event_id), Counted) is not None:
            return  # republished after the duplicate window: counted already
        uow.add(Counted(record.event_id, record.type, facts_of(record)))

    return dict.fromkeys(sorted(EVENT_TYPES), count)
