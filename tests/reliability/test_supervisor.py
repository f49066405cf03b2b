"""`ogi up` is a supervisor that survives its nats-server dying, leaves nothing behind whatever
kills it, and runs a NATS no anonymous client can use.

Each test drives a real `ogi up` (the e2e fixtures) and submits applications over gRPC, as the
CLI does; every application acknowledged to the client must reach every service exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
import nats
import pytest
from harness.ogisystem import APPLICATION, OgiSystem, wait_until
from harness.processes import alive, cmdline, descendants
from nats.errors import Error as NatsError
from ogi.v1 import common_pb2, history_pb2, intake_pb2

from ogi_cli.client import Clients
from ogi_cli.datafolder import lock
from ogi_cli.endpoints import DEFAULT_PORTS
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.natsserver import wait_for_port

pytestmark = pytest.mark.long

# What each service stores, exactly once, when an accepted application reaches it.
ARRIVED = {
    "intake": "ApplicationAccepted",
    "routing": "ApplicationAssigned",
    "review": "ReviewOpened",
    "reply": "DeadlineOpened",
    "complaint": "ApplicationKnown",  # the supervision bureau hears of every application
}
DRAIN_TIMEOUT = 45.0


def clients(system: OgiSystem) -> Clients:
    token = (system.home / "token").read_text(encoding="utf-8").strip()
    return Clients(system.address, token)


def submit(api: Clients, index: int) -> str:
    """One application, as `ogi apply` sends it; its id once intake acknowledged it."""
    fields = APPLICATION
    request = intake_pb2.SubmitApplicationRequest(
        agency=fields["agency"],
        applicant=common_pb2.Applicant(
            name=fields["name"],
            type=fields["applicant-type"],
            id_doc=fields["id-doc"],
            contact=fields["contact"],
        ),
        description=f"{fields['description']}（第{index}件）",
    )
    reply = api.api("intake").SubmitApplication(request, timeout=15)
    return str(reply.application.application_id)


class Submitter:
    """Submits applications one after another in a thread, as a counter clerk would, until
    ``count`` were acknowledged, ``stop()``, or the first refusal (the system went away)."""

    def __init__(self, system: OgiSystem, count: int) -> None:
        self.api = clients(system)
        self.count = count
        self.acknowledged: list[str] = []
        self.refused: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="submitter", daemon=True)

    def _run(self) -> None:
        for index in range(self.count):
            if self._stop.is_set():
                return
            try:
                self.acknowledged.append(submit(self.api, index))
            except grpc.RpcError as error:
                self.refused.append(f"{error.code().name}: {error.details()}")
                return

    def wait_for(self, acknowledged: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < acknowledged and self._thread.is_alive():
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} acknowledged"
            time.sleep(0.01)

    @contextmanager
    def running(self) -> Iterator[Submitter]:
        self._thread.start()
        try:
            yield self
        finally:
            self._thread.join(timeout=120)
            self.api.close()

    def stop(self) -> None:
        self._stop.set()


def arrivals(api: Clients, application_id: str) -> Counter[str]:
    """How often each service stored its arrival event for the application."""
    request = history_pb2.ListEventsRequest(application_id=application_id)
    seen: Counter[str] = Counter()
    for service, event_type in ARRIVED.items():
        events = api.history(service).ListEvents(request, timeout=15).events
        seen[service] = sum(1 for event in events if event.type == event_type)
    return seen


def wait_all_arrived(system: OgiSystem, ids: list[str]) -> dict[str, int]:
    """Wait until every application reached every service; then count them all once more.
    Returns {"lost": …, "doubled": …} (applications missing somewhere, or stored twice)."""
    api = clients(system)
    try:
        pending = list(ids)
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while pending and time.monotonic() < deadline:
            pending = [i for i in pending if min(arrivals(api, i).values()) == 0]
            if pending:
                time.sleep(0.5)
        counts = [arrivals(api, i) for i in ids]
    finally:
        api.close()
    return {
        "lost": sum(1 for seen in counts if min(seen.values()) == 0),
        "doubled": sum(1 for seen in counts if max(seen.values()) > 1),
    }


def report(what: str, figures: dict[str, Any]) -> None:
    print(f"\n{what}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def nats_port(system: OgiSystem) -> int:
    return int(str(system.description["nats"]).rsplit(":", 1)[1])


# -- kill -9 of the nats-server ------------------------------------------------------------------


def test_nats_server_killed_is_restarted_and_nothing_is_lost(
    system_factory: Callable[..., OgiSystem],
) -> None:
    system = system_factory()
    system.start()
    port = nats_port(system)
    [first] = system.child_pids("nats-server")
    with Submitter(system, 300).running() as submitter:
        submitter.wait_for(100)
        os.kill(first, signal.SIGKILL)
        killed = time.monotonic()
        restarted = wait_until(
            lambda: system.child_pids("nats-server"),
            lambda pids: pids not in ([], [first]),
            "a new nats-server",
        )
        wait_for_port("127.0.0.1", port, timeout=10)
        recovery = time.monotonic() - killed
    assert not submitter.refused, submitter.refused
    assert len(submitter.acknowledged) == 300
    assert len(restarted) == 1 and restarted != [first]
    assert system.description["nats"] == f"nats://127.0.0.1:{port}"
    figures = wait_all_arrived(system, submitter.acknowledged)
    drained = time.monotonic() - killed
    stderr = system.stderr_path.read_text(encoding="utf-8")
    assert f"nats-server exited (-9); restarted on port {port}" in stderr, stderr
    report(
        "kill -9 nats-server",
        {
            "applications": 300,
            **figures,
            "nats_back_s": round(recovery, 2),
            "all_arrived_s": round(drained, 2),
        },
    )
    assert figures == {"lost": 0, "doubled": 0}


def test_nats_port_taken_meanwhile_is_not_left_for_another(
    system_factory: Callable[..., OgiSystem],
) -> None:
    """nats-server died and something else took its port before `ogi up` noticed: it says so
    and waits for the port, and never points the services elsewhere."""
    system = system_factory()
    system.start()
    port = nats_port(system)
    [first] = system.child_pids("nats-server")
    assert system.process is not None
    up = system.process.pid
    os.kill(up, signal.SIGSTOP)  # `ogi up` must not restart it before the port is taken
    try:
        os.kill(first, signal.SIGKILL)
        squatter = wait_until(lambda: listener(port), bool, f"port {port} to be free")
    finally:
        os.kill(up, signal.SIGCONT)
    assert squatter is not None
    with squatter:
        stderr = wait_until(
            lambda: system.stderr_path.read_text(encoding="utf-8"),
            lambda text: text.count("NOT restarted") >= 2,
            "`ogi up` to report the taken port, twice",
        )
        assert f"port {port} is taken by another process" in stderr
        assert system.child_pids("nats-server") == [], "a nats-server started elsewhere"
        application_id = submit_one(system)
    wait_until(
        lambda: system.stderr_path.read_text(encoding="utf-8"),
        lambda text: f"restarted on port {port}" in text,
        "`ogi up` to report nats-server back on its port",
    )
    assert system.child_pids("nats-server"), "no nats-server after the restart was reported"
    assert wait_all_arrived(system, [application_id]) == {"lost": 0, "doubled": 0}


def listener(port: int) -> socket.socket | None:
    """A socket listening on ``port``, or None while the port is still taken."""
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        taken.bind(("127.0.0.1", port))
    except OSError:
        taken.close()
        return None
    taken.listen()
    return taken


def submit_one(system: OgiSystem) -> str:
    api = clients(system)
    try:
        return submit(api, 0)
    finally:
        api.close()


# -- kill -9 and SIGHUP of `ogi up` ----------------------------------------------------------------


def test_ogi_up_killed_leaves_no_process_and_a_new_one_loses_nothing(
    system_factory: Callable[..., OgiSystem],
) -> None:
    system = system_factory()
    system.start()
    with Submitter(system, 400).running() as submitter:
        submitter.wait_for(200)
        assert system.process is not None
        started = set(descendants(system.process.pid))
        children_gone = system.kill(signal.SIGKILL)
        submitter.stop()
    # Every service process, the web front end and NATS.
    assert len(started) == len(DEFAULT_PORTS) + 2, [cmdline(pid) for pid, _ in started]
    assert not system.leftovers, f"processes outlived `ogi up`: {system.leftovers}"
    assert not [child for child in started if alive(child)]
    acknowledged = list(submitter.acknowledged)

    restart = time.monotonic()
    system.start()
    back = time.monotonic() - restart
    figures = wait_all_arrived(system, acknowledged)
    report(
        "kill -9 ogi up",
        {
            "applications": len(acknowledged),
            **figures,
            "children_gone_s": round(children_gone, 2),
            "new_up_ready_s": round(back, 2),
        },
    )
    assert figures == {"lost": 0, "doubled": 0}
    assert len(acknowledged) >= 200


def test_sighup_stops_ogi_up_cleanly(system_factory: Callable[..., OgiSystem]) -> None:
    system = system_factory()
    system.start()
    application_id = submit_one(system)
    home, up = system.home, system.process
    assert up is not None
    system.kill(signal.SIGHUP)
    assert up.returncode == 0, f"`ogi up` exited {up.returncode} on SIGHUP"
    assert not system.leftovers, f"processes outlived `ogi up`: {system.leftovers}"
    stderr = system.stderr_path.read_text(encoding="utf-8")
    assert "Traceback" not in stderr, stderr
    assert not (home / "endpoints.json").exists(), "the stopped system is still advertised"
    system.start()
    assert wait_all_arrived(system, [application_id]) == {"lost": 0, "doubled": 0}


# -- the embedded NATS is closed ------------------------------------------------------------------


async def _quiet(error: Exception) -> None:
    """nats-py prints every connection error with its traceback."""


async def _anonymous(url: str) -> str:
    """How the server answers a client without credentials (or with a wrong password)."""
    try:
        client = await nats.connect(url, allow_reconnect=False, connect_timeout=3, error_cb=_quiet)
    except (NatsError, OSError) as error:
        return f"refused: {type(error).__name__} {error}"
    await client.close()
    return "connected"


async def _admin_sees_stream(url: str, login: dict[str, str]) -> int:
    client = await nats.connect(url, allow_reconnect=False, connect_timeout=3, **login)
    try:
        return (await client.jetstream().stream_info(EVENT_STREAM)).state.messages
    finally:
        await client.close()


def _modes(folder: Path) -> dict[str, int]:
    found = {str(folder): stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        if not path.is_symlink():
            found[str(path)] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_embedded_nats_refuses_anonymous_clients_and_nothing_is_readable_by_others(
    system_factory: Callable[..., OgiSystem],
) -> None:
    system = system_factory()
    system.start()
    submit_one(system)
    url = system.description["nats"]
    assert asyncio.run(_anonymous(url)).startswith("refused"), "anonymous client connected"
    wrong = url.replace("nats://", "nats://admin:wrong@")
    assert asyncio.run(_anonymous(wrong)).startswith("refused"), "wrong password connected"
    # the admin reads the stream (the submission's events reach it once intake's relay ran)
    wait_until(
        lambda: asyncio.run(_admin_sees_stream(url, system.nats_admin())),
        lambda messages: messages >= 1,
        "the submission's events in the stream, as the admin reads it",
    )

    # the CLI reaches NATS as admin with the file `ogi up` names; no password is written for it
    provisioned = system.ogi_json("nats", "provision")
    assert provisioned["nats"] == url
    passwords = json.loads((system.data / "nats-users.json").read_text(encoding="utf-8"))
    for written in (system.data / "endpoints.json", system.home / "endpoints.json"):
        text = written.read_text(encoding="utf-8")
        assert not [name for name, pw in passwords.items() if pw in text], written
    assert Path(system.description["nats_admin_file"]).parent == system.data

    the_tests_own = {
        f"up-{run}.{kind}" for run in range(1, system.runs + 1) for kind in ("out", "err")
    }
    for folder in (system.data, system.home):
        opened = {
            path: oct(mode)
            for path, mode in _modes(folder).items()
            if Path(path).name not in the_tests_own
            and (mode & 0o077 or (Path(path).is_file() and mode != 0o600))
        }
        assert not opened, f"readable by others: {opened}"


# -- the data folder's lock outlives a killed `ogi up` while its children run ----------------------

HOLDER = """
import subprocess, sys
from pathlib import Path
from ogi_platform.lifeline import Lifeline
from ogi_cli.datafolder import lock
held = lock(Path(sys.argv[1]))
child = subprocess.Popen(["sleep", sys.argv[2]], **Lifeline(fds=(held.fileno(),)).popen_options())
print(child.pid, flush=True)
sys.stdin.read()  # until the test kills it
"""


def process_state(pid: int) -> str:
    """The state letter of a process in /proc (T: stopped), or "" when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return text[text.rindex(")") + 2]


def test_a_new_ogi_up_waits_for_the_children_of_a_killed_one(tmp_path: Path) -> None:
    """The children hold the folder's lock after `ogi up` died: a new one waits for them to
    end (they are ending: their parent is gone), and refuses at once while it still lives."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path), "30"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        with pytest.raises(RuntimeError, match=rf"another `ogi up` \(pid {holder.pid}\)"):
            lock(tmp_path, wait=5)
        # stopped, the child cannot act yet on the SIGTERM its parent's death sends it
        os.kill(child, signal.SIGSTOP)
        wait_until(lambda: process_state(child), lambda state: state == "T", "child stopped")
        holder.kill()
        holder.wait()
        with pytest.raises(RuntimeError, match="processes of an earlier `ogi up` still hold"):
            lock(tmp_path, wait=0.5)
        os.kill(child, signal.SIGCONT)  # receives the pending SIGTERM and ends
        started = time.monotonic()
        held = lock(tmp_path, wait=10)
        assert time.monotonic() - started < 5
        assert (tmp_path / "ogi-up.lock").read_text(encoding="utf-8") == str(os.getpid())
        held.close()
    finally:
        holder.kill()
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
