"""Inbound events for reply: a decision becomes a reply letter; clock facts feed the deadline."""

from __future__ import annotations

from datetime import date

from ogi_contracts.intake import APPLICATION_ACCEPTED
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

    def letter(record: EventRecord, letters: int) -> tuple[str, str]:
        """The number and text of the reply's ``letters``-th letter, from the decision
        ``record``, dated the day it was made: the application's number and 答, then -2, -3..."""
        application = record.data["application"]
        number = f"{application['application_number']}-答"
        if letters > 1:
            number += f"-{letters}"
        on = date.fromisoformat(record.occurred_on)
        return number, compose_letter(agency, application, record.data, number, on)

    def on_decided(uow: UnitOfWork, record: EventRecord) -> None:
        """A decision becomes the reply letter; after a reopening, the next letter."""
        key = reply_id(record.application_id)
        if uow.find_to_create(key, Reply) is None:
            number, text = letter(record, 1)
            uow.add(
                Reply(
                    application=record.data["application"],
                    letter_number=number,
                    outcome=record.data["outcome"],
                    letter_text=text,
                    meta=caused_by(record, SYSTEM),
                )
            )
            return
        reply = uow.unhandled(key, Reply, record)
        if reply is not None:
            number, text = letter(record, reply.letters + 1)
            reply.reissue(number, record.data["outcome"], text, caused_by(record, SYSTEM))

    def on_clock_event(uow: UnitOfWork, record: EventRecord) -> None:
        """The acceptance opens the deadline (nearly always new: taken as such without a
        lookup, ``UnitOfWork.find_to_create``); every later clock event notes its fact on it.
        Either way the deadline is then watched (a changed due date, a warning, overdue)."""
        key = deadline_id(record.application_id)
        opening = record.type == APPLICATION_ACCEPTED
        if (uow.find_to_create if opening else uow.find)(key, Deadline) is None:
            if opening:
                opened = Deadline(
                    application_id=record.application_id,
                    agency=app.agency,
                    received_on=record.data["application"]["received_on"],
                    meta=caused_by(record, SYSTEM),
                )
                uow.add(opened)
                watch(opened)
            return
        deadline = uow.unhandled(key, Deadline, record)
        if deadline is None:
            return
        fact = clock_fact(record.type, date.fromisoformat(record.occurred_on), record.data)
        if fact is not None:
            deadline.note(fact, record.type, caused_by(record, SYSTEM))
        watch(deadline)

    def on_reopened(uow: UnitOfWork, record: EventRecord) -> None:
        deadline = uow.unhandled(deadline_id(record.application_id), Deadline, record)
        if deadline is None:
            return
        deadline.reopen(
            date.fromisoformat(record.occurred_on), record.type, caused_by(record, SYSTEM)
        )
        watch(deadline)

    clock_handlers: dict[str, Handler] = {
        event_type: on_clock_event for event_type in CLOCK_EVENTS - OWN_CLOCK_EVENTS
    }
    return clock_handlers | {DECISION_MADE: on_decided, HANDLING_REOPENED: on_reopened}
