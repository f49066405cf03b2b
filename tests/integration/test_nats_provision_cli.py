"""`ogi nats provision` against a real nats-server: creates, then leaves as they are."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ogi_platform.natsserver import NatsServer

OGI = Path(sys.executable).parent / "ogi"


def ogi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(OGI), *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )


def test_provision_creates_every_consumer_once(nats_server: NatsServer) -> None:
    first = ogi("nats", "provision", "--url", nats_server.url, "--json")
    assert first.returncode == 0, first.stderr
    consumers = json.loads(first.stdout)["consumers"]
    assert {c["action"] for c in consumers} == {"created"}
    names = {c["consumer"] for c in consumers}
    assert "supervision-bureau__complaint" in names
    assert "municipal-office__complaint" not in names  # an agency's complaint service hears nothing
    second = ogi("nats", "provision", "--url", nats_server.url, "--json")
    assert {c["action"] for c in json.loads(second.stdout)["consumers"]} == {"unchanged"}


def test_provision_refuses_an_unknown_agency(nats_server: NatsServer) -> None:
    refused = ogi("nats", "provision", "--url", nats_server.url, "--agency", "nope")
    assert refused.returncode == 2
    assert refused.stdout == "" and "Traceback" not in refused.stderr
    assert "机关（agency）：没有机关 'nope'" in refused.stderr, refused.stderr
