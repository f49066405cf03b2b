"""`ogi up` as the end-to-end benchmarks run it: started in a folder of its own (home, data and
logs), with a token secret the benchmark signs its operator token with; what its processes cost,
read from /proc; stopped with SIGINT, and nothing it started left running.

On PostgreSQL a benchmark takes the turn the tests take (tests/harness/postgresturn.py: the same
lock file), so that it never runs beside a test's system on the server's 100 connections.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OGI = Path(sys.executable).parent / "ogi"
SECRET = b"pipeline-bench-secret-0123456789abcdef"
STOP_TIMEOUT = 60.0
POSTGRES_TURN = Path(tempfile.gettempdir()) / "ogi-tests-postgres-systems.lock"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class PhaseTimeout(RuntimeError):
    """A benchmark phase did not end within its time limit."""


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def descendants(root: int) -> set[tuple[int, int]]:
    """(pid, start time) of every live process below ``root``."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append((int(entry.name), int(fields[19])))
    found: set[tuple[int, int]] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child[0])
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the live processes ``pids`` have used."""
    ticks = 0
    for pid in pids:
        if fields := _stat(pid):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def rss_bytes(pids: list[int]) -> int:
    """Resident memory of the live processes ``pids`` together (VmRSS)."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


@dataclass
class RunningSystem:
    """A started `ogi up`: its description (services' addresses, agencies) and processes."""

    process: subprocess.Popen[bytes]
    description: dict[str, Any]
    ready_seconds: float
    folder: Path
    started: set[tuple[int, int]] = field(default_factory=set)

    def address(self, service: str) -> str:
        return str(self.description["services"][service])

    @property
    def agencies(self) -> list[str]:
        return list(self.description["agencies"])

    def pids(self) -> list[int]:
        """`ogi up` and every live process below it (services, web, nats-server)."""
        self.started |= descendants(self.process.pid)
        return [self.process.pid, *(pid for pid, _ in descendants(self.process.pid))]

    def logs(self) -> str:
        """The end of `ogi up`'s error output and of each service's log, for a failure."""
        parts = [(self.folder / "up.err").read_text(errors="replace")[-2000:]]
        logs = self.folder / "data" / "logs"
        if logs.is_dir():
            parts += [
                f"{log.name}: {log.read_text(errors='replace')[-800:]}" for log in logs.iterdir()
            ]
        return "\n".join(parts)


def _environment(folder: Path, extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without any OGI_ setting, and the benchmark's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    return env | {
        "OGI_HOME": str(folder / "home"),
        "OGI_TOKEN_SECRET": SECRET.decode(),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _wait_described(process: subprocess.Popen[bytes], out: Path, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out.read_text(encoding="utf-8", errors="replace").strip()
        if text:
            try:
                described: dict[str, Any] = json.loads(text)
                return described
            except json.JSONDecodeError:
                pass  # not all written yet
        if process.poll() is not None:
            raise RuntimeError(f"`ogi up` exited with {process.returncode}")
        time.sleep(0.05)
    raise PhaseTimeout(f"`ogi up` not ready after {timeout:.0f} s")


def _stop(system: RunningSystem) -> list[str]:
    """SIGINT to `ogi up`, wait, kill on timeout; kill what it left. Returns what was killed."""
    killed = []
    if system.process.poll() is None:
        system.started |= descendants(system.process.pid)
        system.process.send_signal(signal.SIGINT)
        try:
            system.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            killed.append(f"`ogi up` (pid {system.process.pid}) ignored SIGINT")
            system.process.kill()
            system.process.wait()
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline and any(_alive(p) for p in system.started):
        time.sleep(0.05)
    for pid, started in system.started:
        if _alive((pid, started)):
            killed.append(f"pid {pid}")
            os.kill(pid, signal.SIGKILL)
    return killed


def _alive(process: tuple[int, int]) -> bool:
    fields = _stat(process[0])
    return fields is not None and int(fields[19]) == process[1] and fields[0] not in ("Z", "X")


@contextmanager
def postgres_turn(on_postgres: bool) -> Iterator[None]:
    """Wait until no test runs a system on PostgreSQL, and hold the turn for the body."""
    if not on_postgres:
        yield
        return
    with open(POSTGRES_TURN, "a") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)
        yield


@contextmanager
def ogi_up(folder: Path, env: dict[str, str], timeout: float = 60.0) -> Iterator[RunningSystem]:
    """`ogi up --json` with data and home in ``folder`` and ``env`` added; stopped afterwards,
    and every process it started ended (any left behind is killed and named on stderr)."""
    folder.mkdir(parents=True, exist_ok=True)
    out, err = folder / "up.out", folder / "up.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(OGI), "up", "--json", "--data", str(folder / "data")],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=_environment(folder, env),
            cwd=folder,
        )
    system = RunningSystem(process, {}, 0.0, folder)
    try:
        system.description = _wait_described(process, out, timeout)
        system.ready_seconds = time.perf_counter() - started
        if "services" not in system.description:
            raise RuntimeError(f"`ogi up` did not start: {system.description}")
        system.pids()
        yield system
    except (RuntimeError, OSError):
        print(system.logs(), file=sys.stderr)
        raise
    finally:
        leftovers = _stop(system)
        if leftovers:
            print(f"  `ogi up` left processes behind, killed: {leftovers}", file=sys.stderr)


#: A system is settled once ``SETTLED_WINDOW`` seconds use less than this (% of one core, its
#: processes and the PostgreSQL server's)...
SETTLED_CPU = 10.0
SETTLED_WINDOW = 4.0
#: ...or this long passed.
SETTLE_LIMIT = 120.0


def postgres_server() -> list[int]:
    """The PostgreSQL server's processes on this machine (none when it runs elsewhere)."""
    found = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def settle(pids: Callable[[], list[int]]) -> float:
    """Seconds until ``SETTLED_WINDOW`` seconds in a row use under ``SETTLED_CPU`` % of one
    core, in the system's processes and the PostgreSQL server's (at most ``SETTLE_LIMIT``)."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_LIMIT:
        used = cpu_seconds(pids()) + cpu_seconds(postgres_server())
        time.sleep(SETTLED_WINDOW)
        now = cpu_seconds(pids()) + cpu_seconds(postgres_server())
        if (now - used) / SETTLED_WINDOW * 100 < SETTLED_CPU:
            return time.monotonic() - started - SETTLED_WINDOW
    return SETTLE_LIMIT
