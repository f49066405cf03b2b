"""The NATS users of deploy/nats/nats-server.conf, enforced by a real nats-server.

A nats-server runs with the deployment's own configuration file (its passwords come from the
environment, as in production). ``admin`` provisions the streams and every durable consumer with
the filters deploy/nats/README.md describes; then each agency connects as itself and tries what
it may and what it must not do. A refusal is proven twice: nats-py reports the server's
permissions violation (``nats: permissions violation for publish to "<subject>"``, through the
error callback, since the server only drops the message), and the request gets no answer
(``nats.errors.TimeoutError``); where a refusal could have changed or revealed something, admin
checks afterwards that the stream, message or consumer is as it was.

The two tests at the end cover what permissions alone cannot: each agency's replies arrive under
its own inbox prefix, and its message ids are keyed so that no other agency can predict them.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
import pytest
from bushelpers import eventually, hand_made_event, opened, running, submit_many, writer_thread
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError

from intake.application import IntakeApplication
from ogi_cli.provision import (
    inbox_subjects,
    provision,
    provisioned_filters,
)
from ogi_contracts import CONTRACTS, contract_of
from ogi_law.agencies import load_agencies
from ogi_platform.messaging.bus import (
    ConsumerNotProvisioned,
    connect,
    ensure_streams,
    inbox_prefix,
    message_id,
)
from ogi_platform.messaging.envelope import (
    DEAD_LETTER_STREAM,
    EVENT_STREAM,
    SERVICES,
    consumer_name,
    dead_letter_subject,
    event_subject,
)
from ogi_platform.messaging.inbox import inbox_of
from ogi_platform.messaging.outbox import OutboxRelay
from ogi_platform.messaging.wire import encode
from ogi_platform.natsserver import NatsServer
from ogi_platform.service.runtime import heard_everywhere, sender_policy
from review.application import ReviewApplication
from review.main import SPEC as REVIEW
from routing.application import RoutingApplication, routing_id
from routing.domain import Routing
from routing.handlers import handlers as routing_handlers
from routing.main import SPEC as ROUTING

pytestmark = [pytest.mark.nats, pytest.mark.long]

ROOT = Path(__file__).resolve().parents[2]
NATS_CONF = ROOT / "deploy" / "nats" / "nats-server.conf"
NATS_README = ROOT / "deploy" / "nats" / "README.md"

MUNICIPAL = "municipal-office"
ARCHIVES = "archives-bureau"
NATURAL = "natural-resources-bureau"
BUREAU = "supervision-bureau"
AGENCIES = (MUNICIPAL, ARCHIVES, NATURAL, BUREAU)
USERS = ("admin", *AGENCIES)

# The supervision bureau's complaint consumer reads, besides what is addressed to it, these
# events of every agency (README.md, "Subjects, streams, consumers").
BUREAU_CONSUMER = consumer_name(BUREAU, "complaint")

# How long a request the server refused is waited for. An allowed one is answered by the local
# server within milliseconds, and every refusal is also checked by the server's violation report.
REFUSAL_WAIT = 0.5
# How long the server's report of a violation is waited for.
VIOLATION_WAIT = 5.0


def password_variable(user: str) -> str:
    """``municipal-office`` -> ``MUNICIPAL_OFFICE_NATS_PASSWORD``, as the config reads it."""
    return user.upper().replace("-", "_") + "_NATS_PASSWORD"


def readme_filters(code: str, service: str) -> list[str]:
    """The filter subjects admin gives the durable consumer ``<code>__<service>``."""
    return provisioned_filters(load_agencies().get(code), service)


# -- connections -----------------------------------------------------------------------------


@dataclass
class Session:
    """One client connection as ``user``, with what the server reported to it."""

    user: str
    nc: Client
    errors: list[Exception] = field(default_factory=list)

    @property
    def js(self) -> JetStreamContext:
        return self.nc.jetstream()

    @property
    def quick(self) -> JetStreamContext:
        """JetStream with a short timeout, for requests the server is expected to drop."""
        return self.nc.jetstream(timeout=REFUSAL_WAIT)

    def violations(self) -> list[str]:
        return [str(e).lower() for e in self.errors if "permissions violation" in str(e).lower()]

    async def assert_violation(self, subject: str, kind: str = "publish") -> None:
        """The server reported that ``kind`` ("publish" or "subscription") on ``subject`` is denied.

        nats-py writes the PING of ``flush`` straight to the socket, ahead of commands still in its
        pending buffer, so the server's ``-ERR`` may come after the PONG: wait a little for it.
        nats-py lowercases the whole report, subject included.
        """
        expected = f'nats: permissions violation for {kind} to "{subject}"'.lower()
        deadline = asyncio.get_running_loop().time() + VIOLATION_WAIT
        await self.nc.flush()
        while expected not in self.violations():
            assert asyncio.get_running_loop().time() < deadline, f"{self.user}: {self.errors!r}"
            await asyncio.sleep(0.01)
        assert self.nc.is_connected  # a violation is reported, the connection stays

    async def assert_refused(self, action: Awaitable[Any], subject: str) -> None:
        """``action`` (a request published to ``subject``) gets no answer, and is reported."""
        with pytest.raises(nats.errors.TimeoutError):
            await action
        await self.assert_violation(subject)


class Bus:
    """Logs in to the test server as any user of the config; closes every connection."""

    def __init__(self, url: str, passwords: dict[str, str]) -> None:
        self.url = url
        self.passwords = passwords
        self._clients: list[Client] = []

    async def admin(self) -> Session:
        """admin through the services' own ``connect``."""
        nc = await connect(self.url, "test-admin", "admin", self.passwords["admin"])
        self._clients.append(nc)
        return Session("admin", nc)

    async def login(self, user: str) -> Session:
        errors: list[Exception] = []

        async def record(error: Exception) -> None:
            errors.append(error)

        nc = await nats.connect(
            self.url,
            name=f"test-{user}",
            user=user,
            password=self.passwords[user],
            error_cb=record,
            allow_reconnect=False,
            connect_timeout=5,
            inbox_prefix=inbox_prefix(user),
        )
        self._clients.append(nc)
        return Session(user, nc, errors)

    async def close(self) -> None:
        for nc in reversed(self._clients):
            with contextlib.suppress(Exception):
                await nc.close()
        self._clients.clear()


