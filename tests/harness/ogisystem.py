"""A running `ogi up --json --data <data>` in a temporary home, and the `ogi` CLI pointed at it.

`OgiSystem(home, data, env)` starts `ogi up` with OGI_HOME=<home>, so the real home is never
touched; `system.ogi(*args)` runs the CLI against it and returns ``(exit_code, stdout, stderr)``.
Stopping sends SIGINT to `ogi up`, waits, kills on timeout, and records any process it started
(services, nats-server) that is still alive; `running_system` and `systems` fail the test then.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from harness.postgresturn import end_postgres_turn, take_postgres_turn
from harness.processes import alive, cmdline, descendants, listening_sockets, sockets_of

ROOT = Path(__file__).resolve().parents[2]
_SIBLING = Path(sys.executable).parent / "ogi"
OGI = _SIBLING if _SIBLING.exists() else ROOT / ".venv" / "bin" / "ogi"

START_TIMEOUT = 60.0
STOP_TIMEOUT = 45.0
STEP_TIMEOUT = 30.0
CLI_TIMEOUT = 60.0

# Inherited OGI_* settings (endpoints, servers, home, clock...) would point the system or the
# CLI elsewhere than the test's own system: only what a test passes explicitly is used.
_FOREIGN_ENV = re.compile(r"^OGI_")

# An application as the walk submits it (CLI option -> value).
APPLICATION: dict[str, str] = {
    "agency": "municipal-office",
    "name": "张三",
    "applicant-type": "natural_person",
    "id-doc": "110101199003077777",
    "contact": "13800138000，北京市东城区某街1号",
    "description": "2023年度本市财政预算执行情况报告",
}

# What each service records when an application arrives and is accepted (the bureau hears of
# every acceptance): after these, an application under review changes only when acted on.
ARRIVAL_RECORDED = frozenset(
    {
        "ApplicationAccepted",
        "ApplicationAssigned",
        "DueDateChanged",
        "ReviewOpened",
        "ApplicationKnown",
    }
)

# Outcomes that disclose something: a confidentiality review clearing it comes first (Art. 17).
DISCLOSING = frozenset({"already_public", "disclose", "partial"})

T = TypeVar("T")


def today_in_china() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def one_json(text: str) -> Any:
    """The one JSON document ``text`` holds; fails if it holds none, or more than one."""
    stripped = text.strip()
    assert stripped, "expected one JSON document, got no output"
    try:
        document, end = json.JSONDecoder().raw_decode(stripped)
    except json.JSONDecodeError as error:
        raise AssertionError(f"expected one JSON document, got {text!r}: {error}") from None
    assert not stripped[end:].strip(), f"expected exactly one JSON document, got {text!r}"
    return document


def wait_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    what: str,
    timeout: float = STEP_TIMEOUT,
    interval: float = 0.2,
) -> T:
    """Poll ``fetch`` until ``done`` holds for its value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}; last seen: {value!r}")
        time.sleep(interval)


#: The CLI runs in the test's process one command at a time (``OgiSystem.cli``).
_IN_PROCESS = threading.Lock()


