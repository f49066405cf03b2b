"""Which agency's store holds an application: an index kept by the process, so that locating
asks the stores that hold the application, not every store the process serves (issue 13).

Every store a process serves records its commits' application ids in the index (``note``,
called by the store's commit listener), so once a process has started, the index knows every
store that recorded an event of an application since. What the stores held before it started
the index learns from its ledger (``eventstore.holders``: application -> agencies, and how far
each store's log was indexed), which it writes what the commits noted every ``WRITE_SECONDS``
(and when the process stops), each store's indexed position with the rows up to it. A store
whose log goes further than its ledger says (a process that crashed before writing its last
second, a ledger made after the store) is "old" until the index has read its log from there
(``catch_up_step``, in the background); an application may be held by an old store unknown to
the index, and the first locating of one not yet verified asks the old stores (a statement
each, or one for a PostgreSQL database's) and marks the entry verified. So after a restart the
first locating of an application asks the ledger (one statement), not the thousand stores of a
province; a process whose stores were all empty when it started never asks the ledger.

The entries in memory are bounded (``MAX_ENTRIES``, the least recently used forgotten first):
with a ledger, a forgotten entry is read from it again; without one (a process given none),
once the index has forgotten an entry, a store that recorded that application may be missing
from a later entry, so from then on an application not yet verified is looked for in every
store. The index is a cache: always correct, whatever it has forgotten or the process never saw.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from ogi_platform.eventstore.application import OgiApplication, applications_of
from ogi_platform.eventstore.history import asked_together, holding_each
from ogi_platform.eventstore.holders import HoldersLedger

T = TypeVar("T")

log = logging.getLogger(__name__)

#: How many applications the index remembers (about 150 bytes each).
MAX_ENTRIES = 200_000
#: How often what the stores committed is written to the ledger.
WRITE_SECONDS = 1.0
#: How many entries of an old store's log the index reads at once when it catches up with it
#: (a few tens of milliseconds: a process stopping waits for the read under way,
#: ``stop_catching_up``).
CATCH_UP_BATCH = 200


@dataclass
class _Entry:
    #: The stores (agency codes) known to have recorded an event of the application.
    agencies: set[str] = field(default_factory=set)
    #: Whether ``agencies`` is known to hold every store that holds the application.
    verified: bool = False
    #: Whether the ledger's holders were added (the stores it covers are in ``agencies``).
    read: bool = False


@dataclass
class _Behind:
    """An old store the index is catching up with: its log read after ``done`` up to ``last``
    (its last entry when the process started)."""

    app: OgiApplication
    done: int
    last: int


def _add(rows: dict[str, set[str]], more: Mapping[str, Iterable[str]]) -> None:
    for application_id, agencies in more.items():
        rows.setdefault(application_id, set()).update(agencies)


class ApplicationIndex:
    """Application id -> the agencies whose stores recorded its events; thread-safe (noted from
    the stores' writers, read by the requests)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, ledger: HoldersLedger | None = None):
        self.max_entries = max_entries
        self.ledger = ledger
        self._entries: dict[str, _Entry] = {}
        self._old: set[str] = set()
        self._everywhere: set[str] = set()
        self._forgot = False
        self._lock = threading.Lock()
        #: How far the ledger says each store was indexed (read once, at the start).
        self._indexed = ledger.indexed() if ledger else {}
        #: Whether any store held events at the start (else the ledger knows nothing to ask).
        self._ask_ledger = False
        #: Old stores to catch up with, by agency.
        self._behind: dict[str, _Behind] = {}
        #: What is to be written to the ledger: rows, stores' positions, stores emptied...
        self._rows: dict[str, set[str]] = {}
        self._marks: dict[str, int] = {}
        self._cleared: set[str] = set()
        #: ...the rows being written, and how many writes committed (``candidates_of``).
        self._writing: dict[str, set[str]] = {}
        self._written = 0
        self._write_lock = threading.Lock()
        #: The last notification id each store committed in this process.
        self._noted_up_to: dict[str, int] = {}
        #: Whether what the stores commit is still written to the ledger (not after more than
        #: ``max_entries`` applications' rows failed to be written: ``_give_up_writing``).
        self._writes_ledger = ledger is not None
        #: Held while an old store's log is read (``catch_up_step``).
        self._reading = threading.Lock()

    def serve(self, app: OgiApplication) -> None:
        """Index the store of ``app`` from now on (before it commits anything in this process):
        its commits are noted; if its log goes further than the ledger says (or there is no
        ledger and it holds events), it is an old store."""
        agency = app.agency
        app.on_recorded(lambda ids, up_to: self.note(agency, ids, up_to))
        # a commit that failed may have been stored: its store is a possible holder (locating
        # asks a holder's store before it answers), and its position comes with a later commit
        app.on_unsure(lambda ids: self.note(agency, ids))
        last = app.recorder.max_notification_id() or 0
        with self._lock:
            self._everywhere.add(agency)
            done = self._indexed.get(agency, 0)
            if done > last:  # the store was emptied, or made again: its rows go
                self._cleared.add(agency)
                self._marks[agency] = done = 0
            if not last:
                return
            self._ask_ledger = True
            if self.ledger is None or done < last:
                self._old.add(agency)
            if self.ledger is not None and done < last:
                self._behind[agency] = _Behind(app, done, last)

    def note(self, agency: str, application_ids: Iterable[str], up_to: int = 0) -> None:
        """``agency``'s store committed events of these applications, up to notification
        ``up_to``."""
        with self._lock:
            for application_id in application_ids:
                entry = self._entries.pop(application_id, None) or _Entry()
                entry.agencies.add(agency)
                self._entries[application_id] = entry  # the most recently used, last
                if self._writes_ledger:
                    self._rows.setdefault(application_id, set()).add(agency)
            self._noted_up_to[agency] = max(self._noted_up_to.get(agency, 0), up_to)
            if self._writes_ledger and agency not in self._old and up_to:  # 0: position unknown
                self._marks[agency] = self._noted_up_to[agency]
            self._forget_beyond_bound()

    def _candidates(
        self, entry: _Entry | None, everywhere: bool = False
    ) -> tuple[set[str], set[str]]:
        """What ``entry`` knows, and the stores that may hold the application unknown to it:
        the old ones, or (``everywhere``, or once an index without a ledger forgot) all."""
        known = set(entry.agencies) if entry else set()
        if entry is not None and entry.verified:
            return known, set()
        everywhere = everywhere or (self._forgot and self.ledger is None)
        unknown = (self._everywhere if everywhere else self._old) - known
        return known, unknown

    async def candidates_of(self, application_id: str) -> tuple[set[str], set[str]]:
        """The agencies known to hold the application, and those that may hold it unknown to
        the index (to be asked, then given to ``verified``). The ledger's holders are added to
        an entry that has not had them (in a thread: one statement)."""
        while True:
            with self._lock:
                entry = self._entries.get(application_id)
                # The ledger holds what the stores held at the start, and what was forgotten.
                asked = self._ask_ledger or self._forgot
                complete = entry is not None and (entry.read or entry.verified)
                if self.ledger is None or not asked or complete:
                    return self._candidates(entry)
                written = self._written
            try:
                held = await asyncio.to_thread(self.ledger.holders, application_id)
            except Exception as error:  # the ledger away: every store may hold it
                log.warning("the locating ledger cannot be read: %s", error)
                with self._lock:
                    return self._candidates(self._entries.get(application_id), everywhere=True)
            with self._lock:
                if self._written != written:  # rows written meanwhile: read them too
                    continue
                entry = self._entries.pop(application_id, None) or _Entry()
                entry.agencies |= held
                entry.agencies |= self._rows.get(application_id, set())
                entry.agencies |= self._writing.get(application_id, set())
                entry.read = True
                entry.verified = entry.verified or not self._old - entry.agencies
                if entry.agencies:  # an id held nowhere takes no room
                    self._entries[application_id] = entry
                    self._forget_beyond_bound()
                return self._candidates(entry)

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

    # -- the ledger ------------------------------------------------------------------------

    @property
    def behind(self) -> bool:
        """Whether old stores remain to catch up with."""
        return bool(self._behind)

    def catch_up_step(self) -> None:
        """Read the next ``CATCH_UP_BATCH`` entries of an old store's log, note what they are
        about, and write it to the ledger (run in a thread). A store read to where its log was
        at the start is no longer old: the commits since were noted."""
        with self._reading:  # the stores stay open meanwhile (``stop_catching_up``)
            with self._lock:
                if not self._behind:
                    return
                agency, behind = next(iter(self._behind.items()))
            app = behind.app
            notifications = app.recorder.select_notifications(
                start=behind.done, stop=behind.last, limit=CATCH_UP_BATCH, inclusive_of_start=False
            )
            try:
                about = applications_of(app.mapper.to_domain_event(n) for n in notifications)
            except Exception as error:  # an event this version cannot read: the store stays old
                log.warning("the locating index cannot read %s's log; asked: %s", agency, error)
                with self._lock:
                    self._behind.pop(agency, None)
                return
        done = max((n.id for n in notifications), default=behind.last)
        with self._lock:
            if self._behind.get(agency) is not behind:  # given up meanwhile: the store stays old
                return
            for application_id in about:
                self._rows.setdefault(application_id, set()).add(agency)
                entry = self._entries.get(application_id)
                if entry is not None:
                    entry.agencies.add(agency)
            if done >= behind.last:
                del self._behind[agency]
                self._old.discard(agency)
                self._marks[agency] = max(behind.last, self._noted_up_to.get(agency, 0))
            else:
                behind.done = done
                self._marks[agency] = done
        self.write()

    def stop_catching_up(self) -> None:
        """Wait for the read of an old store's log under way, and start no other (before the
        stores close: SQLite crashes on a connection closed under a reading thread)."""
        with self._reading, self._lock:
            self._old |= set(self._behind)
            self._behind = {}

    def write(self) -> None:
        """Write what is to be written to the ledger, in one transaction (run in a thread);
        what fails to be written stays to be written."""
        if self.ledger is None:
            return
        with self._write_lock:
            with self._lock:
                rows, marks, cleared = self._rows, self._marks, self._cleared
                if not (rows or marks or cleared):
                    return
                self._rows, self._marks, self._cleared = {}, {}, set()
                self._writing = rows
            try:
                self.ledger.write(
                    [(a, agency) for a, agencies in rows.items() for agency in agencies],
                    marks,
                    cleared,
                )
            except BaseException:
                with self._lock:
                    _add(self._rows, rows)
                    self._marks = marks | self._marks
                    self._cleared |= cleared
                    self._writing = {}
                    if len(self._rows) > self.max_entries:
                        self._give_up_writing()
                raise
            with self._lock:
                self._writing = {}
                self._written += 1

    def _give_up_writing(self) -> None:
        """Write no more to the ledger in this process (with ``_lock``): what it failed to
        write is dropped, and every store is old from now on (asked for an application not yet
        verified, as without a ledger: the ledger no longer knows all the stores hold); its
        positions stay where they were written, so the next start reads the logs from there."""
        log.warning(
            "the locating ledger could not be written for %d applications; "
            "every store is asked until the next start",
            len(self._rows),
        )
        self._old |= self._everywhere
        # a store emptied keeps its position 0 with the clearing of its rows
        self._rows, self._marks, self._behind = {}, dict.fromkeys(self._cleared, 0), {}
        self._writes_ledger = False

    async def keep(self) -> None:
        """Catch up with the old stores, and write what the stores commit every
        ``WRITE_SECONDS`` (for the life of the process); a step or a write that fails is
        tried again a second later."""
        while True:
            try:
                if self.behind:
                    await asyncio.to_thread(self.catch_up_step)
                    continue
            except Exception as error:
                log.warning("the locating index cannot catch up with a store: %s", error)
            await asyncio.sleep(WRITE_SECONDS)
            try:
                await asyncio.to_thread(self.write)
            except Exception as error:  # kept to be written the next time
                log.warning("the locating ledger cannot be written: %s", error)


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
    known, unknown = await index.candidates_of(application_id)
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