@pytest.fixture
def passwords(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh, non-numeric password per user, exported for the nats-server process."""
    values = {user: f"test-{user}-{secrets.token_hex(8)}" for user in USERS}
    for user, value in values.items():
        monkeypatch.setenv(password_variable(user), value)
    return values


@pytest.fixture
def server(tmp_path: Path, passwords: dict[str, str]) -> Iterator[NatsServer]:
    """nats-server with the deployment's config, on a free port (-p overrides its port 4222)."""
    nats_server = NatsServer(tmp_path / "nats", config=NATS_CONF, log_file=tmp_path / "nats.log")
    nats_server.start()
    try:
        yield nats_server
    finally:
        nats_server.stop()


@pytest.fixture
async def bus(server: NatsServer, passwords: dict[str, str]) -> AsyncIterator[Bus]:
    clients = Bus(server.url, passwords)
    try:
        yield clients
    finally:
        await clients.close()


@pytest.fixture
async def admin(bus: Bus) -> Session:
    """admin, after creating both streams and every agency's five durable consumers."""
    session = await bus.admin()
    await ensure_streams(session.js)
    for code in AGENCIES:
        for service in SERVICES:
            await session.js.add_consumer(
                EVENT_STREAM,
                api.ConsumerConfig(
                    durable_name=consumer_name(code, service),
                    ack_policy=api.AckPolicy.EXPLICIT,
                    ack_wait=30,
                    filter_subjects=readme_filters(code, service),
                ),
            )
    return session


# -- what admin sees -------------------------------------------------------------------------


async def last_message(admin: Session, stream: str, subject: str) -> bytes | None:
    try:
        message = await admin.js.get_last_msg(stream, subject)
    except NotFoundError:
        return None
    return message.data


async def stream_count(admin: Session, stream: str) -> int:
    return int((await admin.js.stream_info(stream)).state.messages)


async def jetstream_state(admin: Session) -> dict[str, Any]:
    """Streams (subjects, message count) and consumers (filters, delivered, acked) of OGI."""
    streams = {
        info.config.name: (sorted(info.config.subjects or []), info.state.messages)
        for info in await admin.js.streams_info()
    }
    consumers = {
        info.name: (
            sorted(info.config.filter_subjects or [info.config.filter_subject or ""]),
            info.delivered.stream_seq if info.delivered else 0,
            info.ack_floor.stream_seq if info.ack_floor else 0,
        )
        for info in await admin.js.consumers_info(EVENT_STREAM)
    }
    return {"streams": streams, "consumers": consumers}


async def publish(session: Session, subject: str, data: bytes, stream: str = EVENT_STREAM) -> int:
    ack = await session.js.publish(subject, data, stream=stream)
    assert ack.stream == stream
    return int(ack.seq)


# -- the README and these tests agree ----------------------------------------------------------


def test_consumer_filters_are_those_of_the_readme() -> None:
    readme = NATS_README.read_text(encoding="utf-8")
    assert "`ogi.*.*.*.<code>`" in readme and "`ogi.<code>.>`" in readme
    for subject in heard_everywhere(contract_of("complaint"), load_agencies().get(BUREAU)):
        assert f"`{subject}`" in readme
    assert f"`{BUREAU_CONSUMER}`" in readme


# -- 0. identities -------------------------------------------------------------------------------


@pytest.mark.parametrize("credentials", ["other-password", "anonymous"])
async def test_an_agency_cannot_log_in_without_its_own_password(
    bus: Bus, passwords: dict[str, str], credentials: str
) -> None:
    options: dict[str, str] = {}
    if credentials != "anonymous":
        options = {"user": ARCHIVES, "password": passwords[MUNICIPAL]}
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        nc = await nats.connect(bus.url, allow_reconnect=False, connect_timeout=5, **options)
        await nc.close()


# -- 1. an agency publishes its own events and dead letters --------------------------------------


async def test_agency_publishes_its_own_events_and_dead_letters(admin: Session, bus: Bus) -> None:
    office = await bus.login(MUNICIPAL)
    internal = event_subject(MUNICIPAL, "intake", "ApplicationAccepted", MUNICIPAL)
    addressed = event_subject(MUNICIPAL, "routing", "ApplicationForwarded", ARCHIVES)
    dead_letter = dead_letter_subject(MUNICIPAL, "intake")

    assert await publish(office, internal, b"accepted") == 1
    assert await publish(office, addressed, b"forwarded") == 2
    assert await publish(office, dead_letter, b"poison", stream=DEAD_LETTER_STREAM) == 1

    assert office.errors == []
    assert await last_message(admin, EVENT_STREAM, internal) == b"accepted"
    assert await last_message(admin, EVENT_STREAM, addressed) == b"forwarded"
    assert await last_message(admin, DEAD_LETTER_STREAM, dead_letter) == b"poison"


# -- 2. a forged sender is refused ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "stream"),
    [
        (event_subject(ARCHIVES, "intake", "ApplicationAccepted", ARCHIVES), EVENT_STREAM),
        (event_subject(BUREAU, "complaint", "ComplaintDecided", MUNICIPAL), EVENT_STREAM),
        (dead_letter_subject(ARCHIVES, "routing"), DEAD_LETTER_STREAM),
    ],
)
async def test_agency_cannot_publish_under_another_agencys_name(
    admin: Session, bus: Bus, subject: str, stream: str
) -> None:
    office = await bus.login(MUNICIPAL)

    await office.assert_refused(
        office.js.publish(subject, b"forged", stream=stream, timeout=REFUSAL_WAIT), subject
    )
    # A plain publish, without waiting for an ack, is dropped just the same.
    await office.nc.publish(subject, b"forged too")
    await office.assert_violation(subject)

    assert await last_message(admin, stream, subject) is None
    assert await stream_count(admin, stream) == 0


