"""A service runtime in the test's process: one service of one agency on the test's nats-server
and stores, its gRPC server on a free local port, started for the body and stopped afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar

from ogi_platform.service.agencies import Agencies
from ogi_platform.service.config import ServiceConfig
from ogi_platform.service.runtime import ServiceRuntime, ServiceSpec

R = TypeVar("R", bound=Agencies)

AGENCY = "municipal-office"


def local_config(
    service: str, database_url: str, nats_url: str, data_dir: Path, **settings: Any
) -> ServiceConfig:
    """``service``'s settings for the municipal office on the given stores and NATS (no login),
    gRPC on any free port of 127.0.0.1, a token secret of the tests; ``settings`` override."""
    defaults: dict[str, Any] = {
        "service": service,
        "agencies": (AGENCY,),
        "grpc_host": "127.0.0.1",
        "grpc_port": 0,
        "database_url": database_url,
        "data_dir": data_dir,
        "nats_url": nats_url,
        "nats_user": None,
        "nats_password": None,
        "agency_file": None,
        "any_port": True,
        "token_secret": f"{service}-test-secret-0123456789abcdef".encode(),
    }
    return ServiceConfig(**(defaults | settings))


@contextlib.asynccontextmanager
async def running_service(
    spec: ServiceSpec[R], database_url: str, nats_url: str, data_dir: Path, **settings: Any
) -> AsyncIterator[ServiceRuntime[R]]:
    """``spec``'s service started in this process with `local_config`, stopped afterwards."""
    runtime = ServiceRuntime(
        spec, local_config(spec.name, database_url, nats_url, data_dir, **settings)
    )
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
