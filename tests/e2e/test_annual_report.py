"""The annual report from the events, through the real services on PostgreSQL and NATS.

A year of varied applications at the municipal office (every reply type and exemption ground,
every applicant type, correction lapsed, fee unpaid, withdrawn, forwarded away, some received in
2025 and carried in, some open at the end of 2026 and carried out), reconsiderations and
lawsuits; then `ogi report annual` for 2026, every cell checked against counts this test keeps
itself; a corrupted cell refused; the same figures after a rebuild and in every format.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import openpyxl
import pytest
from harness.ogisystem import OgiSystem
from harness.servers import dated_system
from ogi.v1 import (
    common_pb2,
    history_pb2,
    history_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
    reply_pb2,
    reply_pb2_grpc,
    review_pb2,
    review_pb2_grpc,
    routing_pb2,
    routing_pb2_grpc,
)

from ogi_platform.today import write_today_file
from ogi_report.render import render
from ogi_report.table import AnnualTable, BrokenTable

AGENCY = "municipal-office"
TYPES = ("natural_person", "commercial", "research", "public_interest", "legal_services",
         "other_org")  # fmt: skip
TODAY = "2027-01-10"  # the report is made after the year; every step carries its legal date


@dataclass
class Case:
    """One application of the scenario and the row 2026's table must count it in."""

    applicant: str
    received_on: str
    outcome: str = ""  # a reply type decided on ``decided_on``, or a special step below
    grounds: tuple[str, ...] = ()
    decided_on: str = ""
    step: str = ""  # correction_lapsed | fee_unpaid | withdrawn | forwarded | unclear
    row: str = ""  # the expected part 三 row in 2026 ("" = not closed in 2026)
    remedies: list[tuple[str, str, str, str]] = field(default_factory=list)
    application_id: str = ""


CASES = [
    # Received in 2025: closed in 2025 (not in 2026's table), or carried into 2026.
    Case("natural_person", "2025-11-03", "disclose", decided_on="2025-11-20",
         remedies=[("reconsideration", "2025-12-01", "upheld", "2025-12-30")]),
    Case("commercial", "2025-12-15", "partial", ("process_info",), "2026-01-08", row="partial"),
    Case("research", "2025-12-22", "withhold", ("state_secret",), "2026-01-09",
         row="withheld.state_secret",
         remedies=[("lawsuit_direct", "2026-02-15", "upheld", "2027-01-06")]),
    Case("public_interest", "2025-12-29"),  # open all through 2026
    # Received in 2026: every reply type and ground.
    Case("natural_person", "2026-02-02", "already_public", decided_on="2026-02-10",
         row="disclosed"),
    Case("natural_person", "2026-02-03", "disclose", decided_on="2026-02-11", row="disclosed"),
    Case("commercial", "2026-02-04", "withhold", ("law_prohibits",), "2026-02-12",
         row="withheld.law_prohibits",
         remedies=[("reconsideration", "2026-03-01", "upheld", "2026-05-01")]),
    Case("research", "2026-02-05", "withhold", ("security_stability",), "2026-02-13",
         row="withheld.security_stability"),
    Case("legal_services", "2026-02-06", "withhold", ("third_party", "internal_affairs"),
         "2026-02-24", row="withheld.third_party",
         remedies=[("reconsideration", "2026-04-01", "corrected", "2026-07-01")]),
    Case("other_org", "2026-02-09", "withhold", ("internal_affairs",), "2026-02-25",
         row="withheld.internal_affairs"),
    Case("natural_person", "2026-02-10", "withhold", ("process_info",), "2026-02-26",
         row="withheld.process_info", remedies=[("reconsideration", "2026-11-20", "", "")]),
    Case("commercial", "2026-02-11", "withhold", ("enforcement_file",), "2026-02-27",
         row="withheld.enforcement_file",
         remedies=[("lawsuit_after_reconsideration", "2026-08-03", "other", "2026-10-09")]),
    Case("natural_person", "2026-02-12", "withhold", ("administrative_query",), "2026-03-02",
         row="withheld.administrative_query"),
    Case("public_interest", "2026-03-02", "not_held", decided_on="2026-03-10",
         row="unable.not_held"),
    Case("natural_person", "2026-03-03", "not_ours", decided_on="2026-03-11",
         row="unable.not_held"),
    Case("research", "2026-03-04", "needs_creation", decided_on="2026-03-12",
         row="unable.needs_creation"),
    Case("natural_person", "2026-03-05", "unclear_after_correction", decided_on="2026-03-25",
         step="unclear", row="unable.unclear_after_correction"),
    Case("natural_person", "2026-03-06", "petition", decided_on="2026-03-13",
         row="not_processed.petition"),
    Case("commercial", "2026-03-09", "repeat", decided_on="2026-03-16",
         row="not_processed.repeat"),
    Case("legal_services", "2026-03-10", "publication", decided_on="2026-03-17",
         row="not_processed.publication"),
    Case("natural_person", "2026-03-11", "vexatious", decided_on="2026-03-18",
         row="not_processed.vexatious"),
    Case("other_org", "2026-03-12", "confirm_or_reissue", decided_on="2026-03-19",
         row="not_processed.confirm_or_reissue"),
    Case("natural_person", "2026-04-01", step="correction_lapsed",
         row="other.correction_lapsed"),
    Case("commercial", "2026-04-06", step="fee_unpaid", row="other.fee_unpaid"),
    Case("research", "2026-04-08", step="withdrawn", row="other.other"),
    Case("natural_person", "2026-04-10", "other_procedure", decided_on="2026-04-17",
         row="other.other"),
    Case("legal_services", "2026-05-06", "partial", ("third_party",), "2026-05-20",
         row="partial"),
    Case("natural_person", "2026-06-01", step="forwarded"),  # counted by the archives bureau
    # Open at the end of 2026: carried out (one decided in 2027).
    Case("other_org", "2026-12-21", "disclose", decided_on="2027-01-05"),
    Case("natural_person", "2026-12-28"),
    Case("commercial", "2026-12-30"),
]  # fmt: skip

