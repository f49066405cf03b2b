"""Configuration of a service process, from environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ogi_platform.rpc.auth import load_secret

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"


@dataclass(frozen=True)
class ServiceConfig:
    service: str
    agencies: tuple[str, ...]
    grpc_host: str
    grpc_port: int
    database_url: str | None
    data_dir: Path
    nats_url: str
    nats_user: str | None
    nats_password: str | None
    agency_file: Path | None
    calendar_dir: Path | None = None
    tick_seconds: float = 60.0
    due_soon_days: int = 5
    rectification_days: int = 15
    any_port: bool = False
    ready_file: Path | None = None
    token_secret: bytes = b""
    #: Health goes NOT_SERVING when a relay or inbox with work waiting made no progress this long.
    stall_seconds: float = 60.0


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def load_config(
    service: str, default_port: int, default_agencies: tuple[str, ...]
) -> ServiceConfig:
    """The settings of ``service`` from the environment. The agencies served: those of
    ``OGI_AGENCIES``; unset, every agency of ``OGI_AGENCY_FILE`` (left empty here: the service's
    registry names them); neither set, the service's defaults."""
    agencies = _env("OGI_AGENCIES")
    agency_file = _env("OGI_AGENCY_FILE")
    calendar_dir = _env("OGI_CALENDAR_DIR")
    ready_file = _env("OGI_READY_FILE")
    served = tuple(a.strip() for a in agencies.split(",") if a.strip()) if agencies else ()
    if not agencies and not agency_file:
        served = default_agencies
    return ServiceConfig(
        service=service,
        agencies=served,
        grpc_host=_env("OGI_GRPC_HOST", "0.0.0.0") or "0.0.0.0",
        grpc_port=int(_env("OGI_GRPC_PORT", str(default_port)) or default_port),
        database_url=_env(f"OGI_{service.upper()}_DATABASE_URL") or _env("OGI_DATABASE_URL"),
        data_dir=Path(_env("OGI_DATA_DIR", "data") or "data"),
        nats_url=_env("OGI_NATS_URL", DEFAULT_NATS_URL) or DEFAULT_NATS_URL,
        nats_user=_env("OGI_NATS_USER"),
        nats_password=_env("OGI_NATS_PASSWORD"),
        agency_file=Path(agency_file) if agency_file else None,
        calendar_dir=Path(calendar_dir) if calendar_dir else None,
        tick_seconds=float(_env("OGI_TICK_SECONDS", "60") or 60),
        due_soon_days=int(_env("OGI_DUE_SOON_DAYS", "5") or 5),
        rectification_days=int(_env("OGI_RECTIFICATION_DAYS", "15") or 15),
        any_port=_env("OGI_GRPC_ANY_PORT", "") in ("1", "true", "yes"),
        ready_file=Path(ready_file) if ready_file else None,
        token_secret=load_secret(),
        stall_seconds=float(_env("OGI_STALL_SECONDS", "60") or 60),
    )
