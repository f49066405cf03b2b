"""A service process started with a bad setting says so in one line and exits, having opened
nothing, with no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("OGI_PG_CONNECTIONS", "abc", "'abc' is not a whole number"),
        ("OGI_GRPC_PORT", "70000", "must be from 0 to 65535"),
    ],
)
def test_a_service_refuses_a_bad_setting_in_one_line(
    tmp_path: Path, name: str, value: str, reason: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    env |= {"OGI_TOKEN_SECRET": "s" * 40, "OGI_DATA_DIR": str(tmp_path), name: value}
    done = subprocess.run(
        [sys.executable, "-m", "intake.main"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert done.stderr.splitlines() == [f"ogi-intake: configuration: {name}: {reason}"]
    assert not list(tmp_path.iterdir()), "a store was opened"
