"""Which agency's store holds an application: an index kept by the process, so that locating
asks the stores that hold the application, not every store the process serves (issue 13).

Every store a process serves records its commits' application ids in the index (``note``,
called by the store's commit listener), so once a process has started, the index knows every
store that recorded an event of an application since. What it cannot know is what the stores
held before the process started: a store that held any event then is "old", and an application
not yet verified may also be held by an old store. The first locating of such an application
asks the old stores (a scan, as locating did before the index) and marks the entry verified;
from then on, the commits keep it complete. A process whose stores were all empty when it
started never scans.

The index is bounded (``MAX_ENTRIES``, the least recently used forgotten first): once it has
forgotten an entry, a store that recorded that application may be missing from a later entry,
so from then on an application not yet verified is looked for in every store. It is a cache:
always correct, whatever it has forgotten or the process never saw.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.history import asked_together, holding_each

T = TypeVar("T")

#: How many applications the index remembers (about 150 bytes each).
MAX_ENTRIES = 200_000


@dataclass
class _Entry:
    #: The stores (agency codes) known to have recorded an event of the application.
    agencies: set[str] = field(default_factory=set)
    #: Whether ``agencies`` is known to hold every store that holds the application.
    verified: bool = False


class ApplicationIndex:
    """Application id -> the agencies whose stores recorded its events; thread-safe (noted from
    the stores' writers, read by the requests)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: dict[str, _Entry] = {}
        self._old: set[str] = set()
        self._everywhere: set[str] = set()
        self._forgot = False
        self._lock = threading.Lock()

    def serve(self, app: OgiApplication) -> None:
        """Index the store of ``app`` from now on (before it commits anything in this process):
        its commits are noted; if it already holds events, it is an old store."""
        app.on_recorded(lambda ids: self.note(app.agency, ids))
        with self._lock:
            self._everywhere.add(app.agency)
        if app.recorder.max_notification_id():
            with self._lock:
                self._old.add(app.agency)

    def note(self, agency: str, application_ids: Iterable[str]) -> None:
        """``agency``'s store committed events of these applications."""
        with self._lock:
            for application_id in application_ids:
                entry = self._entries.pop(application_id, None) or _Entry()
                entry.agencies.add(agency)
                self._entries[application_id] = entry  # the most recently used, last
            self._forget_beyond_bound()

    def candidates(self, application_id: str) -> tuple[set[str], set[str]]:
        """The agencies known to hold the application, and those that may hold it unknown to
        the index (to be asked, then given to ``verified``)."""
        with self._lock:
            entry = self._entries.get(application_id)
            known = set(entry.agencies) if entry else set()
            if entry is not None and entry.verified:
                return known, set()
            unknown = (self._everywhere if self._forgot else self._old) - known
            return known, unknown

    def stores_of(self, application_id: str) -> set[str]:
        """The agencies whose stores may hold events of the application (a superset)."""
        known, unknown = self.candidates(application_id)
        return known | unknown

    def verified(self, application_id: str, holders: Collection[str]) -> None:
        """Every store that may hold the application was asked: ``holders`` do. The entry is
        complete from now on (what was noted meanwhile is kept)."""
        with self._lock:
            entry = self._entries.pop(application_id, None) or _Entry()
            entry.agencies |= set(holders)
            entry.verified = True
            if entry.agencies:
                self._entries[application_id] = entry
            self._forget_beyond_bound()

    def _forget_beyond_bound(self) -> None:
        while len(self._entries) > self.max_entries:
            del self._entries[next(iter(self._entries))]
            self._forgot = True


@dataclass(frozen=True)
class Holding:
    """A store that holds the application: whether it handles it (it did not forward it away,
    nor was it only consulted) and when it last recorded an event of it."""

    agency: str
    handles: bool
    last_activity: datetime


async def each_store(
    apps: Sequence[OgiApplication],
    ask: Callable[[Sequence[OgiApplication], str], list[T]],
    application_id: str,
) -> dict[str, T]:
    """Each store's answer to ``ask`` (``holding_each``, ``histories_of``) about the
    application, by agency: the stores asked in the groups of ``asked_together``, side by
    side, each group in a thread."""
    groups = asked_together(apps)
    answers = await asyncio.gather(
        *(asyncio.to_thread(ask, group, application_id) for group in groups)
    )
    return {
        app.agency: answer
        for group, answered in zip(groups, answers, strict=True)
        for app, answer in zip(group, answered, strict=True)
    }


def holding(app: OgiApplication, application_id: str) -> Holding | None:
    """What ``app``'s store holds of the application (None: nothing); reads the store (run in
    a thread)."""
    seen = app.last_activity(application_id)
    if seen is None:
        return None
    return Holding(app.agency, not app.not_handled_here(application_id), seen)


async def holders_of(
    index: ApplicationIndex, apps: Mapping[str, OgiApplication], application_id: str
) -> list[str]:
    """The agencies, in the order of ``apps``, whose stores hold the application: those the
    index knows of, and of those that may hold it unknown to the index, the ones that say they
    do (``asked_together``: the PostgreSQL stores of the process's database in one statement,
    the others in turn; after a restart, every store that held events before may hold it, a
    province's thousand); the index learns the answer."""
    known, unknown = index.candidates(application_id)
    maybe = [app for code, app in apps.items() if code in unknown]
    held = await each_store(maybe, holding_each, application_id)
    holders = known | {agency for agency, holds in held.items() if holds}
    if unknown:
        index.verified(application_id, holders)
    return [code for code in apps if code in holders]


async def handling_agency(
    index: ApplicationIndex, apps: Mapping[str, OgiApplication], application_id: str
) -> str | None:
    """The agency whose store holds the application (after forwards, the one that did not
    forward it away, else the one that acted on it last; of two alike, the first of ``apps``);
    None if no store holds it. Only the stores that hold it are read (``holders_of``)."""
    holders = await holders_of(index, apps, application_id)
    found = [
        h
        for h in await asyncio.gather(
            *(asyncio.to_thread(holding, apps[code], application_id) for code in holders)
        )
        if h is not None
    ]
    if not found:
        return None
    return max(found, key=lambda h: (h.handles, h.last_activity)).agency
