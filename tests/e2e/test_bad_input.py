"""Bad input is refused cleanly and stores nothing.

Each refusal: a non-zero exit, one line on stderr (or exactly ``{"error": ...}`` on stdout with
--json), no traceback; and the store is unchanged (trace and status as before; a refused
application takes no application number).

The tables of refusals run the CLI in the test's process (the ``cli`` fixture) against the
module's running system: the same requests to the same services and stores, without starting a
Python process per command. Refusals of each kind also go through the `ogi` program itself
(`test_one_refusal_of_each_kind_through_the_ogi_program` and the tests taking ``system``).
"""

from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import grpc
import pytest
from ogi.v1 import intake_pb2

from ogi_cli.client import Clients
from ogi_platform.rpc.server import field_of

pytestmark = pytest.mark.long

if TYPE_CHECKING:
    from harness.ogisystem import OgiSystem

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def absent_id() -> str:
    """A well-formed application id that no application has."""
    return "A" + "".join(secrets.choice(CROCKFORD) for _ in range(12))


def number_of(application: dict[str, Any]) -> tuple[str, int]:
    series, _, number = application["application_number"].rpartition("-")
    return series, int(number)


def apply_args(**changes: str) -> list[str]:
    from_fields = {
        "agency": "municipal-office",
        "name": "李四",
        "applicant-type": "natural_person",
        "id-doc": "110101198001011234",
        "contact": "13900000000",
        "description": "本市2022年道路建设项目清单",
    } | {k.replace("_", "-"): v for k, v in changes.items()}
    args = ["apply"]
    for option, value in from_fields.items():
        args += [f"--{option}", value]
    return args


# -- applications: Art. 29 fields, receipt date, agency ------------------------------------------

BAD_APPLICATIONS = [
    pytest.param({"name": ""}, "applicant.name", id="empty-name"),
    pytest.param({"name": "   "}, "applicant.name", id="blank-name"),
    pytest.param({"name": "名" * 500}, "applicant.name", id="overlong-name"),
    pytest.param({"applicant_type": "alien"}, "applicant.type", id="unknown-applicant-type"),
    pytest.param({"applicant_type": ""}, "applicant.type", id="empty-applicant-type"),
    pytest.param({"id_doc": ""}, "applicant.id_doc", id="empty-id-doc"),
    pytest.param({"contact": " "}, "applicant.contact", id="blank-contact"),
    pytest.param({"description": ""}, "description", id="empty-description"),
    pytest.param({"form": "carrier-pigeon"}, "form", id="unknown-form"),
    pytest.param({"channel": "telepathy"}, "channel", id="unknown-channel"),
    pytest.param({"received_on": "2024-13-01"}, "received_on", id="month-13"),
    pytest.param({"received_on": "2023-02-29"}, "received_on", id="no-such-day"),
    pytest.param({"received_on": "yesterday"}, "received_on", id="not-a-date"),
    pytest.param({"received_on": "01/02/2024"}, "received_on", id="slashed-date"),
    pytest.param({"received_on": "0001-01-01"}, "received_on", id="before-the-calendar"),
    pytest.param({"agency": "no-such-agency"}, "agency", id="unknown-agency"),
    pytest.param({"agency": ""}, "agency", id="empty-agency"),
]


