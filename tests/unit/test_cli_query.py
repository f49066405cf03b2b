"""The read side in the CLI: an application number is resolved to the application's id once,
before the command's call (waiting for the read model when it is not there yet); the work queue,
a search, the bureau's cases and overdue reports print as Chinese tables with the days left;
the lists' valid values are the read model's own."""

from __future__ import annotations

import argparse
import re
from typing import Any

import grpc
import pytest
from ogi.v1 import query_pb2

from ogi_cli import numbers, queries
from ogi_cli.main import main
from ogi_cli.output import text
from ogi_cli.parser import build
from ogi_cli.queryparser import CASE_STATES, STATES
from ogi_cli.tokens import holder
from ogi_errors import NotFound
from ogi_platform.rpc.auth import Principal, issue_token
from query.rows import COMPLAINT_STATES
from query.rows import STATES as READ_MODEL_STATES

APP = "A39EGYBQR6PBY"
TODAY = "2026-06-08"


def summary(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "application_id": APP, "agency": "natural-resources-bureau", "number": "ZRZY-2026-00001",
        "office": "政府信息公开科", "state": "under_review", "open": True,
        "received_on": "2026-05-06", "due_on": "2026-06-03", "provisional": False,
        "overdue": False, "waiting_correction": False, "correct_by": "", "waiting_fee": False,
        "pay_by": "", "waiting_consultation": False, "consultation_refs": [],
        "applicant_type": "natural_person", "applicant_name": "李四", "applicant_id_doc": "X",
        "description": "2025年度全市矿产资源开采许可证发放清单及其审批材料",
        "outcome": "", "decision": "", "letter_number": "", "delivered_on": "",
    }  # fmt: skip
    return row | fields


QUEUE = {
    "applications": [
        summary(overdue=True, days_left=-3),
        summary(
            number="ZRZY-2026-00002",
            due_on="2026-06-23",
            days_left=11,
            waiting_fee=True,
            forwarded_from="municipal-office",
        ),
        summary(
            number="ZRZY-2026-00003",
            state="awaiting_correction",
            due_on="",
            waiting_correction=True,
            correct_by="2026-06-20",
            applicant_name="某某房地产开发有限公司",
        ),
    ],
    "total": 120,
    "next_page_token": "tok2",
    "today": TODAY,
    "page": 1,
}
CASES = {
    "cases": [
        {
            "complaint_id": f"{APP}-C1",
            "bureau": "supervision-bureau",
            "application_id": APP,
            "application_number": "ZRZY-2026-00001",
            "against_agency": "natural-resources-bureau",
            "ground": "overdue",
            "text": "逾期未答复",
            "complainant": "李四",
            "filed_on": "2026-06-08",
            "state": "received",
        },
    ],
    "total": 1,
    "next_page_token": "",
    "page": 1,
}
REPORTS = {
    "reports": [
        {
            "application_id": APP,
            "agency": "natural-resources-bureau",
            "number": "ZRZY-2026-00001",
            "office": "政府信息公开科",
            "state": "under_review",
            "due_on": "2026-06-03",
            "reported_on": "2026-06-04",
        },
    ],
    "total": 1,
    "next_page_token": "",
    "page": 1,
}
CODES = re.compile(r"\b(?:under_review|awaiting_correction|natural_person|overdue|received)\b")


def test_the_work_queue_is_a_chinese_table_with_the_days_left() -> None:
    printed = text("applications", QUEUE)
    lines = printed.splitlines()
    assert lines[0] == "市自然资源和规划局；剩余工作日自2026年6月8日起算"
    assert lines[1].split() == [
        "申请编号", "申请人", "内容摘要", "状态", "到期日", "剩余工作日", "办理科室",
    ]  # fmt: skip
    overdue, waiting_fee, correction = lines[2:5]
    assert "2026年6月3日" in overdue and "已逾期 3" in overdue and "审查中" in overdue
    assert "2025年度全市矿产资源开…" in overdue  # the summary shortened
    assert (
        "审查中（待缴费，市人民政府办公室转来）" in waiting_fee and waiting_fee.split()[-2] == "11"
    )
    assert "中止计时" in correction and "待补正（第三十条）" in correction
    assert " 0 " not in correction
    assert "共 120 件，本页 3 件（第 1 页）。" in lines
    assert "下一页：同一命令加上 --page-token tok2（或 --page 2）。" in lines
    assert not CODES.search(printed) and "{" not in printed


def test_the_columns_line_up_whatever_the_width_of_the_characters() -> None:
    from ogi_cli.cjk import width

    heading, *rows = text("applications", QUEUE).splitlines()[1:4]  # two rows with due dates
    column = width(heading[: heading.index("到期日")])
    assert [width(row[: row.index("2026年6月")]) for row in rows] == [column, column]