DISCLOSING = {"already_public", "disclose", "partial"}


class Api:
    """The services' gRPC APIs with the operator token `ogi up` left for the CLI."""

    def __init__(self, system: OgiSystem, today: Path) -> None:
        self.today = today
        token = (system.home / "token").read_text(encoding="utf-8").strip()
        self.metadata = [("authorization", f"Bearer {token}")]
        address = system.address
        self.channels = [grpc.insecure_channel(address[s]) for s in address]
        by_name = dict(zip(address, self.channels, strict=True))
        self.intake = intake_pb2_grpc.IntakeServiceStub(by_name["intake"])
        self.routing = routing_pb2_grpc.RoutingServiceStub(by_name["routing"])
        self.review = review_pb2_grpc.ReviewServiceStub(by_name["review"])
        self.reply = reply_pb2_grpc.ReplyServiceStub(by_name["reply"])
        self.review_history = history_pb2_grpc.HistoryServiceStub(by_name["review"])

    def __call__(self, method: Any, request: Any) -> Any:
        return method(request, metadata=self.metadata, timeout=30)

    def review_open(self, application_id: str) -> None:
        deadline = time.monotonic() + 30
        request = review_pb2.GetReviewRequest(application_id=application_id)
        while True:
            try:
                if self(self.review.GetReview, request).review.state == "open":
                    return
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.NOT_FOUND:
                    raise
            assert time.monotonic() < deadline, f"review of {application_id} did not open"
            time.sleep(0.1)

    def review_heard(self, application_id: str, event_type: str) -> None:
        """Wait until the review service has recorded an ``event_type`` of the application (an
        event of another service reaches it over the bus, a moment later)."""
        deadline = time.monotonic() + 30
        request = history_pb2.ListEventsRequest(application_id=application_id)
        while event_type not in {
            e.type for e in self(self.review_history.ListEvents, request).events
        }:
            assert time.monotonic() < deadline, f"review never recorded {event_type}"
            time.sleep(0.1)

    def close(self) -> None:
        for channel in self.channels:
            channel.close()


