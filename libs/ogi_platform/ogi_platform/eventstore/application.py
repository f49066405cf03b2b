"""The eventsourcing Application every service builds on, and the unit of work its commands use."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import (
    JSONTranscoder,
    Notification,
    PersistenceError,
    ProcessRecorder,
    Recording,
    Tracking,
    Transcoding,
)

from ogi_errors import InvalidInput, NotFound
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate
from ogi_platform.eventstore.cache import WriterCache
from ogi_platform.eventstore.commands import Command, CommandHandler, handlers_of
from ogi_platform.eventstore.groupcommit import handle_together
from ogi_platform.eventstore.history import Numbered, history_of, holds_any
from ogi_platform.messaging.envelope import EventRecord, record_of
from ogi_platform.messaging.wire import encode

if TYPE_CHECKING:
    from ogi_platform.service.config import ServiceConfig

log = logging.getLogger(__name__)

A = TypeVar("A", bound=OgiAggregate)
T = TypeVar("T")

#: The largest bus message an event may make: well below NATS's default ``max_payload`` (1 MiB),
#: so that no stored event can block its relay.
MAX_EVENT_BYTES = 512 * 1024


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class SnapshotFailed(PersistenceError):
    """The events of a commit were stored, but taking a snapshot after them failed. (Whatever
    the store raised: an ``IntegrityError`` out of ``record`` means nothing was stored.)"""


class OgiApplication(Application[UUID]):
    """One service's event-sourced application for one agency.

    Its recorder is a process recorder, so inbound events and the tracking of the upstream
    position commit in one transaction.
    """

    service: ClassVar[str] = ""
    #: The methods marked with ``commands.handles``, by command type (filled per subclass).
    command_handlers: ClassVar[dict[type[Command[Any]], CommandHandler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.command_handlers = handlers_of(cls)

    # Each store has a single writer, so the aggregates it committed are what the store holds:
    # a commit puts them in the cache and a get uses them without asking the store
    # (``eventstore.cache``: the writer alone fills it, everything handed out is a copy).
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "5000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
    }

    def __init__(self, agency: str, env: dict[str, str] | None = None) -> None:
        self.agency = agency
        self._commit_listeners: list[Callable[[Sequence[Recording[UUID]]], None]] = []
        self._recorded_listeners: list[Callable[[set[str], int], None]] = []
        self._unsure_listeners: list[Callable[[set[str]], None]] = []
        #: How many commits of events this process tried (counted once each has stored or
        #: failed): what it keeps of the store's log in memory is read again only after one
        #: (``readmodel.OpenSet``; the store's one writer is this process).
        self.commits = 0
        self.configure(None)
        super().__init__(env)
        self.cache = WriterCache(self)

    def configure(self, config: ServiceConfig | None) -> None:
        """Read what the service's rules use besides the store (e.g. its working calendar) from
        ``config``, or the defaults when None: at construction, when the process starts, and
        before each tick (so that edited files take effect)."""

    def tick(self, today: date) -> int:
        """Act on what is due by ``today`` (lapses, silences, deadlines); returns events stored.

        Runs periodically in the store's writer; services with time limits override it.
        """
        return 0

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @property
    def process_recorder(self) -> ProcessRecorder:
        recorder = self.recorder
        assert isinstance(recorder, ProcessRecorder)
        return recorder

    def on_commit(self, listener: Callable[[Sequence[Recording[UUID]]], None]) -> None:
        """Call ``listener`` (from the committing thread) after every commit of events, with
        what was stored: each event and its position (a commit of a tracking record alone, an
        inbound event passed over, adds nothing to publish)."""
        self._commit_listeners.append(listener)

    def on_recorded(self, listener: Callable[[set[str], int], None]) -> None:
        """Call ``listener`` (from the committing thread) after every commit of events, with the
        ids of the applications they are about and the commit's last notification id (locating
        reads this: service.locating)."""
        self._recorded_listeners.append(listener)

    def on_unsure(self, listener: Callable[[set[str]], None]) -> None:
        """Call ``listener`` (from the committing thread) when a commit of events failed and
        may yet have been stored (a connection lost as the server committed: the store will
        tell), with the ids of the applications its events are about: the relay reads the store
        again instead of waiting to hear of it, locating takes its stores as possible holders."""
        self._unsure_listeners.append(listener)

    def unit_of_work(self, optimistic: bool = False) -> UnitOfWork:
        return UnitOfWork(self, optimistic)

    def handle(self, command: Command[T]) -> T:
        """Handle one command: its handler acts in a fresh unit of work, which is committed
        (every event it made, or none) before the result is returned."""
        uow = self.unit_of_work()
        result = self.apply_command(uow, command)
        uow.commit()
        return result

    def handle_all(self, commands: Sequence[Command[Any]]) -> list[Any]:
        """Handle commands queued together in one transaction: each one's result, or ``Failed``
        with its error (``eventstore.groupcommit``)."""
        return handle_together(self, commands)

    def apply_command(self, uow: UnitOfWork, command: Command[T]) -> T:
        """Let the command's handler act in ``uow`` (nothing is committed)."""
        handler = self.command_handlers.get(type(command))
        if handler is None:
            raise TypeError(f"{type(self).__name__} handles no {type(command).__name__}")
        result: T = handler(self, uow, command)
        return result

    def find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """A copy of the aggregate as stored (any thread; commands find through their unit of
        work, which keeps what it loads in memory)."""
        return self.cache.find(aggregate_id, kind)

    def notifications(self, after: int, limit: int) -> Sequence[Notification]:
        return self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )

    def position(self, upstream: str) -> int:
        return self.process_recorder.max_tracking_id(upstream) or 0

    def record_position(self, upstream: str, position: int) -> None:
        """Record that everything up to ``position`` of ``upstream`` is done, with no events."""
        self.events.put([], tracking=Tracking(upstream, position))

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        """The aggregates this service keeps for an application (for its history)."""
        raise NotImplementedError

    def not_handled_here(self, application_id: str) -> bool:
        """Whether this store only knows of the application while another agency handles it
        (it forwarded it away, or was only consulted): locating prefers the handler."""
        return False

    def last_activity(self, application_id: str) -> datetime | None:
        """When this store last recorded an event of the application (None: never)."""
        times: list[datetime] = [
            cast(Any, event).timestamp
            for aggregate_id in self.aggregate_ids_of(application_id)
            for event in self.events.get(aggregate_id, desc=True, limit=1)
        ]
        return max(times, default=None)

    def holds(self, application_id: str) -> bool:
        """Whether this store recorded an event of the application (of ``aggregate_ids_of``):
        one statement, reading no event."""
        return holds_any(self, self.aggregate_ids_of(application_id))

    def history_ids(self, application_id: str) -> tuple[list[UUID], list[Numbered]]:
        """What this store's part of an application's history is: its aggregates, then each
        numbered series of aggregates about it (``eventstore.history``)."""
        return self.aggregate_ids_of(application_id), []

    def history(self, application_id: str) -> list[EventRecord]:
        return history_of(self, *self.history_ids(application_id))

    def record(self, processing: ProcessingEvent[UUID]) -> None:
        """Commit events and tracking together, wake the listeners, take due snapshots; refuse
        the whole commit if one event is larger than the bus can carry. The listeners hear of
        every commit stored, even one whose snapshot then fails (the relay publishes what it
        hears: a commit it did not hear of would be passed over), and of every commit that
        failed and may have been stored (``on_unsure``)."""
        for event in processing.events:
            self.require_carriable(event)
        try:
            recordings = self._record(processing)
        except BaseException:
            self.cache.forget(processing.aggregates)  # stored or not: the store will tell
            if processing.events:
                about = applications_of(processing.events)
                for unsure in self._unsure_listeners:
                    try:
                        unsure(about)
                    except Exception:  # the commit's own error is the one to raise
                        log.exception("a listener of %s's unsure commits failed", self.agency)
            raise
        if processing.events:
            if self._recorded_listeners:
                about = applications_of(processing.events)
                up_to = max(recording.notification.id for recording in recordings)
                for recorded in self._recorded_listeners:
                    recorded(about, up_to)
            for listener in self._commit_listeners:
                listener(recordings)
        try:
            self._take_snapshots(processing)
        except Exception as error:
            raise SnapshotFailed(f"events stored, snapshot not taken: {error}") from error

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        try:
            return super()._record(processing_event)
        finally:
            if processing_event.events:
                self.commits += 1

    def require_carriable(self, event: Any) -> None:
        """``InvalidInput`` if the bus message of ``event`` would exceed ``MAX_EVENT_BYTES``."""
        # A bus message has at most four bytes per character of the event's repr, plus its
        # envelope: only an event that may come near the limit is encoded to be measured.
        if 4 * len(repr(vars(event))) + 1024 <= MAX_EVENT_BYTES:
            return
        size = len(encode(record_of(event, self.agency, self.service, 0)))
        if size > MAX_EVENT_BYTES:
            raise InvalidInput(
                "request",
                f"would make a {type(event).__name__} event of {size} bytes, more than the "
                f"{MAX_EVENT_BYTES} an event may have",
            )


