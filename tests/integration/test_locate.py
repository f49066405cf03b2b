"""Locating an application by the process's index (issue 13): the stores that hold it are read,
not every store the process serves, and those the index cannot rule out are only asked whether
they hold it (on PostgreSQL, a process's stores in one statement); the ranking after forwards is
the one locating always had (the agency that did not forward it away, else the last to act); and
the index stays correct for what the stores held before the process started (from its ledger,
or by asking the stores its ledger has not indexed), and once it has forgotten entries.

A small case service on real stores (SQLite files, and a PostgreSQL database) shows the rules;
intake's runtime on a nats-server shows locating for GetApplication asking the one store that
holds the application of four.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from bushelpers import statements_sent
from eventsourcing.domain import event
from harness.runtimes import running_service

from intake.commands import SubmitApplication
from intake.domain import Applicant, Request
from intake.main import SPEC
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate, meta
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.history import asked_together, holding_each
from ogi_platform.eventstore.holders import HoldersLedger, PostgresHolders, open_holders
from ogi_platform.eventstore.store import creating, store_location
from ogi_platform.ids import aggregate_id, new_application_id
from ogi_platform.natsserver import NatsServer
from ogi_platform.rpc.auth import Principal, acting_as
from ogi_platform.service import locating
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
    """The case stores of ``AGENCIES`` on a database, as a process opens them: each indexed
    before it commits; counted, the stores asked whether they hold an application and those
    whose events of it were read."""

    def __init__(
        self, url: str | None, folder: Path, index: ApplicationIndex | None = None
    ) -> None:
        self.index = index or ApplicationIndex()
        self.asked: set[str] = set()
        self.read: set[str] = set()
        self.apps: dict[str, OgiApplication] = {}
        for agency in AGENCIES:
            location = store_location(url, folder, agency, "cases")
            with creating(location):
                app = CaseApplication(agency, env=location.env)
            self.index.serve(app)
            self.apps[agency] = app
            self._count(app)

    def _count(self, app: CaseApplication) -> None:
        last_activity = app.last_activity

        def counted(application_id: str) -> Any:
            self.read.add(app.agency)
            return last_activity(application_id)

        app.last_activity = counted  # type: ignore[method-assign]

    def act(self, agency: str, application_id: str, step: str) -> None:
        app = self.apps[agency]
        assert isinstance(app, CaseApplication)
        app.act(application_id, step)

    async def locate(
        self, application_id: str, monkeypatch: pytest.MonkeyPatch
    ) -> tuple[str | None, set[str], set[str]]:
        """Where the application is handled, the stores asked whether they hold it, and those
        whose events of it were read."""
        self.asked.clear()
        self.read.clear()

        def asking(apps: list[OgiApplication], application_id: str) -> list[bool]:
            self.asked.update(app.agency for app in apps)
            return holding_each(apps, application_id)

        monkeypatch.setattr(locating, "holding_each", asking)
        found = await handling_agency(self.index, self.apps, application_id)
        return found, set(self.asked), set(self.read)

    def close(self) -> None:
        for app in self.apps.values():
            app.close()


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest) -> str | None:
    """Each test on SQLite files and on a real PostgreSQL database (one schema per store)."""
    return None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "stores"


@pytest.fixture
def stores(url: str | None, folder: Path) -> Iterator[Stores]:
    opened = Stores(url, folder)
    yield opened
    opened.close()


async def test_only_the_stores_holding_an_application_are_read(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = new_application_id()
    stores.act("c", x, "open")
    assert await stores.locate(x, monkeypatch) == ("c", set(), {"c"})
    # asked no store
    assert await stores.locate(new_application_id(), monkeypatch) == (None, set(), set())


async def test_after_forwards_the_agency_that_did_not_forward_it_away(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = new_application_id()
    stores.act("a", x, "open")
    stores.act("b", x, "open")
    stores.act("a", x, "hand_over")  # a forwarded it to b
    stores.act("a", x, "note")  # a acted last, but it no longer handles it
    assert await stores.locate(x, monkeypatch) == ("b", set(), {"a", "b"})
    stores.act("b", x, "hand_over")  # b forwarded it too (to an agency served elsewhere)
    # neither handles it: the last to act
    assert await stores.locate(x, monkeypatch) == ("b", set(), {"a", "b"})
    stores.act("a", x, "note")
    assert await stores.locate(x, monkeypatch) == ("a", set(), {"a", "b"})


async def test_what_the_stores_held_before_the_process_started_is_found(
    url: str | None, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = new_application_id(), new_application_id()
    first = Stores(url, folder)
    first.act("a", before, "open")
    first.act("b", before, "open")
    first.act("a", before, "hand_over")  # b handles it
    first.close()

    restarted = Stores(url, folder)  # a new process: a and b held events when it started
    try:
        restarted.act("c", before, "open")  # c is consulted, say
        restarted.act("c", before, "hand_over")
        restarted.act("c", after, "open")
        # The index knows only of c: the old stores are asked whether they hold it, once.
        assert await restarted.locate(before, monkeypatch) == ("b", {"a", "b"}, {"a", "b", "c"})
        assert await restarted.locate(before, monkeypatch) == ("b", set(), {"a", "b", "c"})
        restarted.act("a", before, "note")
        assert await restarted.locate(before, monkeypatch) == ("b", set(), {"a", "b", "c"})
        # An application recorded since the start only: the old stores may hold it too, once;
        # they do not, and none of them is read.
        assert await restarted.locate(after, monkeypatch) == ("c", {"a", "b"}, {"c"})
        assert await restarted.locate(after, monkeypatch) == ("c", set(), {"c"})
        absent = new_application_id()
        assert await restarted.locate(absent, monkeypatch) == (None, {"a", "b"}, set())
    finally:
        restarted.close()


def ledger(url: str | None, folder: Path) -> HoldersLedger:
    """The case stores' locating ledger, where a process of the case service keeps it."""
    return open_holders(store_location(url, folder, AGENCIES[0], "cases"), folder, "cases")