# -- 3. an agency reads only through its own consumers -----------------------------------------


async def test_agency_pulls_and_acks_from_its_own_consumer(admin: Session, bus: Bus) -> None:
    archives, office = await bus.login(ARCHIVES), await bus.login(MUNICIPAL)
    to_office = event_subject(ARCHIVES, "routing", "ApplicationForwarded", MUNICIPAL)
    to_natural = event_subject(ARCHIVES, "routing", "ApplicationForwarded", NATURAL)
    await publish(archives, to_natural, b"not for the office")
    seq = await publish(archives, to_office, b"for the office")
    durable = consumer_name(MUNICIPAL, "routing")

    subscription = await office.js.pull_subscribe_bind(durable, stream=EVENT_STREAM)
    [message] = await subscription.fetch(1, timeout=5)
    assert (message.subject, message.data) == (to_office, b"for the office")
    assert message.metadata.sequence.stream == seq
    await message.ack_sync(timeout=5)
    with pytest.raises(nats.errors.TimeoutError):  # nothing else is addressed to the office
        await subscription.fetch(1, timeout=REFUSAL_WAIT)

    info = await office.js.consumer_info(EVENT_STREAM, durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)
    assert info.ack_floor is not None and info.ack_floor.stream_seq == seq
    assert office.errors == []
    await subscription.unsubscribe()


