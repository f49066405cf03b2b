"""Intake as its gRPC clients see it, in this process (issue 13): GetApplication with 5 and 101
agencies served (locating an application must not cost more with more agencies), and
SubmitApplication with 32 requests in flight (commands queued while the store's writer is busy
share one transaction: group commit).

The real intake runtime (``ServiceRuntime.start``: gRPC, a store, relay and inbox per agency) on
the given stores and nats-server; figures are printed, not asserted.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from importlib import resources
from pathlib import Path

import grpc
import yaml
from ogi.v1 import common_pb2, intake_pb2, intake_pb2_grpc

from intake.main import SPEC
from ogi_law.agencies import DEFAULT_AGENCIES, AgencyRegistry
from ogi_platform.rpc.auth import Principal, issue_token
from ogi_platform.service.config import ServiceConfig
from ogi_platform.service.runtime import ServiceRuntime

SECRET = b"intake-bench-secret-0123456789abcdef"
ON = date(2026, 11, 20)
IN_FLIGHT = 32


def agency_file(folder: Path, count: int) -> tuple[Path, tuple[str, ...]]:
    """The default four agencies and ``count - 4`` district offices, and their codes."""
    default_file = resources.files("ogi_law").joinpath("data/agencies.yaml")
    agencies = yaml.safe_load(default_file.read_text(encoding="utf-8"))["agencies"]
    agencies += [
        {"code": f"district-{n}-office", "kind": "department", "number_prefix": f"QZF{n}"}
        for n in range(1, count - len(DEFAULT_AGENCIES) + 1)
    ]
    path = folder / f"agencies-{count}.yaml"
    path.write_text(yaml.safe_dump({"agencies": agencies}, allow_unicode=True), encoding="utf-8")
    return path, tuple(str(a["code"]) for a in agencies)


@asynccontextmanager
async def intake_serving(
    count: int, url: str | None, folder: Path, nats_url: str
) -> AsyncIterator[tuple[ServiceRuntime[AgencyRegistry], tuple[str, ...]]]:
    """Intake serving ``count`` agencies in this process, on fresh stores."""
    folder.mkdir(parents=True, exist_ok=True)
    path, codes = agency_file(folder, count)
    config = ServiceConfig(
        service="intake",
        agencies=codes,
        grpc_host="127.0.0.1",
        grpc_port=0,
        any_port=True,
        database_url=url,
        data_dir=folder / "stores",
        nats_url=nats_url,
        nats_user=None,
        nats_password=None,
        agency_file=path,
        token_secret=SECRET,
    )
    runtime = ServiceRuntime(SPEC, config)
    await runtime.start()
    try:
        yield runtime, codes
    finally:
        await runtime.stop()


def submission(agency: str, n: int) -> intake_pb2.SubmitApplicationRequest:
    return intake_pb2.SubmitApplicationRequest(
        agency=agency,
        applicant=common_pb2.Applicant(
            name="张三", type="natural_person", id_doc=f"1101{n:08d}", contact="138"
        ),
        description="城市更新项目批复文件",
        form="electronic",
        channel="online",
        received_on=ON.isoformat(),
    )


def operator() -> tuple[tuple[str, str], ...]:
    token = issue_token(SECRET, Principal("operator", "bench"), date.today())
    return (("authorization", f"Bearer {token}"),)


async def get_application(url: str | None, folder: Path, nats_url: str, counts: list[int]) -> None:
    """Mean and p99 of GetApplication of an application of the last agency served."""
    for count in counts:
        async with (
            intake_serving(count, url, folder / f"get-{count}", nats_url) as (runtime, codes),
            grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel,
        ):
            stub = intake_pb2_grpc.IntakeServiceStub(channel)
            metadata = operator()
            made = await stub.SubmitApplication(submission(codes[-1], 0), metadata=metadata)
            request = intake_pb2.GetApplicationRequest(
                application_id=made.application.application_id
            )
            times = []
            for _ in range(300):
                started = time.perf_counter()
                await stub.GetApplication(request, metadata=metadata)
                times.append(time.perf_counter() - started)
            times.sort()
            print(f"  {f'GetApplication, {count} agencies served':<58} "
                  f"{statistics.mean(times) * 1000:>6.2f} ms mean, "
                  f"{times[int(len(times) * 0.99)] * 1000:.2f} ms p99")  # fmt: skip


async def submissions(
    url: str | None, folder: Path, nats_url: str, n: int, agencies: tuple[str, ...]
) -> None:
    """Applications/s through intake's gRPC API with ``IN_FLIGHT`` submissions at a time, spread
    over ``agencies`` (each agency's store has a writer of its own)."""
    async with (
        intake_serving(len(DEFAULT_AGENCIES), url, folder, nats_url) as (runtime, _),
        grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel,
    ):
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        metadata = operator()
        queue = iter(range(n))

        async def client() -> None:
            for i in queue:
                agency = agencies[i % len(agencies)]
                await stub.SubmitApplication(submission(agency, i), metadata=metadata)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(IN_FLIGHT)))
        seconds = time.perf_counter() - started
        label = f"SubmitApplication, {IN_FLIGHT} in flight, {len(agencies)} agency(ies)"
        print(f"  {label:<58} {n / seconds:>9,.0f} /s  ({n} in {seconds:.2f} s)")


def bench_intake(url: str | None, folder: Path, nats_url: str, n: int) -> None:
    """On PostgreSQL with 5 agencies only: a process takes a few connections per agency served,
    and the default server allows 100 (issue 13)."""
    asyncio.run(get_application(url, folder, nats_url, [5] if url else [5, 101]))
    for agencies in (DEFAULT_AGENCIES[:1], DEFAULT_AGENCIES):
        at = folder / f"submit-{len(agencies)}"
        asyncio.run(submissions(url, at, nats_url, n, agencies))
