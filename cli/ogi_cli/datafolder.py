"""The data folder of `ogi up`: held by one `ogi up` (and its children) at a time, readable by
its owner alone, holding the embedded NATS's users and passwords."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import time
from pathlib import Path
from typing import IO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ogi_cli.tokens import write_private
from ogi_platform.natsconfig import ADMIN, render

LOCK_FILE = "ogi-up.lock"
NATS_USERS_FILE = "nats-users.json"
NATS_ADMIN_FILE = "nats-admin.json"
NATS_CONFIG_FILE = "nats-server.conf"
LOCK_WAIT = 30.0


def make_private(folder: Path) -> None:
    """``folder`` and everything in it for the owner alone: folders 0700, files 0600."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for root, folders, files in os.walk(folder):
        for name in folders:
            path = Path(root, name)
            if not path.is_symlink():
                path.chmod(0o700)
        for name in files:
            path = Path(root, name)
            if not path.is_symlink():
                path.chmod(0o600)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock(folder: Path, wait: float = LOCK_WAIT) -> IO[str]:
    """Hold the folder's lock (the returned file; children given its descriptor hold it too).

    The lock file names the `ogi up` holding it. When that one is gone but the lock is still
    held, processes it started are still ending: wait for them up to ``wait`` seconds.
    """
    path = folder / LOCK_FILE
    held = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+", encoding="utf-8")
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            held.seek(0)
            holder = held.read().strip()
            if holder.isdigit() and _alive(int(holder)):
                held.close()
                raise RuntimeError(
                    f"another `ogi up` (pid {holder}) is running on {folder}"
                ) from None
            if time.monotonic() > deadline:
                held.close()
                raise RuntimeError(
                    f"processes of an earlier `ogi up` still hold {folder} after {wait:.0f}s"
                ) from None
            time.sleep(0.2)
    held.seek(0)
    held.truncate()
    held.write(str(os.getpid()))
    held.flush()
    return held


def nats_passwords(folder: Path, agencies: tuple[str, ...]) -> dict[str, str]:
    """The password of admin and of every agency, kept in the folder (made once, reused by every
    later `ogi up`: the services' message ids are keyed with them)."""
    path = folder / NATS_USERS_FILE
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        kept = {}
    except (OSError, ValueError) as error:
        raise RuntimeError(f"cannot read the NATS passwords in {path}: {error}") from None
    if not isinstance(kept, dict):
        raise RuntimeError(f"cannot read the NATS passwords in {path}: not an object")
    passwords = {
        name: str(kept.get(name) or secrets.token_urlsafe(24)) for name in (ADMIN, *agencies)
    }
    if passwords != kept:
        write_private(path, json.dumps(passwords, indent=2))
    return passwords


def write_nats_files(folder: Path, passwords: dict[str, str]) -> tuple[Path, Path]:
    """The nats-server configuration and the admin login for the CLI; returns their paths."""
    config = folder / NATS_CONFIG_FILE
    write_private(config, render(passwords))
    admin = folder / NATS_ADMIN_FILE
    write_private(admin, json.dumps({"user": ADMIN, "password": passwords[ADMIN]}))
    return config, admin


def without_password(url: str) -> str:
    """``url`` without the password it may carry (in its user part or as a query parameter)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    if parts.password is None and all(key != "password" for key, _ in query):
        return url
    user, _, host = parts.netloc.rpartition("@")
    netloc = f"{user.partition(':')[0]}@{host}" if parts.password is not None else parts.netloc
    kept = urlencode([(key, value) for key, value in query if key != "password"])
    return urlunsplit(parts._replace(netloc=netloc, query=kept))