async def test_agency_cannot_pull_from_another_agencys_consumer(admin: Session, bus: Bus) -> None:
    natural, office = await bus.login(NATURAL), await bus.login(MUNICIPAL)
    await publish(
        natural, event_subject(NATURAL, "routing", "ApplicationForwarded", ARCHIVES), b"x"
    )
    durable = consumer_name(ARCHIVES, "routing")

    subscription = await office.js.pull_subscribe_bind(durable, stream=EVENT_STREAM)
    await office.assert_refused(
        subscription.fetch(1, timeout=REFUSAL_WAIT),
        f"$JS.API.CONSUMER.MSG.NEXT.{EVENT_STREAM}.{durable}",
    )
    await office.assert_refused(
        office.quick.consumer_info(EVENT_STREAM, durable),
        f"$JS.API.CONSUMER.INFO.{EVENT_STREAM}.{durable}",
    )
    await subscription.unsubscribe()

    info = await admin.js.consumer_info(EVENT_STREAM, durable)
    assert info.delivered is not None and info.delivered.stream_seq == 0  # never handed out
    assert (info.num_pending, info.num_ack_pending) == (1, 0)


async def test_agency_cannot_ack_another_agencys_message(admin: Session, bus: Bus) -> None:
    archives, office = await bus.login(ARCHIVES), await bus.login(MUNICIPAL)
    await publish(
        office, event_subject(MUNICIPAL, "routing", "ApplicationForwarded", ARCHIVES), b"x"
    )
    durable = consumer_name(ARCHIVES, "routing")
    subscription = await archives.js.pull_subscribe_bind(durable, stream=EVENT_STREAM)
    [message] = await subscription.fetch(1, timeout=5)
    assert message.reply.startswith(f"$JS.ACK.{EVENT_STREAM}.{durable}.")

    # The office learnt the ack subject (it can see it on _INBOX.>, see below) and acks or
    # terminates the message, so that the archives would never process it.
    for verdict in (b"+ACK", b"+TERM"):
        await office.assert_refused(
            office.nc.request(message.reply, verdict, timeout=REFUSAL_WAIT), message.reply
        )
    info = await admin.js.consumer_info(EVENT_STREAM, durable)
    assert info.num_ack_pending == 1
    assert info.ack_floor is not None and info.ack_floor.stream_seq == 0

    await message.ack_sync(timeout=5)  # its addressee still can
    assert archives.errors == []
    await subscription.unsubscribe()


