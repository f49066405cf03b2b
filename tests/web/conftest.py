"""The web tests' system and browser: one `ogi up` for the module (its web front end among its
children) with staff accounts made by `ogi web user add`, and headless Chromium from the
distribution's packages driven by Playwright (never a browser Playwright downloads)."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from browsing import ACCOUNTS, CHROMIUM, FLAGS, PASSWORD
from harness.ogisystem import OgiSystem, running_system


def add_account(system: OgiSystem, name: str, agency: str) -> None:
    from ogi_cli.main import main

    stdin, sys.stdin = sys.stdin, io.StringIO(PASSWORD + "\n")  # the password, as a script gives it
    try:
        users = str(system.data / "web-users.json")
        code = main(["web", "user", "add", name, "--agency", agency, "--file", users])
    finally:
        sys.stdin = stdin
    assert code == 0


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OgiSystem]:
    with running_system(tmp_path_factory.mktemp("ogi-web")) as running:
        for name, agency in ACCOUNTS.items():
            add_account(running, name, agency)
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def web(system: OgiSystem) -> str:
    """The web front end's address, as `ogi up` printed it (no trailing slash)."""
    return str(system.description["web"]).rstrip("/")
