"""Hostile input interleaved with ordinary work: it is refused and stops nothing.

A real system (`ogi up`) receives 300 applications over gRPC; after every second one an
oversized or malformed input follows, in turn: a 5,000-character description, a correction
notice of 300 items of 4,000 characters, a 2 MB withdrawal reason from the public portal, a
request that is not UTF-8, a contact with control characters, a receipt date before the
calendar (0001-01-01) and one far beyond it (9999-12-31). Every hostile input must be
INVALID_ARGUMENT and store nothing (no application number taken, no event on the application),
and every acknowledged application must reach review exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from harness.ogisystem import OgiSystem, running_system
from ogi.v1 import common_pb2, history_pb2, intake_pb2

from ogi_cli.client import Clients
from ogi_platform.rpc.server import field_of

N = 300
AGENCY = "municipal-office"
INTAKE_SUBMIT = "/ogi.v1.IntakeService/SubmitApplication"


@pytest.fixture
def system(tmp_path: Path) -> Iterator[OgiSystem]:
    with running_system(tmp_path) as running:
        yield running


def submit_request(
    i: int, description: str = "", contact: str = "13800000000", received_on: str = ""
) -> intake_pb2.SubmitApplicationRequest:
    return intake_pb2.SubmitApplicationRequest(
        agency=AGENCY,
        applicant=common_pb2.Applicant(
            name="张三", type="natural_person", id_doc=f"ID{i:06d}", contact=contact
        ),
        description=description or f"请公开第 {i} 号文件",
        received_on=received_on,
        request_id=f"reliability-{i}",
    )


def refused_field(call: Callable[[], object]) -> str:
    """The field an INVALID_ARGUMENT names (the call must be refused so)."""
    with pytest.raises(grpc.RpcError) as refusal:
        call()
    error = refusal.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    return field_of(error) or ""


def test_oversized_input_is_refused_and_stops_nothing(system: OgiSystem) -> None:
    operator = Clients(system.address, (system.home / "token").read_text(encoding="utf-8"))
    portal_token = system.ogi_json("token", "issue", "--role", "portal", "--name", "web")["token"]
    portal = Clients(system.address, str(portal_token))
    intake, as_portal = operator.api("intake"), portal.api("intake")
    raw_submit = operator.channel("intake").unary_unary(INTAKE_SUBMIT)
    started = time.monotonic()
    accepted: dict[str, str] = {}  # application id -> its number
    touched: list[str] = []  # applications a hostile input was aimed at
    refusals: Counter[str] = Counter()
    hostile: list[Callable[[int, str], str]] = [
        lambda i, _: refused_field(
            lambda: intake.SubmitApplication(submit_request(i, "长" * 5000), timeout=30)
        ),
        lambda i, app_id: refused_field(
            lambda: intake.RequestCorrection(
                intake_pb2.RequestCorrectionRequest(
                    application_id=app_id, items=["x" * 4000] * 300
                ),
                timeout=30,
            )
        ),
        lambda i, app_id: refused_field(
            lambda: as_portal.WithdrawApplication(
                intake_pb2.WithdrawApplicationRequest(
                    application_id=app_id, reason="r" * 2_000_000
                ),
                timeout=30,
            )
        ),
        lambda i, _: refused_field(
            lambda: raw_submit(b"\x0a\x04\xff\xfe\xfd\xfc" + submit_request(i).SerializeToString())
        ),
        lambda i, _: refused_field(
            lambda: intake.SubmitApplication(submit_request(i, contact="138\x1b[2J"), timeout=30)
        ),
        *(
            lambda i, _, day=day: refused_field(
                lambda: intake.SubmitApplication(submit_request(i, received_on=day), timeout=30)
            )
            for day in ("0001-01-01", "9999-12-31")
        ),
    ]
    expected_fields = [
        "description", "items", "reason", "request", "applicant.contact", "received_on",
        "received_on",
    ]  # fmt: skip
    try:
        for i in range(N):
            view = intake.SubmitApplication(submit_request(i), timeout=30).application
            accepted[view.application_id] = view.application_number
            if i % 2:
                kind = (i // 2) % len(hostile)
                field = hostile[kind](N + i, view.application_id)
                assert field == expected_fields[kind], (kind, field)
                refusals[field] += 1
                touched.append(view.application_id)
        sent_seconds = time.monotonic() - started

        # Refused submissions took no number: the accepted ones are numbered 1..N.
        numbers = sorted(int(n.rpartition("-")[2]) for n in accepted.values())
        assert numbers == list(range(1, N + 1))
        # Refused steps left no event on their application.
        for app_id in touched:
            events = (
                operator.history("intake")
                .ListEvents(history_pb2.ListEventsRequest(application_id=app_id), timeout=30)
                .events
            )
            kinds = [e.type for e in events]
            assert "CorrectionRequested" not in kinds and "ApplicationWithdrawn" not in kinds

        def opened() -> Counter[str]:
            counts: Counter[str] = Counter()
            for app_id in accepted:
                events = (
                    operator.history("review")
                    .ListEvents(history_pb2.ListEventsRequest(application_id=app_id), timeout=30)
                    .events
                )
                counts[app_id] = sum(e.type == "ReviewOpened" for e in events)
            return counts

        deadline = time.monotonic() + 60
        counts = opened()
        while any(c == 0 for c in counts.values()) and time.monotonic() < deadline:
            time.sleep(1.0)
            counts = opened()
        lost = [a for a, c in counts.items() if c == 0]
        doubled = [a for a, c in counts.items() if c > 1]
        print(
            f"\noversized input: {N} applications acknowledged, {sum(refusals.values())} hostile "
            f"inputs refused {dict(refusals)}, {len(lost)} lost, {len(doubled)} doubled; "
            f"sent in {sent_seconds:.1f}s, all in review after "
            f"{time.monotonic() - started:.1f}s"
        )
        assert lost == [] and doubled == []
        assert sum(refusals.values()) == N // 2
    finally:
        operator.close()
        portal.close()