async def test_agency_cannot_create_or_widen_consumers(admin: Session, bus: Bus) -> None:
    office = await bus.login(MUNICIPAL)
    before = await jetstream_state(admin)
    own = consumer_name(MUNICIPAL, "routing")
    attempts = [
        # a new durable of its own choosing, reading everything (legacy durable API)
        (
            api.ConsumerConfig(durable_name=f"{MUNICIPAL}__spy", filter_subject="ogi.>"),
            f"$JS.API.CONSUMER.DURABLE.CREATE.{EVENT_STREAM}.{MUNICIPAL}__spy",
        ),
        # its own consumer, with a wider filter (named consumer API)
        (
            api.ConsumerConfig(name=own, durable_name=own, filter_subjects=["ogi.>"]),
            f"$JS.API.CONSUMER.CREATE.{EVENT_STREAM}.{own}",
        ),
        # an ephemeral consumer on another agency's address
        (
            api.ConsumerConfig(filter_subject=f"ogi.*.*.*.{ARCHIVES}"),
            f"$JS.API.CONSUMER.CREATE.{EVENT_STREAM}",
        ),
    ]
    for config, subject in attempts:
        await office.assert_refused(office.quick.add_consumer(EVENT_STREAM, config), subject)
    with pytest.raises(nats.errors.TimeoutError):
        await office.quick.pull_subscribe("ogi.>", stream=EVENT_STREAM)
    await office.assert_violation(f"$JS.API.CONSUMER.CREATE.{EVENT_STREAM}")

    assert await jetstream_state(admin) == before
    assert before["consumers"][own][0] == sorted(readme_filters(MUNICIPAL, "routing"))


@pytest.mark.parametrize("code", AGENCIES)
async def test_agency_cannot_subscribe_to_raw_subjects(admin: Session, bus: Bus, code: str) -> None:
    agency = await bus.login(code)
    received: list[Msg] = []

    async def keep(msg: Msg) -> None:
        received.append(msg)

    # Even what is addressed to the agency is read through its consumers only.
    subjects = [">", "ogi.>", "ogidlq.>", f"ogi.*.*.*.{code}", f"ogidlq.{code}.>", "$JS.>"]
    for subject in subjects:
        await agency.nc.subscribe(subject, cb=keep)
    for subject in subjects:
        await agency.assert_violation(subject, kind="subscription")

    await publish(admin, event_subject(ARCHIVES, "review", "ReviewDone", code), b"addressed")
    await publish(admin, dead_letter_subject(code, "review"), b"dead", stream=DEAD_LETTER_STREAM)
    await asyncio.sleep(REFUSAL_WAIT)
    assert received == []


@dataclass(frozen=True)
class ApiCall:
    name: str
    subject: str
    call: Callable[[Session], Awaitable[Any]]


BROAD_API_CALLS = [
    ApiCall("delete stream", "$JS.API.STREAM.DELETE.OGI", lambda s: s.quick.delete_stream("OGI")),
    ApiCall("purge stream", "$JS.API.STREAM.PURGE.OGI", lambda s: s.quick.purge_stream("OGI")),
    ApiCall(  # (JetStreamManager.delete_msg ignores the context's timeout)
        "delete message",
        "$JS.API.STREAM.MSG.DELETE.OGI",
        lambda s: s.nc.request("$JS.API.STREAM.MSG.DELETE.OGI", b'{"seq": 1}', REFUSAL_WAIT),
    ),
    ApiCall("read any message", "$JS.API.STREAM.MSG.GET.OGI", lambda s: s.quick.get_msg("OGI", 1)),
    ApiCall(
        "widen stream",
        "$JS.API.STREAM.UPDATE.OGI",
        lambda s: s.quick.update_stream(api.StreamConfig(name="OGI", subjects=["ogi.>", "spy.>"])),
    ),
    ApiCall(
        "create stream",
        "$JS.API.STREAM.CREATE.SPY",
        lambda s: s.quick.add_stream(name="SPY", subjects=["spy.>"]),
    ),
    ApiCall("list streams", "$JS.API.STREAM.LIST", lambda s: s.quick.streams_info()),
    ApiCall("account info", "$JS.API.INFO", lambda s: s.quick.account_info()),
    ApiCall("list consumers", "$JS.API.CONSUMER.LIST.OGI", lambda s: s.quick.consumers_info("OGI")),
    ApiCall(
        "delete own consumer",
        f"$JS.API.CONSUMER.DELETE.OGI.{MUNICIPAL}__routing",
        lambda s: s.quick.delete_consumer("OGI", f"{MUNICIPAL}__routing"),
    ),
]


