"""Group commit: the commands queued while a store's writer was busy, handled in one unit of work
and committed in one transaction (issue 13: one transaction per command made the single writer
the limit of the whole system).

The commands run in the order they were queued, each seeing what the ones before it changed
(the unit of work holds the aggregates they loaded, made or changed); every command's events
commit together, or none. A command that raises is answered with its own error, and the group
runs again without it from fresh aggregates (a new unit of work, with fresh copies of what the
store holds: the one that failed may have changed an aggregate before raising, and nothing of it
may be stored or kept in memory, ``eventstore.cache``);
the others commit, as if each had run alone in that order. A transaction the store refuses
(say, an event too large for the bus) is retried a command at a time, so that only the command
that made it is refused. Every answer is given after the transaction holding its events
committed (the writer hands the answers over once this returns).

The group's unit of work is optimistic (``UnitOfWork.find_to_create``): a handler that makes an
aggregate when it does not exist takes one not in memory as new without asking the store. If one
existed after all, the commit fails on its first version and nothing is stored; the whole group
is handled again by a unit of work that looks each one up (its commands run again from the
start: one that failed may not fail then, since it saw an aggregate as new).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError

from ogi_platform.eventstore.writer import Failed

if TYPE_CHECKING:
    from ogi_platform.eventstore.application import OgiApplication
    from ogi_platform.eventstore.commands import Command


class _TakenAsNew(Exception):
    """An optimistic unit of work took an aggregate that exists as new: nothing was stored."""


def handle_together(app: OgiApplication, commands: Sequence[Command[Any]]) -> list[Any]:
    """Each command's result, or ``Failed`` with its error, in the order of ``commands``."""
    try:
        return _handle_together(app, commands, optimistic=True)
    except _TakenAsNew:
        return _handle_together(app, commands, optimistic=False)


def _handle_together(
    app: OgiApplication, commands: Sequence[Command[Any]], optimistic: bool
) -> list[Any]:
    answers: dict[int, Any] = {}
    remaining = list(range(len(commands)))
    while remaining:
        uow = app.unit_of_work(optimistic)
        results: dict[int, Any] = {}
        for index in remaining:
            try:
                results[index] = app.apply_command(uow, commands[index])
            except Exception as error:
                answers[index] = Failed(error)
                break
            uow.hand_out(results[index])
        if len(results) < len(remaining):  # one failed: again, without it
            remaining = [index for index in remaining if index not in answers]
            continue
        try:
            uow.commit()
        except Exception as error:
            refused = isinstance(error, IntegrityError)  # by the store: nothing was stored
            if refused and optimistic:
                raise _TakenAsNew from error
            if len(remaining) > 1 and (refused or not uow.stored()):
                answers |= {index: handle_alone(app, commands[index]) for index in remaining}
            else:  # refused alone, or stored and failed after (a snapshot): as handle() says
                answers |= dict.fromkeys(remaining, Failed(error))
            break
        answers |= results
        break
    return [answers[index] for index in range(len(commands))]


def handle_alone(app: OgiApplication, command: Command[Any]) -> Any:
    """The command in a transaction of its own: its result, or ``Failed``."""
    try:
        return app.handle(command)
    except Exception as error:
        return Failed(error)
