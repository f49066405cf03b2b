"""Who is calling: signed bearer tokens naming a role, a person and (for staff) an agency.

A token is ``ogi1.<payload>.<signature>``: the payload is base64url JSON
``{"role", "name", "agency", "iat"[, "exp"]}`` and the signature its HMAC-SHA256 under the secret
every service of a government shares (``OGI_TOKEN_SECRET`` or ``OGI_TOKEN_SECRET_FILE``).

Roles:

- ``staff``: a member of one agency's staff; acts on that agency's applications only. Staff of a
  supervision bureau handle complaint cases and may read any application's history.
- ``portal``: the public channel applicants use; submits applications, files complaints and reads
  an application's state and history by its id.
- ``operator``: runs the installation (``ogi up`` gives the local CLI this role); may do anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ogi_errors import InvalidInput, PermissionDenied, Unauthenticated

ROLES = ("staff", "portal", "operator")
PREFIX = "ogi1"
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class Principal:
    role: str
    name: str
    agency: str = ""

    @property
    def actor(self) -> str:
        """How events name this caller: ``staff:张三@municipal-office``, ``portal:web``."""
        suffix = f"@{self.agency}" if self.agency else ""
        return f"{self.role}:{self.name}{suffix}"


def checked_principal(role: str, name: str, agency: str = "") -> Principal:
    if role not in ROLES:
        raise InvalidInput("role", f"{role!r} is not one of {', '.join(ROLES)}")
    name = name.strip()
    if not name:
        raise InvalidInput("name", "is required")
    if role == "staff" and not agency:
        raise InvalidInput("agency", "is required for staff")
    if role != "staff" and agency:
        raise InvalidInput("agency", f"only staff tokens name an agency, not {role}")
    return Principal(role, name, agency)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, f"{PREFIX}.{payload}".encode(), hashlib.sha256).digest())


def issue_token(
    secret: bytes, principal: Principal, issued_on: date, expires_on: date | None = None
) -> str:
    claims: dict[str, str] = {
        "role": principal.role,
        "name": principal.name,
        "agency": principal.agency,
        "iat": issued_on.isoformat(),
    }
    if expires_on is not None:
        claims["exp"] = expires_on.isoformat()
    payload = _b64(json.dumps(claims, ensure_ascii=False, sort_keys=True).encode())
    return f"{PREFIX}.{payload}.{_signature(secret, payload)}"


def verify_token(secret: bytes, token: str, today: date) -> Principal:
    """The principal a token names; Unauthenticated if it is missing, forged or expired."""
    token = token.removeprefix("Bearer ").strip()
    if not token:
        raise Unauthenticated("a token is required (metadata `authorization: Bearer <token>`)")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise Unauthenticated("the token is malformed")
    if not hmac.compare_digest(_signature(secret, parts[1]), parts[2]):
        raise Unauthenticated("the token's signature is not valid")
    try:
        claims = json.loads(_unb64(parts[1]))
        principal = checked_principal(claims["role"], claims["name"], claims.get("agency", ""))
        expires = claims.get("exp")
    except (ValueError, KeyError, TypeError, binascii.Error, InvalidInput):
        raise Unauthenticated("the token's claims are malformed") from None
    if expires and date.fromisoformat(expires) < today:
        raise Unauthenticated(f"the token expired on {expires}")
    return principal


def new_secret() -> bytes:
    return secrets.token_bytes(MIN_SECRET_BYTES)


def load_secret(env: dict[str, str] | None = None) -> bytes:
    """The shared secret from OGI_TOKEN_SECRET or the file OGI_TOKEN_SECRET_FILE names."""
    env = dict(os.environ) if env is None else env
    text = env.get("OGI_TOKEN_SECRET", "")
    if not text and env.get("OGI_TOKEN_SECRET_FILE"):
        text = Path(env["OGI_TOKEN_SECRET_FILE"]).read_text(encoding="utf-8")
    secret = text.strip().encode()
    if len(secret) < MIN_SECRET_BYTES:
        raise InvalidInput(
            "OGI_TOKEN_SECRET",
            f"is required, at least {MIN_SECRET_BYTES} characters (or OGI_TOKEN_SECRET_FILE)",
        )
    return secret


def secret_file(path: Path) -> Path:
    """The secret kept in ``path`` (made, readable by the owner only, if missing)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new_secret().hex())
    return path


_CALLER: ContextVar[Principal | None] = ContextVar("ogi_caller", default=None)


def caller() -> Principal:
    """The principal of the request being served."""
    principal = _CALLER.get()
    if principal is None:
        raise Unauthenticated("no authenticated caller")
    return principal


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """Serve what runs inside as ``principal``."""
    token = _CALLER.set(principal)
    try:
        yield
    finally:
        _CALLER.reset(token)


# -- what a caller may do ------------------------------------------------------------------
# act: change an application of the agency; read: see its state and history; submit: hand in
# an application to the agency; supervise: handle the agency's complaint cases (a bureau).


def allowed(principal: Principal, access: str, agency: str, supervisors: frozenset[str]) -> bool:
    """Whether ``principal`` may ``access`` ``agency``; ``supervisors`` are the bureau codes."""
    if principal.role == "operator":
        return True
    own = principal.role == "staff" and principal.agency == agency
    if access == "act":
        return own
    if access == "supervise":
        return own and agency in supervisors
    if access == "submit":
        return own or principal.role == "portal"
    if access == "read":
        return own or principal.role == "portal" or principal.agency in supervisors
    raise ValueError(f"unknown access {access!r}")


def require(access: str, agency: str, supervisors: frozenset[str]) -> Principal:
    """The caller, if it may ``access`` ``agency``; else PermissionDenied."""
    principal = caller()
    if not allowed(principal, access, agency, supervisors):
        raise PermissionDenied(f"{principal.actor} may not {access} for agency {agency}")
    return principal