@pytest.mark.parametrize("call", BROAD_API_CALLS, ids=lambda call: call.name)
async def test_agency_cannot_use_the_broad_jetstream_api(
    admin: Session, bus: Bus, call: ApiCall
) -> None:
    office, archives = await bus.login(MUNICIPAL), await bus.login(ARCHIVES)
    await publish(archives, event_subject(ARCHIVES, "review", "ReviewDone", NATURAL), b"private")
    before = await jetstream_state(admin)

    await office.assert_refused(call.call(office), call.subject)

    assert await jetstream_state(admin) == before
    assert before["streams"][EVENT_STREAM] == (["ogi.>"], 1)


# -- 4. the supervision bureau -----------------------------------------------------------------


async def test_bureau_reads_accepted_and_overdue_events_of_every_agency(
    admin: Session, bus: Bus
) -> None:
    """What the complaint service's contract has a bureau hear from every agency, and what is
    addressed to the bureau or sent by it: not the other events it does not handle."""
    bureau = await bus.login(BUREAU)
    expected: list[str] = []
    for code in AGENCIES:
        agency = bureau if code == BUREAU else await bus.login(code)
        own = code == BUREAU  # what the bureau sends or addresses to itself is its own mail
        events = [  # (subject, whether the bureau's consumer gets it)
            (event_subject(code, "intake", "ApplicationAccepted", code), True),
            (event_subject(code, "reply", "ApplicationOverdue", code), True),
            (event_subject(code, "reply", "ReplySent", code), own),
            (event_subject(code, "reply", "ApplicationDueSoon", code), own),
            (event_subject(code, "routing", "ApplicationForwarded", ARCHIVES), own),
            (event_subject(code, "complaint", "ComplaintClosed", MUNICIPAL), own),
            (event_subject(code, "routing", "ApplicationForwarded", BUREAU), True),  # its address
        ]
        for subject, wanted in events:
            await publish(agency, subject, subject.encode())
            if wanted:
                expected.append(subject)

    # (num_pending is no check here: nats-server 2.15 counts a message matching two of the
    # consumer's filters twice, though it delivers it once.)
    subscription = await bureau.js.pull_subscribe_bind(BUREAU_CONSUMER, stream=EVENT_STREAM)
    received: list[str] = []
    while len(received) < len(expected):
        for message in await subscription.fetch(len(expected) - len(received), timeout=5):
            assert message.data == message.subject.encode()
            received.append(message.subject)
            await message.ack_sync(timeout=5)
    assert received == expected
    with pytest.raises(nats.errors.TimeoutError):
        await subscription.fetch(1, timeout=REFUSAL_WAIT)
    info = await bureau.js.consumer_info(EVENT_STREAM, BUREAU_CONSUMER)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)
    assert bureau.errors == []
    await subscription.unsubscribe()


@pytest.mark.parametrize("code", [MUNICIPAL, ARCHIVES, NATURAL])
async def test_agency_cannot_read_the_bureaus_consumer(admin: Session, bus: Bus, code: str) -> None:
    agency = await bus.login(code)
    await publish(agency, event_subject(code, "reply", "ApplicationOverdue", code), b"overdue")
    await publish(admin, event_subject(ARCHIVES, "complaint", "ComplaintFiled", BUREAU), b"secret")

    subscription = await agency.js.pull_subscribe_bind(BUREAU_CONSUMER, stream=EVENT_STREAM)
    await agency.assert_refused(
        subscription.fetch(2, timeout=REFUSAL_WAIT),
        f"$JS.API.CONSUMER.MSG.NEXT.{EVENT_STREAM}.{BUREAU_CONSUMER}",
    )
    await agency.assert_refused(
        agency.quick.consumer_info(EVENT_STREAM, BUREAU_CONSUMER),
        f"$JS.API.CONSUMER.INFO.{EVENT_STREAM}.{BUREAU_CONSUMER}",
    )
    await subscription.unsubscribe()

    info = await admin.js.consumer_info(EVENT_STREAM, BUREAU_CONSUMER)
    assert info.delivered is not None and info.delivered.stream_seq == 0
    assert (info.num_pending, info.num_ack_pending) == (2, 0)


