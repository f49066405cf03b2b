"""Which stream a store's bus positions refer to: a relay or an inbox talks to its own only.

A store's relay position ("published up to notification n") and inbox position ("applied up to
stream sequence n") mean something in one stream only. The identity of that stream (its name and
creation time, which a recreated stream or another server's stream never shares) is recorded on
first use, beside the store (``ogi_platform.eventstore.store.StreamIdentities``). Before positions
are read and again before one is recorded, ``StreamGuard.check`` asks the server for the stream's
identity and whether the connection is still the one the work went over; a stream that is missing
or another is ``WrongStream``: nothing is marked, the work waits, and health says why. The real
stream coming back resumes it; ``ogi nats recover`` (the operator) adopts a new stream, whose
positions start at 0 under a tracking name of their own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError, ServiceUnavailableError

from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.store import Adoption, StreamIdentities
from ogi_platform.messaging.envelope import EVENT_STREAM

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore
    from eventsourcing.sqlite import SQLiteDatastore

log = logging.getLogger(__name__)

#: How long a relay or inbox waits before looking at the stream again after a refusal.
RECHECK_SECONDS = 2.0
#: How long a look at the stream's information may stand for a new one (``LastLook``).
LOOK_SECONDS = 0.5


class StreamChanged(Exception):
    """The connection changed while work was under way: nothing is recorded, the work is redone."""


class WrongStream(StreamChanged):
    """The server's event stream is missing or not the one the store's positions refer to."""


def stream_identity(info: api.StreamInfo) -> str:
    """A stream's identity: its name and creation time (to the nanosecond, as the server has it)."""
    return f"{info.config.name}@{info.created}"


def identities_of(app: OgiApplication) -> StreamIdentities:
    """The stream identities table of an application's store, through the store's datastore."""
    recorder: Any = app.recorder  # both of eventsourcing's recorders keep their datastore
    datastore = cast("SQLiteDatastore | PostgresDatastore", recorder.datastore)
    return StreamIdentities(datastore, app.service)


@dataclass(frozen=True)
class Checked:
    """A successful check: where positions are tracked, over which connection it was made."""

    tracking: str
    connection: int


async def shared_stream_info(js: JetStreamContext) -> api.StreamInfo | None:
    """The event stream's information for the checks of several stores at once; None when it
    cannot be had (each store's own check then asks, and says why it waits)."""
    try:
        return await js.stream_info(EVENT_STREAM)
    except (NotFoundError, NoRespondersError, ServiceUnavailableError):
        return None


class LastLook:
    """A process's last look at the stream's information, and over which connection: its relay
    and its inbox check their stores against it, within ``LOOK_SECONDS`` and over the same
    connection, instead of asking the server again before each batch (a request to the server's
    JetStream API, on the way of every event at a low rate). A stream replaced within that half
    second delivers nothing to the inbox unless a consumer of its name is made on it meanwhile:
    the old one goes with the old stream, and the inbox makes its own again only after a fresh
    look (a provisioned one is made by the NATS admin, `ogi nats provision`, never at once).
    The relay's look after its acks, which alone lets a position be recorded (one for the
    cycles since the last recording: ``Relay.record``), is always a fresh one."""

    def __init__(self) -> None:
        self._seen: tuple[api.StreamInfo, float, int] | None = None

    def recent(self, connection: int) -> api.StreamInfo | None:
        if self._seen is None:
            return None
        info, at, over = self._seen
        fresh = over == connection and time.monotonic() - at < LOOK_SECONDS
        return info if fresh else None

    def saw(self, info: api.StreamInfo | None, connection: int) -> None:
        self._seen = None if info is None else (info, time.monotonic(), connection)

    async def take(self, js: JetStreamContext, connection: int) -> api.StreamInfo | None:
        """The recent look over ``connection``, else a fresh one (kept)."""
        info = self.recent(connection)
        if info is None:
            info = await shared_stream_info(js)
            self.saw(info, connection)
        return info


class StreamGuard:
    """Checks, for one relay or inbox of one store, that the server's stream is the store's."""

    def __init__(self, app: OgiApplication, js: JetStreamContext, upstream: str) -> None:
        self.js = js
        self.upstream = upstream
        self.what = f"{upstream} of {app.agency}/{app.service}"
        self.identities = identities_of(app)
        #: Why the work waits (None: it does not); read by the health watchdog.
        self.problem: str | None = None
        self._adoption: Adoption | None = None

    @property
    def nc(self) -> Client:
        return self.js._nc  # the context's connection; nats-py keeps it private

    def connection(self) -> int:
        """Which connection the client is on: the count of its reconnections so far."""
        return int(self.nc.stats["reconnects"])

    async def check(self, since: int | None = None, info: api.StreamInfo | None = None) -> Checked:
        """Where positions in the server's stream are tracked, if it is the store's stream and
        (with ``since``) the connection is still the one counted then; else ``StreamChanged``.
        ``info``: the stream's information, fetched for several stores at once (None: ask)."""
        connection = self.connection()
        if since is not None and connection != since:
            raise StreamChanged("the connection to NATS changed meanwhile")
        if info is None:
            try:
                info = await self.js.stream_info(EVENT_STREAM)
            except NotFoundError:
                raise self._wrong(f"stream {EVENT_STREAM} does not exist on the server") from None
            except (NoRespondersError, ServiceUnavailableError):
                raise self._wrong("the server has no JetStream for this client") from None
        identity = stream_identity(info)
        adoption = self._adoption
        if adoption is None or adoption.identity != identity:
            # First use, or the operator may have adopted this stream meanwhile.
            adoption = await asyncio.to_thread(self._recorded, identity)
        if adoption.identity != identity:
            raise self._wrong(
                f"stream {identity} is not {adoption.identity}, which the store's positions "
                "refer to (if it is to be adopted: `ogi nats recover`)"
            )
        if self.connection() != connection:
            raise StreamChanged("the connection to NATS changed during the check")
        self._adoption = adoption
        if self.problem is not None:
            log.warning("%s: stream %s is back; resuming", self.what, identity)
            self.problem = None
        return Checked(adoption.tracking_name(self.upstream), connection)

    def _recorded(self, identity: str) -> Adoption:
        return self.identities.get(self.upstream) or self.identities.adopt(self.upstream, identity)

    def _wrong(self, reason: str) -> WrongStream:
        if reason != self.problem:
            log.error("%s stops: %s; nothing is marked done", self.what, reason)
        self.problem = reason
        return WrongStream(reason)


class Progress:
    """When a relay or inbox last made progress, or found nothing to do: for the watchdog."""

    def __init__(self) -> None:
        self.at = time.monotonic()

    def made(self) -> None:
        self.at = time.monotonic()

    def stalled_for(self) -> float:
        return time.monotonic() - self.at
