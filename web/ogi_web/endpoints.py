"""Where the services listen, as the web process learns it: the endpoints.json `ogi up` writes
(read again whenever it changes, so a service restarted on another port is found), else
OGI_ENDPOINTS (compose, Kubernetes), else the default ports on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from ogi_cli.endpoints import DEFAULT_PORTS, parse_endpoints


class ServiceMap:
    def __init__(self, file: Path | None, given: str = "") -> None:
        self.file = file
        self.given = parse_endpoints(given) if given else {}
        self._read: tuple[float, dict[str, str]] = (-1.0, {})

    def _from_file(self) -> dict[str, str]:
        if self.file is None:
            return {}
        try:
            changed = self.file.stat().st_mtime
            if changed != self._read[0]:
                self._read = (changed, parse_endpoints(self.file.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return self._read[1]
        return self._read[1]

    def address(self, service: str) -> str:
        """``host:port`` of the service's gRPC server."""
        known = {name: f"127.0.0.1:{port}" for name, port in DEFAULT_PORTS.items()}
        return (known | self.given | self._from_file())[service]
