"""A service process: one store per agency served; one relay, one inbox, one ticker and one gRPC
server for all of them; and an index of which store holds which application (service.locating).

What a process costs while idle, and the threads and database connections it holds, do not grow
with the number of agencies it serves: the relay is woken by commits, the inbox is one durable
consumer, the stores' writers share the writer pool (eventstore.writer) and, on PostgreSQL, one
connection pool and one connection for the writer locks (eventstore.store)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import logging
import os
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import grpc
from grpc_health.v1 import health, health_pb2
from nats.aio.client import Client

from ogi_contracts.contract import ANY, BUREAU, OWN, Contract
from ogi_errors import IllegalStep, InvalidInput, NotFound
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.commands import Command
from ogi_platform.eventstore.holders import open_holders
from ogi_platform.eventstore.store import (
    StoreLocation,
    creating,
    note_made,
    sqlite_folder,
    store_location,
    stores_made,
)
from ogi_platform.eventstore.writer import Writer
from ogi_platform.eventstore.writerlock import (
    WriterLock,
    acquire_all,
    lost_locks,
    release_all,
)
from ogi_platform.messaging import bus
from ogi_platform.messaging.envelope import SUBJECT_ROOT, EventRecord
from ogi_platform.messaging.inbox import InboxConsumer, InboxStore, Skip
from ogi_platform.messaging.outbox import OutboxRelay, Relay
from ogi_platform.messaging.streamguard import LastLook
from ogi_platform.rpc import auth
from ogi_platform.rpc.server import Registration, start_server
from ogi_platform.service.agencies import Agencies, Agency
from ogi_platform.service.config import ServiceConfig, load_config
from ogi_platform.service.locating import ApplicationIndex, handling_agency
from ogi_platform.today import today_in_china

if TYPE_CHECKING:
    from ogi_platform.eventstore.leasesession import LockSession

log = logging.getLogger(__name__)
T = TypeVar("T")
AppT = TypeVar("AppT", bound=OgiApplication)
#: The agency registry a service reads (the runtime needs only what ``Agencies`` says).
R = TypeVar("R", bound=Agencies)

#: How often a standby tries to take the writer locks, and the watchdog looks at the health.
LOCK_POLL_SECONDS = 0.5
WATCH_SECONDS = 1.0
#: How often the watchdog makes sure the writer locks are still held (a database round trip).
LOCK_CHECK_SECONDS = 5.0
#: How long stopping waits for reads under way before the stores close.
STORE_CLOSE_GRACE_SECONDS = 0.2
#: How long stopping waits for the locating index's last write to its ledger (a server gone
#: silent; the writer locks are released after it).
LEDGER_STOP_SECONDS = 10.0
#: How many stores a process opens at a time when it starts (on PostgreSQL, a store not yet
#: made holds a connection of its own for the creation lock meanwhile, beside the shared ones).
STORES_OPENED_AT_ONCE = 2
#: How long an event to a service off an application's way waits to share a batch: at a low
#: rate, a transaction and a round of bus requests per event in every such service took more
#: of the machine than the services on the way, and made them wait for it.
LINGER_OFF_THE_WAY = 0.05
#: How long stopping waits for a cancelled loop to end before cancelling it again.
CANCEL_AGAIN_SECONDS = 0.5


def addressed_to(agency: Agency, event_types: list[str]) -> list[str]:
    """The default inbox: events of the given types addressed to this agency, or sent by it
    (an agency's services hear of its own forwards, which are addressed elsewhere)."""
    return [
        subject
        for t in event_types
        for subject in (
            f"{SUBJECT_ROOT}.*.*.{t}.{agency.code}",
            f"{SUBJECT_ROOT}.{agency.code}.*.{t}.*",
        )
    ]


def heard_everywhere(contract: Contract, agency: Agency) -> list[str]:
    """The filter subjects of the types ``agency``'s service hears from every agency (its
    contract's), each from the service that publishes it."""
    everywhere = contract.heard_everywhere_for(agency.kind)
    handled = sorted(contract.handled_for(agency.kind))
    return [f"{SUBJECT_ROOT}.*.{everywhere[t]}.{t}.*" for t in handled if t in everywhere]


def contract_subjects(contract: Contract, agency: Agency) -> list[str]:
    """The filter subjects of a service's inbox for ``agency``, from its contract: the types
    it hears from every agency, and the rest addressed to the agency or sent by it ([] when the
    service handles nothing for this kind of agency)."""
    everywhere = contract.heard_everywhere_for(agency.kind)
    rest = [t for t in sorted(contract.handled_for(agency.kind)) if t not in everywhere]
    return heard_everywhere(contract, agency) + addressed_to(agency, rest)


@dataclass(frozen=True)
class ServiceSpec(Generic[R]):
    """What makes one of the services: its contract (ogi_contracts), application, inbound
    handlers and gRPC API, and the agency registry they read (loaded from ``OGI_AGENCY_FILE``,
    None: the default)."""

    contract: Contract
    app_class: type[OgiApplication]
    handlers: Callable[[OgiApplication, R], dict[str, bus.Handler]]
    servicers: Callable[[ServiceRuntime[R]], list[Registration]]
    default_port: int
    registry: Callable[[Path | None], R]
    #: The agencies a process serves when ``OGI_AGENCIES`` is unset.
    default_agencies: tuple[str, ...]
    #: How long an event that comes to the service's quiet inbox waits for others to share its
    #: batch (``InboxConsumer.linger_seconds``): ``LINGER_OFF_THE_WAY`` for a service no step of
    #: an application waits on (a read model, the clock), 0 for one on its way (routing, review).
    inbox_linger_seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.contract.service


def sender_policy(
    spec: ServiceSpec[R], registry: R, agency: str
) -> Callable[[EventRecord], str | Skip | None]:
    """Why an inbound event is refused (None: accepted). The subject already proves the sender
    (NATS lets an agency publish under its own name only); the service's contract says what
    each sender may send.

    Another agency's event of a type the service takes from its own agency only is skipped, not
    refused: it is addressed to another service of the agency (a forward for its intake, a
    consultation for its review) and the service has nothing to do with it. Only an event of a
    type the service does take from other agencies, from a sender no rule admits, is refused
    (dead-lettered): e.g. a rectification order that no supervision bureau gave."""

    senders = {
        ANY: frozenset(registry.codes()),
        BUREAU: frozenset(a.code for a in registry.all() if a.kind == BUREAU),
    }
    handles = spec.contract.handles

    def refuses(record: EventRecord) -> str | Skip | None:
        if record.agency == agency:
            return None
        allowed = senders.get(handles.get(record.type, OWN))
        if allowed is None:  # a type taken from the agency itself only, or not at all
            return Skip.SKIP
        if record.agency in allowed:
            return None
        return f"{record.type} from {record.agency} is not accepted by {agency}'s {spec.name}"

    return refuses


@dataclass
class AgencyUnit:
    agency: str
    app: OgiApplication
    writer: Writer
    #: The process's inbox, when the service takes events for this agency.
    consumer: InboxConsumer | None = None


def build_app(
    spec: ServiceSpec[R],
    config: ServiceConfig,
    agency: str,
    location: StoreLocation,
    made: bool = False,
) -> OgiApplication:
    """Open the store of ``agency``; ``made``: its eventsourcing tables exist (not made again)."""
    if made:
        app = spec.app_class(agency, env=location.env | {"CREATE_TABLE": "n"})
    else:
        with creating(location):
            app = spec.app_class(agency, env=location.env)
    app.configure(config)
    return app


class ServiceRuntime(Generic[R]):
    def __init__(self, spec: ServiceSpec[R], config: ServiceConfig) -> None:
        self.spec = spec
        self.config = config
        self.registry = spec.registry(config.agency_file)
        if not config.agencies:  # every agency of the agency file
            config = dataclasses.replace(config, agencies=tuple(self.registry.codes()))
            self.config = config
        for code in config.agencies:
            self.registry.get(code, "OGI_AGENCIES")
        self.units: dict[str, AgencyUnit] = {}
        #: The stores of ``units``, for locating.
        self.apps: dict[str, OgiApplication] = {}
        self.index = ApplicationIndex()
        self.nc: Client | None = None
        self.server: grpc.aio.Server | None = None
        self.health: health.aio.HealthServicer | None = None
        self.health_names: list[str] = [""]
        self.port = 0
        self.locks: list[WriterLock] = []
        self.relay: Relay | None = None
        self.consumer: InboxConsumer | None = None
        #: Why the process is not serving ("" while it is); set by the watchdog.
        self.trouble = "standby"
        self._tasks: list[asyncio.Task[None]] = []

    # -- used by the servicers -------------------------------------------------------------

    def unit(self, agency: str, access: str, field: str = "agency") -> AgencyUnit:
        """The unit serving ``agency``, if the caller may ``access`` it (see rpc.auth)."""
        self.registry.get(agency, field)
        unit = self.units.get(agency)
        if unit is None and not self.active:
            raise IllegalStep(f"this {self.spec.name} instance is a standby: another one serves")
        if unit is None:
            raise InvalidInput(field, f"agency {agency!r} is not served by this {self.spec.name}")
        auth.require(access, agency, self.supervisors)
        return unit

    @functools.cached_property
    def supervisors(self) -> frozenset[str]:
        return frozenset(a.code for a in self.registry.all() if a.kind == "supervision_bureau")

    def app(self, unit: AgencyUnit, kind: type[AppT]) -> AppT:
        assert isinstance(unit.app, kind)
        return unit.app

    async def read(self, unit: AgencyUnit, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    async def execute(self, unit: AgencyUnit, command: Command[T]) -> T:
        """Handle ``command`` in the store's writer, in one transaction with the commands
        queued with it (group commit: ``OgiApplication.handle_all``); answered once committed."""
        result: T = await unit.writer.together(unit.app.handle_all, command)
        return result

    async def locate(self, application_id: str, access: str = "act") -> AgencyUnit:
        """The agency unit whose store holds the application (after forwards, the one that did
        not forward it away, else the one that acted on it last), if the caller may ``access``
        it. A caller who may not even read it gets the answer for an absent application, so
        no one learns which ids exist, nor where. Only the stores the index names are asked."""
        if not application_id:
            raise InvalidInput("application_id", "is required")
        absent = NotFound(f"application {application_id} not found in {self.spec.name}")
        agency = await handling_agency(self.index, self.apps, application_id)
        if agency is None:
            raise absent
        unit = self.units[agency]
        if not auth.allowed(auth.caller(), "read", unit.agency, self.supervisors):
            raise absent
        auth.require(access, unit.agency, self.supervisors)
        return unit

    # -- life cycle ------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether this instance holds the writer locks of its stores (else it is a standby)."""
        return bool(self.locks) and len(self.locks) == len(self.config.agencies)

    async def start(self) -> None:
        """Serve gRPC (NOT_SERVING as a standby), take every store's writer lock, waiting while
        another instance holds one, then start each store's relay, inbox and ticker."""
        registrations = self.spec.servicers(self)
        self.server, self.port, self.health = await start_server(
            self.config.grpc_host,
            self.config.grpc_port,
            registrations,
            self.config.token_secret,
            any_port=self.config.any_port,
        )
        self.health_names = ["", *(name for _, _, name in registrations)]
        await self._set_health("standby")
        locations = {
            agency: store_location(self.config.database_url, self.config.data_dir, agency, name)
            for agency, name in ((a, self.spec.name) for a in sorted(self.config.agencies))
        }
        await self._take_locks(locations)
        made = await asyncio.to_thread(stores_made, self.spec.name, locations)
        opening = asyncio.Semaphore(STORES_OPENED_AT_ONCE)

        async def opened(agency: str) -> OgiApplication:
            async with opening:
                location = locations[agency]
                return await asyncio.to_thread(
                    build_app, self.spec, self.config, agency, location, agency in made
                )

        apps = await asyncio.gather(*(opened(agency) for agency in self.config.agencies))
        fresh = {agency: locations[agency] for agency in locations if agency not in made}
        await asyncio.to_thread(note_made, self.spec.name, fresh)
        if self.spec.contract.public and locations:
            self.index = await asyncio.to_thread(self._ledgered_index, locations)
        for agency, app in zip(self.config.agencies, apps, strict=True):
            if self.spec.contract.public:  # read models answer from their tables, never locate
                await asyncio.to_thread(self.index.serve, app)  # before it commits anything
            self.units[agency] = AgencyUnit(agency, app, Writer(f"{self.spec.name}-{agency}"))
            self.apps[agency] = app
        self.nc = await bus.connect(
            self.config.nats_url,
            name=f"ogi-{self.spec.name}",
            user=self.config.nats_user,
            password=self.config.nats_password,
        )
        js = self.nc.jetstream()
        look = LastLook()  # the relay's and the inbox's, over the one client
        # An agency's own NATS user may not create streams or consumers: the admin provisions
        # them (`ogi nats provision`) and the services bind to them as they are.
        may_manage = not bus.agency_user(self.config.nats_user)
        if may_manage:
            await bus.ensure_streams(js)
        if self.spec.contract.public:  # a read model's store keeps its events to itself
            id_key = (self.config.nats_password or "").encode()
            public = self.spec.contract.public
            outboxes = [
                OutboxRelay(unit.app, js, unit.writer, id_key=id_key, public=public)
                for unit in self.units.values()
            ]
            self.relay = Relay(outboxes, look=look)
            self._spawn(self.relay.run, "relay")
        stores = await asyncio.to_thread(self._inbox_stores)
        if stores:
            self.consumer = InboxConsumer(
                js,
                stores,
                may_manage=may_manage,
                look=look,
                linger_seconds=self.spec.inbox_linger_seconds,
            )
            for store in stores:
                self.units[store.agency].consumer = self.consumer
            self._spawn(self.consumer.run, "inbox")
        if self.spec.app_class.tick is not OgiApplication.tick:
            self._spawn(self._ticker, "ticker")
        if self.index.ledger is not None:
            self._spawn(self.index.keep, "locating index")
        await self._watch()
        self._spawn(self._watchdog, "watchdog")
        log.info("%s serving %s on port %s", self.spec.name, ",".join(self.units), self.port)

    def _ledgered_index(self, locations: dict[str, StoreLocation]) -> ApplicationIndex:
        """The locating index, kept in its ledger beside the stores (``eventstore.holders``)."""
        folder = sqlite_folder(self.config.database_url, self.config.data_dir)
        location = next(iter(locations.values()))
        return ApplicationIndex(ledger=open_holders(location, folder, self.spec.name))

    def _inbox_stores(self) -> list[InboxStore]:
        """What the inbox applies to each store: the handlers the service has for the agency's
        kind, and the subjects its contract says it takes."""
        stores = []
        for unit in self.units.values():
            handlers = self.spec.handlers(unit.app, self.registry)
            served = self.registry.get(unit.agency)
            self.spec.contract.check_handlers(served.kind, set(handlers))
            if handlers:
                subjects = contract_subjects(self.spec.contract, served)
                refuses = sender_policy(self.spec, self.registry, unit.agency)
                stores.append(InboxStore(unit.app, unit.writer, handlers, subjects, refuses))
        return stores

    async def _take_locks(self, locations: dict[str, StoreLocation]) -> None:
        """One writer per agency and service: wait (a standby) until no other instance holds
        a store's lock; keep the ones taken meanwhile (one claim per database and round)."""
        sessions: dict[str, LockSession] = {}  # one per database, not per store
        agencies: dict[WriterLock, str] = {}
        for agency, location in locations.items():
            dsn = location.postgres_dsn
            if dsn is not None and dsn not in sessions:
                from ogi_platform.eventstore.leasesession import LockSession

                sessions[dsn] = LockSession(dsn)
            session = None if dsn is None else sessions[dsn]
            agencies[WriterLock(location, self.spec.name, session)] = agency
        pending, waiting = list(agencies), set()
        while True:
            taken = set(await asyncio.to_thread(acquire_all, pending))
            over = [agencies[lock] for lock in pending if lock in taken and lock in waiting]
            standby = [lock for lock in pending if lock not in taken and lock not in waiting]
            if over:
                log.warning("%s of %s takes over as the writer", self.spec.name, _listed(over))
            if standby:
                log.warning(
                    "%s of %s is a standby: another instance writes %s; waiting for it",
                    self.spec.name, _listed([agencies[lock] for lock in standby]),
                    standby[0].location.description,
                )  # fmt: skip
                waiting.update(standby)
            self.locks += [lock for lock in pending if lock in taken]
            pending = [lock for lock in pending if lock not in taken]
            if not pending:
                return
            await asyncio.sleep(LOCK_POLL_SECONDS)

    def troubles(self) -> list[str]:
        """Why the process must not be sent work now (none: it is healthy)."""
        if self.nc is None or not self.nc.is_connected:
            return ["NATS is unreachable"]
        found = []
        for what, part in (("relay", self.relay), ("inbox", self.consumer)):
            if part is None:
                continue
            problems = part.problems()
            stalled = part.stalled_for()
            if problems:
                found += problems
            elif stalled > self.config.stall_seconds:
                found.append(f"the {what} made no progress for {stalled:.0f}s")
        return found

    async def _watch(self) -> None:
        trouble = "; ".join(self.troubles())
        if trouble != self.trouble:
            if trouble:
                log.error("%s is NOT_SERVING: %s", self.spec.name, trouble)
            else:
                log.warning("%s is SERVING", self.spec.name)
            await self._set_health(trouble)

    async def _watchdog(self) -> None:
        """Health tells the truth: NOT_SERVING with the reason while something is wrong; and a
        writer lock lost (its database connection gone) ends the process before it writes."""
        checked = 0.0
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            await self._watch()
            checked += WATCH_SECONDS
            if checked >= LOCK_CHECK_SECONDS:
                checked = 0.0
                for lock in await asyncio.to_thread(lost_locks, self.locks):
                    log.critical(
                        "%s lost the writer lock of %s: exiting before another instance "
                        "and this one both write",
                        self.spec.name, lock.location.description,
                    )  # fmt: skip
                    os._exit(75)

    async def _set_health(self, trouble: str) -> None:
        self.trouble = trouble
        status = (
            health_pb2.HealthCheckResponse.NOT_SERVING
            if trouble
            else health_pb2.HealthCheckResponse.SERVING
        )
        if self.health is not None:
            for name in self.health_names:
                await self.health.set(name, status)

    async def _ticker(self) -> None:
        """Every OGI_TICK_SECONDS: reread the settings (calendar files) when they changed, then
        let every store act on what is due today."""
        settings: object = None
        while True:
            changed = await asyncio.to_thread(settings_fingerprint, self.config)
            for unit in self.units.values():
                try:
                    if changed != settings:
                        await unit.writer.run(unit.app.configure, self.config)
                    await unit.writer.run(unit.app.tick, today_in_china())
                except Exception:  # one agency's failure does not keep the others waiting
                    log.exception("the tick of %s's %s failed", unit.agency, self.spec.name)
            settings = changed
            await asyncio.sleep(self.config.tick_seconds)

    def _spawn(self, run: Callable[[], Coroutine[Any, Any, None]], what: str) -> None:
        """Run a loop for the life of the process; log and restart it if it fails."""

        async def supervised() -> None:
            while True:
                try:
                    await run()
                except asyncio.CancelledError:
                    raise
                except bus.ConsumerNotProvisioned as missing:
                    log.warning("%s of %s waits: %s", what, self.spec.name, missing)
                    await asyncio.sleep(10.0)
                except Exception:
                    log.exception("%s of %s failed; restarting", what, self.spec.name)
                    await asyncio.sleep(1.0)

        self._tasks.append(asyncio.create_task(supervised()))

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop(grace=2.0)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            await cancelled(task)
        if self.relay is not None:  # how far each store was published (else republished)
            with contextlib.suppress(Exception):
                await self.relay.record()
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.close()
        # Reads the cancelled loops had already handed to a thread finish (they take
        # milliseconds) before their stores close: SQLite crashes on a connection closed
        # under a reading thread.
        await asyncio.sleep(STORE_CLOSE_GRACE_SECONDS)
        await asyncio.to_thread(self.index.stop_catching_up)
        for unit in self.units.values():
            # waits for the store's job under way: in a thread, so the loop keeps answering
            await asyncio.to_thread(unit.writer.shutdown)
            unit.app.close()
        if self.index.ledger is not None:  # what the last second committed
            try:
                await asyncio.wait_for(asyncio.to_thread(self.index.write), LEDGER_STOP_SECONDS)
            except TimeoutError:  # the write under way holds the ledger: left to end by itself
                log.warning("the locating index of %s not written in time", self.spec.name)
            except Exception as error:  # read again from the stores' logs at the next start
                log.warning("the locating index of %s not written: %s", self.spec.name, error)
                self.index.ledger.close()
            else:
                self.index.ledger.close()
        release_all(self.locks)


def _listed(names: list[str], shown: int = 5) -> str:
    """``names`` for a log line: the first few, and how many more."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ",".join(names[:shown]) + more


def settings_fingerprint(config: ServiceConfig) -> tuple[tuple[str, int, int], ...]:
    """What the settings a store rereads are made of: the calendar files, as names, sizes and
    modification times (a store is configured again only when one changed)."""
    folder = config.calendar_dir
    if folder is None or not folder.is_dir():
        return ()
    return tuple(
        (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    )


async def cancelled(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` until it has ended. A cancellation can be lost: Python 3.11's
    ``asyncio.wait_for`` returns the result of what it awaited when that completes as the
    cancellation arrives (the relay awaits its acks so), and nats-py turns one into an error the
    loop logs and retries; the loop would then run on, and stopping would wait for it forever."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_AGAIN_SECONDS)
    if not task.cancelled():
        task.exception()  # retrieved: a loop's failure was logged where it happened


async def serve(spec: ServiceSpec[R], config: ServiceConfig) -> None:
    runtime = ServiceRuntime(spec, config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    starting = asyncio.create_task(runtime.start())
    stopping = asyncio.create_task(stop.wait())
    # A standby waits in start() for the writer locks: a signal ends it there too.
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if starting.done():
        starting.result()
        print(f"ready {spec.name} {runtime.port}", flush=True)
        if config.ready_file is not None:
            ready = {"service": spec.name, "port": runtime.port, "pid": os.getpid()}
            config.ready_file.write_text(json.dumps(ready), encoding="utf-8")
        await stopping
    else:
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
    await runtime.stop()


def main(spec: ServiceSpec[R]) -> None:
    """Process entry point of a service (the ``ogi-<service>`` commands)."""
    logging.basicConfig(
        level=os.environ.get("OGI_LOG_LEVEL", "INFO"),
        format=f"%(asctime)s {spec.name} %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = load_config(spec.name, spec.default_port, spec.default_agencies)
        asyncio.run(serve(spec, config))
    except InvalidInput as error:
        raise SystemExit(f"ogi-{spec.name}: configuration: {error}") from None
