"""Tokens for the CLI: the one it sends, and `ogi token issue` for staff and portals."""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from ogi_cli.endpoints import endpoints_file, ogi_home
from ogi_errors import InvalidInput
from ogi_platform.rpc.auth import Principal, checked_principal, issue_token, load_secret
from ogi_platform.today import today_in_china

SECRET_FILE = "token-secret"


def token_file() -> Path:
    return ogi_home() / "token"


def resolve_token() -> str:
    """OGI_TOKEN, else the operator token `ogi up` left in OGI_HOME (empty if neither)."""
    if os.environ.get("OGI_TOKEN"):
        return os.environ["OGI_TOKEN"].strip()
    path = token_file()
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by the owner only; readers see the old text or the
    new one, never a part (written beside it, then renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(partial, path)


def _secret() -> bytes:
    """The signing secret: OGI_TOKEN_SECRET(_FILE), else the running `ogi up`'s data folder."""
    if os.environ.get("OGI_TOKEN_SECRET") or os.environ.get("OGI_TOKEN_SECRET_FILE"):
        return load_secret()
    path = endpoints_file()
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8")).get("data", "")
        if data and (Path(data) / SECRET_FILE).exists():
            return load_secret({"OGI_TOKEN_SECRET_FILE": str(Path(data) / SECRET_FILE)})
    raise InvalidInput("OGI_TOKEN_SECRET", "is not set and no `ogi up` is running here")


def issue(args: argparse.Namespace) -> dict[str, Any]:
    principal: Principal = checked_principal(args.role, args.name, args.agency or "")
    today = today_in_china()
    if args.days is not None and args.days < 1:
        raise InvalidInput("days", "must be at least 1")
    expires = today + timedelta(days=args.days) if args.days else None
    token = issue_token(_secret(), principal, today, expires)
    return {
        "token": token,
        "actor": principal.actor,
        "expires_on": expires.isoformat() if expires else "",
    }


def holder(token: str) -> Principal | None:
    """Who ``token`` names, read without checking its signature (the services check it): the
    CLI only chooses by it which list a command asks for when none is named. None when there is
    no token or it cannot be read."""
    parts = token.split(".")
    try:
        payload = parts[1] if len(parts) == 3 else ""
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return checked_principal(claims["role"], claims["name"], claims.get("agency", ""))
    except (ValueError, KeyError, TypeError, binascii.Error, InvalidInput):
        return None
