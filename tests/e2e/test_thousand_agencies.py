"""Every agency of a province-sized instance receives its events (issue 13): one `ogi up` serving
1,000 agencies (the four defaults and 996 district offices), one application submitted to each
over gRPC.

Each agency's review store opens the review of its own application: the agency's own staff read
it open (a caller who may not read the store holding an application is told it does not exist, so
the answer comes from that agency's store). The supervision bureau's complaint service records
every one in the bureau's store, and the bureau's read model (query) lists all 1,000, one per
agency. The event stream holds one consumer per service process, not one per agency.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TypeVar

import grpc
import nats
import pytest
from harness.agencyfile import agency_file
from harness.ogisystem import OgiSystem, today_in_china
from ogi.v1 import (
    common_pb2,
    history_pb2,
    history_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
    query_pb2,
    query_pb2_grpc,
    review_pb2,
    review_pb2_grpc,
)

from ogi_cli.tokens import SECRET_FILE
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.messaging.inbox import process_consumer_name
from ogi_platform.rpc.auth import Principal, issue_token, load_secret

pytestmark = pytest.mark.long

AGENCIES = 1000
#: Requests in flight at a time, as a busy portal sends them.
IN_FLIGHT = 16
#: `ogi up` opens 1,000 stores per service before it is ready (about 23 s on 2 busy cores).
READY_TIMEOUT = 120.0
#: How long the events may take to reach every agency's store, for each service checked.
ARRIVAL_TIMEOUT = 60.0
#: The longest one round of calls to every agency may take (a service that stopped answering
#: fails the test then, instead of each call waiting out its own timeout in turn).
ROUND_TIMEOUT = 90.0
#: The service processes that handle events in every agency's store; complaint handles them in
#: the supervision bureau's only.
IN_EVERY_STORE = ("intake", "routing", "review", "reply", "report", "query")
BUREAU = "supervision-bureau"

T = TypeVar("T")
Metadata = tuple[tuple[str, str], ...]


def bearer(token: str) -> Metadata:
    """The call metadata carrying ``token``."""
    return (("authorization", f"Bearer {token.strip()}"),)


def staff_of(system: OgiSystem, agencies: Iterable[str]) -> dict[str, Metadata]:
    """A staff member's call metadata for each agency, signed with the secret `ogi up` keeps in
    its data folder (as `ogi token issue` signs them)."""
    secret = load_secret({"OGI_TOKEN_SECRET_FILE": str(system.data / SECRET_FILE)})
    today = today_in_china()
    return {
        agency: bearer(issue_token(secret, Principal("staff", "clerk", agency), today))
        for agency in agencies
    }


async def each(items: Iterable[str], call: Callable[[str], Awaitable[T]]) -> dict[str, T]:
    """``call`` of every item, ``IN_FLIGHT`` at a time, within ``ROUND_TIMEOUT``: item -> its
    answer."""
    items = list(items)
    queue, answers = iter(items), {}

    async def worker() -> None:
        for item in queue:
            answers[item] = await call(item)

    try:
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(IN_FLIGHT))), ROUND_TIMEOUT)
    except TimeoutError:
        pytest.fail(f"{len(answers)} of {len(items)} calls answered in {ROUND_TIMEOUT:.0f} s")
    return answers


async def submit_to_each(address: str, operator: Metadata, agencies: list[str]) -> dict[str, str]:
    """One application to every agency: agency -> the application's id."""
    numbers = {agency: n for n, agency in enumerate(agencies)}  # distinct applicants
    async with grpc.aio.insecure_channel(address) as channel:
        intake = intake_pb2_grpc.IntakeServiceStub(channel)

        async def submit(agency: str) -> str:
            request = intake_pb2.SubmitApplicationRequest(
                agency=agency,
                applicant=common_pb2.Applicant(
                    name="张三",
                    type="natural_person",
                    id_doc=f"1101{numbers[agency]:08d}",
                    contact="138",
                ),
                description="城市更新项目批复文件",
                form="electronic",
                channel="online",
                received_on=today_in_china().isoformat(),
            )
            made = await intake.SubmitApplication(request, metadata=operator, timeout=60)
            return str(made.application.application_id)

        return await each(agencies, submit)


async def never_seen(agencies: Iterable[str], seen: Callable[[str], Awaitable[bool]]) -> list[str]:
    """Ask ``seen`` of every agency, again of those not seen yet, until all are (or
    ``ARRIVAL_TIMEOUT`` passed): the agencies never seen."""
    waiting = list(agencies)
    deadline = time.monotonic() + ARRIVAL_TIMEOUT
    while waiting and time.monotonic() < deadline:
        answers = await each(waiting, seen)
        waiting = [agency for agency in waiting if not answers[agency]]
        if waiting:
            await asyncio.sleep(0.5)
    return waiting