def future_date(system: OgiSystem) -> str:
    return (system.today() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(("changes", "field"), BAD_APPLICATIONS)
def test_bad_application_is_refused(cli: OgiSystem, changes: dict[str, str], field: str) -> None:
    message = cli.refused(*apply_args(**changes))
    assert field in message, f"the error does not name the field {field}: {message}"
    assert "INVALID_ARGUMENT" in message


def test_future_receipt_date_is_refused(system: OgiSystem) -> None:
    message = system.refused(*apply_args(received_on=future_date(system)))
    assert "收到申请之日（received_on）：" in message and "晚于今天" in message, message


@pytest.mark.parametrize("value", ["20240101", "2024-W01-1"])
def test_receipt_date_must_be_yyyy_mm_dd(cli: OgiSystem, value: str) -> None:
    """The CLI and the error say YYYY-MM-DD; other ISO 8601 spellings are not that."""
    message = cli.refused(*apply_args(received_on=value))
    assert "received_on" in message


def test_refused_applications_take_no_number(cli: OgiSystem) -> None:
    first = cli.apply()
    for case in BAD_APPLICATIONS:
        changes = case.values[0]
        assert isinstance(changes, dict)
        if changes.get("agency", "municipal-office") == "municipal-office":
            cli.refused(*apply_args(**changes))
    cli.refused(*apply_args(received_on=future_date(cli)))
    second = cli.apply()
    series, n = number_of(first)
    assert number_of(second) == (series, n + 1), (first, second)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(apply_args()[:-2], id="apply-without-description"),
        pytest.param(["status"], id="status-without-id"),
        pytest.param(["decide", "A0000000000ZZ"], id="decide-without-outcome"),
    ],
)
def test_missing_argument_is_refused_cleanly(cli: OgiSystem, args: list[str]) -> None:
    cli.refused(*args)


# -- unknown applications ------------------------------------------------------------------------

COMMANDS = [
    pytest.param(["status"], id="status"),
    pytest.param(["trace"], id="trace"),
    pytest.param(["letter"], id="letter"),
    pytest.param(["decide", "--outcome", "disclose"], id="decide"),
    pytest.param(["deliver", "--method", "post"], id="deliver"),
    pytest.param(["withdraw", "--reason", "x"], id="withdraw"),
    pytest.param(["reassign", "--office", "政府信息公开办公室"], id="reassign"),
    pytest.param(["complain", "--ground", "other", "--text", "x"], id="complain"),
    pytest.param(
        ["complain", "--ground", "other", "--text", "x", "--against", "municipal-office"],
        id="complain-against",
    ),
]


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_application_is_refused(cli: OgiSystem, command: list[str]) -> None:
    app_id = absent_id()
    message = cli.refused(command[0], app_id, *command[1:])
    assert app_id in message or "NOT_FOUND" in message, message
    # nothing was stored about it anywhere
    for query in ("status", "trace"):
        cli.refused(query, app_id)


MALFORMED_IDS = ["nonsense", "A0000000000000", "a3fx3qvj51gfp", "AIIIIIIIIIIII", "", "A-1'; --"]


@pytest.mark.parametrize("app_id", MALFORMED_IDS)
def test_malformed_application_id_is_refused(cli: OgiSystem, app_id: str) -> None:
    message = cli.refused("status", app_id)
    assert "application" in message, message


@pytest.mark.parametrize(
    ("command", "app_id"),
    [
        pytest.param(command.values[0], app_id, id=f"{command.id}-{app_id}")
        for command in COMMANDS
        for app_id in ("nonsense", "")
        # no application but an agency: a complaint about the agency's work (test_bureau)
        if not (app_id == "" and "--against" in cast(list[str], command.values[0]))
    ],
)
def test_malformed_application_id_is_refused_by_every_command(
    cli: OgiSystem, command: list[str], app_id: str
) -> None:
    message = cli.refused(command[0], app_id, *command[1:])
    assert "application" in message or "申请" in message, message


# -- illegal steps -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def closed(system: OgiSystem) -> dict[str, Any]:
    """An application decided, replied, delivered and closed everywhere."""
    system = system.cli()
    app_id = system.under_review()
    system.decide(app_id, "disclose")
    system.wait_state(app_id, "replied")
    system.ogi_json("deliver", app_id, "--method", "post")
    system.wait_closed(app_id)
    return {"id": app_id}


def snapshot(system: OgiSystem, app_id: str) -> dict[str, Any]:
    """What the system shows of an application: trace, status and letter (queried together)."""
    if system.in_process:
        code, out, _ = system.ogi("letter", app_id, "--json")
        return {
            "trace": system.trace(app_id),
            "status": system.status(app_id),
            "letter": system.one_json(out) if code == 0 else None,
        }
    with ThreadPoolExecutor(3) as pool:
        trace = pool.submit(system.trace, app_id)
        status = pool.submit(system.status, app_id)
        letter = pool.submit(system.ogi, "letter", app_id, "--json")
        code, out, _ = letter.result()
        return {
            "trace": trace.result(),
            "status": status.result(),
            "letter": system.one_json(out) if code == 0 else None,
        }


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Where two JSON documents differ, as paths with both values."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            line
            for key in sorted(set(before) | set(after))
            for line in differences(before.get(key), after.get(key), f"{path}.{key}")
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            line
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for line in differences(b, a, f"{path}[{i}]")
        ]
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]


