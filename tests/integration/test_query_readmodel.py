"""The query service (its runtime, in this process) on a real nats-server, on SQLite and on
PostgreSQL: events published by the agencies' services are answered by ListApplications,
FindApplication and SearchApplications as each caller may read them, the bureau's boards follow
every agency, and a rebuild (drop and replay) gives the same answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.json_format import MessageToDict
from ogi.v1 import query_pb2, query_pb2_grpc

from ogi_law.agencies import AgencyRegistry
from ogi_platform.messaging.bus import connect, ensure_streams
from ogi_platform.messaging.envelope import EVENT_STREAM, EventRecord
from ogi_platform.messaging.wire import encode
from ogi_platform.natsserver import NatsServer
from ogi_platform.rpc.auth import Principal, issue_token
from ogi_platform.rpc.server import field_of
from ogi_platform.service.config import ServiceConfig
from ogi_platform.service.runtime import ServiceRuntime
from query.main import SPEC

OFFICE = "municipal-office"
NATURAL = "natural-resources-bureau"
BUREAU = "supervision-bureau"
SECRET = b"query-test-secret-0123456789abcdef"
TODAY = "2026-03-16"
OFFICE_STAFF = Principal("staff", "王五", OFFICE)
NATURAL_STAFF = Principal("staff", "赵六", NATURAL)
BUREAU_STAFF = Principal("staff", "钱七", BUREAU)
OPERATOR = Principal("operator", "ops")
PORTAL = Principal("portal", "web")


class Publisher:
    """Event records as the agencies' relays publish them (positions count per store)."""

    def __init__(self) -> None:
        self.records: list[EventRecord] = []
        self.positions: dict[tuple[str, str], int] = {}

    def __call__(
        self, agency: str, service: str, event_type: str, app: str, on: str, /,
        to: str = "", **data: Any,
    ) -> None:  # fmt: skip
        position = self.positions[agency, service] = self.positions.get((agency, service), 0) + 1
        record = EventRecord(
            event_id=f"{agency}-{service}-{position}", application_id=app, agency=agency,
            service=service, type=event_type, schema_version=1, occurred_on=on,
            recorded_at=datetime.now(UTC), actor="test:query", correlation_id=app,
            causation_id="", to_agency=to or agency, position=position, aggregate_version=1,
            data=data,
        )  # fmt: skip
        self.records.append(record)

    def arrival(
        self, app: str, agency: str, number: str, on: str, due: str, description: str,
        chain: list[dict[str, str]] | None = None,
    ) -> None:  # fmt: skip
        applicant = {"name": "张三", "type": "natural_person", "id_doc": f"ID-{app}"}
        shot = {"application_id": app, "agency": agency, "application_number": number,
                "applicant": applicant, "description": description, "received_on": on,
                "chain": chain or []}  # fmt: skip
        self(
            agency,
            "intake",
            "ApplicationReceived",
            app,
            on,
            application_id=app,
            agency=agency,
            applicant=applicant,
            description=description,
            received_on=on,
            chain=chain or [],
        )
        self(
            agency,
            "intake",
            "ApplicationAccepted",
            app,
            on,
            application_number=number,
            application=shot,
        )
        self(agency, "routing", "ApplicationAssigned", app, on, application=shot, office="办公室")
        self(agency, "reply", "DueDateChanged", app, on, due_on=due, allowed_days=20)  # fmt: skip


def story() -> list[EventRecord]:
    """Two applications at the municipal office, one forwarded to the natural-resources bureau,
    one of its own there; an overdue report and a complaint at the supervision bureau."""
    p = Publisher()
    p.arrival(
        "A1", OFFICE, "SZFB-2026-00001", "2026-03-02", "2026-03-30", "请公开城市更新项目批复文件"
    )
    p.arrival("A2", OFFICE, "SZFB-2026-00002", "2026-02-09", "2026-03-13", "请公开财政预算执行情况")
    p(OFFICE, "reply", "ApplicationOverdue", "A2", "2026-03-14", due_on="2026-03-13")
    p.arrival(
        "A3", OFFICE, "SZFB-2026-00003", "2026-03-03", "2026-03-31", "请公开国有土地使用权出让合同"
    )
    hop = {
        "from_agency": OFFICE,
        "to_agency": NATURAL,
        "reason": "土地",
        "forwarded_on": "2026-03-04",
    }
    p(
        OFFICE,
        "routing",
        "ApplicationForwarded",
        "A3",
        "2026-03-04",
        to=NATURAL,
        to_agency=NATURAL,
        reason="土地",
        application={"application_id": "A3", "agency": OFFICE, "chain": [hop]},
    )
    p.arrival(
        "A3",
        NATURAL,
        "ZRZY-2026-00001",
        "2026-03-04",
        "2026-04-01",
        "请公开国有土地使用权出让合同",
        chain=[hop],
    )
    p.arrival("A4", NATURAL, "ZRZY-2026-00002", "2026-03-05", "2026-04-02", "请公开规划许可")
    p(OFFICE, "review", "OrganConsultationStarted", "A1", "2026-03-09", to=NATURAL, ref="C1",
      organ="市自然资源和规划局", answer_due="2026-03-20", organ_agency=NATURAL,
      description="城市更新项目批复文件")  # fmt: skip
    p(BUREAU, "complaint", "ComplaintFiled", "A2", "2026-03-16", complaint_id="A2-C1",
      application_id="A2", against_agency=OFFICE, ground="no_reply", text="逾期未答复",
      complainant="张三", filed_on="2026-03-16", bureau=BUREAU)  # fmt: skip
    return p.records


