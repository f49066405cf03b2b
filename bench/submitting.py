"""Applications submitted to a running intake over gRPC, as an operator: with ``IN_FLIGHT``
requests at a time (as fast as intake answers), or paced at a given rate. Each submission's
application id and the moment (monotonic) it was sent are kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

import grpc
from ogi.v1 import common_pb2, intake_pb2, intake_pb2_grpc
from running import SECRET, PhaseTimeout

from ogi_platform.rpc.auth import Principal, issue_token
from ogi_platform.today import today_in_china

IN_FLIGHT = 32

Sent = list[tuple[str, float]]
Metadata = tuple[tuple[str, str], ...]


def operator() -> Metadata:
    """The call metadata of an operator, signed with the secret `ogi up` was given."""
    token = issue_token(SECRET, Principal("operator", "bench"), today_in_china())
    return (("authorization", f"Bearer {token}"),)


def application(agency: str, n: int) -> intake_pb2.SubmitApplicationRequest:
    """Application ``n``, to ``agency``, received today."""
    return intake_pb2.SubmitApplicationRequest(
        agency=agency,
        applicant=common_pb2.Applicant(
            name="张三", type="natural_person", id_doc=f"1101{n:08d}", contact="138"
        ),
        description="城市更新项目批复文件",
        form="electronic",
        channel="online",
        received_on=today_in_china().isoformat(),
    )


async def _submit(
    stub: intake_pb2_grpc.IntakeServiceStub, agency: str, n: int, metadata: Metadata, sent: Sent
) -> None:
    at = time.monotonic()
    made = await stub.SubmitApplication(application(agency, n), metadata=metadata, timeout=60)
    sent.append((made.application.application_id, at))


async def _bounded(phase: str, timeout: float, work: Coroutine[Any, Any, None]) -> None:
    try:
        await asyncio.wait_for(work, timeout)
    except TimeoutError:
        raise PhaseTimeout(f"{phase}: submissions not answered within {timeout:.0f} s") from None
    except grpc.aio.AioRpcError as error:
        raise RuntimeError(f"{phase}: intake refused a submission: {error.details()}") from None


async def _closed_loop(address: str, agencies: list[str], first: int, n: int, sent: Sent) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        stub, metadata = intake_pb2_grpc.IntakeServiceStub(channel), operator()
        queue = iter(range(first, first + n))

        async def client() -> None:
            for i in queue:
                await _submit(stub, agencies[i % len(agencies)], i, metadata, sent)

        await asyncio.gather(*(client() for _ in range(IN_FLIGHT)))


async def _paced(
    address: str, agencies: list[str], first: int, n: int, rate: float, sent: Sent
) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        stub, metadata = intake_pb2_grpc.IntakeServiceStub(channel), operator()
        start = time.monotonic()
        tasks = []
        for k in range(n):
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            i = first + k
            tasks.append(
                asyncio.create_task(_submit(stub, agencies[i % len(agencies)], i, metadata, sent))
            )
        await asyncio.gather(*tasks)


def submit_all(
    address: str, agencies: list[str], first: int, n: int, timeout: float, phase: str
) -> Sent:
    """Applications ``first`` .. ``first + n - 1``, spread over ``agencies``, ``IN_FLIGHT`` at a
    time; what was sent, when."""
    sent: Sent = []
    work = _closed_loop(address, agencies, first, n, sent)
    asyncio.run(_bounded(phase, timeout, work))
    return sent


def submit_paced(
    address: str, agencies: list[str], first: int, n: int, rate: float, timeout: float, phase: str
) -> Sent:
    """As ``submit_all``, one every ``1 / rate`` seconds whatever the answers."""
    sent: Sent = []
    work = _paced(address, agencies, first, n, rate, sent)
    asyncio.run(_bounded(phase, timeout, work))
    return sent
