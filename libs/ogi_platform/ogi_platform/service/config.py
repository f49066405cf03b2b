"""Configuration of a service process, from environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ogi_platform.rpc.auth import load_secret
from ogi_platform.settings import seconds_setting, setting, whole_setting

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
#: Whole-number settings read where they are used (the stores, the writer pool), checked here
#: at start so that a bad one is refused in one line before anything opens.
CHECKED_ELSEWHERE = ("OGI_PG_CONNECTIONS", "OGI_PG_READ_CONNECTIONS", "OGI_WRITER_THREADS")


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


def load_config(
    service: str, default_port: int, default_agencies: tuple[str, ...]
) -> ServiceConfig:
    """The settings of ``service`` from the environment. The agencies served: those of
    ``OGI_AGENCIES``; unset, every agency of ``OGI_AGENCY_FILE`` (left empty here: the service's
    registry names them); neither set, the service's defaults."""
    agencies = setting("OGI_AGENCIES")
    agency_file = setting("OGI_AGENCY_FILE")
    calendar_dir = setting("OGI_CALENDAR_DIR")
    ready_file = setting("OGI_READY_FILE")
    served = tuple(a.strip() for a in agencies.split(",") if a.strip()) if agencies else ()
    if not agencies and not agency_file:
        served = default_agencies
    for name in CHECKED_ELSEWHERE:
        whole_setting(name, 1)
    return ServiceConfig(
        service=service,
        agencies=served,
        grpc_host=setting("OGI_GRPC_HOST", "0.0.0.0") or "0.0.0.0",
        grpc_port=whole_setting("OGI_GRPC_PORT", default_port, least=0, most=65535),
        database_url=setting(f"OGI_{service.upper()}_DATABASE_URL") or setting("OGI_DATABASE_URL"),
        data_dir=Path(setting("OGI_DATA_DIR", "data") or "data"),
        nats_url=setting("OGI_NATS_URL", DEFAULT_NATS_URL) or DEFAULT_NATS_URL,
        nats_user=setting("OGI_NATS_USER"),
        nats_password=setting("OGI_NATS_PASSWORD"),
        agency_file=Path(agency_file) if agency_file else None,
        calendar_dir=Path(calendar_dir) if calendar_dir else None,
        tick_seconds=seconds_setting("OGI_TICK_SECONDS", 60.0),
        due_soon_days=whole_setting("OGI_DUE_SOON_DAYS", 5, least=0),
        rectification_days=whole_setting("OGI_RECTIFICATION_DAYS", 15),
        any_port=setting("OGI_GRPC_ANY_PORT", "") in ("1", "true", "yes"),
        ready_file=Path(ready_file) if ready_file else None,
        token_secret=load_secret(),
        stall_seconds=seconds_setting("OGI_STALL_SECONDS", 60.0),
    )