def ledgered(url: str | None, folder: Path) -> Stores:
    """The case stores opened with an index kept in its ledger."""
    return Stores(url, folder, ApplicationIndex(ledger=ledger(url, folder)))


def closed(stores: Stores, written: bool = True) -> None:
    """Stop as a process does (the index written), or as one that crashed."""
    if written:
        stores.index.write()
    stores.close()
    assert stores.index.ledger is not None
    stores.index.ledger.close()


async def test_after_a_restart_the_ledger_names_the_stores_that_hold_an_application(
    url: str | None, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    x, y = new_application_id(), new_application_id()
    first = ledgered(url, folder)
    first.act("a", x, "open")
    first.act("b", x, "open")
    first.act("a", x, "hand_over")  # b handles it
    first.act("e", y, "open")
    closed(first)
    restarted = ledgered(url, folder)
    try:
        assert not restarted.index.behind  # the ledger indexed every store's log
        assert await restarted.locate(x, monkeypatch) == ("b", set(), {"a", "b"})
        assert await restarted.locate(y, monkeypatch) == ("e", set(), {"e"})
        assert await restarted.locate(new_application_id(), monkeypatch) == (None, set(), set())
        restarted.act("c", x, "open")  # noted since the start, and written
        restarted.act("c", x, "note")
    finally:
        closed(restarted)
    again = ledgered(url, folder)
    try:
        assert await again.locate(x, monkeypatch) == ("c", set(), {"a", "b", "c"})
    finally:
        closed(again)


async def test_what_a_crash_left_unwritten_is_read_from_the_stores_logs(
    url: str | None, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    x, y, z = new_application_id(), new_application_id(), new_application_id()
    first = ledgered(url, folder)
    first.act("a", x, "open")
    first.act("d", z, "open")
    closed(first)
    crashed = ledgered(url, folder)
    crashed.act("b", x, "open")  # never written to the ledger
    crashed.act("b", y, "open")
    closed(crashed, written=False)
    restarted = ledgered(url, folder)
    try:
        assert restarted.index.behind  # b's log goes further than the ledger says
        # Until the index has read b's log, b may hold what the ledger does not name.
        assert await restarted.locate(x, monkeypatch) == ("b", {"b"}, {"a", "b"})
        assert await restarted.locate(z, monkeypatch) == ("d", {"b"}, {"d"})
        while restarted.index.behind:
            restarted.index.catch_up_step()
        assert await restarted.locate(y, monkeypatch) == ("b", set(), {"b"})
    finally:
        closed(restarted, written=False)
    again = ledgered(url, folder)  # what the catching up read was written
    try:
        assert not again.index.behind
        assert await again.locate(y, monkeypatch) == ("b", set(), {"b"})
    finally:
        closed(again)


async def test_the_ledger_connects_again_after_its_connection_broke(
    url: str | None, folder: Path
) -> None:
    if url is None:
        pytest.skip("a SQLite ledger is a file")
    x = new_application_id()
    kept = ledger(url, folder)
    try:
        kept.write([(x, "a")], {"a": 1})
        with psycopg.connect(url, autocommit=True) as admin:  # the server ends the session
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(psycopg.OperationalError):
            kept.holders(x)
        assert kept.holders(x) == {"a"}
        kept.write([(x, "b")], {"b": 1})
        assert kept.indexed() == {"a": 1, "b": 1}
    finally:
        kept.close()


async def test_the_ledger_waits_on_no_statement_and_no_silent_server_for_long(
    url: str | None, folder: Path
) -> None:
    """A write holds the ledger, and a stopping process waits for its last one: a statement
    ends within half a minute, and a server gone silent is noticed as soon."""
    if url is None:
        pytest.skip("a SQLite ledger is a file")
    kept = ledger(url, folder)
    try:
        assert isinstance(kept, PostgresHolders)
        connection = kept._connection
        assert connection.execute("SHOW statement_timeout").fetchone() == ("30s",)
        assert connection.execute("SHOW lock_timeout").fetchone() == ("10s",)
        assert connection.info.get_parameters()["tcp_user_timeout"] == "30000"
        assert connection.info.get_parameters()["keepalives_idle"] == "10"
    finally:
        kept.close()


async def test_an_index_that_forgot_asks_every_store(
    url: str | None, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stores = Stores(url, folder, ApplicationIndex(max_entries=2))
    try:
        x, y, z = new_application_id(), new_application_id(), new_application_id()
        stores.act("a", x, "open")
        stores.act("d", x, "open")
        stores.act("a", x, "hand_over")
        assert await stores.locate(x, monkeypatch) == ("d", set(), {"a", "d"})
        stores.act("b", y, "open")
        stores.act("b", z, "open")  # x is forgotten
        stores.act("e", x, "open")  # a new entry for x: e only (e is consulted, say)
        stores.act("e", x, "hand_over")
        assert await stores.locate(x, monkeypatch) == ("d", {"a", "b", "c", "d"}, {"a", "d", "e"})
        assert await stores.locate(x, monkeypatch) == ("d", set(), {"a", "d", "e"})
    finally:
        stores.close()


async def test_the_stores_of_one_database_are_asked_in_one_statement(
    url: str | None, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a process's stores are asked whether they hold an application in one
    statement (after a restart, a province's thousand stores may); on SQLite, each in turn with
    a statement of its own, all in one thread."""
    x = new_application_id()
    first = Stores(url, folder)
    for agency in ("b", "d"):
        first.act(agency, x, "open")
    first.act("e", new_application_id(), "open")
    first.close()
    restarted = Stores(url, folder)
    try:
        groups = asked_together(list(restarted.apps.values()))
        assert [len(group) for group in groups] == [5]
        sent = statements_sent(monkeypatch)
        answers = [holding_each(group, x) for group in groups]
        assert [a for answer in answers for a in answer] == [False, True, False, True, False]
        assert len(sent) == (1 if url else 0)  # SQLite's statements are not psycopg's
        assert [holding_each([app], x) for app in restarted.apps.values()] == [
            [False], [True], [False], [True], [False]
        ]  # fmt: skip
    finally:
        restarted.close()


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
