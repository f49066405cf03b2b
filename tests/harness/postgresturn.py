"""Systems on PostgreSQL take turns across test processes.

`ogi up` on PostgreSQL holds a pool and a writer lock per agency and service: two such systems at
once (parallel test workers) would exhaust the server's default 100 connections, so they take
turns through a file lock; systems of one test process share their turn.
"""

from __future__ import annotations

import fcntl
import tempfile
from pathlib import Path
from typing import IO

POSTGRES_TURN = Path(tempfile.gettempdir()) / "ogi-tests-postgres-systems.lock"
_postgres_turn: list[IO[str]] = []
_postgres_systems = 0


def take_postgres_turn() -> None:
    """Wait until no other test process runs a system on PostgreSQL (first system here)."""
    global _postgres_systems
    if _postgres_systems == 0:
        turn = open(POSTGRES_TURN, "a")  # noqa: SIM115 - held until the last system stops
        fcntl.flock(turn, fcntl.LOCK_EX)
        _postgres_turn.append(turn)
    _postgres_systems += 1


def end_postgres_turn() -> None:
    """Let other test processes have their turn once this one's last system stopped."""
    global _postgres_systems
    _postgres_systems -= 1
    if _postgres_systems == 0:
        _postgres_turn.pop().close()
