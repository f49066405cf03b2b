"""The query read model from public event records to rows and answers, on SQLite files: each
agency's own and addressed events, the bureau's view of every agency, idempotence, search,
paging and the rebuild's drop."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from ogi_contracts.query import CONTRACT
from ogi_platform.eventstore.store import creating, store_location
from ogi_platform.messaging.bus import INBOX_POSITION
from ogi_platform.messaging.envelope import EventRecord
from query import reads
from query.application import QueryApplication
from query.projection import EVENT_TYPES
from query.reads import BY_DUE_DATE, BY_RECEIPT, ApplicationFilter, Page
from query.rows import OPEN_STATES
from query.words import index_words, query_words

OFFICE = "municipal-office"
NATURAL = "natural-resources-bureau"
BUREAU = "supervision-bureau"
TODAY = date(2026, 3, 16)


class Bus:
    """Public event records as the agencies' relays publish them: positions count per store."""

    def __init__(self) -> None:
        self.positions: Counter[tuple[str, str]] = Counter()
        self.sequence = 0

    def __call__(
        self,
        agency: str,
        service: str,
        event_type: str,
        application_id: str,
        on: str,
        /,
        to: str = "",
        **data: Any,
    ) -> EventRecord:
        self.positions[agency, service] += 1
        self.sequence += 1
        return EventRecord(
            event_id=f"{agency}-{service}-{self.positions[agency, service]}",
            application_id=application_id,
            agency=agency,
            service=service,
            type=event_type,
            schema_version=1,
            occurred_on=on,
            recorded_at=datetime.now(UTC),
            actor="test:query",
            correlation_id="",
            causation_id="",
            to_agency=to or agency,
            position=self.positions[agency, service],
            aggregate_version=1,
            data=data,
        )


def snapshot(application_id: str, agency: str, number: str, **more: Any) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "agency": agency,
        "application_number": number,
        "applicant": {"name": "张三", "type": "natural_person", "id_doc": "110101199003077777"},
        "description": "请公开2025年度本市财政预算执行情况报告",
        "received_on": "2026-03-02",
    } | more


def arrival(
    bus: Bus,
    app: str,
    agency: str,
    number: str,
    on: str = "2026-03-02",
    due: str = "2026-03-30",
    description: str = "请公开2025年度本市财政预算执行情况报告",
    name: str = "张三",
) -> list[EventRecord]:
    """Receipt, acceptance, assignment and the clock's due date, as one arrival publishes."""
    applicant = {"name": name, "type": "natural_person", "id_doc": f"ID-{app}"}
    shot = snapshot(app, agency, number, applicant=applicant, description=description)
    return [
        bus(agency, "intake", "ApplicationReceived", app, on, application_id=app, agency=agency,
            applicant=applicant, description=description, received_on=on),
        bus(agency, "intake", "ApplicationAccepted", app, on, application_number=number,
            application=shot),
        bus(agency, "routing", "ApplicationAssigned", app, on, application=shot,
            office="政府信息公开办公室"),
        bus(agency, "reply", "DueDateChanged", app, on, due_on=due, provisional=False,
            allowed_days=20),
    ]  # fmt: skip


def open_store(tmp_path: Path, agency: str) -> QueryApplication:
    location = store_location(f"sqlite://{tmp_path / 'stores'}", tmp_path, agency, "query")
    with creating(location):
        return QueryApplication(agency, env=location.env)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[QueryApplication]:
    app = open_store(tmp_path, OFFICE)
    yield app
    app.close()


@pytest.fixture
def bureau(tmp_path: Path) -> Iterator[QueryApplication]:
    app = open_store(tmp_path, BUREAU)
    yield app
    app.close()


def feed(app: QueryApplication, records: list[EventRecord], position: int = 0) -> int:
    """Apply records as the inbox does: one batch, tracked at ``position`` when given."""
    batch = app.unit_of_work()
    for record in records:
        batch.note(record)
    return batch.commit(Tracking(INBOX_POSITION, position) if position else None)


def listed(app: QueryApplication, size: int = 50, **conditions: Any) -> Page:
    order = conditions.pop("order", BY_DUE_DATE)
    after = conditions.pop("after", None)
    wanted = ApplicationFilter(**({"today": TODAY.isoformat()} | conditions))
    return app.read(reads.applications, wanted, order, size, after)


def row(app: QueryApplication, number: str) -> dict[str, Any]:
    page = listed(app, states=(), number=number)
    assert len(page.rows) == 1, page
    return page.rows[0]