def run_case(api: Api, case: Case, number: int) -> None:
    if case.step == "unclear":
        # Corrected within its period: the ticks must not see a later day in between.
        write_today_file(api.today, "2026-03-09")
    applied = api(api.intake.SubmitApplication, intake_pb2.SubmitApplicationRequest(
        agency=AGENCY,
        applicant=common_pb2.Applicant(name=f"申请人{number}", type=case.applicant,
                                       id_doc=f"ID{number:04d}", contact="010-0000"),
        description=f"第{number}号申请所需政府信息", received_on=case.received_on,
    ))  # fmt: skip
    app = case.application_id = applied.application.application_id
    api.review_open(app)
    if case.step in ("correction_lapsed", "unclear"):
        api(api.intake.RequestCorrection, intake_pb2.RequestCorrectionRequest(
            application_id=app, items=["写明文件名称"], period_days=5,
            notice_on=case.received_on))  # fmt: skip
    if case.step == "unclear":
        api(api.intake.RecordCorrection, intake_pb2.RecordCorrectionRequest(
            application_id=app, description="仍不明确的描述",
            corrected_on="2026-03-09"))  # fmt: skip
        api.review_heard(app, "ReviewApplicationCorrected")
        api.review_open(app)
        write_today_file(api.today, TODAY)
    elif case.step == "fee_unpaid":
        api(api.review.AssessFee, review_pb2.AssessFeeRequest(
            application_id=app, method="per_page", pages=50, notice_on="2026-04-07"))  # fmt: skip
    elif case.step == "withdrawn":
        api(api.intake.WithdrawApplication, intake_pb2.WithdrawApplicationRequest(
            application_id=app, reason="不再需要", withdrawn_on="2026-04-09"))  # fmt: skip
    elif case.step == "forwarded":
        api(api.routing.ForwardApplication, routing_pb2.ForwardApplicationRequest(
            application_id=app, to_agency="archives-bureau", reason="档案已移交",
            forwarded_on="2026-06-02"))  # fmt: skip
    if case.outcome and case.decided_on:
        if case.outcome in DISCLOSING:
            api(api.review.ReviewSecrecy, review_pb2.ReviewSecrecyRequest(
                application_id=app, result="cleared", reviewed_on=case.decided_on))  # fmt: skip
        api(api.review.Decide, review_pb2.DecideRequest(
            application_id=app, outcome=case.outcome, grounds=list(case.grounds),
            reason="依法答复" if case.grounds or case.step == "unclear" or
            case.outcome == "confirm_or_reissue" else "",
            competent_organ="archives-bureau" if case.outcome == "not_ours" else "",
            decided_on=case.decided_on))  # fmt: skip
    for ref, (kind, filed_on, result, concluded_on) in enumerate(case.remedies, start=1):
        _wait_reply(api, app)
        api(api.reply.FileRemedy, reply_pb2.FileRemedyRequest(
            application_id=app, kind=kind, body="市人民政府", filed_on=filed_on))  # fmt: skip
        if result:
            api(api.reply.ConcludeRemedy, reply_pb2.ConcludeRemedyRequest(
                application_id=app, ref=f"R{ref}", result=result,
                concluded_on=concluded_on))  # fmt: skip


