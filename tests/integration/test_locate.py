"""Locating an application by the process's index (issue 13): the stores that hold it are asked,
not every store the process serves; the ranking after forwards is the one locating always had
(the agency that did not forward it away, else the last to act); and the index stays correct
for what the stores held before the process started, and once it has forgotten entries.

A small case service on real SQLite stores shows the rules; intake's runtime on a nats-server
shows locating for GetApplication asking the one store that holds the application of four.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import event
from harness.runtimes import running_service

from intake.commands import SubmitApplication
from intake.domain import Applicant, Request
from intake.main import SPEC
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate, meta
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.store import creating, store_location
from ogi_platform.ids import aggregate_id, new_application_id
from ogi_platform.natsserver import NatsServer
from ogi_platform.rpc.auth import Principal, acting_as
from ogi_platform.service.locating import ApplicationIndex, handling_agency

AGENCIES = ("a", "b", "c", "d", "e")
ON = date(2026, 11, 20)


class Case(OgiAggregate):
    """An application's case in one agency: opened, handed over to another agency, noted."""

    @staticmethod
    def create_id(application_id: str) -> UUID:
        return aggregate_id("case", application_id)

    @event("CaseOpened")
    def __init__(self, application_id: str, meta: Meta) -> None:
        self.application_id = application_id
        self.away = False

    @event("HandedOver")
    def hand_over(self, meta: Meta) -> None:
        self.away = True

    @event("Noted")
    def note(self, meta: Meta) -> None:
        pass


class CaseApplication(OgiApplication):
    name = "cases"
    service = "cases"

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [Case.create_id(application_id)]

    def not_handled_here(self, application_id: str) -> bool:
        found = self.find(Case.create_id(application_id), Case)
        return found is not None and found.away

    def act(self, application_id: str, step: str) -> None:
        """``open`` the case, ``hand_over`` it, or ``note`` something on it (one commit)."""
        m = meta(application_id, "staff", ON)
        uow = self.unit_of_work()
        if step == "open":
            uow.add(Case(application_id, m))
        else:
            getattr(uow.get(Case.create_id(application_id), Case, "case"), step)(m)
        uow.commit()


class Stores:
    """The case stores of ``AGENCIES`` in a folder, as a process opens them: each indexed before
    it commits, its reads of an application counted."""

    def __init__(self, folder: Path, index: ApplicationIndex | None = None) -> None:
        self.index = index or ApplicationIndex()
        self.asked: Counter[str] = Counter()
        self.apps: dict[str, OgiApplication] = {}
        for agency in AGENCIES:
            location = store_location(None, folder, agency, "cases")
            with creating(location):
                app = CaseApplication(agency, env=location.env)
            self.index.serve(app)
            self.apps[agency] = app
            self._count(app)

    def _count(self, app: CaseApplication) -> None:
        last_activity = app.last_activity

        def counted(application_id: str) -> Any:
            self.asked[app.agency] += 1
            return last_activity(application_id)

        app.last_activity = counted  # type: ignore[method-assign]

    def act(self, agency: str, application_id: str, step: str) -> None:
        app = self.apps[agency]
        assert isinstance(app, CaseApplication)
        app.act(application_id, step)

    async def locate(self, application_id: str) -> tuple[str | None, set[str]]:
        """Where the application is handled, and which stores were asked."""
        self.asked.clear()
        found = await handling_agency(self.index, self.apps, application_id)
        return found, set(self.asked)

    def close(self) -> None:
        for app in self.apps.values():
            app.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "stores"


@pytest.fixture
def stores(folder: Path) -> Iterator[Stores]:
    opened = Stores(folder)
    yield opened
    opened.close()


async def test_only_the_stores_holding_an_application_are_asked(stores: Stores) -> None:
    x = new_application_id()
    stores.act("c", x, "open")
    assert await stores.locate(x) == ("c", {"c"})
    assert await stores.locate(new_application_id()) == (None, set())  # asked no store


async def test_after_forwards_the_agency_that_did_not_forward_it_away(stores: Stores) -> None:
    x = new_application_id()
    stores.act("a", x, "open")
    stores.act("b", x, "open")
    stores.act("a", x, "hand_over")  # a forwarded it to b
    stores.act("a", x, "note")  # a acted last, but it no longer handles it
    assert await stores.locate(x) == ("b", {"a", "b"})
    stores.act("b", x, "hand_over")  # b forwarded it too (to an agency served elsewhere)
    assert await stores.locate(x) == ("b", {"a", "b"})  # neither handles it: the last to act
    stores.act("a", x, "note")
    assert await stores.locate(x) == ("a", {"a", "b"})


async def test_what_the_stores_held_before_the_process_started_is_found(folder: Path) -> None:
    before, after = new_application_id(), new_application_id()
    first = Stores(folder)
    first.act("a", before, "open")
    first.act("b", before, "open")
    first.act("a", before, "hand_over")  # b handles it
    first.close()

    restarted = Stores(folder)  # a new process: a and b held events when it started
    try:
        restarted.act("c", before, "open")  # c is consulted, say
        restarted.act("c", before, "hand_over")
        restarted.act("c", after, "open")
        # The index knows only of c: the old stores are asked, once.
        assert await restarted.locate(before) == ("b", {"a", "b", "c"})
        assert await restarted.locate(before) == ("b", {"a", "b", "c"})
        restarted.act("a", before, "note")
        assert await restarted.locate(before) == ("b", {"a", "b", "c"})
        # An application recorded since the start only: the old stores may hold it too, once.
        assert await restarted.locate(after) == ("c", {"a", "b", "c"})
        assert await restarted.locate(after) == ("c", {"c"})
        assert await restarted.locate(new_application_id()) == (None, {"a", "b"})
    finally:
        restarted.close()


async def test_an_index_that_forgot_asks_every_store(folder: Path) -> None:
    stores = Stores(folder, ApplicationIndex(max_entries=2))
    try:
        x, y, z = new_application_id(), new_application_id(), new_application_id()
        stores.act("a", x, "open")
        stores.act("d", x, "open")
        stores.act("a", x, "hand_over")
        assert await stores.locate(x) == ("d", {"a", "d"})
        stores.act("b", y, "open")
        stores.act("b", z, "open")  # x is forgotten
        stores.act("e", x, "open")  # a new entry for x: e only (e is consulted, say)
        stores.act("e", x, "hand_over")
        assert await stores.locate(x) == ("d", set(AGENCIES))
        assert await stores.locate(x) == ("d", {"a", "d", "e"})
    finally:
        stores.close()


async def test_get_application_asks_the_one_store_that_holds_it(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    codes = tuple(load_agencies().codes())
    async with running_service(
        SPEC, f"sqlite://{tmp_path / 'stores'}", nats_server.url, tmp_path, agencies=codes
    ) as runtime:
        agency = load_agencies().get("archives-bureau")
        submitted = await runtime.execute(
            runtime.units[agency.code],
            SubmitApplication(
                actor="test", on=ON, agency=agency,
                applicant=Applicant.checked("张三", "natural_person", "1101", "138"),
                request=Request.checked("馆藏档案", "electronic", "online"),
            ),
        )  # fmt: skip
        asked: Counter[str] = Counter()
        for unit in runtime.units.values():
            reads = unit.app.last_activity

            def counted(application_id: str, code: str = unit.agency, read: Any = reads) -> Any:
                asked[code] += 1
                return read(application_id)

            unit.app.last_activity = counted  # type: ignore[method-assign]
        with acting_as(Principal("operator", "test")):
            unit = await runtime.locate(submitted.application_id, "read")
        assert unit.agency == agency.code
        assert set(asked) == {agency.code}