def test_the_contract_hears_what_the_projection_applies() -> None:
    assert set(CONTRACT.handles) == EVENT_TYPES
    assert CONTRACT.public == frozenset()
    assert CONTRACT.heard_everywhere_for("supervision_bureau") == CONTRACT.heard_everywhere
    assert CONTRACT.heard_everywhere_for("department") == {}


def test_an_arrival_is_in_the_work_queue_with_its_number_office_and_due_date(
    office: QueryApplication,
) -> None:
    bus = Bus()
    assert feed(office, arrival(bus, "A1", OFFICE, "SZFB-2026-00001"), position=4) == 4
    found = row(office, "SZFB-2026-00001")
    assert found["state"] == "under_review" and found["open"] == 1
    assert found["office"] == "政府信息公开办公室"
    assert (found["received_on"], found["due_on"]) == ("2026-03-02", "2026-03-30")
    assert (found["applicant_name"], found["applicant_id_doc"]) == ("张三", "ID-A1")
    assert office.position(INBOX_POSITION) == 4
    assert listed(office, agencies=(OFFICE,)).total == 1


def test_the_queue_is_due_date_first_and_pages_go_through_every_row_once(
    office: QueryApplication,
) -> None:
    bus = Bus()
    records = []
    for i in range(23):
        records += arrival(
            bus, f"A{i:02d}", OFFICE, f"SZFB-2026-{i:05d}", due=f"2026-04-{i % 9 + 1:02d}"
        )
    records.append(bus(OFFICE, "intake", "CorrectionRequested", "A05", "2026-03-03",
                       items=["签名"], period_days=15, correct_by="2026-03-24"))  # fmt: skip
    records.append(bus(OFFICE, "reply", "DueDateChanged", "A05", "2026-03-03", due_on=""))
    feed(office, records)
    seen, after = [], None
    while True:
        page = listed(office, size=5, after=after)
        assert page.total == 23
        seen += page.rows
        after = page.last
        if after is None:
            break
    assert len({r["application_id"] for r in seen}) == 23
    dues = [r["due_on"] for r in seen]
    assert dues[-1] == "" and dues[:-1] == sorted(dues[:-1]), "no due date comes last"
    waiting = listed(office, waiting_correction=True).rows
    assert [(r["application_id"], r["state"], r["correct_by"]) for r in waiting] == [
        ("A05", "awaiting_correction", "2026-03-24")
    ]
    newest = listed(office, order=BY_RECEIPT, size=3).rows
    assert len(newest) == 3


def test_a_correction_a_decision_and_the_delivered_reply_settle_it(
    office: QueryApplication,
) -> None:
    bus = Bus()
    app = "A1"
    feed(office, arrival(bus, app, OFFICE, "SZFB-2026-00001"))
    feed(office, [
        bus(OFFICE, "intake", "CorrectionRequested", app, "2026-03-03", correct_by="2026-03-24"),
        bus(OFFICE, "intake", "ApplicationCorrected", app, "2026-03-05",
            description="请公开2025年度本市财政预算执行情况报告（更正）"),
        bus(OFFICE, "review", "FeeNoticeIssued", app, "2026-03-06", pay_by="2026-03-20"),
    ])  # fmt: skip
    found = row(office, "SZFB-2026-00001")
    assert (found["state"], found["waiting_correction"], found["waiting_fee"]) == (
        "under_review", 0, 1,
    )  # fmt: skip
    assert found["description"].endswith("（更正）")
    feed(office, [
        bus(OFFICE, "review", "FeePaid", app, "2026-03-09", amount_yuan=100),
        bus(OFFICE, "review", "DecisionMade", app, "2026-03-10", outcome="disclose",
            reason="属于应当公开的政府信息", application=snapshot(app, OFFICE, "SZFB-2026-00001")),
        bus(OFFICE, "reply", "ReplyIssued", app, "2026-03-10", letter_number="SZFB-2026-00001-答",
            outcome="disclose"),
    ])  # fmt: skip
    decided = row(office, "SZFB-2026-00001")
    assert (decided["state"], decided["outcome"], decided["waiting_fee"]) == (
        "decided",
        "disclose",
        0,
    )
    assert decided["letter_number"] == "SZFB-2026-00001-答"
    feed(office, [
        bus(OFFICE, "reply", "ReplyDelivered", app, "2026-03-12", method="email",
            delivered_on="2026-03-12"),
        bus(OFFICE, "reply", "ApplicationClosed", app, "2026-03-12", reason="replied"),
    ])  # fmt: skip
    closed = row(office, "SZFB-2026-00001")
    assert (closed["state"], closed["open"], closed["delivered_on"]) == ("closed", 0, "2026-03-12")
    assert closed["reply_days"] == 8  # 2 March (Mon) to 12 March (Thu): 8 working days
    assert listed(office).total == 0, "the work queue holds open applications only"
    assert listed(office, states=("closed",)).total == 1