def _wait_reply(api: Api, application_id: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            api(api.reply.GetReply, reply_pb2.GetReplyRequest(application_id=application_id))
            return
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.NOT_FOUND, error
        assert time.monotonic() < deadline, f"no reply to {application_id}"
        time.sleep(0.1)


def expected_2026() -> dict[tuple[str, str], int]:
    """Part 三 as this scenario defines it, counted here from the cases alone."""
    counts: Counter[tuple[str, str]] = Counter()
    for case in CASES:
        if case.step == "forwarded":
            continue
        year = case.received_on[:4]
        if year == "2026":
            counts["received", case.applicant] += 1
        closed_in_2026 = bool(case.row)
        closed_before = case.decided_on[:4] == "2025"
        if year == "2025" and not closed_before:
            counts["carried_in", case.applicant] += 1
        if closed_in_2026:
            counts[case.row, case.applicant] += 1
        elif not closed_before:
            counts["carried_out", case.applicant] += 1
    groups = {"withheld": 8, "unable": 3, "not_processed": 5, "other": 3}
    for column in TYPES:
        for group in groups:
            counts[group, column] = sum(
                n for (row, c), n in list(counts.items()) if c == column and
                row.startswith(f"{group}.")
            )  # fmt: skip
        counts["outcome_total", column] = sum(
            counts[row, column] for row in ("disclosed", "partial", *groups)
        )
    for row in {row for row, _ in counts}:
        counts[row, "total"] = sum(counts[row, column] for column in TYPES)
    return dict(counts)


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OgiSystem, Path]]:
    base = tmp_path_factory.mktemp("annual")
    with dated_system(base, TODAY) as (running, today):
        system = running.cli()  # the CLI in this process (the `ogi` program: test_walk)
        api = Api(system, today)
        try:
            for number, case in enumerate(CASES, start=1):
                run_case(api, case, number)
            forwarded = next(c for c in CASES if c.step == "forwarded")
            _decide_at_archives(system, api, forwarded.application_id)
            _wait_closings(system, api)
        finally:
            api.close()
        yield system, base


def _decide_at_archives(system: OgiSystem, api: Api, application_id: str) -> None:
    system.wait_until(
        lambda: system.status(application_id)["agency"],
        lambda agency: agency == "archives-bureau",
        "the forward to reach the archives bureau",
    )
    api.review_open(application_id)
    api(api.review.ReviewSecrecy, review_pb2.ReviewSecrecyRequest(
        application_id=application_id, result="cleared", reviewed_on="2026-06-10"))  # fmt: skip
    api(api.review.Decide, review_pb2.DecideRequest(
        application_id=application_id, outcome="disclose", decided_on="2026-06-15"))  # fmt: skip


def _wait_closings(system: OgiSystem, api: Api) -> None:
    """The ticks close the lapsed correction and the unpaid fee (dated by the law, not the
    tick)."""
    closing = {"correction_lapsed": "CorrectionLapsed", "fee_unpaid": "FeeUnpaidClosed"}
    for case in CASES:
        if case.step in closing:
            wanted, app = closing[case.step], case.application_id

            def closed(app: str = app, wanted: str = wanted) -> bool:
                return wanted in [e["type"] for e in system.trace(app)["events"]]

            system.wait_until(closed, bool, f"{wanted} of {app}")


def table_json(system: OgiSystem, *args: str) -> dict[str, Any]:
    document = system.ogi_json("report", "annual", "--year", "2026", *args)
    assert isinstance(document, dict)
    return document


def cells(document: dict[str, Any]) -> dict[tuple[str, str], int]:
    table = AnnualTable.from_dict(document)
    return {key: value for key, value in table.cells.items()}


def test_every_cell_of_2026_is_counted_from_the_events(
    reported: tuple[OgiSystem, Path],
) -> None:
    system, _ = reported
    document = table_json(system, "--agency", AGENCY)
    found = cells(document)
    expected = expected_2026()
    wrong = {
        key: (found.get(key, 0), expected.get(key, 0))
        for key in set(found) | set(expected)
        if found.get(key, 0) != expected.get(key, 0)
    }
    assert not wrong, f"cells (found, expected): {wrong}"
    assert found["received", "total"] == 26 and found["carried_in", "total"] == 3
    assert found["outcome_total", "total"] == 25 and found["carried_out", "total"] == 4
    table = AnnualTable.from_dict(document)
    assert table.remedies == {
        **{key: 0 for key in table.remedies},
        ("reconsideration", "upheld"): 1,
        ("reconsideration", "corrected"): 1,
        ("reconsideration", "pending"): 1,
        ("reconsideration", "total"): 3,
        ("lawsuit_direct", "pending"): 1,  # concluded only in 2027
        ("lawsuit_direct", "total"): 1,
        ("lawsuit_after_reconsideration", "other"): 1,
        ("lawsuit_after_reconsideration", "total"): 1,
    }