def assert_unchanged(system: OgiSystem, app_id: str, before: dict[str, Any]) -> None:
    changed = differences(before, snapshot(system, app_id))
    assert not changed, "the refused command changed the application:\n" + "\n".join(changed)


CLOSED_STEPS = [
    pytest.param(
        ["decide", "--outcome", "withhold", "--ground", "state_secret", "--reason", "x"],
        id="decide-withhold",
    ),
    pytest.param(["decide", "--outcome", "disclose"], id="decide-again"),
    pytest.param(["deliver", "--method", "post"], id="deliver-twice"),
    pytest.param(["deliver", "--method", "in_person"], id="deliver-twice-other-method"),
    pytest.param(["withdraw", "--reason", "不要了"], id="withdraw"),
]


@pytest.mark.parametrize("step", CLOSED_STEPS)
def test_illegal_step_on_a_closed_application(
    cli: OgiSystem, closed: dict[str, Any], step: list[str]
) -> None:
    app_id = closed["id"]
    before = snapshot(cli, app_id)
    assert before["status"]["state"] == "closed"
    message = cli.refused(step[0], app_id, *step[1:])
    assert "FAILED_PRECONDITION" in message, message
    assert_unchanged(cli, app_id, before)


def test_deciding_twice(cli: OgiSystem) -> None:
    app_id = cli.under_review()
    cli.decide(app_id, "not_held")
    cli.wait_state(app_id, "replied")
    before = snapshot(cli, app_id)
    message = cli.refused("decide", app_id, "--outcome", "disclose")
    assert "FAILED_PRECONDITION" in message
    assert_unchanged(cli, app_id, before)
    assert before["status"]["outcome"] == "not_held"


def test_disclosing_before_the_confidentiality_review(cli: OgiSystem) -> None:
    app_id = cli.under_review()
    before = snapshot(cli, app_id)
    message = cli.refused("decide", app_id, "--outcome", "disclose")
    assert "FAILED_PRECONDITION" in message
    assert_unchanged(cli, app_id, before)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        pytest.param(["--result", "maybe"], "result", id="unknown-result"),
        pytest.param(["--result", "cleared", "--on", "FUTURE"], "reviewed_on", id="future"),
        pytest.param(["--result", "cleared", "--on", "2000-01-01"], "reviewed_on", id="early"),
    ],
)
def test_bad_confidentiality_review_is_refused(cli: OgiSystem, args: list[str], field: str) -> None:
    args = [future_date(cli) if a == "FUTURE" else a for a in args]
    app_id = cli.under_review()
    before = snapshot(cli, app_id)
    message = cli.refused("secrecy", app_id, *args)
    assert field in message, message
    assert_unchanged(cli, app_id, before)


def test_delivering_before_any_decision(cli: OgiSystem) -> None:
    app_id = cli.under_review()
    before = snapshot(cli, app_id)
    cli.refused("deliver", app_id, "--method", "post")
    assert_unchanged(cli, app_id, before)


def test_reassigning_to_a_foreign_office(cli: OgiSystem) -> None:
    app_id = cli.under_review()
    before = snapshot(cli, app_id)
    message = cli.refused("reassign", app_id, "--office", "不存在的科室")
    assert "office" in message
    assert_unchanged(cli, app_id, before)


# -- bad decisions, deliveries and complaints ------------------------------------------------------


@pytest.fixture(scope="module")
def open_review(system: OgiSystem) -> str:
    """An application under review, cleared by the confidentiality review: any outcome goes."""
    system = system.cli()
    app_id = system.under_review()
    system.ogi_json("secrecy", app_id, "--result", "cleared")
    return app_id


