"""Inbound events for intake: the reply service's closing keeps intake's state in step."""

from __future__ import annotations

from govcommon.agencies import AgencyRegistry
from govcommon.application import OgiApplication, UnitOfWork
from govcommon.bus import Handler
from govcommon.envelope import EventRecord, caused_by
from intake.domain import Application

SYSTEM = "system:intake"


def on_application_closed(uow: UnitOfWork, record: EventRecord) -> None:
    application = uow.find(Application.create_id(record.application_id), Application)
    if application is None or application.has_handled(record.event_id):
        return
    application.note_closed(
        str(record.data.get("reason", "")),
        caused_by(record, SYSTEM),
    )


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    return {"ApplicationClosed": on_application_closed}