# -- known weaknesses: the permissions do not close these ---------------------------------------


async def test_agency_cannot_eavesdrop_on_messages_pulled_by_another(
    admin: Session, bus: Bus
) -> None:
    """Each agency's replies (publish acks, API answers, pulled messages) arrive under its own
    inbox prefix, which no other agency may subscribe to."""
    archives, office = await bus.login(ARCHIVES), await bus.login(MUNICIPAL)
    overheard: list[Msg] = []

    async def keep(msg: Msg) -> None:
        overheard.append(msg)

    for spied in ("_INBOX.>", f"{inbox_prefix(ARCHIVES)}.>", ">"):
        await office.nc.subscribe(spied, cb=keep)
    await office.nc.flush()
    subject = event_subject(NATURAL, "review", "ReviewDone", ARCHIVES)
    await publish(admin, subject, b"for the archives only")
    subscription = await archives.js.pull_subscribe_bind(
        consumer_name(ARCHIVES, "review"), stream=EVENT_STREAM
    )
    [message] = await subscription.fetch(1, timeout=5)
    assert message.data == b"for the archives only"
    assert message.reply.startswith("$JS.ACK.")
    await message.ack_sync(timeout=5)
    await subscription.unsubscribe()
    await office.nc.flush()
    await asyncio.sleep(0.2)

    assert [m.data for m in overheard if m.subject == subject] == []
    assert overheard == []
    assert any("permissions violation" in str(e).lower() for e in office.errors), office.errors


async def test_agency_cannot_suppress_another_agencys_event(admin: Session, bus: Bus) -> None:
    """Deduplication is stream-wide, but an agency's message ids are keyed with its own NATS
    password: another agency that predicts the event id (uuid5 of application, agency and
    version) and publishes it first under its own name does not make the event a duplicate."""
    archives, office = await bus.login(ARCHIVES), await bus.login(MUNICIPAL)
    predictable = "predicted-event-id-of-the-archives"
    own = event_subject(MUNICIPAL, "intake", "ApplicationAccepted", MUNICIPAL)
    await office.js.publish(
        own, b"decoy", stream=EVENT_STREAM, headers={"Nats-Msg-Id": predictable}
    )
    real = event_subject(ARCHIVES, "routing", "ApplicationForwarded", NATURAL)
    keyed = message_id(predictable, bus.passwords[ARCHIVES].encode())
    assert keyed != predictable
    ack = await archives.js.publish(
        real, b"real", stream=EVENT_STREAM, headers={"Nats-Msg-Id": keyed}
    )
    assert not ack.duplicate
    assert await last_message(admin, EVENT_STREAM, real) == b"real"
    again = await archives.js.publish(
        real, b"real", stream=EVENT_STREAM, headers={"Nats-Msg-Id": keyed}
    )
    assert again.duplicate  # its own republish is still recognised


# -- services of an agency user bind to the consumers admin provisioned ------------------------


async def test_an_agency_users_services_run_on_provisioned_consumers(
    bus: Bus, tmp_path: Path
) -> None:
    """`ogi nats provision` as admin; then the municipal office's intake relays as its own
    NATS user and its routing, also its own user, binds to the provisioned consumer (it may not
    create one) and handles what is addressed to it."""
    admin = await bus.admin()
    done = await provision(admin.js, load_agencies(), list(AGENCIES), CONTRACTS)
    made = {d["consumer"]: d["action"] for d in done}
    assert made[consumer_name(MUNICIPAL, "routing")] == "created"
    assert made[BUREAU_CONSUMER] == "created"
    assert consumer_name(MUNICIPAL, "complaint") not in made  # handles nothing there
    again = await provision(admin.js, load_agencies(), list(AGENCIES), CONTRACTS)
    assert {d["action"] for d in again} == {"unchanged"}

    office = await bus.login(MUNICIPAL)
    url = f"sqlite://{tmp_path / 'stores'}"
    with (
        opened(IntakeApplication, url, MUNICIPAL) as intake,
        opened(RoutingApplication, url, MUNICIPAL) as routing,
        writer_thread() as writer,
    ):
        applications = await asyncio.to_thread(submit_many, intake, 3)
        relay = OutboxRelay(intake, office.js, writer, id_key=bus.passwords[MUNICIPAL].encode())
        assert await relay.relay_once() > 0
        handlers = routing_handlers(routing, load_agencies())
        subjects = inbox_subjects(ROUTING.contract, load_agencies(), MUNICIPAL)
        consumer = inbox_of(routing, office.js, writer, handlers, subjects, may_manage=False)
        async with running(consumer.run, "routing inbox"):
            await eventually(
                lambda: all(routing.find(routing_id(a), Routing) for a in applications),
                what="routing to take the accepted applications",
            )
    assert not office.violations()