def test_settling_states(office: QueryApplication) -> None:
    bus = Bus()
    records = []
    for app, event_type in (("W", "ApplicationWithdrawn"), ("L", "CorrectionLapsed")):
        records += arrival(bus, app, OFFICE, f"SZFB-2026-0000{app}")
        records.append(bus(OFFICE, "intake", event_type, app, "2026-03-20"))
    records += arrival(bus, "U", OFFICE, "SZFB-2026-0000U")
    records.append(bus(OFFICE, "review", "FeeNoticeIssued", "U", "2026-03-06", pay_by="2026-03-20"))
    records.append(bus(OFFICE, "review", "FeeUnpaidClosed", "U", "2026-03-21"))
    feed(office, records)
    states = {
        r["application_id"]: (r["state"], r["waiting_fee"]) for r in listed(office, states=()).rows
    }
    assert states == {"W": ("withdrawn", 0), "L": ("lapsed", 0), "U": ("unpaid", 0)}


def test_a_forward_settles_the_forwarding_agencys_row_and_the_receiver_keeps_its_own(
    tmp_path: Path, office: QueryApplication, bureau: QueryApplication
) -> None:
    natural = open_store(tmp_path, NATURAL)
    try:
        bus = Bus()
        app = "A7"
        shot = snapshot(app, OFFICE, "SZFB-2026-00007")
        hop = {
            "from_agency": OFFICE,
            "to_agency": NATURAL,
            "reason": "土地",
            "forwarded_on": "2026-03-04",
        }
        events = [
            *arrival(bus, app, OFFICE, "SZFB-2026-00007"),
            bus(OFFICE, "routing", "ApplicationForwarded", app, "2026-03-04", to=NATURAL,
                to_agency=NATURAL, application=shot | {"chain": [hop]}, reason="土地"),
            bus(NATURAL, "intake", "ApplicationReceived", app, "2026-03-04", application_id=app,
                agency=NATURAL, applicant=shot["applicant"], description=shot["description"],
                received_on="2026-03-04", chain=[hop]),
            bus(NATURAL, "intake", "ApplicationAccepted", app, "2026-03-04",
                application_number="ZRZY-2026-00001",
                application=snapshot(app, NATURAL, "ZRZY-2026-00001", received_on="2026-03-04")),
            bus(NATURAL, "reply", "DueDateChanged", app, "2026-03-04", due_on="2026-04-01"),
        ]  # fmt: skip
        # Each hears its own and what is addressed to it; the bureau hears everything.
        feed(office, [e for e in events if e.agency == OFFICE])
        feed(natural, [e for e in events if NATURAL in (e.agency, e.to_agency)])
        feed(bureau, events)
        away = row(office, "SZFB-2026-00007")
        assert (away["state"], away["forwarded_to"], away["open"]) == ("forwarded", NATURAL, 0)
        assert listed(natural, states=()).total == 1, "the forwarding agency's row is not kept"
        here = row(natural, "ZRZY-2026-00001")
        assert (here["state"], here["forwarded_from"], here["due_on"]) == (
            "accepted", OFFICE, "2026-04-01",
        )  # fmt: skip
        assert {(r["agency"], r["state"]) for r in listed(bureau, states=()).rows} == {
            (OFFICE, "forwarded"), (NATURAL, "accepted"),
        }  # fmt: skip
        assert row(bureau, "ZRZY-2026-00001")["agency"] == NATURAL
    finally:
        natural.close()


def test_a_republished_event_changes_nothing_and_a_repeated_batch_is_harmless(
    office: QueryApplication,
) -> None:
    bus = Bus()
    events = arrival(bus, "A1", OFFICE, "SZFB-2026-00001")
    feed(office, events)
    decided = bus(OFFICE, "review", "DecisionMade", "A1", "2026-03-10", outcome="withhold")
    feed(office, [decided])
    before = row(office, "SZFB-2026-00001")
    feed(office, events)  # republished after the duplicate window: lower positions
    feed(office, [decided])
    assert row(office, "SZFB-2026-00001") == before
    assert before["state"] == "decided"


