"""The flow's parts as fixtures: intake's store (the test plays intake), one routing process on
the test's nats-server, and the routing store read from the test; and systems (`ogi up`) a test
starts and stops itself."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from bushelpers import opened
from flow import RoutingProcess
from harness.ogisystem import OgiSystem, systems

from intake.application import IntakeApplication
from ogi_platform.natsserver import NatsServer
from routing.application import RoutingApplication


@pytest.fixture
def intake(database_url: str) -> Iterator[IntakeApplication]:
    # Opened before the service, so the PostgreSQL schema exists before two processes race for it.
    with opened(IntakeApplication, database_url) as app:
        yield app


@pytest.fixture
def routing_process(
    database_url: str, nats_server: NatsServer, tmp_path: Path, intake: IntakeApplication
) -> Iterator[RoutingProcess]:
    service = RoutingProcess(database_url, nats_server.url, tmp_path)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def routing(database_url: str, routing_process: RoutingProcess) -> Iterator[RoutingApplication]:
    """The routing store, read from the test (opened after the service created its tables)."""
    with opened(RoutingApplication, database_url) as app:
        yield app


@pytest.fixture
def system_factory(tmp_path: Path) -> Iterator[Callable[..., OgiSystem]]:
    """Systems a test starts and stops itself: ``system_factory(data=..., home=..., env=...)``."""
    with systems(tmp_path) as make:
        yield make