async def test_an_unprovisioned_consumer_is_reported_not_created(bus: Bus, tmp_path: Path) -> None:
    admin = await bus.admin()
    await ensure_streams(admin.js)
    office = await bus.login(MUNICIPAL)
    url = f"sqlite://{tmp_path / 'stores'}"
    with opened(RoutingApplication, url, MUNICIPAL) as routing, writer_thread() as writer:
        consumer = inbox_of(routing, office.js, writer, {}, ["ogi.*.*.*.x"], may_manage=False)
        with pytest.raises(ConsumerNotProvisioned, match="ogi nats provision"):
            await consumer.subscribe()
    assert await admin.js.consumers_info(EVENT_STREAM) == []


# -- what a sender may send ----------------------------------------------------------------------


def rectification_order(sender: str, claimed: str) -> tuple[str, bytes]:
    """An order to the municipal office, published by ``sender``, whose envelope says
    ``claimed`` sent it."""
    record = hand_made_event(
        "RectificationOrdered",
        "complaint",
        {
            "order_id": "X-R1",
            "complaint_id": "X",
            "application_id": "A0000000000001",
            "agency": MUNICIPAL,
            "requirements": "重新答复",
            "answer_due": "2026-11-30",
        },
        event_id=f"forged-{sender}-{claimed}",
        application_id="A0000000000001",
        agency=claimed,
        to_agency=MUNICIPAL,
        occurred_on="2026-11-09",
    )
    return event_subject(sender, "complaint", "RectificationOrdered", MUNICIPAL), encode(record)


async def test_an_agency_cannot_order_another_to_reopen_an_application(
    admin: Session, bus: Bus, tmp_path: Path
) -> None:
    """Only a supervision bureau's rectification order reopens an agency's review; an envelope
    claiming another sender than its subject is refused too. Both go to the dead letters."""
    archives, office = await bus.login(ARCHIVES), await bus.login(MUNICIPAL)
    forged = [rectification_order(ARCHIVES, ARCHIVES), rectification_order(ARCHIVES, BUREAU)]
    for subject, data in forged:
        await publish(archives, subject, data)
    url = f"sqlite://{tmp_path / 'stores'}"
    with opened(ReviewApplication, url, MUNICIPAL) as review, writer_thread() as writer:
        registry = load_agencies()
        handlers = REVIEW.handlers(review, registry)
        subjects = inbox_subjects(REVIEW.contract, registry, MUNICIPAL)
        consumer = inbox_of(
            review, office.js, writer, handlers, subjects,
            may_manage=False, refuses=sender_policy(REVIEW, registry, MUNICIPAL),
        )  # fmt: skip
        async with running(consumer.run, "review inbox"):
            await eventually(lambda: consumer.dead_lettered == 2, what="both refused")
        assert consumer.applied == 0
    errors = [(m.headers or {})["Ogi-Error"] for m in await dead_letter_messages(admin)]
    claimed = event_subject(BUREAU, "complaint", "RectificationOrdered", MUNICIPAL)
    assert errors == [
        f"RectificationOrdered from {ARCHIVES} is not accepted by {MUNICIPAL}'s review",
        f"the envelope says {claimed}",
    ]


async def dead_letter_messages(admin: Session) -> list[Msg]:
    subscription = await admin.js.pull_subscribe(
        f"ogidlq.{MUNICIPAL}.review", stream=DEAD_LETTER_STREAM
    )
    messages = await subscription.fetch(10, timeout=5)
    await subscription.unsubscribe()
    return messages