def test_consultations_addressed_to_an_agency_and_the_clock_waiting_for_them(
    tmp_path: Path, office: QueryApplication
) -> None:
    natural = open_store(tmp_path, NATURAL)
    try:
        bus = Bus()
        app = "A3"
        asked = bus(OFFICE, "review", "OrganConsultationStarted", app, "2026-03-05", to=NATURAL,
                    ref="C1", organ="市自然资源和规划局", answer_due="2026-03-20",
                    organ_agency=NATURAL, description="规划许可")  # fmt: skip
        feed(office, [*arrival(bus, app, OFFICE, "SZFB-2026-00003"), asked])
        feed(natural, [asked])
        assert listed(office, waiting_consultation=True).total == 1
        open_ = natural.read(reads.consultations, NATURAL, True, 50, None)
        assert [(c["from_agency"], c["ref"], c["answer_due"]) for c in open_.rows] == [
            (OFFICE, "C1", "2026-03-20")
        ]
        answer = bus(NATURAL, "review", "ConsultationAnswered", app, "2026-03-10", to=OFFICE,
                     from_agency=OFFICE, ref="C1", answer="consent", reasons="")  # fmt: skip
        noted = bus(
            OFFICE, "review", "OrganAnswered", app, "2026-03-10", ref="C1", answer="consent"
        )
        feed(natural, [answer])
        feed(office, [answer, noted])
        assert natural.read(reads.consultations, NATURAL, True, 50, None).total == 0
        done = natural.read(reads.consultations, NATURAL, False, 50, None).rows[0]
        assert (done["answer"], done["answered_on"]) == ("consent", "2026-03-10")
        assert listed(office, waiting_consultation=True).total == 0
    finally:
        natural.close()


def test_the_bureau_keeps_complaint_cases_and_overdue_reports_an_agency_does_not(
    office: QueryApplication, bureau: QueryApplication
) -> None:
    bus = Bus()
    case = "A1-C1"
    events = [
        *arrival(bus, "A1", OFFICE, "SZFB-2026-00001", due="2026-03-13"),
        bus(OFFICE, "reply", "ApplicationOverdue", "A1", "2026-03-14", due_on="2026-03-13"),
        bus(BUREAU, "complaint", "ComplaintFiled", "A1", "2026-03-16", complaint_id=case,
            application_id="A1", against_agency=OFFICE, ground="no_reply", text="逾期未答复",
            complainant="张三", filed_on="2026-03-16", bureau=BUREAU),
        bus(BUREAU, "complaint", "ComplaintAccepted", "A1", "2026-03-17", complaint_id=case,
            note="受理", against_agency=OFFICE),
        bus(BUREAU, "complaint", "FindingMade", "A1", "2026-03-18", complaint_id=case,
            upheld=True, reasons="确未答复", against_agency=OFFICE),
        bus(BUREAU, "complaint", "RectificationOrdered", "A1", "2026-03-18", to=OFFICE,
            order_id=f"{case}-R1", complaint_id=case, application_id="A1", agency=OFFICE,
            requirements="十五个工作日内答复", answer_due="2026-04-08"),
        bus(BUREAU, "complaint", "CriticismNoticeIssued", "A1", "2026-03-18", agency=OFFICE,
            text="通报批评", complaint_id=case),
        bus(BUREAU, "complaint", "ComplaintClosed", "A1", "2026-03-19", complaint_id=case,
            notice="已督促整改", against_agency=OFFICE),
    ]  # fmt: skip
    feed(bureau, events)
    feed(office, [e for e in events if OFFICE in (e.agency, e.to_agency)])
    cases = bureau.read(reads.complaints, BUREAU, (), "", 50, None).rows
    assert len(cases) == 1
    found = cases[0]
    assert (found["state"], found["upheld"], found["application_number"]) == (
        "closed", 1, "SZFB-2026-00001",
    )  # fmt: skip
    assert (found["acceptance_note"], found["finding_reasons"], found["requirements"]) == (
        "受理", "确未答复", "十五个工作日内答复",
    )  # fmt: skip
    assert (found["criticism"], found["closing_notice"]) == ("通报批评", "已督促整改")
    assert bureau.read(reads.complaints, BUREAU, ("received",), "", 50, None).total == 0
    assert office.read(reads.complaints, BUREAU, (), "", 50, None).total == 0
    reports = bureau.read(reads.overdue_reports, "2026-03-14", "", 50, None).rows
    assert [(r["number"], r["due_on"], r["state"]) for r in reports] == [
        ("SZFB-2026-00001", "2026-03-13", "under_review")
    ]
    assert bureau.read(reads.overdue_reports, "2026-03-15", "", 50, None).total == 0
    assert listed(bureau, overdue=True).total == 1
    figures = bureau.read(reads.figures, TODAY.isoformat())
    assert [(f.agency, f.open, f.overdue, f.replied) for f in figures] == [(OFFICE, 1, 1, 0)]


