"""How the web process is configured: from the environment `ogi up`, compose or Kubernetes
gives it. Nothing here has a default secret: the token secret is the one the services verify
(OGI_TOKEN_SECRET or OGI_TOKEN_SECRET_FILE) and the web refuses to start without it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ogi_contracts.ports import DEFAULT_PORTS
from ogi_errors import InvalidInput
from ogi_platform.rpc.auth import load_secret

#: Public forms (apply, look up, complain): so many posts per address within the window.
DEFAULT_RATE = "30/600"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def _path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value) if value else None


def _rate(text: str) -> tuple[int, float]:
    """``30/600``: 30 posts within 600 seconds."""
    count, _, seconds = text.partition("/")
    try:
        limit, window = int(count), float(seconds)
    except ValueError:
        raise InvalidInput("OGI_WEB_RATE_LIMIT", f"{text!r} is not COUNT/SECONDS") from None
    if limit < 1 or window <= 0:
        raise InvalidInput("OGI_WEB_RATE_LIMIT", f"{text!r} is not COUNT/SECONDS")
    return limit, window


@dataclass(frozen=True)
class Settings:
    """Where to listen, where the services are, whom to trust."""

    secret: bytes
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORTS["web"]
    #: Take any free port when the preferred one is taken (`ogi up`), reported in ready_file.
    any_port: bool = False
    ready_file: Path | None = None
    #: The endpoints.json `ogi up` writes (read again whenever it changes), else OGI_ENDPOINTS.
    endpoints_file: Path | None = None
    endpoints: str = ""
    #: The operator's file of staff accounts (`ogi web user add`); none: tokens only.
    users_file: Path | None = None
    #: Cookies only over HTTPS (behind a TLS proxy).
    secure_cookies: bool = False
    rate_limit: int = 30
    rate_window: float = 600.0

    @classmethod
    def from_env(cls) -> Settings:
        limit, window = _rate(os.environ.get("OGI_WEB_RATE_LIMIT") or DEFAULT_RATE)
        return cls(
            secret=load_secret(),
            host=os.environ.get("OGI_WEB_HOST") or "127.0.0.1",
            port=int(os.environ.get("OGI_WEB_PORT") or DEFAULT_PORTS["web"]),
            any_port=_flag("OGI_WEB_ANY_PORT"),
            ready_file=_path("OGI_READY_FILE"),
            endpoints_file=_path("OGI_WEB_ENDPOINTS_FILE"),
            endpoints=os.environ.get("OGI_ENDPOINTS", ""),
            users_file=_path("OGI_WEB_USERS_FILE"),
            secure_cookies=_flag("OGI_WEB_SECURE_COOKIES"),
            rate_limit=limit,
            rate_window=window,
        )