def test_the_check_rule_refuses_a_corrupted_cell(reported: tuple[OgiSystem, Path]) -> None:
    system, _ = reported
    table = AnnualTable.from_dict(table_json(system, "--agency", AGENCY))
    table.cells["partial", "legal_services"] += 1
    with pytest.raises(BrokenTable) as refused:
        render(table, "xlsx")
    assert "partial" in str(refused.value) or "legal_services" in str(refused.value)


def test_forwarded_counts_at_the_receiver_and_all_agencies_is_the_sum(
    reported: tuple[OgiSystem, Path],
) -> None:
    system, _ = reported
    archives = cells(table_json(system, "--agency", "archives-bureau"))
    assert archives["received", "natural_person"] == 1
    assert archives["disclosed", "natural_person"] == 1
    municipal = cells(table_json(system, "--agency", AGENCY))
    everything = cells(table_json(system, "--all-agencies"))
    assert everything == {key: municipal[key] + archives.get(key, 0) for key in municipal}


def test_the_same_figures_after_a_rebuild_and_in_every_format(
    reported: tuple[OgiSystem, Path],
) -> None:
    system, base = reported
    before = table_json(system, "--agency", AGENCY)
    assert table_json(system, "--agency", AGENCY, "--rebuild") == before
    out = base / "out"
    out.mkdir(exist_ok=True)
    for fmt in ("json", "csv", "markdown", "html", "xlsx"):
        written = system.ogi_json("report", "annual", "--agency", AGENCY, "--year", "2026",
                                  "--format", fmt, "--out", str(out / f"r.{fmt}"))  # fmt: skip
        assert Path(written["written"]).stat().st_size > 0
    assert json.loads((out / "r.json").read_text(encoding="utf-8")) == before
    rows = list(csv.reader(io.StringIO((out / "r.csv").read_text(encoding="utf-8-sig"))))
    withheld = next(r for r in rows if r and r[0] == "（三）不予公开")
    assert withheld[1:] == [str(cells(before)["withheld", c]) for c in (*TYPES, "total")]
    sheet = openpyxl.load_workbook(out / "r.xlsx")["三"]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "一、本年新收政府信息公开申请数量" in values
    assert "（七）总计" in (out / "r.markdown").read_text(encoding="utf-8")
    assert "（七）总计" in (out / "r.html").read_text(encoding="utf-8")
    plain = system.ogi("report", "annual", "--agency", AGENCY, "--year", "2026")
    assert plain[0] == 0 and "| 一、本年新收政府信息公开申请数量 |" in plain[1]
    assert "xlsx" in system.refused("report", "annual", "--agency", AGENCY, "--year", "2026",
                                    "--format", "xlsx")  # fmt: skip
    assert "year" in system.refused("report", "annual", "--agency", AGENCY, "--year", "1990")


def test_the_general_office_adds_up_the_agencies_tables(
    reported: tuple[OgiSystem, Path],
) -> None:
    """When each agency runs its own instance, their JSON tables are added up offline."""
    system, base = reported
    out = base / "combine"
    out.mkdir(exist_ok=True)
    files = []
    for agency in ("municipal-office", "archives-bureau"):
        path = out / f"{agency}.json"
        system.ogi_json("report", "annual", "--agency", agency, "--year", "2026",
                        "--format", "json", "--out", str(path))  # fmt: skip
        files.append(str(path))
    combined = system.ogi_json("report", "combine", *files)
    tables = [AnnualTable.from_dict(json.loads(Path(f).read_text(encoding="utf-8"))) for f in files]
    assert cells(combined) == {
        key: tables[0].cells[key] + tables[1].cells[key] for key in tables[0].cells
    }
    assert "重复统计" in system.refused("report", "combine", files[0], files[0])
    corrupted = json.loads(Path(files[0]).read_text(encoding="utf-8"))
    corrupted["rows"][0]["values"]["natural_person"] += 1
    (out / "corrupted.json").write_text(json.dumps(corrupted), encoding="utf-8")
    refused = system.refused("report", "combine", str(out / "corrupted.json"), files[1])
    assert "corrupted.json" in refused and "自然人" in refused
    assert "No such file" in system.refused("report", "combine", str(out / "missing.json"))
