"""Inbound events for routing: an accepted application is assigned to the agency's OGI office."""

from __future__ import annotations

from ogi_contracts.intake import APPLICATION_ACCEPTED, APPLICATION_WITHDRAWN, CORRECTION_LAPSED
from ogi_contracts.reply import APPLICATION_CLOSED
from ogi_contracts.review import FEE_UNPAID_CLOSED
from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord, caused_by
from routing.application import routing_id
from routing.domain import Routing

SYSTEM = "system:routing"


def on_ended(uow: UnitOfWork, record: EventRecord) -> None:
    """The application ended elsewhere (withdrawn, lapsed, fee unpaid, closed): routing closes."""
    routing = uow.unhandled(routing_id(record.application_id), Routing, record)
    if routing is not None:
        routing.note_closed(record.type, caused_by(record, SYSTEM))


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    agency = registry.get(app.agency)

    def on_accepted(uow: UnitOfWork, record: EventRecord) -> None:
        """Assigned to the agency's default office, once (a redelivery finds it assigned)."""
        if uow.find_to_create(routing_id(record.application_id), Routing) is not None:
            return
        uow.add(
            Routing(
                application=record.data["application"],
                office=agency.default_office,
                meta=caused_by(record, SYSTEM),
            )
        )

    return {
        APPLICATION_ACCEPTED: on_accepted,
        APPLICATION_WITHDRAWN: on_ended,
        CORRECTION_LAPSED: on_ended,
        FEE_UNPAID_CLOSED: on_ended,
        APPLICATION_CLOSED: on_ended,
    }
