"""Inbound events for reply: a decision becomes a reply letter; clock facts feed the deadline."""

from __future__ import annotations

from datetime import date

from ogi_contracts.reply import REPLY_DELIVERED
from ogi_contracts.review import DECISION_MADE, HANDLING_REOPENED
from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord, caused_by
from ogi_platform.today import today_in_china
from reply.application import SYSTEM, ReplyApplication, reply_id
from reply.clockfacts import CLOCK_EVENTS, clock_fact
from reply.deadline import Deadline, deadline_id
from reply.domain import Reply
from reply.letter import compose_letter

#: Clock events the reply service states itself rather than hears about.
OWN_CLOCK_EVENTS = {REPLY_DELIVERED}


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    agency = registry.get(app.agency)

    def watch(deadline: Deadline) -> None:
        assert isinstance(app, ReplyApplication)  # the runtime builds the spec's application
        deadline.watch(app.calendar, today_in_china(), app.due_soon_days, SYSTEM)

    def on_decided(uow: UnitOfWork, record: EventRecord) -> None:
        existing = uow.find(reply_id(record.application_id), Reply)
        if existing is not None and (existing.has_handled(record.event_id)):
            return
        application = record.data["application"]
        letter_number = f"{application['application_number']}-答"
        if existing is not None:
            letter_number += f"-{existing.letters + 1}"
        letter = compose_letter(
            agency, application, record.data, letter_number, date.fromisoformat(record.occurred_on)
        )
        if existing is not None:
            existing.reissue(
                letter_number, record.data["outcome"], letter, caused_by(record, SYSTEM)
            )
            return
        uow.add(
            Reply(
                application=application,
                letter_number=letter_number,
                outcome=record.data["outcome"],
                letter_text=letter,
                meta=caused_by(record, SYSTEM),
            )
        )

    def on_clock_event(uow: UnitOfWork, record: EventRecord) -> None:
        deadline = uow.find(deadline_id(record.application_id), Deadline)
        if deadline is None:
            if record.type != "ApplicationAccepted":
                return
            deadline = Deadline(
                application_id=record.application_id,
                agency=app.agency,
                received_on=record.data["application"]["received_on"],
                meta=caused_by(record, SYSTEM),
            )
            uow.add(deadline)
        elif deadline.has_handled(record.event_id):
            return
        else:
            fact = clock_fact(record.type, date.fromisoformat(record.occurred_on), record.data)
            if fact is not None:
                deadline.note(fact, record.type, caused_by(record, SYSTEM))
        watch(deadline)

    def on_reopened(uow: UnitOfWork, record: EventRecord) -> None:
        deadline = uow.find(deadline_id(record.application_id), Deadline)
        if deadline is None or deadline.has_handled(record.event_id):
            return
        deadline.reopen(
            date.fromisoformat(record.occurred_on), record.type, caused_by(record, SYSTEM)
        )
        watch(deadline)

    clock_handlers: dict[str, Handler] = {
        event_type: on_clock_event for event_type in CLOCK_EVENTS - OWN_CLOCK_EVENTS
    }
    return clock_handlers | {DECISION_MADE: on_decided, HANDLING_REOPENED: on_reopened}