class OgiSystem:
    """One `ogi up --json --data DATA` with OGI_HOME=HOME, and the CLI pointed at it."""

    def __init__(self, home: Path, data: Path, env: dict[str, str] | None = None) -> None:
        self.in_process = False
        self.home = home
        self.data = data
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.description: dict[str, Any] = {}
        self.children: set[tuple[int, int]] = set()
        self.leftovers: list[str] = []
        self.conflicts: list[str] = []
        self.runs = 0
        self.stdout_path = home / "up-0.out"
        self.stderr_path = home / "up-0.err"
        self.on_postgres = "OGI_DATABASE_URL" in self.extra_env
        self.has_turn = False

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not _FOREIGN_ENV.match(k)}
        env |= {"OGI_HOME": str(self.home), "PYTHONUNBUFFERED": "1"}
        env |= self.extra_env
        env |= overrides
        return env

    # -- life cycle ----------------------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT) -> dict[str, Any]:
        """Start `ogi up` and wait (up to ``timeout`` seconds) for its description."""
        assert self.process is None, "already started"
        if self.on_postgres and not self.has_turn:
            take_postgres_turn()
            self.has_turn = True
        self.home.mkdir(parents=True, exist_ok=True)
        self.runs += 1
        self.stdout_path = self.home / f"up-{self.runs}.out"
        self.stderr_path = self.home / f"up-{self.runs}.err"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            process = self.process = subprocess.Popen(
                [str(OGI), "up", "--json", "--data", str(self.data)],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=self.env(),
                cwd=self.home,
            )
        deadline = time.monotonic() + timeout
        while True:
            self.children |= descendants(process.pid)
            text = self.stdout_path.read_text(encoding="utf-8", errors="replace")
            if text.strip():
                try:
                    self.description = one_json(text)
                    break
                except AssertionError:
                    pass  # not all written yet
            if process.poll() is not None:
                self.stop()
                pytest.fail(f"`ogi up` exited with {process.returncode}: {self._logs()}")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"`ogi up` not ready after {timeout}s: {self._logs()}")
            time.sleep(0.1)
        self.children |= descendants(process.pid)
        if "error" in self.description or "services" not in self.description:
            logs = self._logs()
            self.stop()
            pytest.fail(f"`ogi up` did not start: {self.description}\n{logs}")
        conflicts = self.port_conflicts()
        if conflicts:
            self.stop()
            pytest.fail(f"`ogi up` shares its ports with another system: {conflicts}")
        return self.description

    def port_conflicts(self) -> list[str]:
        """Ports this system announced on which something else listens too.

        Another `ogi up` starting at the same moment can choose the same ports (and grpc servers
        bind with SO_REUSEPORT): requests would then reach either system.
        """
        if self.process is None or not self.description.get("services"):
            return []
        mine: set[str] = set(sockets_of(self.process.pid))
        for pid, _ in descendants(self.process.pid):
            mine |= sockets_of(pid)
        ports = {int(a.rsplit(":", 1)[1]) for a in self.description["services"].values()}
        if "OGI_NATS_URL" not in self.extra_env:
            ports.add(int(str(self.description["nats"]).rsplit(":", 1)[1]))
        return [
            f"port {port}: {len(listening - mine)} listener(s) of other processes"
            for port in sorted(ports)
            if (listening := listening_sockets(port)) - mine
        ]

    def stop(self) -> int | None:
        """SIGINT to `ogi up`, wait, kill on timeout; kill and record anything it left behind."""
        process = self.process
        if process is None:
            return None
        self.process = None
        if process.poll() is None:
            self.process = process
            self.conflicts += self.port_conflicts()
            self.process = None
            self.children |= descendants(process.pid)
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.leftovers.append(f"`ogi up` (pid {process.pid}) ignored SIGINT")
                process.kill()
                process.wait()
        self._reap_children()
        self._end_turn()
        return process.returncode

    def kill(self, sig: int) -> float:
        """Send ``sig`` to `ogi up` alone (a terminal closing, the OOM killer, kill -9) and wait
        for it to end. Returns how long its children took to end after it; records (and
        kills) those still alive after 10 s, as `stop` does. The system can be started again."""
        process = self.process
        assert process is not None and process.poll() is None, "not running"
        self.children |= descendants(process.pid)
        self.process = None
        process.send_signal(sig)
        process.wait(timeout=STOP_TIMEOUT)
        ended = time.monotonic()
        self._reap_children()
        self._end_turn()
        return time.monotonic() - ended

    def _end_turn(self) -> None:
        if self.has_turn:
            self.has_turn = False
            end_postgres_turn()

    def _reap_children(self) -> None:
        """Wait up to 10 s for the processes `ogi up` started to end; record and kill the rest."""
        deadline = time.monotonic() + 10.0
        while any(alive(c) for c in self.children) and time.monotonic() < deadline:
            time.sleep(0.05)
        for child in self.children:
            if alive(child):
                self.leftovers.append(f"pid {child[0]}: {cmdline(child[0])}")
                os.kill(child[0], signal.SIGKILL)
        self.children = set()

    def child_pids(self, command: str) -> list[int]:
        """Live processes started by `ogi up` whose command line contains ``command``."""
        assert self.process is not None, "not running"
        return [pid for pid, _ in descendants(self.process.pid) if command in cmdline(pid)]

    def nats_admin(self) -> dict[str, str]:
        """The embedded NATS's admin login (``user``, ``password``), from the file `ogi up`
        names in its description."""
        path = Path(self.description["nats_admin_file"])
        login = json.loads(path.read_text(encoding="utf-8"))
        return {"user": str(login["user"]), "password": str(login["password"])}

    def _logs(self) -> str:
        parts = [f"stdout: {self.stdout_path.read_text(errors='replace')!r}"]
        parts.append(f"stderr: {self.stderr_path.read_text(errors='replace')[-3000:]!r}")
        logs = self.data / "logs"
        if logs.is_dir():
            for log in sorted(logs.iterdir()):
                parts.append(f"{log.name}: {log.read_text(errors='replace')[-1500:]!r}")
        return "\n".join(parts)

    # the helpers, at hand on the system a test holds
    one_json = staticmethod(one_json)
    wait_until = staticmethod(wait_until)
    today = staticmethod(today_in_china)

    @property
    def address(self) -> dict[str, str]:
        return dict(self.description["services"])

    # -- the CLI -------------------------------------------------------------------------------

    def cli(self) -> OgiSystem:
        """This system with the CLI run in the test's process (`ogi_cli.main.main` with the same
        environment and the output captured): the same calls to the same running services,
        without a Python process started per command. The process boundary itself is proven by
        the tests that use the system as it is."""
        view = copy.copy(self)
        view.in_process = True
        return view

    def ogi(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = CLI_TIMEOUT
    ) -> tuple[int, str, str]:
        """Run `ogi ARGS` with this system's OGI_HOME: (exit code, stdout, stderr)."""
        if self.in_process:
            return self._ogi_in_process(list(args), self.env(**(env or {})))
        done = subprocess.run(
            [str(OGI), *args],
            capture_output=True,
            text=True,
            env=self.env(**(env or {})),
            cwd=self.home,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return done.returncode, done.stdout, done.stderr

    @staticmethod
    def _ogi_in_process(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
        """One command at a time (the environment and stdout are the process's), from any of
        the test's threads."""
        from ogi_cli.main import main

        with _IN_PROCESS:
            saved, sigpipe = dict(os.environ), signal.getsignal(signal.SIGPIPE)
            out, err = io.StringIO(), io.StringIO()
            os.environ.clear()
            os.environ.update(env)
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    code = main(argv)
            finally:
                os.environ.clear()
                os.environ.update(saved)
                if threading.current_thread() is threading.main_thread():
                    signal.signal(signal.SIGPIPE, sigpipe)  # main() sets the default for a CLI
        return code, out.getvalue(), err.getvalue()

    def ogi_json(self, *args: str) -> Any:
        """`ogi ARGS --json`, which must succeed and print exactly one JSON document."""
        code, out, err = self.ogi(*args, "--json")
        assert code == 0, f"`ogi {' '.join(args)} --json` exited {code}: {out!r} {err!r}"
        assert "Traceback" not in err, err
        document = one_json(out)
        assert not (isinstance(document, dict) and "error" in document), document
        return document

    def refused(self, *args: str, env: dict[str, str] | None = None) -> str:
        """`ogi ARGS` must fail cleanly, in plain and in --json form: returns the message.

        Plain: non-zero exit, nothing on stdout, one line on stderr, no traceback.
        --json: non-zero exit, exactly one JSON document ``{"error": "..."}`` on stdout.
        """
        command = f"`ogi {' '.join(args)}`"
        if self.in_process:  # one environment and one stdout per process: one at a time
            code, out, err = self.ogi(*args, env=env)
            json_result = self.ogi(*args, "--json", env=env)
        else:
            with ThreadPoolExecutor(2) as pool:  # the two forms side by side: half the wait
                plain = pool.submit(self.ogi, *args, env=env)
                as_json = pool.submit(self.ogi, *args, "--json", env=env)
                (code, out, err), json_result = plain.result(), as_json.result()
        assert code != 0, f"{command} was accepted: {out!r}"
        assert "Traceback" not in out + err, f"{command} printed a traceback: {err}"
        assert out.strip() == "", f"{command} printed on stdout: {out!r}"
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, f"{command}: expected one line on stderr, got {err!r}"
        code, out, err = json_result
        assert code != 0, f"{command} --json was accepted: {out!r}"
        assert "Traceback" not in out + err, f"{command} --json printed a traceback: {err}"
        assert err.strip() == "", f"{command} --json printed on stderr: {err!r}"
        document = one_json(out)
        assert isinstance(document, dict) and set(document) == {"error"}, document
        assert isinstance(document["error"], str) and document["error"].strip(), document
        assert "\n" not in document["error"].strip(), document
        return lines[0]

    # -- steps of an application ----------------------------------------------------------------

    def apply(self, **fields: str) -> dict[str, Any]:
        """`ogi apply` with APPLICATION's fields, overridden by ``fields`` (underscores for -)."""
        args = ["apply"]
        values = APPLICATION | {k.replace("_", "-"): v for k, v in fields.items()}
        for option, value in values.items():
            args += [f"--{option}", value]
        result = self.ogi_json(*args)
        assert isinstance(result, dict)
        return result

    def status(self, application_id: str) -> dict[str, Any]:
        result = self.ogi_json("status", application_id)
        assert isinstance(result, dict)
        return result

    def trace(self, application_id: str) -> dict[str, Any]:
        result = self.ogi_json("trace", application_id)
        assert isinstance(result, dict)
        return result

    def wait_state(self, application_id: str, state: str) -> dict[str, Any]:
        return wait_until(
            lambda: self.status(application_id),
            lambda s: s["state"] == state,
            f"{application_id} to be {state}",
        )

    def wait_closed(self, application_id: str) -> dict[str, Any]:
        """Closed everywhere: the reply, and the closing noted by intake, routing and review."""

        def everywhere(status: dict[str, Any]) -> bool:
            views = status["services"]
            return status["state"] == "closed" and all(
                (views.get(name) or {}).get("state") == "closed"
                for name in ("intake", "routing", "review", "reply")
            )

        return wait_until(
            lambda: self.status(application_id), everywhere, f"{application_id} closed everywhere"
        )

    def under_review(self, **fields: str) -> str:
        """A new application whose review is open, ready for `ogi decide`, once every service
        has recorded its arrival (the bureau's included), so its history no longer moves."""
        application_id = str(self.apply(**fields)["application_id"])
        self.wait_state(application_id, "under_review")
        wait_until(
            lambda: {event["type"] for event in self.trace(application_id)["events"]},
            lambda seen: seen >= ARRIVAL_RECORDED,
            f"every service to record the arrival of {application_id}",
        )
        return application_id

    def decide(self, application_id: str, outcome: str, *args: str) -> dict[str, Any]:
        """`ogi decide`, after the confidentiality review clearing it when the outcome discloses."""
        if outcome in DISCLOSING:
            self.ogi_json("secrecy", application_id, "--result", "cleared")
        result = self.ogi_json("decide", application_id, "--outcome", outcome, *args)
        assert isinstance(result, dict)
        return result

    def walk(self, received_on: str = "") -> dict[str, Any]:
        """apply -> review open -> decide withhold -> letter -> deliver -> closed -> complaint."""
        extra = {"received_on": received_on} if received_on else {}
        application = self.apply(**extra)
        application_id = str(application["application_id"])
        self.wait_state(application_id, "under_review")
        self.ogi_json("secrecy", application_id, "--result", "secret", "--note", "绝密")
        decision = self.decide(
            application_id,
            "withhold",
            "--ground",
            "state_secret",
            "--reason",
            "该信息经保密审查属于国家秘密",
        )
        self.wait_state(application_id, "replied")
        letter = self.ogi_json("letter", application_id)
        delivery = self.ogi_json("deliver", application_id, "--method", "post")
        closed = self.wait_closed(application_id)
        complaint = self.ogi_json(
            "complain",
            application_id,
            "--ground",
            "unlawful_refusal",
            "--text",
            "本人认为该信息不属于国家秘密，答复违法",
        )
        return {
            "application": application,
            "decision": decision,
            "letter": letter,
            "delivery": delivery,
            "closed": closed,
            "complaint": complaint,
        }


@contextmanager
def running_system(base: Path, env: dict[str, str] | None = None) -> Iterator[OgiSystem]:
    """`ogi up` in ``base`` (home and data folder) for the body; afterwards it is stopped, and
    nothing it started may be left running, nor may another system have shared its ports."""
    running = OgiSystem(base / "home", base / "data", env)
    try:
        running.start()
        yield running
    finally:
        running.stop()
    assert not running.leftovers, f"`ogi up` left processes behind: {running.leftovers}"
    assert not running.conflicts, (
        f"another system listened on this one's ports: {running.conflicts}"
    )


@contextmanager
def systems(base: Path) -> Iterator[Callable[..., OgiSystem]]:
    """Systems a test starts and stops itself: ``make(data=..., home=..., env=...)`` (by default
    in ``base``); every one is stopped afterwards and checked as `running_system` checks."""
    made: list[OgiSystem] = []

    def make(
        data: Path | None = None, home: Path | None = None, env: dict[str, str] | None = None
    ) -> OgiSystem:
        made.append(OgiSystem(home or base / "home", data or base / "data", env))
        return made[-1]

    try:
        yield make
    finally:
        for running in made:
            running.stop()
    leftovers = [line for running in made for line in running.leftovers]
    assert not leftovers, f"`ogi up` left processes behind: {leftovers}"
    conflicts = [line for running in made for line in running.conflicts]
    assert not conflicts, f"another system used these systems' ports: {conflicts}"