async def publish(url: str, records: list[EventRecord]) -> None:
    nc = await connect(url, name="test-query")
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        for record in records:
            await js.publish(record.subject, encode(record), stream=EVENT_STREAM)
    finally:
        await nc.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def query(
    request: pytest.FixtureRequest,
    nats_server: NatsServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ServiceRuntime[AgencyRegistry]]:
    monkeypatch.setenv("OGI_TODAY", TODAY)
    stores = (
        f"sqlite://{tmp_path / 'stores'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    config = ServiceConfig(
        service="query",
        agencies=(OFFICE, NATURAL, BUREAU),
        grpc_host="127.0.0.1",
        grpc_port=0,
        database_url=stores,
        data_dir=tmp_path,
        nats_url=nats_server.url,
        nats_user=None,
        nats_password=None,
        agency_file=None,
        any_port=True,
        token_secret=SECRET,
    )
    runtime = ServiceRuntime(SPEC, config)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


class Caller:
    """The QueryService over gRPC, with one principal's token."""

    def __init__(self, channel: grpc.aio.Channel, principal: Principal) -> None:
        self.stub = query_pb2_grpc.QueryServiceStub(channel)
        token = issue_token(SECRET, principal, date.fromisoformat(TODAY))
        self.metadata = (("authorization", f"Bearer {token}"),)

    async def __call__(self, method: str, **request: Any) -> dict[str, Any]:
        rpc = getattr(self.stub, method)
        message = getattr(query_pb2, f"{method}Request")(**request)
        reply = await rpc(message, metadata=self.metadata, timeout=60)
        return MessageToDict(reply, preserving_proto_field_name=True)


async def refused(call: Any, method: str, **request: Any) -> tuple[grpc.StatusCode, str | None]:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call(method, **request)
    return error.value.code(), field_of(error.value)


def numbers(answer: dict[str, Any]) -> list[str]:
    return [a["number"] for a in answer.get("applications", [])]


async def answers(office: Caller, bureau: Caller) -> dict[str, Any]:
    """What the story's callers are told (compared before and after a rebuild)."""
    return {
        "queue": await office("ListApplications", up_to_date=True),
        "found": await office("FindApplication", number="SZFB-2026-00001"),
        "search": await office("SearchApplications", words="城市更新 批复"),
        "all": await bureau("ListApplications", all_states=True),
        "cases": await bureau("ListComplaintCases"),
        "overdue": await bureau("ListOverdueReports", since="2026-03-01"),
        "figures": await bureau("GetAgencyFigures"),
    }


