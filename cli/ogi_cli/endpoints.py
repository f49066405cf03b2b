"""Where the services listen: OGI_ENDPOINTS, else the file `ogi up` wrote, else the defaults."""

from __future__ import annotations

import json
import os
from pathlib import Path

from govcommon.envelope import SERVICES

DEFAULT_PORTS = {name: 50051 + i for i, name in enumerate(SERVICES)}


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