async def review_state(
    review: review_pb2_grpc.ReviewServiceStub, caller: Metadata, application_id: str
) -> str:
    """The state of the application's review as ``caller`` reads it ("": not found)."""
    request = review_pb2.GetReviewRequest(application_id=application_id)
    try:
        answer = await review.GetReview(request, metadata=caller, timeout=30)
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return ""
        raise
    return str(answer.review.state)


async def reviews_not_open(
    address: str, staff: dict[str, Metadata], submitted: dict[str, str]
) -> list[str]:
    """The agencies whose own staff never read the review of the agency's application open.
    Staff are told an application in another agency's store does not exist: the first agency's
    staff do not find the last agency's open review (neither is the supervision bureau, whose
    staff may read every agency's)."""
    first, *_, last = (agency for agency in submitted if agency != BUREAU)
    async with grpc.aio.insecure_channel(address) as channel:
        review = review_pb2_grpc.ReviewServiceStub(channel)

        async def is_open(agency: str) -> bool:
            return await review_state(review, staff[agency], submitted[agency]) == "open"

        waiting = await never_seen(submitted, is_open)
        if last not in waiting:
            assert await review_state(review, staff[first], submitted[last]) == ""
        return waiting


async def unknown_to_complaint(
    address: str, operator: Metadata, submitted: dict[str, str]
) -> list[str]:
    """The agencies whose application the supervision bureau's complaint service never recorded
    (``ApplicationKnown`` of that agency, in the bureau's store)."""
    async with grpc.aio.insecure_channel(address) as channel:
        history = history_pb2_grpc.HistoryServiceStub(channel)

        async def known(agency: str) -> bool:
            request = history_pb2.ListEventsRequest(application_id=submitted[agency])
            answer = await history.ListEvents(request, metadata=operator, timeout=30)
            return any(
                event.type == "ApplicationKnown"
                and event.agency == BUREAU
                and event.data["agency"] == agency
                for event in answer.events
            )

        return await never_seen(submitted, known)


async def bureau_list(address: str, operator: Metadata) -> dict[str, str]:
    """Every application the supervision bureau's read model lists, in any state, once it has
    applied what the bus holds for it: agency -> application id (an agency listed twice
    fails)."""
    listed: dict[str, str] = {}
    async with grpc.aio.insecure_channel(address) as channel:
        query = query_pb2_grpc.QueryServiceStub(channel)
        token = ""
        while True:
            request = query_pb2.ListApplicationsRequest(
                all_states=True, page_size=500, page_token=token, up_to_date=True
            )
            page = await query.ListApplications(request, metadata=operator, timeout=60)
            for row in page.applications:
                assert row.agency not in listed, f"{row.agency} listed twice"
                listed[row.agency] = row.application_id
            token = page.next_page_token
            if not token:
                return listed


async def stream_consumers(system: OgiSystem) -> list[str]:
    """The durable consumers of the event stream, as the NATS admin sees them."""
    client = await nats.connect(
        system.description["nats"], allow_reconnect=False, connect_timeout=5, **system.nats_admin()
    )
    try:
        return sorted(info.name for info in await client.jetstream().consumers_info(EVENT_STREAM))
    finally:
        await client.close()


def test_every_one_of_a_thousand_agencies_receives_its_events(
    tmp_path: Path, system_factory: Callable[..., OgiSystem]
) -> None:
    system = system_factory(env={"OGI_AGENCY_FILE": str(agency_file(tmp_path, AGENCIES))})
    agencies = list(system.start(timeout=READY_TIMEOUT)["agencies"])
    assert len(agencies) == AGENCIES
    operator = bearer((system.home / "token").read_text(encoding="utf-8"))

    submitted = asyncio.run(submit_to_each(system.address["intake"], operator, agencies))
    assert len(set(submitted.values())) == AGENCIES

    staff = staff_of(system, agencies)
    not_open = asyncio.run(reviews_not_open(system.address["review"], staff, submitted))
    assert not not_open, f"{len(not_open)} agencies' reviews not open: {not_open[:10]}"
    unknown = asyncio.run(unknown_to_complaint(system.address["complaint"], operator, submitted))
    assert not unknown, (
        f"the bureau's complaint service never heard of {len(unknown)}: {unknown[:10]}"
    )
    assert asyncio.run(bureau_list(system.address["query"], operator)) == submitted

    expected = [process_consumer_name(service, agencies) for service in IN_EVERY_STORE]
    expected.append(process_consumer_name("complaint", [BUREAU]))
    assert asyncio.run(stream_consumers(system)) == sorted(expected)
