"""An application goes all the way through the five services, driven by the `ogi` CLI.

apply -> routed to an office -> review open -> decide -> reply letter -> delivery -> closed ->
complaint to the supervision bureau; then the trace shows every service's events in causal order.
Also: every outcome and exemption ground of the rules is accepted, `--json` prints one document,
and the gRPC servers answer health checks and reflection. The walk goes through the `ogi`
program; the tables of outcomes and grounds run the CLI in the test's process (the ``cli``
fixture) against the same running system.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from ogi_law import labels
from ogi_platform.ids import correlation_id
from ogi_platform.messaging.envelope import READ_MODELS

pytestmark = pytest.mark.long

if TYPE_CHECKING:
    from conftest import OgiSystem

AGENCY = "municipal-office"
BUREAU = "supervision-bureau"
SERVICES = {"intake", "routing", "review", "reply", "complaint"}
# The overall states `ogi status` goes through (ogi_cli/status.py); "assigned" is routing's.
STATES = ["accepted", "assigned", "under_review", "decided", "replied", "closed"]
HAN = re.compile(r"[\u4e00-\u9fff]")
REASON = "该信息经保密审查属于国家秘密"
COMPLAINT = "本人认为该信息不属于国家秘密，答复违法"


# -- the walk ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def walk(system: OgiSystem) -> dict[str, Any]:
    """One application taken all the way, with what each step printed and the states seen."""
    seen: list[str] = []

    def observe(application_id: str) -> dict[str, Any]:
        status = system.status(application_id)
        if not seen or seen[-1] != status["state"]:
            seen.append(status["state"])
        return status

    def until(application_id: str, state: str) -> dict[str, Any]:
        return system.wait_until(
            lambda: observe(application_id), lambda s: s["state"] == state, f"state {state}"
        )

    received_on = (system.today() - timedelta(days=2)).isoformat()
    application = system.apply(received_on=received_on)
    app_id = application["application_id"]
    first_status = observe(app_id)
    open_status = until(app_id, "under_review")
    secrecy = system.ogi_json("secrecy", app_id, "--result", "secret", "--note", "经审查属绝密")
    decision = system.decide(app_id, "withhold", "--ground", "state_secret", "--reason", REASON)
    observe(app_id)
    replied_status = until(app_id, "replied")
    letter = system.ogi_json("letter", app_id)
    printed = system.ogi_json("reply", "printed", app_id, "--copies", "2")
    delivery = system.ogi_json("deliver", app_id, "--method", "post")
    observe(app_id)
    closed_status = system.wait_closed(app_id)
    observe(app_id)
    complaint = system.ogi_json(
        "complain", app_id, "--ground", "unlawful_refusal", "--text", COMPLAINT
    )
    trace = system.trace(app_id)
    return {
        "today": system.today().isoformat(),
        "received_on": received_on,
        "application": application,
        "first_status": first_status,
        "open_status": open_status,
        "secrecy": secrecy,
        "decision": decision,
        "replied_status": replied_status,
        "letter": letter,
        "printed": printed,
        "delivery": delivery,
        "closed_status": closed_status,
        "complaint": complaint,
        "trace": trace,
        "states": seen,
    }


def test_up_describes_where_everything_listens(system: OgiSystem) -> None:
    description = system.description
    # the five services and the read models (the annual report, the query side)
    assert set(description["services"]) == SERVICES | set(READ_MODELS)
    for name, address in description["services"].items():
        assert re.fullmatch(r"[\w.\-]+:\d+", address), (name, address)
    assert description["nats"].startswith("nats://")
    assert isinstance(description["ready_seconds"], int | float)
    assert 0 < description["ready_seconds"] <= 10, "the design asks for ready in <= 10 s"
    for written in (system.data / "endpoints.json", system.home / "endpoints.json"):
        assert written.exists(), written
        endpoints = system.one_json(written.read_text(encoding="utf-8"))
        assert endpoints["services"] == description["services"], written
        assert endpoints["nats"] == description["nats"], written


def test_apply_returns_number_and_receipt_date(walk: dict[str, Any]) -> None:
    application = walk["application"]
    assert re.fullmatch(r"A[0-9A-Z]{12}", application["application_id"])
    assert application["received_on"] == walk["received_on"]
    year = walk["received_on"][:4]
    assert re.fullmatch(rf"SZFB-{year}-\d{{5}}", application["application_number"])
    assert application["agency"] == AGENCY
    assert application["state"] == "accepted"
    assert application["applicant"]["name"] == "张三"
    assert application["applicant"]["type"] == "natural_person"


def test_routing_assigns_an_office(walk: dict[str, Any]) -> None:
    status = walk["open_status"]
    routing = status["services"]["routing"]
    assert routing is not None and routing["state"] == "assigned"
    assert routing["office"], "routing assigned no office"
    assert status["office"] == routing["office"]
    assert status["services"]["review"]["office"] == routing["office"]
    assigned = [e for e in walk["trace"]["events"] if e["type"] == "ApplicationAssigned"]
    assert [e["data"]["office"] for e in assigned] == [routing["office"]]


def test_status_moves_forward_through_the_states(walk: dict[str, Any]) -> None:
    seen = walk["states"]
    assert all(state in STATES for state in seen), seen
    positions = [STATES.index(state) for state in seen]
    assert positions == sorted(positions), f"state went backwards: {seen}"
    for state in ("under_review", "replied", "closed"):
        assert state in seen, seen
    first = walk["first_status"]
    assert first["application_id"] == walk["application"]["application_id"]
    assert first["agency"] == AGENCY
    assert first["services"]["intake"]["state"] == "accepted"


def test_decision_is_recorded(walk: dict[str, Any]) -> None:
    decision = walk["decision"]
    assert decision["outcome"] == "withhold"
    assert decision["grounds"] == ["state_secret"]
    assert decision["reason"] == REASON
    assert decision["state"] == "decided"
    assert decision["decided_on"] == walk["today"]
    status = walk["replied_status"]
    assert status["outcome"] == "withhold"
    assert status["state"] == "replied"


def test_reply_letter_is_chinese_and_complete(walk: dict[str, Any]) -> None:
    letter = walk["letter"]
    number = walk["application"]["application_number"]
    text = letter["letter_text"]
    assert letter["application_id"] == walk["application"]["application_id"]
    assert letter["outcome"] == "withhold"
    assert letter["state"] == "issued"
    assert letter["letter_number"] and letter["letter_number"] in text
    assert len(HAN.findall(text)) > 50, "the letter is not in Chinese"
    received = date.fromisoformat(walk["received_on"])
    assert f"{received.year}年{received.month}月{received.day}日" in text, "receipt date missing"
    assert number in text
    assert "张三" in text
    assert "2023年度本市财政预算执行情况报告" in text
    assert "不予公开" in text
    assert "第三十六条第（三）项" in text, "legal basis of the refusal missing"
    assert "国家秘密" in text and "第十四条" in text, "exemption ground missing"
    assert REASON in text
    # refusals: reconsideration comes before litigation, and the body is named
    assert "先申请行政复议" in text
    assert "省人民政府" in text


def test_delivery_closes_the_application(walk: dict[str, Any]) -> None:
    delivery = walk["delivery"]
    assert delivery["delivery_method"] == "post"
    assert delivery["delivered_on"] == walk["today"]
    assert delivery["letter_text"] == walk["letter"]["letter_text"]
    assert [p["copies"] for p in walk["printed"]["printings"]] == [2]
    assert delivery["printings"] == walk["printed"]["printings"]  # printed before delivery
    status = walk["closed_status"]
    assert status["state"] == "closed"
    assert status["delivered_on"] == delivery["delivered_on"]
    assert status["letter_number"] == walk["letter"]["letter_number"]
    for name in ("intake", "routing", "review", "reply"):
        assert status["services"][name]["state"] == "closed", name


def test_complaint_is_received_by_the_supervision_bureau(walk: dict[str, Any]) -> None:
    complaint = walk["complaint"]
    assert complaint["bureau"] == BUREAU
    assert complaint["application_id"] == walk["application"]["application_id"]
    assert complaint["against_agency"] == AGENCY
    assert complaint["ground"] == "unlawful_refusal"
    assert complaint["text"] == COMPLAINT
    assert complaint["state"] == "received"
    assert complaint["complaint_id"]
    filed = [e for e in walk["trace"]["events"] if e["type"] == "ComplaintFiled"]
    assert len(filed) == 1
    assert filed[0]["agency"] == BUREAU and filed[0]["service"] == "complaint"
    assert filed[0]["data"]["ground"] == "unlawful_refusal"


# -- the trace ---------------------------------------------------------------------------------


def test_trace_events_carry_the_envelope(walk: dict[str, Any]) -> None:
    trace = walk["trace"]
    app_id = walk["application"]["application_id"]
    assert trace["application_id"] == app_id
    events = trace["events"]
    assert events, "empty trace"
    for event in events:
        for key in ("agency", "service", "type", "occurred_at", "recorded_at", "actor", "data"):
            assert key in event, (key, event)
        assert event["agency"] in (AGENCY, BUREAU), event
        assert event["service"] in SERVICES, event
        assert re.fullmatch(r"[A-Z][A-Za-z]+", event["type"]), event
        date.fromisoformat(event["occurred_at"])
        datetime.fromisoformat(event["recorded_at"].replace("Z", "+00:00"))
        assert isinstance(event["actor"], str) and event["actor"], event
        assert isinstance(event["data"], dict), event
        assert event.get("application_id", app_id) == app_id, event
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids)), "an event appears twice in the trace"


def test_trace_dates_are_the_legal_facts(walk: dict[str, Any]) -> None:
    by_type = {e["type"]: e for e in walk["trace"]["events"]}
    assert by_type["ApplicationReceived"]["occurred_at"] == walk["received_on"]
    assert by_type["ApplicationReceived"]["actor"] == "applicant:张三"
    assert by_type["ReplyDelivered"]["occurred_at"] == walk["delivery"]["delivered_on"]
    assert by_type["DecisionMade"]["data"]["outcome"] == "withhold"
    assert by_type["DecisionMade"]["data"]["grounds"] == ["state_secret"]
    assert by_type["ReplyIssued"]["data"]["letter_text"] == walk["letter"]["letter_text"]


def test_trace_covers_every_service(walk: dict[str, Any]) -> None:
    events = walk["trace"]["events"]
    assert {e["service"] for e in events} == SERVICES
    types = {(e["service"], e["type"]) for e in events}
    for expected in [
        ("intake", "ApplicationReceived"),
        ("intake", "ApplicationAccepted"),
        ("routing", "ApplicationAssigned"),
        ("review", "ReviewOpened"),
        ("review", "DecisionMade"),
        ("reply", "ReplyIssued"),
        ("reply", "ReplyDelivered"),
        ("complaint", "ComplaintFiled"),
    ]:
        assert expected in types, f"{expected} missing from the trace: {sorted(types)}"


def test_trace_is_in_causal_order(walk: dict[str, Any]) -> None:
    events = walk["trace"]["events"]
    index = {e["event_id"]: i for i, e in enumerate(events)}
    for i, event in enumerate(events):
        cause = event.get("causation_id") or ""
        if cause:
            assert cause in index, f"{event['type']} names a cause not in the trace"
            assert index[cause] < i, f"{event['type']} comes before its cause"
    by_type = {e["type"]: e for e in events}

    def caused(effect: str, cause: str) -> None:
        assert by_type[effect].get("causation_id") == by_type[cause]["event_id"], (effect, cause)

    caused("ApplicationAssigned", "ApplicationAccepted")
    caused("ReviewOpened", "ApplicationAssigned")
    caused("ReplyIssued", "DecisionMade")
    assert events[0]["type"] == "ApplicationReceived"
    order = [e["type"] for e in events]
    for earlier, later in [
        ("ApplicationReceived", "ApplicationAccepted"),
        ("ReviewOpened", "DecisionMade"),
        ("DecisionMade", "ReplyIssued"),
        ("ReplyIssued", "ReplyDelivered"),
    ]:
        assert order.index(earlier) < order.index(later), order
    # One correlation id for the whole application, derived from its id, so that every agency it
    # is forwarded to correlates its events without carrying the first event's id along.
    correlation = {e.get("correlation_id") for e in events}
    assert correlation == {correlation_id(by_type["ApplicationReceived"]["application_id"])}


def test_trace_in_plain_text_lists_the_events(system: OgiSystem, walk: dict[str, Any]) -> None:
    code, out, err = system.ogi("trace", walk["application"]["application_id"])
    assert code == 0, err
    heading, *lines = out.strip().splitlines()
    assert heading.split() == ["记录时间", "发生日期", "机关", "环节", "事件", "操作人"]
    assert len(lines) == len(walk["trace"]["events"])
    for line, event in zip(lines, walk["trace"]["events"], strict=True):
        assert labels.EVENT_TYPES[event["type"]] in line
        assert labels.SERVICES[event["service"]] in line


# -- every outcome and every ground ------------------------------------------------------------

# The outcomes of ogi-rules.md (Art. 36 items 1-7, Art. 37, 38, 39, 35), with the grounds they
# need, extra options, and the legal basis the letter must cite.
WHERE_PUBLISHED = "市政府门户网站财政信息专栏"
OUTCOMES = [
    (
        "already_public",
        [],
        ["--where-published", "市政府门户网站财政信息专栏"],
        "第三十六条第（一）项",
    ),
    ("disclose", [], [], "第三十六条第（二）项"),
    ("withhold", ["state_secret"], [], "第三十六条第（三）项"),
    ("not_held", [], [], "第三十六条第（四）项"),
    (
        "not_ours",
        [],
        ["--competent-organ", "市自然资源和规划局", "--competent-organ-contact", "0000-12345680"],
        "第三十六条第（五）项",
    ),
    ("repeat", [], [], "第三十六条第（六）项"),
    ("other_procedure", [], [], "第三十六条第（七）项"),
    ("partial", ["third_party"], [], "第三十七条"),
    ("needs_creation", [], [], "第三十八条"),
    ("petition", [], [], "第三十九条"),
    ("publication", [], [], "第三十九条"),
    ("vexatious", [], [], "第三十五条"),
]

# The exemption grounds of ogi-rules.md, with what the letter must say of each.
GROUNDS = [
    ("state_secret", "国家秘密", "第十四条"),
    ("law_prohibits", "法律、行政法规", "第十四条"),
    ("security_stability", "社会稳定", "第十四条"),
    ("third_party", "商业秘密", "第十五条"),
    ("internal_affairs", "内部事务", "第十六条"),
    ("process_info", "过程性信息", "第十六条"),
    ("enforcement_file", "行政执法案卷", "第十六条"),
    ("administrative_query", "行政查询", ""),
]


def decide_and_read_letter(
    system: OgiSystem, app_id: str, outcome: str, *args: str
) -> dict[str, Any]:
    decision = system.decide(app_id, outcome, *args)
    system.wait_state(app_id, "replied")
    letter = system.ogi_json("letter", app_id)
    assert isinstance(letter, dict)
    return {"decision": decision, "letter": letter}


@pytest.mark.parametrize(
    ("outcome", "grounds", "extra", "article"), OUTCOMES, ids=[o[0] for o in OUTCOMES]
)
def test_every_outcome_is_accepted(
    cli: OgiSystem, outcome: str, grounds: list[str], extra: list[str], article: str
) -> None:
    app_id = cli.under_review()
    args = list(extra)
    for ground in grounds:
        args += ["--ground", ground]
    if grounds:
        args += ["--reason", "理由说明"]
    result = decide_and_read_letter(cli, app_id, outcome, *args)
    assert result["decision"]["outcome"] == outcome
    assert result["decision"]["grounds"] == grounds
    letter = result["letter"]
    assert letter["outcome"] == outcome
    assert article in letter["letter_text"], f"{outcome}: letter does not cite {article}"
    assert len(HAN.findall(letter["letter_text"])) > 50
    if outcome in ("disclose", "partial"):
        assert "电子文本" in letter["letter_text"], "form of provision missing"
    if outcome == "not_ours":
        assert "市自然资源和规划局" in letter["letter_text"], "competent organ not named"
    if outcome == "already_public":
        assert WHERE_PUBLISHED in letter["letter_text"], "where published missing"


@pytest.mark.parametrize(("ground", "label", "article"), GROUNDS, ids=[g[0] for g in GROUNDS])
def test_every_exemption_ground_is_accepted(
    cli: OgiSystem, ground: str, label: str, article: str
) -> None:
    app_id = cli.under_review()
    result = decide_and_read_letter(
        cli, app_id, "withhold", "--ground", ground, "--reason", "理由说明"
    )
    assert result["decision"]["grounds"] == [ground]
    text = result["letter"]["letter_text"]
    assert label in text, f"{ground}: letter does not name the ground"
    assert article in text, f"{ground}: letter does not cite {article}"
    assert "先申请行政复议" in text


def test_partial_disclosure_with_several_grounds(cli: OgiSystem) -> None:
    app_id = cli.under_review()
    result = decide_and_read_letter(
        cli,
        app_id,
        "partial",
        "--ground",
        "third_party",
        "--ground",
        "process_info",
        "--reason",
        "涉及个人隐私及过程性信息",
    )
    assert result["decision"]["grounds"] == ["third_party", "process_info"]
    text = result["letter"]["letter_text"]
    assert "商业秘密" in text and "过程性信息" in text
    assert "涉及个人隐私及过程性信息" in text


# -- other commands, other agencies, --json ----------------------------------------------------


def test_reassign_to_another_office(system: OgiSystem) -> None:
    app_id = system.under_review(agency="natural-resources-bureau")
    before = system.status(app_id)
    assert before["agency"] == "natural-resources-bureau"
    assert before["application_number"].startswith("ZRZY-")
    routing = system.ogi_json("reassign", app_id, "--office", "规划管理处", "--reason", "规划类")
    assert routing["office"] == "规划管理处"
    assert before["office"] != "规划管理处"
    moved = system.wait_state(app_id, "under_review")
    assert moved["office"] == "规划管理处"
    system.wait_until(
        lambda: system.status(app_id)["services"]["review"]["office"],
        lambda office: office == "规划管理处",
        "the review to follow the reassignment",
    )


def test_withdraw(system: OgiSystem) -> None:
    app_id = system.under_review(agency="archives-bureau")
    withdrawn = system.ogi_json("withdraw", app_id, "--reason", "不再需要")
    assert withdrawn["state"] == "withdrawn"
    status = system.wait_state(app_id, "withdrawn")
    assert status["agency"] == "archives-bureau"
    types = [e["type"] for e in system.trace(app_id)["events"]]
    assert "ApplicationWithdrawn" in types


def test_every_command_prints_one_json_document(system: OgiSystem) -> None:
    """Each command with --json prints exactly one JSON document (ogi_json checks it)."""
    app_id = system.under_review()
    documents: dict[str, Any] = {
        "status": system.ogi_json("status", app_id),
        "trace": system.ogi_json("trace", app_id),
        "clock": system.ogi_json("clock", app_id),
        "due": system.ogi_json("due", "--received-on", "2026-11-02"),
        "secrecy": system.ogi_json("secrecy", app_id, "--result", "cleared"),
        "decide": system.ogi_json("decide", app_id, "--outcome", "disclose"),
    }
    system.wait_state(app_id, "replied")
    documents["letter"] = system.ogi_json("letter", app_id)
    documents["deliver"] = system.ogi_json("deliver", app_id, "--method", "email")
    documents["complain"] = system.ogi_json("complain", app_id, "--ground", "other", "--text", "x")
    documents["health"] = system.ogi_json(
        "health", "--service", "intake", "--address", system.address["intake"]
    )
    other = system.under_review()
    documents["withdraw"] = system.ogi_json("withdraw", other, "--reason", "不再需要")
    for name, document in documents.items():
        assert isinstance(document, dict) and document, name
    assert documents["health"]["serving"] is True


def test_json_flag_before_the_command(system: OgiSystem, walk: dict[str, Any]) -> None:
    """`ogi --json status APP` (the flag is accepted there) prints JSON too."""
    app_id = walk["application"]["application_id"]
    code, out, err = system.ogi("--json", "status", app_id)
    assert code == 0, err
    assert system.one_json(out)["application_id"] == app_id


def test_plain_output_is_readable(system: OgiSystem, walk: dict[str, Any]) -> None:
    code, out, err = system.ogi("status", walk["application"]["application_id"])
    assert code == 0, err
    fields = dict(line.split(maxsplit=1) for line in out.splitlines())
    assert fields["状态"] == "已办结" and fields["办理结果"] == labels.outcome_label("withhold")
    assert fields["申请编号"] == walk["application"]["application_number"]
    assert fields["答复期限"].startswith("已停止计时") and "{" not in out


# -- gRPC health and reflection ----------------------------------------------------------------


# The gRPC service of each process, where it is not named after the process.
GRPC_SERVICE = {"report": "AnnualReport"}


def test_health_checking_is_on(system: OgiSystem) -> None:
    for name, address in system.address.items():
        with grpc.insecure_channel(address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            overall = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
            assert overall.status == health_pb2.HealthCheckResponse.SERVING, name
            full_name = f"ogi.v1.{GRPC_SERVICE.get(name, name.capitalize())}Service"
            own = stub.Check(health_pb2.HealthCheckRequest(service=full_name), timeout=5)
            assert own.status == health_pb2.HealthCheckResponse.SERVING, full_name
            with pytest.raises(grpc.RpcError) as unknown:
                stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
            assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


def test_reflection_is_on(system: OgiSystem) -> None:
    with grpc.insecure_channel(system.address["intake"]) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        requests = [
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="ogi.v1.IntakeService"),
        ]
        listed, described = list(stub.ServerReflectionInfo(iter(requests), timeout=5))
    services = {s.name for s in listed.list_services_response.service}
    for expected in (
        "ogi.v1.IntakeService",
        "ogi.v1.HistoryService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    ):
        assert expected in services, services
    methods = set()
    for raw in described.file_descriptor_response.file_descriptor_proto:
        proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
        for service in proto.service:
            if service.name == "IntakeService":
                methods |= {m.name for m in service.method}
    assert {"SubmitApplication", "GetApplication"} <= methods, methods