BAD_DECISIONS = [
    pytest.param(["--outcome", "maybe"], "outcome", id="unknown-outcome"),
    pytest.param(["--outcome", ""], "outcome", id="empty-outcome"),
    pytest.param(["--outcome", "withhold", "--reason", "x"], "grounds", id="withhold-no-ground"),
    pytest.param(["--outcome", "partial", "--reason", "x"], "grounds", id="partial-no-ground"),
    pytest.param(
        ["--outcome", "withhold", "--ground", "state_secret"], "reason", id="withhold-no-reason"
    ),
    pytest.param(
        ["--outcome", "withhold", "--ground", "top_secret", "--reason", "x"],
        "grounds",
        id="unknown-ground",
    ),
    pytest.param(
        ["--outcome", "disclose", "--ground", "state_secret"], "grounds", id="disclose-with-ground"
    ),
    pytest.param(["--outcome", "disclose", "--form", "scroll"], "form", id="unknown-form"),
    pytest.param(["--outcome", "disclose", "--on", "2024-02-30"], "decided_on", id="bad-date"),
    pytest.param(["--outcome", "disclose", "--on", "FUTURE"], "decided_on", id="future-date"),
    pytest.param(
        ["--outcome", "disclose", "--on", "2000-01-01"], "decided_on", id="before-receipt"
    ),
]


@pytest.mark.parametrize(("args", "field"), BAD_DECISIONS)
def test_bad_decision_is_refused(
    cli: OgiSystem, open_review: str, args: list[str], field: str
) -> None:
    args = [future_date(cli) if a == "FUTURE" else a for a in args]
    before = snapshot(cli, open_review)
    assert before["status"]["state"] == "under_review"
    message = cli.refused("decide", open_review, *args)
    assert field in message, f"the error does not name {field}: {message}"
    assert_unchanged(cli, open_review, before)


@pytest.fixture(scope="module")
def replied(system: OgiSystem) -> str:
    system = system.cli()
    app_id = system.under_review()
    system.decide(app_id, "disclose")
    system.wait_state(app_id, "replied")
    return app_id


BAD_DELIVERIES = [
    pytest.param(["--method", "pigeon"], "method", id="unknown-method"),
    pytest.param(["--method", "post", "--on", "2024-13-13"], "delivered_on", id="bad-date"),
    pytest.param(["--method", "post", "--on", "FUTURE"], "delivered_on", id="future-date"),
    pytest.param(["--method", "post", "--on", "2000-01-01"], "delivered_on", id="before-issue"),
]


@pytest.mark.parametrize(("args", "field"), BAD_DELIVERIES)
def test_bad_delivery_is_refused(cli: OgiSystem, replied: str, args: list[str], field: str) -> None:
    args = [future_date(cli) if a == "FUTURE" else a for a in args]
    before = snapshot(cli, replied)
    assert before["status"]["state"] == "replied"
    message = cli.refused("deliver", replied, *args)
    assert field in message, message
    assert_unchanged(cli, replied, before)


BAD_COMPLAINTS = [
    pytest.param(["--ground", "bad_mood", "--text", "x"], "ground", id="unknown-ground"),
    pytest.param(["--ground", "other", "--text", "  "], "text", id="blank-text"),
    pytest.param(
        ["--ground", "other", "--text", "x", "--bureau", "municipal-office"],
        "bureau",
        id="not-a-bureau",
    ),
    pytest.param(
        ["--ground", "other", "--text", "x", "--bureau", "no-such-bureau"],
        "bureau",
        id="unknown-bureau",
    ),
    pytest.param(
        ["--ground", "other", "--text", "x", "--against", "no-such-agency"],
        "against_agency",
        id="unknown-against",
    ),
    pytest.param(["--ground", "other", "--text", "x", "--on", "FUTURE"], "filed_on", id="future"),
]


@pytest.mark.parametrize(("args", "field"), BAD_COMPLAINTS)
def test_bad_complaint_is_refused(
    cli: OgiSystem, closed: dict[str, Any], args: list[str], field: str
) -> None:
    args = [future_date(cli) if a == "FUTURE" else a for a in args]
    before = snapshot(cli, closed["id"])
    message = cli.refused("complain", closed["id"], *args)
    assert field in message, message
    assert_unchanged(cli, closed["id"], before)
    after = snapshot(cli, closed["id"])
    assert "ComplaintFiled" not in {e["type"] for e in after["trace"]["events"]}


