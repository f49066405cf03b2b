"""End-to-end fixtures: `ogi up --json` as a subprocess in a temporary home, and the `ogi` CLI.

`system` (one per test module) is a running `ogi up --json --data <tmp>/data` with
OGI_HOME=<tmp>/home (see `harness.ogisystem`); `system.ogi(*args)` runs the CLI against it and
returns ``(exit_code, stdout, stderr)``. `system_factory` makes systems a test starts and stops
itself (restart, external servers). Teardown fails if any process a system started is still
alive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from harness.ogisystem import OgiSystem, running_system, systems

__all__ = ["OgiSystem"]  # the type of the fixtures, for the test modules' annotations


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OgiSystem]:
    """`ogi up` for the whole test module (tests in one module do not interfere)."""
    with running_system(tmp_path_factory.mktemp("ogi-up")) as running:
        yield running


@pytest.fixture
def cli(system: OgiSystem) -> OgiSystem:
    """The module's system with the CLI run in-process (see `OgiSystem.cli`)."""
    return system.cli()


@pytest.fixture
def ogi(system: OgiSystem) -> Callable[..., tuple[int, str, str]]:
    """`ogi(*args) -> (exit code, stdout, stderr)` against the module's system."""
    return system.ogi


@pytest.fixture
def system_factory(tmp_path: Path) -> Iterator[Callable[..., OgiSystem]]:
    """Systems a test starts and stops itself: ``system_factory(data=..., home=..., env=...)``."""
    with systems(tmp_path) as make:
        yield make
