"""Small read models kept from a store's notification log, rebuilt from it at every start."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from ogi_platform.eventstore.aggregate import OgiAggregate
from ogi_platform.eventstore.application import OgiApplication

A = TypeVar("A", bound=OgiAggregate)


class OpenSet:
    """The aggregates that are open: an ``opens`` event seen and no ``closes`` event since.

    ``refresh()`` reads only what was recorded since the last call, and nothing if the process
    committed nothing since (``OgiApplication.commits``: a thousand idle stores ticking every
    minute ask their databases nothing); a new instance reads the whole log once.
    """

    def __init__(self, app: OgiApplication, opens: set[str], closes: set[str]) -> None:
        self.app = app
        self.opens = opens
        self.closes = closes
        self.position = 0
        self.ids: set[UUID] = set()
        #: The app's count of commits when the log was last read (None: never read).
        self._read_after: int | None = None

    def refresh(self, batch: int = 1000) -> set[UUID]:
        if self._read_after == self.app.commits:
            return self.ids
        # Counted before reading: a commit that ends meanwhile is read now or at the next call.
        commits = self.app.commits
        while True:
            notifications = self.app.notifications(self.position, batch)
            for notification in notifications:
                name = notification.topic.rsplit(".", 1)[-1]
                originator = UUID(str(notification.originator_id))
                if name in self.opens:
                    self.ids.add(originator)
                elif name in self.closes:
                    self.ids.discard(originator)
                self.position = notification.id
            if len(notifications) < batch:
                self._read_after = commits
                return self.ids

    def act_on_each(self, kind: type[A], act: Callable[[A], bool]) -> int:
        """Refresh, then give each open aggregate to ``act``; commit those it changed."""
        stored = 0
        for aggregate_id in sorted(self.refresh()):
            uow = self.app.unit_of_work()
            aggregate = uow.get(aggregate_id, kind, kind.__name__)
            if act(aggregate):
                stored += uow.commit()
        return stored
