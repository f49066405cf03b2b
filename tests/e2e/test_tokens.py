"""gRPC APIs need a token naming the agency or role; staff of one agency cannot act on
another's applications; health and reflection stay open. The CLI runs in the test's process
(the `ogi` program itself: test_walk, test_bad_input)."""

from __future__ import annotations

import json
from datetime import date

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from harness.ogisystem import OgiSystem
from ogi.v1 import intake_pb2, intake_pb2_grpc, review_pb2, review_pb2_grpc

from ogi_platform.rpc.auth import Principal, issue_token


def token_for(system: OgiSystem, *args: str) -> str:
    return str(system.ogi_json("token", "issue", *args)["token"])


def call(address: str, token: str | None, application_id: str) -> grpc.StatusCode:
    metadata = [("authorization", f"Bearer {token}")] if token is not None else []
    with grpc.insecure_channel(address) as channel:
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        try:
            stub.GetApplication(
                intake_pb2.GetApplicationRequest(application_id=application_id),
                metadata=metadata,
                timeout=10,
            )
        except grpc.RpcError as error:
            return error.code()
    return grpc.StatusCode.OK


def test_calls_without_a_valid_token_are_refused(cli: OgiSystem) -> None:
    application_id = cli.under_review()
    intake = cli.address["intake"]
    staff = token_for(cli, "--role", "staff", "--agency", "municipal-office", "--name", "甲")
    assert call(intake, staff, application_id) == grpc.StatusCode.OK
    assert call(intake, None, application_id) == grpc.StatusCode.UNAUTHENTICATED
    assert call(intake, "not-a-token", application_id) == grpc.StatusCode.UNAUTHENTICATED
    forged = issue_token(
        b"x" * 64, Principal("operator", "intruder"), date(2026, 1, 1)
    )  # signed with another secret
    assert call(intake, forged, application_id) == grpc.StatusCode.UNAUTHENTICATED
    tampered = staff.split(".")
    tampered[1] = issue_token(b"y" * 64, Principal("operator", "x"), date(2026, 1, 1)).split(".")[1]
    assert call(intake, ".".join(tampered), application_id) == grpc.StatusCode.UNAUTHENTICATED
    with grpc.insecure_channel(intake) as channel:  # health needs no token
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING


def test_staff_act_only_on_their_own_agency(cli: OgiSystem) -> None:
    application_id = cli.under_review()  # at the municipal office
    other = token_for(cli, "--role", "staff", "--agency", "archives-bureau", "--name", "乙")
    own = token_for(cli, "--role", "staff", "--agency", "municipal-office", "--name", "丙")
    portal = token_for(cli, "--role", "portal", "--name", "web")
    # The portal may read the application but not act on it; another agency's staff may not
    # even read it, and are answered as for an application that does not exist.
    message = cli.refused(
        "secrecy", application_id, "--result", "cleared", env={"OGI_TOKEN": portal}
    )
    assert "PERMISSION_DENIED" in message
    absent = application_id[:-1] + ("0" if application_id[-1] != "0" else "1")
    for args in (["secrecy", "--result", "cleared"], ["status"], ["clock"]):
        foreign = cli.refused(args[0], application_id, *args[1:], env={"OGI_TOKEN": other})
        missing = cli.refused(args[0], absent, *args[1:], env={"OGI_TOKEN": other})
        assert "NOT_FOUND" in foreign, foreign
        assert foreign.replace(application_id, "ID") == missing.replace(absent, "ID")
    assert cli.status(application_id)["services"]["review"]["secrecy"] == ""  # unchanged
    with grpc.insecure_channel(cli.address["review"]) as channel:
        stub = review_pb2_grpc.ReviewServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.GetReview(
                review_pb2.GetReviewRequest(application_id=application_id),
                metadata=[("authorization", f"Bearer {other}")],
                timeout=10,
            )
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    code, _, err = cli.ogi(
        "secrecy", application_id, "--result", "cleared", "--json", env={"OGI_TOKEN": own}
    )
    assert code == 0, err
    trace = cli.trace(application_id)["events"]
    reviewed = next(e for e in trace if e["type"] == "ConfidentialityReviewed")
    assert reviewed["actor"] == "staff:丙@municipal-office"
    # The portal reads an application by its id, and submits to any agency.
    code, _, err = cli.ogi("status", application_id, "--json", env={"OGI_TOKEN": portal})
    assert code == 0, err


def test_token_issue_refuses_bad_input(cli: OgiSystem) -> None:
    assert "role" in cli.refused("token", "issue", "--role", "king", "--name", "x")
    assert "agency" in cli.refused("token", "issue", "--role", "staff", "--name", "x")
    assert "days" in cli.refused("token", "issue", "--role", "portal", "--name", "x", "--days", "0")
    issued = cli.ogi_json("token", "issue", "--role", "portal", "--name", "web", "--days", "30")
    assert issued["actor"] == "portal:web" and issued["expires_on"]


def test_who_sees_which_annual_report(cli: OgiSystem) -> None:
    archives = token_for(cli, "--role", "staff", "--agency", "archives-bureau", "--name", "丁")
    office = token_for(cli, "--role", "staff", "--agency", "municipal-office", "--name", "戊")
    year = ["report", "annual", "--year", "2026", "--json"]
    for args in (["--agency", "municipal-office"], ["--all-agencies"]):
        code, out, _ = cli.ogi(*year, *args, env={"OGI_TOKEN": archives})
        assert code != 0 and "PERMISSION_DENIED" in out, out
    code, _, err = cli.ogi(*year, "--agency", "archives-bureau", env={"OGI_TOKEN": archives})
    assert code == 0, err
    code, out, err = cli.ogi(*year, "--all-agencies", env={"OGI_TOKEN": office})
    assert code == 0, err  # the general office compiles the government's report
    assert json.loads(out)["agency"] is None