def test_a_list_of_several_agencies_names_each_rows_agency() -> None:
    rows = [summary(), summary(agency="municipal-office", number="SZFB-2026-00001")]
    printed = text("applications", {"applications": rows, "total": 2, "today": TODAY})
    assert printed.splitlines()[1].split()[-1] == "办理机关"
    assert "市人民政府办公室" in printed and "共 2 件。" in printed


def test_a_lookup_by_number_and_a_search_print_their_rows() -> None:
    found = text("applications", {"application": summary(), "today": TODAY})
    assert "ZRZY-2026-00001" in found and "共 1 件。" in found
    searched = {"applications": [summary()], "total": 1, "today": TODAY,
                "searched": ["矿产", "许可证"]}  # fmt: skip
    assert text("applications", searched).startswith("查找的词：矿产 许可证\n")
    empty = text("applications", {"applications": [], "total": 0, "today": TODAY})
    assert empty == "没有符合条件的申请。\n"
    past = text("applications", {"applications": [], "total": 4, "page": 3, "today": TODAY})
    assert past.endswith("没有符合条件的申请。\n共 4 件，本页 0 件（第 3 页）。\n")


def test_the_bureau_sees_its_cases_and_overdue_reports_in_chinese() -> None:
    cases = text("cases", CASES)
    assert cases.splitlines()[0].split() == [
        "投诉编号", "投诉日期", "被投诉机关", "申请编号", "投诉事由", "状态", "投诉人",
    ]  # fmt: skip
    assert "逾期未答复" in cases and "已收到投诉" in cases and "市自然资源和规划局" in cases
    assert "详情：ogi case show 投诉编号" in cases
    reports = text("overdue", REPORTS)
    assert "2026年6月3日" in reports and "2026年6月4日" in reports and "审查中" in reports
    assert not CODES.search(cases + reports)
    # An agency's own overdue applications are a work queue.
    assert "已逾期 3" in text("overdue", QUEUE)


def test_consultations_figures_and_a_rebuild_read_in_chinese() -> None:
    consultation = {
        "application_id": APP, "from_agency": "municipal-office", "ref": "ORG-1",
        "to_agency": "natural-resources-bureau", "organ": "natural-resources-bureau",
        "description": "规划许可", "asked_on": "2026-06-01", "answer_due": "2026-06-15",
        "days_left": 5, "answer": "", "reasons": "", "answered_on": "",
    }  # fmt: skip
    printed = text("consultations", {"consultations": [consultation], "total": 1})
    assert "市人民政府办公室（municipal-office）" in printed and "2026年6月15日" in printed
    assert "ogi consultation-answer" in printed
    figures = {"agencies": [{"agency": "archives-bureau", "open": 0, "overdue": 0,
                             "replied": 2, "median_reply_working_days": 12.5}],
               "today": TODAY}  # fmt: skip
    assert "12.5 个工作日" in text("figures", figures) and "市档案局" in text("figures", figures)
    rebuilt = {"rebuilt": [{"agency": "supervision-bureau", "events_applied": 42}]}
    assert "市政务公开监督局（supervision-bureau）  42" in text("rebuilt", rebuilt)


def test_the_lists_valid_values_are_the_read_models() -> None:
    assert set(STATES) == set(READ_MODEL_STATES)
    assert set(CASE_STATES) == set(COMPLAINT_STATES)


@pytest.mark.parametrize(
    ("text_", "number"),
    [
        ("SZFB-2026-00001", True),
        ("zrzy-2026-00012", True),
        ("NATURAL-RESOURCES-BUREAU-2026-123456", True),
        (APP, False),
        ("SZFB-2026-1", False),
        ("矿产 许可证", False),
        ("", False),
    ],
)
def test_what_is_written_as_an_application_number(text_: str, number: bool) -> None:
    assert numbers.is_number(text_) is number


class Missing(grpc.RpcError):
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.NOT_FOUND


class FakeQuery:
    """FindApplication that knows the number only once asked ``found_after`` times."""

    def __init__(self, found_after: int) -> None:
        self.found_after = found_after
        self.asked: list[tuple[str, bool]] = []

    def FindApplication(
        self, request: query_pb2.FindApplicationRequest, timeout: float
    ) -> query_pb2.FindApplicationResponse:
        self.asked.append((request.number, request.up_to_date))
        if len(self.asked) < self.found_after:
            raise Missing()
        application = query_pb2.ApplicationSummary(application_id=APP, number=request.number)
        return query_pb2.FindApplicationResponse(application=application, today=TODAY)