# -- each kind of refusal through the `ogi` program itself ----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(apply_args(name=""), id="bad-application"),
        pytest.param(apply_args()[:-2], id="missing-argument"),
        pytest.param(["trace", absent_id()], id="unknown-application"),
        pytest.param(["status", "nonsense"], id="malformed-id"),
        pytest.param(["decide", "CLOSED", "--outcome", "disclose"], id="illegal-step"),
        pytest.param(["decide", "OPEN", "--outcome", "maybe"], id="bad-decision"),
        pytest.param(["deliver", "REPLIED", "--method", "pigeon"], id="bad-delivery"),
        pytest.param(["complain", "CLOSED", "--ground", "bad_mood", "--text", "x"], id="complaint"),
    ],
)
def test_one_refusal_of_each_kind_through_the_ogi_program(
    system: OgiSystem, closed: dict[str, Any], open_review: str, replied: str, args: list[str]
) -> None:
    ids = {"CLOSED": closed["id"], "OPEN": open_review, "REPLIED": replied}
    args = [ids.get(a, a) for a in args]
    app_id = next((a for a in args if a in ids.values()), "")
    before = snapshot(system.cli(), app_id) if app_id else {}
    system.refused(*args)
    if app_id:
        assert_unchanged(system.cli(), app_id, before)


# -- the system is not there -----------------------------------------------------------------------


def test_unreachable_system_is_a_clean_error(system: OgiSystem) -> None:
    from socket import socket

    with socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = ",".join(f"{name}=127.0.0.1:{port}" for name in system.address)
    for args in (["status", absent_id()], ["trace", absent_id()], apply_args()):
        message = system.refused(*args, env={"OGI_ENDPOINTS": nowhere})
        assert re.search(r"not reachable|UNAVAILABLE", message), message


# -- limits at the boundary: oversized text, bytes that are not UTF-8 ------------------------------


def clients(system: OgiSystem, token: str = "") -> Clients:
    """gRPC stubs for the system, with the operator token `ogi up` left (or ``token``)."""
    return Clients(system.address, token or (system.home / "token").read_text(encoding="utf-8"))


def test_oversized_correction_item_is_refused_and_stores_nothing(system: OgiSystem) -> None:
    cli = system.cli()
    app_id = cli.under_review()  # every service has recorded its arrival: nothing moves on
    before = snapshot(cli, app_id)
    message = system.refused("correction", app_id, "--item", "身份证明", "--item", "缺" * 4000)
    assert "INVALID_ARGUMENT" in message and "items[1]" in message, message
    assert_unchanged(cli, app_id, before)


def test_huge_withdrawal_reason_from_the_portal_is_refused(cli: OgiSystem) -> None:
    """2 MB of reason: more than any event may carry on the bus; refused at the boundary."""
    app_id = cli.under_review()
    before = snapshot(cli, app_id)
    token = cli.ogi_json("token", "issue", "--role", "portal", "--name", "web")["token"]
    portal = clients(cli, str(token))
    try:
        with pytest.raises(grpc.RpcError) as refusal:
            portal.api("intake").WithdrawApplication(
                intake_pb2.WithdrawApplicationRequest(application_id=app_id, reason="长" * 700_000),
                timeout=30,
            )
    finally:
        portal.close()
    assert refusal.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_of(refusal.value) == "reason"
    assert_unchanged(cli, app_id, before)


def test_invalid_utf8_is_invalid_argument(system: OgiSystem) -> None:
    operator = clients(system)
    try:
        submit = operator.channel("intake").unary_unary("/ogi.v1.IntakeService/SubmitApplication")
        with pytest.raises(grpc.RpcError) as refusal:
            submit(b"\x0a\x03\xe6\x9d\xff", timeout=30)  # agency: a cut, broken character
    finally:
        operator.close()
    assert refusal.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_of(refusal.value) == "request"
    assert "UTF-8" in (refusal.value.details() or "")