async def test_the_bus_feeds_lists_lookup_and_search_and_a_rebuild_answers_the_same(
    query: ServiceRuntime[AgencyRegistry], nats_server: NatsServer
) -> None:
    await publish(nats_server.url, story())
    async with grpc.aio.insecure_channel(f"127.0.0.1:{query.port}") as channel:
        office, natural = Caller(channel, OFFICE_STAFF), Caller(channel, NATURAL_STAFF)
        bureau, operator = Caller(channel, BUREAU_STAFF), Caller(channel, OPERATOR)
        for agency in (OFFICE, NATURAL, BUREAU):
            await operator("ListApplications", agency=agency, up_to_date=True)
        before = await answers(office, bureau)

        queue = before["queue"]
        assert numbers(queue) == ["SZFB-2026-00002", "SZFB-2026-00001"], "due date first"
        assert queue["total"] == 2 and queue["today"] == TODAY
        overdue, due = queue["applications"]
        assert (overdue["days_left"], overdue["overdue"]) == (-1, True)
        assert due["days_left"] == 10 and "overdue" not in due
        found = before["found"]["application"]
        assert (found["application_id"], found["state"]) == ("A1", "under_review")
        assert (await office("FindApplication", number=" szfb-2026-00001"))["application"] == found
        assert numbers(before["search"]) == ["SZFB-2026-00001"]
        assert before["search"]["searched"] == ["城市更新", "批复"]

        asked = await natural("ListConsultations", open_only=True)
        assert [(c["from_agency"], c["ref"], c["days_left"]) for c in asked["consultations"]] == [
            (OFFICE, "C1", 4)
        ]
        assert numbers(await office("ListApplications", waiting_consultation=True)) == [
            "SZFB-2026-00001"
        ]
        work = await natural("ListApplications")
        assert numbers(work) == ["ZRZY-2026-00001", "ZRZY-2026-00002"]
        assert work["applications"][0]["forwarded_from"] == OFFICE
        away = await office("ListApplications", states=["forwarded"])
        assert [(a["number"], a["forwarded_to"]) for a in away["applications"]] == [
            ("SZFB-2026-00003", NATURAL)
        ]
        assert numbers(await office("ListApplications", overdue=True)) == ["SZFB-2026-00002"]
        first = await office("SearchApplications", words="请公开", page_size=2)
        rest = await office(
            "SearchApplications", words="请公开", page_token=first["next_page_token"]
        )
        assert numbers(first) + numbers(rest) == [
            "SZFB-2026-00003", "SZFB-2026-00002", "SZFB-2026-00001",
        ] and first["total"] == rest["total"] == 3  # fmt: skip
        assert numbers(await natural("SearchApplications", words="土地 合同")) == [
            "ZRZY-2026-00001"
        ]

        assert len(before["all"]["applications"]) == 5, "the bureau reads every agency"
        (case,) = before["cases"]["cases"]
        assert (case["complaint_id"], case["application_number"]) == ("A2-C1", "SZFB-2026-00002")
        (report,) = before["overdue"]["reports"]
        assert (report["number"], report["due_on"]) == ("SZFB-2026-00002", "2026-03-13")
        figures = {f["agency"]: f for f in before["figures"]["agencies"]}
        assert (figures[OFFICE]["open"], figures[OFFICE]["overdue"]) == (2, 1)

        # The portal finds an application by its number only with the end of the applicant's
        # identity document (any case); a wrong end reads as an absent number.
        portal, number = Caller(channel, PORTAL), "SZFB-2026-00001"
        mine = await portal("FindApplication", number=number, applicant_id_doc_tail="d-a1")
        assert mine["application"]["application_id"] == "A1"
        assert "applicant_id_doc" not in mine["application"]  # only the end it gave
        assert found["applicant_id_doc"] == "ID-A1"  # the office's staff are told it
        for tail, refusal in (
            ("X-A1", (grpc.StatusCode.NOT_FOUND, None)),
            ("A1", (grpc.StatusCode.INVALID_ARGUMENT, "applicant_id_doc_tail")),
            ("", (grpc.StatusCode.INVALID_ARGUMENT, "applicant_id_doc_tail")),
        ):
            asked = {"number": number, "applicant_id_doc_tail": tail}
            assert await refused(portal, "FindApplication", **asked) == refusal, tail
        assert await refused(
            portal, "FindApplication", number="SZFB-2026-00009", applicant_id_doc_tail="D-A1"
        ) == (grpc.StatusCode.NOT_FOUND, None)
        assert await refused(
            office, "FindApplication", number=number, applicant_id_doc_tail="X-A1"
        ) == (grpc.StatusCode.NOT_FOUND, None)

        # Each reads as the commands allow.
        assert await refused(natural, "FindApplication", number="SZFB-2026-00001") == (
            grpc.StatusCode.NOT_FOUND, None,
        )  # fmt: skip
        assert (await refused(natural, "ListApplications", agency=OFFICE))[0] == (
            grpc.StatusCode.PERMISSION_DENIED
        )
        assert (await refused(Caller(channel, PORTAL), "ListApplications", agency=OFFICE))[0] == (
            grpc.StatusCode.PERMISSION_DENIED
        )
        assert (await refused(office, "ListComplaintCases", bureau=BUREAU))[0] == (
            grpc.StatusCode.PERMISSION_DENIED
        )
        for request, field in (
            ({"states": ["open", "nonsense"]}, "states[0]"),
            ({"sort": "number"}, "sort"),
            ({"page_token": "not-a-token"}, "page_token"),
            ({"page_size": 501}, "page_size"),
            ({"received_from": "2026-13-01"}, "received_from"),
            ({"due_within_days": -1}, "due_within_days"),
            ({"agency": "no-such-agency"}, "agency"),
        ):
            assert await refused(office, "ListApplications", **request) == (
                grpc.StatusCode.INVALID_ARGUMENT, field,
            ), request  # fmt: skip
        assert await refused(office, "SearchApplications", words="，。") == (
            grpc.StatusCode.INVALID_ARGUMENT, "words",
        )  # fmt: skip

        page = await office("ListApplications", all_states=True, page_size=2)
        rest = await office("ListApplications", all_states=True, page_token=page["next_page_token"])
        assert numbers(page) + numbers(rest) == [
            "SZFB-2026-00002", "SZFB-2026-00001", "SZFB-2026-00003",
        ] and "next_page_token" not in rest  # fmt: skip

        for agency in (OFFICE, NATURAL, BUREAU):
            rebuilt = await operator("RebuildReadModel", agency=agency)
            assert rebuilt["events_applied"] > 0
        assert await answers(office, bureau) == before
