"""Where the services listen: OGI_ENDPOINTS, else the file `ogi up` wrote, else the defaults."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ogi_contracts import ports
from ogi_platform.messaging.envelope import READ_MODELS, SERVICES
from ogi_platform.service.config import DEFAULT_NATS_URL

#: The processes `ogi up` starts, in this order, and the port each listens on by default.
DEFAULT_PORTS = {name: ports.DEFAULT_PORTS[name] for name in (*SERVICES, *READ_MODELS)}


def ogi_home() -> Path:
    return Path(os.environ.get("OGI_HOME") or Path.home() / ".ogi")


def endpoints_file() -> Path:
    return ogi_home() / "endpoints.json"


def parse_endpoints(text: str) -> dict[str, str]:
    """``{"intake": "127.0.0.1:50051", ...}`` or ``intake=127.0.0.1:50051,routing=...``."""
    text = text.strip()
    if text.startswith("{"):
        data = json.loads(text)
        return {str(k): str(v) for k, v in data.get("services", data).items()}
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {name.strip(): address.strip() for name, address in pairs}


def resolve_endpoints() -> dict[str, str]:
    endpoints = {name: f"127.0.0.1:{port}" for name, port in DEFAULT_PORTS.items()}
    path = endpoints_file()
    if path.exists():
        endpoints |= parse_endpoints(path.read_text(encoding="utf-8"))
    if os.environ.get("OGI_ENDPOINTS"):
        endpoints |= parse_endpoints(os.environ["OGI_ENDPOINTS"])
    return endpoints


@dataclass(frozen=True)
class NatsLogin:
    """How an administrative command (`ogi nats …`, `ogi dlq …`) reaches NATS."""

    url: str
    user: str
    password: str


def nats_login(
    url: str | None = None, user: str | None = None, password: str | None = None
) -> NatsLogin:
    """Explicit values first, then the environment (OGI_NATS_URL, ADMIN_NATS_PASSWORD), then the
    system `ogi up` started: endpoints.json names its NATS URL and, under ``nats_admin_file``, a
    file only its owner may read holding ``{"user": …, "password": …}`` (never the password
    itself). With no password the connection is anonymous."""
    started: dict[str, str] = {}
    path = endpoints_file()
    if path.exists():
        try:
            described = json.loads(path.read_text(encoding="utf-8"))
            started["url"] = str(described.get("nats") or "")
            admin_file = described.get("nats_admin_file")
            if admin_file:
                login = json.loads(Path(admin_file).read_text(encoding="utf-8"))
                started["user"] = str(login.get("user") or "")
                started["password"] = str(login.get("password") or "")
        except (OSError, ValueError, AttributeError):
            started = {}
    chosen_url = url or os.environ.get("OGI_NATS_URL") or started.get("url") or DEFAULT_NATS_URL
    chosen_password = password or os.environ.get("ADMIN_NATS_PASSWORD") or ""
    chosen_user = user or ""
    if not chosen_password and not url and not os.environ.get("OGI_NATS_URL"):
        chosen_password = started.get("password", "")
        chosen_user = chosen_user or started.get("user", "")
    if chosen_password and not chosen_user:
        chosen_user = "admin"
    return NatsLogin(chosen_url, chosen_user, chosen_password)
