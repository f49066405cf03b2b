"""Commands: typed requests to change one service's state, each handled in one unit of work.

A service declares its commands as frozen dataclasses deriving from :class:`Command` (the type
parameter is what handling one returns) and marks the application method that handles each
with :func:`handles`. ``OgiApplication.handle(command)`` then finds the method, gives it a fresh
unit of work, and commits what it changed, all or nothing: one path for every command of every
service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from ogi_platform.eventstore.application import UnitOfWork

T = TypeVar("T")
C = TypeVar("C", bound="Command[Any]")
F = TypeVar("F", bound=Callable[..., Any])

#: Where :func:`handles` notes the command type on the method it marks.
HANDLES_ATTRIBUTE = "__ogi_handles__"


@dataclass(frozen=True, kw_only=True)
class Command(Generic[T]):
    """Who asks for the change, and the legal date it takes effect."""

    actor: str
    on: date


@dataclass(frozen=True, kw_only=True)
class ApplicationCommand(Command[T]):
    """A command about one application."""

    application_id: str


def handles(kind: type[C]) -> Callable[[F], F]:
    """Mark an application method ``(self, uow, command) -> result`` as the handler of ``kind``."""

    def mark(method: F) -> F:
        setattr(method, HANDLES_ATTRIBUTE, kind)
        return method

    return mark


CommandHandler = Callable[[Any, "UnitOfWork", Any], Any]


def handlers_of(cls: type) -> dict[type[Command[Any]], CommandHandler]:
    """The command handlers ``cls`` and its bases mark with :func:`handles`, by command type."""
    found: dict[type[Command[Any]], CommandHandler] = {}
    for klass in reversed(cls.__mro__):
        for member in vars(klass).values():
            kind = getattr(member, HANDLES_ATTRIBUTE, None)
            if kind is not None:
                found[kind] = member
    return found
