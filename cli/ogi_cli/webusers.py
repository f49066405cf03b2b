"""Staff accounts of the web front end: `ogi web user add NAME --agency X --role staff`.

The operator keeps a file of accounts (OGI_WEB_USERS_FILE; `ogi up` gives the web
``<data>/web-users.json``), each a salted scrypt hash of the password with the agency and role it
signs in as; there is no default account. Signing in yields a token of that agency and role,
signed with the secret the services verify (ogi_platform.rpc.auth). The file is written for its
owner alone, whole or not at all (ogi_cli.tokens.write_private).
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ogi_cli.endpoints import endpoints_file
from ogi_cli.helptext import AGENCIES
from ogi_cli.parser import GROUPS, Commands
from ogi_cli.tokens import write_private
from ogi_errors import InvalidInput
from ogi_platform.rpc.auth import Principal, checked_principal

USERS_FILE = "web-users.json"
#: scrypt's cost: 2**14 x 8 x 1 (about 16 MiB and 50 ms a check: slow to guess, quick to sign in).
N, R, P = 2**14, 8, 1
MIN_PASSWORD = 8
WEB_ROLES = ("staff", "operator")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a fresh random salt."""
    salt = secrets.token_bytes(16)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_scrypt(password, salt, N, R, P))}"


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
        return hmac.compare_digest(actual, base64.b64decode(digest))
    except ValueError:
        return False


#: Checked against when the name is unknown, so that an unknown name takes as long as a wrong
#: password.
_NOBODY = hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    agency: str
    password_hash: str

    @property
    def principal(self) -> Principal:
        return Principal(self.role, self.name, self.agency)


def read_accounts(path: Path) -> dict[str, Account]:
    """The accounts in ``path`` (none if it does not exist)."""
    if not path.exists():
        return {}
    users = json.loads(path.read_text(encoding="utf-8")).get("users", {})
    return {
        name: Account(name, str(u["role"]), str(u.get("agency", "")), str(u["hash"]))
        for name, u in users.items()
    }


def signed_in(path: Path, name: str, password: str) -> Principal | None:
    """Who signs in with this name and password; None when either is wrong."""
    account = read_accounts(path).get(name.strip())
    matches = password_matches(password, account.password_hash if account else _NOBODY)
    return account.principal if account and matches else None


def users_file(given: str | None) -> Path:
    """--file, else OGI_WEB_USERS_FILE, else the file of the running `ogi up`'s data folder."""
    if given:
        return Path(given)
    if os.environ.get("OGI_WEB_USERS_FILE"):
        return Path(os.environ["OGI_WEB_USERS_FILE"])
    path = endpoints_file()
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8")).get("data", "")
        if data:
            return Path(data) / USERS_FILE
    raise InvalidInput("file", "name the accounts file (--file), or run it beside `ogi up`")


def _password() -> str:
    """Asked twice on a terminal; else the first line of standard input (scripts)."""
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != first:
            raise InvalidInput("password", "the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def add(args: argparse.Namespace) -> dict[str, Any]:
    """Add an account, or give an existing one a new password, agency and role."""
    if args.role not in WEB_ROLES:
        raise InvalidInput("role", f"{args.role!r} is not one of {', '.join(WEB_ROLES)}")
    principal = checked_principal(args.role, args.name, args.agency or "")
    if principal.agency:
        from ogi_cli.registry import registry

        registry().get(principal.agency)
    path = users_file(args.file)
    password = _password()
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD} characters")
    document = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"users": {}}
    document["users"][principal.name] = {
        "role": principal.role,
        "agency": principal.agency,
        "hash": hash_password(password),
    }
    write_private(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return {
        "name": principal.name,
        "role": principal.role,
        "agency": principal.agency,
        "actor": principal.actor,
        "file": str(path),
    }


def add_parsers(add_command: Commands) -> None:
    """`ogi web user add NAME --agency X --role staff [--file F]`."""
    web = Commands(add_command("web", GROUPS["web"][1]), "web_command")
    user = Commands(web("user", "网页工作人员账户"), "user_command")
    added = user(
        "add", "新增账户或重设密码（密码从终端输入两次，或从标准输入读取一行）", "web_user"
    )
    added.add_argument("name", metavar="用户名", help="登录用的用户名")
    added.add_argument("--role", default="staff", help="角色：staff（默认）或 operator")
    added.add_argument("--agency", help=f"工作人员所在机关（staff 必填）：\n{AGENCIES}")
    added.add_argument("--file", help="账户文件（默认 OGI_WEB_USERS_FILE 或 ogi up 的数据目录）")
    added.set_defaults(local=add)