class FakeClients:
    def __init__(self, query: FakeQuery, token: str = "") -> None:
        self.query, self.token = query, token

    def api(self, service: str) -> FakeQuery:
        assert service == "query"
        return self.query


def test_a_number_is_resolved_to_the_id_before_the_call() -> None:
    query = FakeQuery(found_after=1)
    args = argparse.Namespace(application_id="szfb-2026-00001")
    numbers.resolve_numbers(FakeClients(query), args)  # type: ignore[arg-type]
    assert args.application_id == APP
    assert query.asked == [("SZFB-2026-00001", False)]


def test_an_id_or_no_application_is_left_as_it_is() -> None:
    query = FakeQuery(found_after=1)
    for given in (APP, "", "not-a-number"):
        args = argparse.Namespace(application_id=given)
        numbers.resolve_numbers(FakeClients(query), args)  # type: ignore[arg-type]
        assert args.application_id == given
    numbers.resolve_numbers(FakeClients(query), argparse.Namespace())  # type: ignore[arg-type]
    assert query.asked == []


def test_a_number_not_in_the_read_model_yet_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(numbers.time, "sleep", lambda seconds: None)
    query = FakeQuery(found_after=3)
    found = numbers.find_number(FakeClients(query), "SZFB-2026-00001")  # type: ignore[arg-type]
    assert found["application"]["application_id"] == APP
    assert [up_to_date for _, up_to_date in query.asked] == [False, True, True]


def test_an_unknown_number_is_a_chinese_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(numbers.time, "sleep", lambda seconds: None)
    with pytest.raises(NotFound, match="申请编号 SZFB-2026-09999 不存在"):
        numbers.find_number(FakeClients(FakeQuery(found_after=99)), "SZFB-2026-09999")  # type: ignore[arg-type]


def test_an_unknown_number_ends_the_command_with_one_line_and_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unknown(clients: Any, args: argparse.Namespace) -> None:
        raise NotFound("申请编号 SZFB-2026-09999 不存在，或者您无权查看该机关的申请")

    monkeypatch.setattr(numbers, "resolve_numbers", unknown)
    assert main(["status", "SZFB-2026-09999"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err.strip()
        == "ogi：没有找到（NOT_FOUND）：申请编号 SZFB-2026-09999 不存在，或者您无权查看该机关的申请"
    )


def test_every_command_that_takes_an_application_id_takes_a_number() -> None:
    for argv in (["status", "SZFB-2026-00001"], ["decide", "ZRZY-2026-00002", "--outcome", "x"],
                 ["complain", "SZFB-2026-00001", "--ground", "overdue", "--text", "t"],
                 ["rectify", "SZFB-2026-00001", "--order", "o", "--text", "t"]):  # fmt: skip
        assert build(argv).parse_args(argv).application_id == argv[1]


def test_the_token_names_whose_list_is_meant() -> None:
    token = issue_token(b"k" * 32, Principal("staff", "王五", "natural-resources-bureau"),
                        __import__("datetime").date(2026, 6, 8))  # fmt: skip
    assert holder(token) == Principal("staff", "王五", "natural-resources-bureau")
    assert holder("") is None and holder("ogi1.bm90IGpzb24.x") is None


def test_list_options_become_the_requests_filters() -> None:
    asked: list[query_pb2.ListApplicationsRequest] = []

    class Queue:
        def ListApplications(
            self, request: query_pb2.ListApplicationsRequest, timeout: float
        ) -> query_pb2.ListApplicationsResponse:
            asked.append(query_pb2.ListApplicationsRequest.FromString(request.SerializeToString()))
            token = "" if request.page_token == "p2" else "p2"
            return query_pb2.ListApplicationsResponse(total=3, next_page_token=token, today=TODAY)

    class Clients:
        token = ""

        def api(self, service: str) -> Queue:
            return Queue()

    argv = ["list", "--agency", "natural-resources-bureau", "--state", "under_review",
            "--waiting", "fee", "--waiting", "consultation", "--due-within", "5",
            "--received-from", "2026-05-01", "--outcome", "disclose", "--page-size", "2",
            "--page", "3"]  # fmt: skip
    result = queries.list_applications(Clients(), build(argv).parse_args(argv))  # type: ignore[arg-type]
    first = asked[0]
    assert first.agency == "natural-resources-bureau" and list(first.states) == ["under_review"]
    assert first.waiting_fee and first.waiting_consultation and not first.waiting_correction
    assert first.due_within_days == 5 and first.received_from == "2026-05-01"
    assert first.outcome == "disclose" and first.page_size == 2
    assert [r.page_token for r in asked] == ["", "p2"]  # the third page is past the last
    assert result["page"] == 3 and result["applications"] == [] and result["total"] == 3
