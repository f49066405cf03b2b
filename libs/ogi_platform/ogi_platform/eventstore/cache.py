"""The aggregates a store's writer keeps in memory between commands (issue 13: a SELECT of newer
events on every cached get made the single writer wait on the database for nothing).

A store has one writer (its writer lock; its jobs run one at a time: eventstore.writer), so
what this process committed is all the store holds: a cached aggregate is used as it is, never
fast-forwarded. The writer alone fills the cache: a unit of work loads into it (``load``) and a
commit puts in what it stored (eventsourcing's ``Application._record``, without fast-forwarding);
a commit that raised forgets what it held (``forget``: it may have stored it nonetheless), to be
loaded from the store again. Reads from other threads (``find``) use the cache and never fill it:
an aggregate a reader loaded before a commit and put in after it would hide that commit.

Everything handed out is a copy: a command that changes an aggregate and then fails, alone or
in a group, leaves the cache as it was. A snapshot is looked for only for the kinds that take
snapshots (one SELECT less for every other aggregate not yet in memory).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from itertools import chain
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application, project_aggregate

from ogi_platform.eventstore.aggregate import OgiAggregate

A = TypeVar("A", bound=OgiAggregate)


class WriterCache:
    """The aggregates of one application's store, as its writer last stored or loaded them."""

    def __init__(self, app: Application[UUID]) -> None:
        self.app = app

    def load(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """A copy of the aggregate, kept in memory for the next time (the writer only)."""
        cache = self.app.repository.cache
        cached = self._cached(aggregate_id)
        if cached is None:
            cached = self._stored(aggregate_id, kind)
            if cached is None:
                return None
            if cache is not None:
                cache.put(aggregate_id, cached)
        return _copy_of(cached, kind)

    def find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """A copy of the aggregate, from memory if the writer keeps it (any thread)."""
        cached = self._cached(aggregate_id)
        if cached is None:
            return self._stored(aggregate_id, kind)
        return _copy_of(cached, kind)

    def holds(self, aggregate_id: UUID) -> bool:
        """Whether the aggregate is in memory."""
        return self._cached(aggregate_id) is not None

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        """Load these aggregates from the store next time."""
        cache = self.app.repository.cache
        if cache is None:
            return
        for aggregate_id in aggregate_ids:
            try:
                cache.get(aggregate_id, evict=True)
            except KeyError:
                continue

    def _cached(self, aggregate_id: UUID) -> Any:
        cache = self.app.repository.cache
        if cache is None:
            return None
        try:
            return cache.get(aggregate_id)
        except KeyError:
            return None

    def _stored(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """The aggregate from its latest snapshot (kinds that take them) and the events after."""
        snapshots: list[Any] = []
        if self.app.snapshots is not None and any(
            issubclass(taking, kind) for taking in self.app.snapshotting_intervals or {}
        ):
            snapshots = list(self.app.snapshots.get(aggregate_id, desc=True, limit=1))
        after = snapshots[0].originator_version if snapshots else None
        events = self.app.events.get(aggregate_id, gt=after)
        aggregate = project_aggregate(None, chain(snapshots, events))
        if aggregate is None:
            return None
        assert isinstance(aggregate, kind)
        return aggregate


def _copy_of(aggregate: Any, kind: type[A]) -> A:
    assert isinstance(aggregate, kind)
    return copy.deepcopy(aggregate)
