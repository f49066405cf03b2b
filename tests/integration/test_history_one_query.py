"""A service's part of ``ogi trace`` reads its store in one statement (issue 13): every aggregate
of the application, with reply's remedies R1, R2, ... and a bureau's complaints 1, 2, ...,
which were each a read of their own. What the history holds is what reading the aggregates one
by one gives. A series longer than the numbers read at once costs one statement more. The
stores of a process on one PostgreSQL database are read in one statement together.

Reply of an agency and complaint of a bureau on real stores (SQLite and PostgreSQL, as a
service process opens them); the statements the stores are sent are counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from bushelpers import hand_made_event, statement_text
from eventsourcing.sqlite import SQLiteCursor

from complaint.application import ComplaintApplication
from complaint.commands import FileComplaint
from complaint.handlers import handlers as complaint_handlers
from complaint.main import SPEC as COMPLAINT
from ogi_law.agencies import AgencyRegistry, load_agencies
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.history import NUMBERS_READ_AT_ONCE, asked_together, histories_of
from ogi_platform.eventstore.store import store_location
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord, record_of
from ogi_platform.service.config import ServiceConfig
from ogi_platform.service.runtime import ServiceSpec, build_app
from reply.application import ReplyApplication
from reply.commands import FileRemedy
from reply.handlers import handlers as reply_handlers
from reply.main import SPEC as REPLY

APP_ID = "A0000000000HQ"
AGENCY, BUREAU = "natural-resources-bureau", "supervision-bureau"
ON = date(2026, 10, 20)


class Statements:
    """The statements sent to the stores from now on (SQLite's local BEGIN aside)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[str] = []
        pg_execute, sqlite_execute = psycopg.Cursor.execute, SQLiteCursor.execute

        def pg(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            self.sent.append(statement_text(cursor, query))
            return pg_execute(cursor, query, *args, **kwargs)

        def sqlite(cursor: Any, statement: str, *args: Any, **kwargs: Any) -> Any:
            if statement != "BEGIN":
                self.sent.append(statement)
            return sqlite_execute(cursor, statement, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", pg)
        monkeypatch.setattr(SQLiteCursor, "execute", sqlite)

    def during(self, read: Any, *args: Any) -> tuple[Any, int]:
        """What ``read(*args)`` returns, and how many statements it sent (after a read not
        counted: a pooled connection's first use sets it up)."""
        read(*args)
        self.sent.clear()
        result = read(*args)
        assert all(s.startswith("SELECT") for s in self.sent), self.sent
        return result, len(self.sent)


def opened(
    spec: ServiceSpec[AgencyRegistry], agency: str, database_url: str, folder: Path
) -> OgiApplication:
    """``agency``'s store of ``spec`` as a service process opens it (shared connections)."""
    config = ServiceConfig(
        service=spec.name, agencies=(agency,), grpc_host="127.0.0.1", grpc_port=0,
        database_url=database_url, data_dir=folder, nats_url="", nats_user=None,
        nats_password=None, agency_file=None,
    )  # fmt: skip
    return build_app(spec, config, agency, store_location(database_url, folder, agency, spec.name))


def told(app: OgiApplication, handlers: dict[str, Handler], event_type: str, **data: Any) -> None:
    """An event the agency's ``service`` published about the application reaches ``app``."""
    service = "review" if event_type == "DecisionMade" else "intake"
    record = hand_made_event(
        event_type, service, data, event_id=f"{service}-{event_type}", application_id=APP_ID,
        agency=AGENCY, to_agency=AGENCY, occurred_on=ON.isoformat(),
    )  # fmt: skip
    uow = app.unit_of_work()
    handlers[event_type](uow, record)
    uow.commit()


def one_by_one(app: OgiApplication, aggregate_ids: list[UUID]) -> list[EventRecord]:
    """The history as reading each aggregate's events in turn gives it."""
    return [
        record_of(event, app.agency, app.service, 0)
        for aggregate_id in aggregate_ids
        for event in app.events.get(aggregate_id)
    ]


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Statements:
    monkeypatch.setenv("OGI_TODAY", ON.isoformat())
    return Statements(monkeypatch)


@pytest.fixture
def reply(database_url: str, tmp_path: Path) -> Iterator[ReplyApplication]:
    app = opened(REPLY, AGENCY, database_url, tmp_path)
    assert isinstance(app, ReplyApplication)
    application = {
        "application_id": APP_ID, "agency": AGENCY, "application_number": "ZRZY-2026-00007",
        "applicant": {"name": "张三", "type": "natural_person", "id_doc": "x", "contact": "x"},
        "description": "土地征收批复", "form": "paper", "channel": "online",
        "received_on": "2026-09-28",
    }  # fmt: skip
    told(app, reply_handlers(app, load_agencies()), "DecisionMade", application=application,
         outcome="disclose", grounds=[], form_of_provision="paper")  # fmt: skip
    yield app
    app.close()


@pytest.fixture
def bureau(database_url: str, tmp_path: Path) -> Iterator[ComplaintApplication]:
    app = opened(COMPLAINT, BUREAU, database_url, tmp_path)
    assert isinstance(app, ComplaintApplication)
    accepted = {"application_number": "ZRZY-2026-00007", "received_on": "2026-09-28"}
    told(app, complaint_handlers(app, load_agencies()), "ApplicationAccepted", application=accepted)
    yield app
    app.close()


def remedies_filed(reply: ReplyApplication, count: int) -> None:
    for n in range(count):
        reply.handle(
            FileRemedy(
                application_id=APP_ID, actor="staff:王五", on=ON, kind="reconsideration",
                body=f"复议申请 {n + 1}", case_number=f"复-{n + 1}",
            )
        )  # fmt: skip


def complaints_filed(bureau: ComplaintApplication, count: int) -> None:
    for _ in range(count):
        bureau.handle(
            FileComplaint(
                actor="complainant:李四", on=ON, application_id=APP_ID, against_agency=None,
                ground="overdue", text="逾期答复", complainant="李四",
            )
        )  # fmt: skip


@pytest.mark.parametrize(
    ("remedies", "statements_sent"), [(0, 1), (2, 1), (NUMBERS_READ_AT_ONCE, 2)]
)
def test_reply_reads_its_aggregates_and_remedies_in_one_statement(
    reply: ReplyApplication, statements: Statements, remedies: int, statements_sent: int
) -> None:
    remedies_filed(reply, remedies)
    history, sent = statements.during(reply.history, APP_ID)
    assert sent == statements_sent
    cases = [case.id for case in reply.remedies(APP_ID)]
    assert len(cases) == remedies
    assert history == one_by_one(reply, [*reply.aggregate_ids_of(APP_ID), *cases])
    filed = [e.data["ref"] for e in history if e.type == "RemedyFiled"]
    assert filed == [f"R{n}" for n in range(1, remedies + 1)]


def test_remedies_beyond_the_first_numbers_read_are_read_on(
    reply: ReplyApplication, statements: Statements
) -> None:
    remedies_filed(reply, NUMBERS_READ_AT_ONCE + 1)
    history, sent = statements.during(reply.history, APP_ID)
    assert sent == 2
    filed = [e.data["ref"] for e in history if e.type == "RemedyFiled"]
    assert filed == [f"R{n}" for n in range(1, NUMBERS_READ_AT_ONCE + 2)]


@pytest.mark.parametrize("complaints", [0, 3])
def test_a_bureau_reads_the_application_and_its_complaints_in_one_statement(
    bureau: ComplaintApplication, statements: Statements, complaints: int
) -> None:
    complaints_filed(bureau, complaints)
    history, sent = statements.during(bureau.history, APP_ID)
    assert sent == 1
    assert history == one_by_one(bureau, bureau.aggregate_ids_of(APP_ID))
    assert [e.type for e in history].count("ComplaintFiled") == complaints


@pytest.mark.parametrize("remedies", [2, NUMBERS_READ_AT_ONCE])
def test_the_stores_of_one_database_are_read_in_one_statement(
    reply: ReplyApplication,
    statements: Statements,
    database_url: str,
    tmp_path: Path,
    remedies: int,
) -> None:
    """A trace after a restart reads every store its process cannot rule out: on PostgreSQL,
    one statement for all of them (and one more for a series read on); on SQLite, each store
    one of its own, in turn. Each store's part is what its own history gives."""
    remedies_filed(reply, remedies)
    others = [opened(REPLY, agency, database_url, tmp_path / agency)
              for agency in ("municipal-office", "archives-bureau")]  # fmt: skip
    try:
        apps = [others[0], reply, others[1]]
        groups = asked_together(apps)
        assert [len(group) for group in groups] == [3]
        read, sent = statements.during(
            lambda: [part for group in groups for part in histories_of(group, APP_ID)]
        )
        each = 2 if remedies == NUMBERS_READ_AT_ONCE else 1
        assert sent == (3 - 1 + each if "sqlite" in database_url else each)
        assert read == [app.history(APP_ID) for app in apps]
        assert read[0] == read[2] == []
        assert [e.type for e in read[1]].count("RemedyFiled") == remedies
    finally:
        for app in others:
            app.close()
