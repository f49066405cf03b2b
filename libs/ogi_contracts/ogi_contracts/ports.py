"""Where each process's gRPC server listens unless told otherwise (OGI_GRPC_PORT): the one home
of these numbers, read by the process itself (``Contract.default_port`` in its ServiceSpec) and
by the CLI (the ports `ogi up` gives the processes it starts, the endpoints it falls back to).
``web`` is the web front end's HTTP port (OGI_WEB_PORT), bound to 127.0.0.1 by `ogi up`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

DEFAULT_PORTS: Mapping[str, int] = MappingProxyType(
    {
        "intake": 50051,
        "routing": 50052,
        "review": 50053,
        "reply": 50054,
        "complaint": 50055,
        "report": 50056,
        "query": 50057,
        "web": 8080,
    }
)