class UnitOfWork:
    """Aggregates touched by one command, a group of commands or a batch of inbound events,
    saved together. What one command changed, the next one of the group finds here."""

    def __init__(self, app: OgiApplication, optimistic: bool = False) -> None:
        self.app = app
        #: ``find_to_create`` takes an aggregate not in memory as absent (see there).
        self.optimistic = optimistic
        self._aggregates: dict[UUID, OgiAggregate] = {}
        #: Aggregates given in a command's answer: a later command changes a copy (``hand_out``).
        self._handed_out: set[UUID] = set()
        #: The events of the last commit, once collected.
        self._committing: list[Any] = []

    def find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        known = self._aggregates.get(aggregate_id)
        if known is not None and aggregate_id in self._handed_out:
            known = self._aggregates[aggregate_id] = copy.deepcopy(known)
            self._handed_out.discard(aggregate_id)
        if known is not None:
            assert isinstance(known, kind)
            return known
        found = self.app.cache.load(aggregate_id, kind)
        if found is not None:
            self._aggregates[aggregate_id] = found
        return found

    def find_to_create(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """The aggregate, for a handler that creates it when this is None. An optimistic unit
        of work takes one that is neither here nor in the writer's memory as absent, without
        asking the store (nearly always it is new: one SELECT less per aggregate made); if it
        existed after all (an event delivered again after a restart), making it again fails
        the commit on its first version (``IntegrityError``), and the work is done again by a
        unit of work that is not optimistic."""
        if (
            self.optimistic
            and aggregate_id not in self._aggregates
            and not self.app.cache.holds(aggregate_id)
        ):
            return None
        return self.find(aggregate_id, kind)

    def unhandled(self, aggregate_id: UUID, kind: type[A], record: EventRecord) -> A | None:
        """The aggregate an inbound ``record`` acts on, unless it does not exist or has already
        handled the record (a redelivery): the idempotence of every inbound handler."""
        found = self.find(aggregate_id, kind)
        if found is None or found.has_handled(record.event_id):
            return None
        return found

    def get(self, aggregate_id: UUID, kind: type[A], what: str) -> A:
        found = self.find(aggregate_id, kind)
        if found is None:
            raise NotFound(f"{what} not found")
        return found

    def add(self, aggregate: OgiAggregate) -> None:
        """Save ``aggregate`` with the others; another object of the same id would silently
        replace one already here (its events lost): a RuntimeError, a fault of the caller."""
        held = self._aggregates.get(aggregate.id)
        if held is not None and held is not aggregate:
            raise RuntimeError(f"{type(aggregate).__name__} {aggregate.id} is already held here")
        self._aggregates[aggregate.id] = aggregate

    def hand_out(self, answer: object) -> None:
        """The aggregates of a command's answer (the answer, or in a list or tuple) stay as that
        command left them: a later command of the group that finds one changes a copy, which
        is the one saved. Each caller sees the state its own command made, as if alone."""
        for item in answer if isinstance(answer, list | tuple) else (answer,):
            if isinstance(item, OgiAggregate) and self._aggregates.get(item.id) is item:
                self._handed_out.add(item.id)

    def commit(self, tracking: Tracking | None = None) -> int:
        """Store every pending event (and the tracking record) in one transaction."""
        processing = ProcessingEvent[UUID](tracking)
        # What ProcessingEvent.collect_events does for aggregates, without its two isinstance
        # checks against runtime protocols per aggregate (each walks the protocol's classes).
        for aggregate in self._aggregates.values():
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        if not processing.events and tracking is None:
            return 0
        self._committing = list(processing.events)
        self.app.record(processing)
        return len(processing.events)

    def stored(self) -> bool:
        """Whether the events of the last commit are in the store (one that raised may have
        failed after storing them, taking a snapshot)."""
        if not self._committing:
            return False
        first = self._committing[0]
        version = first.originator_version
        return any(self.app.events.get(first.originator_id, gt=version - 1, lte=version))


def applications_of(events: Iterable[Any]) -> set[str]:
    """The ids of the applications ``events`` are about."""
    return {application_of(event) for event in events} - {""}


def application_of(event: Any) -> str:
    """The id of the application an event is about ("" if none: a complaint about an agency's
    work in general)."""
    event_meta: Meta | None = getattr(event, "meta", None)
    return event_meta["application_id"] if event_meta else ""
