"""A service's part of `ogi trace` (HistoryService.ListEvents) after the process restarted on
stores that already held events (issue 13): the index reads its ledger, so the first trace reads
the stores that hold the application only. A store whose log the ledger has not indexed (a
ledger lost, a crash before the last second was written) is read by the first trace of an
application, which teaches the index which hold it; the next reads those only. A caller who may
not read every such store teaches it nothing.

Intake serving two agencies on real stores and a nats-server; the stores' reads are counted.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from harness.runtimes import running_service
from ogi.v1 import history_pb2

from intake.commands import SubmitApplication
from intake.domain import Applicant, Request
from intake.main import SPEC
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.history import histories_of
from ogi_platform.messaging.envelope import EventRecord
from ogi_platform.natsserver import NatsServer
from ogi_platform.rpc import history
from ogi_platform.rpc.auth import Principal, acting_as
from ogi_platform.rpc.history import HistoryServicer
from ogi_platform.service.locating import ApplicationIndex
from ogi_platform.service.runtime import ServiceRuntime

AGENCIES = ("municipal-office", "archives-bureau")
ON = date(2026, 11, 20)


async def submitted(runtime: ServiceRuntime[Any], agency: str) -> str:
    made = await runtime.execute(
        runtime.units[agency],
        SubmitApplication(
            actor="test", on=ON, agency=load_agencies().get(agency),
            applicant=Applicant.checked("张三", "natural_person", "1101", "138"),
            request=Request.checked("馆藏档案", "electronic", "online"),
        ),
    )  # fmt: skip
    return made.application_id


def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The reads of each store's history from now on (on PostgreSQL, a process's stores are
    read together)."""
    asked: Counter[str] = Counter()

    def read(apps: list[OgiApplication], application_id: str) -> list[list[EventRecord]]:
        asked.update(app.agency for app in apps)
        return histories_of(apps, application_id)

    monkeypatch.setattr(history, "histories_of", read)
    return asked


async def traced(runtime: ServiceRuntime[Any], application_id: str, who: Principal) -> list[str]:
    """The types of the events ListEvents answers ``who``."""
    request = history_pb2.ListEventsRequest(application_id=application_id)
    with acting_as(who):
        reply = await HistoryServicer(runtime).ListEvents(request, None)
    return [event.type for event in reply.events]


async def both_stores_hold_events(database_url: str, nats_server: NatsServer, folder: Path) -> str:
    """An application submitted to each agency by a process that then stopped: the archives
    bureau's."""
    async with running_service(
        SPEC, database_url, nats_server.url, folder, agencies=AGENCIES
    ) as runtime:
        x = await submitted(runtime, "archives-bureau")
        await submitted(runtime, "municipal-office")
    return x


def ledger_lost(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Intake's locating ledger gone (as if made after the stores), and the index not catching
    up with the stores' logs in the background: both stores stay old."""
    if database_url.startswith("sqlite:"):
        ledger = Path(database_url.removeprefix("sqlite://")) / "_index" / "intake.sqlite"
        for path in ledger.parent.glob(f"{ledger.name}*"):
            path.unlink()
    else:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("DELETE FROM ogi.holders_indexed WHERE service = 'intake'")
            conn.execute("DELETE FROM ogi.holders WHERE service = 'intake'")

    async def held_back(index: ApplicationIndex) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(ApplicationIndex, "keep", held_back)


async def test_after_a_restart_the_index_knows_from_its_ledger(
    database_url: str, nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = Principal("operator", "test")
    x = await both_stores_hold_events(database_url, nats_server, tmp_path)
    async with running_service(
        SPEC, database_url, nats_server.url, tmp_path, agencies=AGENCIES
    ) as runtime:
        asked = counted(monkeypatch)
        expected = ["ApplicationReceived", "ApplicationAccepted"]
        assert await traced(runtime, x, operator) == expected
        assert asked == Counter({"archives-bureau": 1})


async def test_without_its_ledger_the_first_trace_teaches_the_index(
    database_url: str, nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = Principal("operator", "test")
    x = await both_stores_hold_events(database_url, nats_server, tmp_path)
    ledger_lost(database_url, monkeypatch)
    async with running_service(
        SPEC, database_url, nats_server.url, tmp_path, agencies=AGENCIES
    ) as runtime:
        asked = counted(monkeypatch)
        expected = ["ApplicationReceived", "ApplicationAccepted"]
        assert await traced(runtime, x, operator) == expected
        assert asked == Counter(AGENCIES)  # the index knew nothing: both stores were read
        asked.clear()
        assert await traced(runtime, x, operator) == expected
        assert asked == Counter({"archives-bureau": 1})


async def test_a_trace_of_part_of_the_stores_teaches_the_index_nothing(
    database_url: str, nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = await both_stores_hold_events(database_url, nats_server, tmp_path)
    ledger_lost(database_url, monkeypatch)
    async with running_service(
        SPEC, database_url, nats_server.url, tmp_path, agencies=AGENCIES
    ) as runtime:
        asked = counted(monkeypatch)
        staff = Principal("staff", "王五", "municipal-office")
        assert await traced(runtime, x, staff) == []  # not the municipal office's to see
        assert asked == Counter({"municipal-office": 1})
        asked.clear()
        operator = Principal("operator", "test")
        assert await traced(runtime, x, operator) == ["ApplicationReceived", "ApplicationAccepted"]
        assert asked == Counter(AGENCIES)