def test_overdue_and_due_within_come_from_the_due_date(office: QueryApplication) -> None:
    bus = Bus()
    records = []
    for app, due in (("P", "2026-03-13"), ("Q", "2026-03-18"), ("R", "2026-04-30")):
        records += arrival(bus, app, OFFICE, f"SZFB-2026-0000{app}", due=due)
    feed(office, records)
    assert [r["application_id"] for r in listed(office, overdue=True).rows] == ["P"]
    assert [r["application_id"] for r in listed(office, due_by="2026-03-20").rows] == ["P", "Q"]


def test_figures_give_the_median_working_days_to_reply(bureau: QueryApplication) -> None:
    bus = Bus()
    records = []
    for i, delivered in enumerate(("2026-03-04", "2026-03-06", "2026-03-13", "2026-03-20")):
        app = f"M{i}"
        records += arrival(bus, app, OFFICE, f"SZFB-2026-1000{i}")
        records.append(
            bus(OFFICE, "reply", "ReplyDelivered", app, delivered, delivered_on=delivered)
        )
    feed(bureau, records)
    (figures,) = bureau.read(reads.figures, TODAY.isoformat())
    assert (figures.replied, figures.open) == (4, 0)
    assert figures.median_reply_days == (4 + 9) / 2  # 2, 4, 9, 14 working days


def test_search_finds_every_word_in_description_name_or_decision(office: QueryApplication) -> None:
    bus = Bus()
    records = arrival(
        bus, "S1", OFFICE, "SZFB-2026-00011", description="请公开城市更新项目批复文件"
    )
    records += arrival(bus, "S2", OFFICE, "SZFB-2026-00012",
                       description="请公开国有土地使用权出让合同", name="李四")  # fmt: skip
    records.append(bus(OFFICE, "review", "DecisionMade", "S2", "2026-03-10", outcome="withhold",
                       reason="涉及商业秘密"))  # fmt: skip
    feed(office, records)

    def found(text: str, agency: str = OFFICE) -> list[str]:
        page = office.read(reads.search, tuple(query_words(text)), agency, 50, None)
        return [r["application_id"] for r in page.rows]

    assert found("城市更新 批复") == ["S1"]
    assert found("土地 合同") == ["S2"]
    assert found("李四") == ["S2"]
    assert found("商业秘密") == ["S2"]
    assert found("请公开") == ["S2", "S1"], "the most recently received first"
    assert found("请公开", "") == ["S2", "S1"]
    assert found("请公开", NATURAL) == []
    assert found("土地 批复") == []
    assert found("财政") == []
    words = tuple(query_words("请公开"))
    first = office.read(reads.search, words, OFFICE, 1, None)
    last = str(first.rows[0]["id"])
    assert (first.total, len(first.rows), first.last) == (2, 1, [last, "2"])
    rest = office.read(reads.search, words, OFFICE, 1, reads.Resume(int(last), 2))
    assert [r["application_id"] for r in rest.rows] == ["S1"] and rest.last is None


def test_a_search_counts_its_matches_up_to_a_cap(
    office: QueryApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus = Bus()
    for i in range(4):
        feed(office, arrival(bus, f"C{i}", OFFICE, f"SZFB-2026-0002{i}", description="城市更新"))
    monkeypatch.setattr(reads, "COUNT_CAP", 2)
    page = office.read(reads.search, ("城市更新",), OFFICE, 3, None)
    assert (page.total, len(page.rows)) == (3, 3), "three stands for more than two"


def test_words_are_segmented_and_punctuation_is_not_a_word() -> None:
    assert index_words("城市更新项目，批复！") == "城市 更新 城市更新 项目 批复"
    assert query_words("城市更新 项目 项目") == ["城市更新", "项目"]
    assert query_words("，。！") == []


def test_drop_empties_the_model_and_its_positions(office: QueryApplication) -> None:
    bus = Bus()
    feed(office, arrival(bus, "A1", OFFICE, "SZFB-2026-00001", description="城市更新"), position=9)
    office.drop()
    assert office.position(INBOX_POSITION) == 0
    assert listed(office, states=()).total == 0
    feed(office, arrival(bus, "A2", OFFICE, "SZFB-2026-00002", description="城市更新"), position=4)
    found = office.read(reads.search, ("城市更新",), OFFICE, 50, None)
    assert [r["application_id"] for r in found.rows] == ["A2"]
    assert listed(office).rows[0]["state"] in OPEN_STATES
