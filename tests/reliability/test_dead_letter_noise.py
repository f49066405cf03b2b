"""Dead letters mean something: normal operation across agencies leaves none (`ogi up`).

Applications forwarded between agencies and agencies consulting each other (Art. 34) send
events addressed to an agency that only some of its services take; the others pass over them.
A few dozen applications go through those flows and the dead-letter stream stays empty. Then a
forged rectification order (an agency that is no supervision bureau) is dead-lettered, listed by
`ogi dlq list`, and a replay does not launder it: refused again, it is a dead letter again.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nats
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "integration"))

from bushelpers import hand_made_event  # noqa: E402
from harness.ogisystem import OgiSystem, running_system  # noqa: E402

from ogi_platform.messaging.envelope import EVENT_STREAM  # noqa: E402
from ogi_platform.messaging.wire import encode  # noqa: E402

pytestmark = pytest.mark.long

MUNICIPAL, RESOURCES, ARCHIVES = "municipal-office", "natural-resources-bureau", "archives-bureau"
PER_FLOW = 4  # applications forwarded, consulted about, and handled plainly: 12 in all


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OgiSystem]:
    """The system, its CLI run in the test's process (what is tested is the bus, not the
    command line: the flows poll the status dozens of times)."""
    with running_system(tmp_path_factory.mktemp("dlq-noise")) as running:
        yield running.cli()


def forwarded(system: OgiSystem, n: int) -> str:
    application_id = system.under_review(description=f"城北地块规划许可 {n}")
    system.ogi_json("forward", application_id, "--to", RESOURCES, "--reason", "该信息由规划局制作")
    system.wait_until(
        lambda: system.status(application_id),
        lambda s: s["agency"] == RESOURCES and s["state"] == "under_review",
        f"forward {n}",
    )
    return application_id


def consulted(system: OgiSystem, n: int) -> str:
    application_id = system.under_review(agency=RESOURCES, description=f"档案馆藏图纸 {n}")
    ref = system.ogi_json("consult", application_id, "--organ", ARCHIVES)["ref"]
    system.wait_until(
        lambda: system.trace(application_id)["events"],
        lambda es: any(e["type"] == "ConsultationRequestReceived" for e in es),
        f"consultation {n} received",
    )
    system.ogi_json("consultation-answer", application_id, "--agency", ARCHIVES,
                    "--from", RESOURCES, "--ref", ref, "--answer", "consent")  # fmt: skip
    system.wait_until(
        lambda: system.status(application_id)["clock"],
        lambda c: c["status"] == "running",
        f"consultation {n} answered",
    )
    return application_id


def plain(system: OgiSystem, n: int) -> str:
    application_id = system.under_review(description=f"财政预算执行报告 {n}")
    system.decide(application_id, "disclose")
    system.wait_state(application_id, "replied")
    return application_id


def letters(system: OgiSystem) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = system.ogi_json("dlq", "list")["dead_letters"]
    return found


async def publish_as_admin(system: OgiSystem, subject: str, data: bytes) -> None:
    login = e2e_login(system)
    nc = await nats.connect(login.url, user=login.user or None, password=login.password or None)
    try:
        await nc.jetstream().publish(subject, data, stream=EVENT_STREAM)
    finally:
        await nc.close()


def e2e_login(system: OgiSystem) -> Any:
    from ogi_cli.endpoints import nats_login

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OGI_HOME", str(system.home))
        patch.delenv("OGI_NATS_URL", raising=False)
        patch.delenv("ADMIN_NATS_PASSWORD", raising=False)
        return nats_login()


def test_forwards_and_consultations_leave_no_dead_letters(system: OgiSystem) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(3) as pool:
        futures = [
            pool.submit(flow, system, n)
            for n in range(PER_FLOW)
            for flow in (forwarded, consulted, plain)
        ]
        done = [f.result() for f in futures]
    assert len(set(done)) == 3 * PER_FLOW
    time.sleep(2.0)  # every inbox has had the time to see the last events
    assert letters(system) == []
    print(f"\n{len(done)} applications ({PER_FLOW} forwarded, {PER_FLOW} consulted about, "
          f"{PER_FLOW} plain) in {time.monotonic() - started:.1f}s: 0 dead letters")  # fmt: skip


def test_a_forged_order_is_a_dead_letter_and_a_replay_does_not_launder_it(
    system: OgiSystem,
) -> None:
    order = hand_made_event(
        "RectificationOrdered", "complaint",
        {"order_id": "X-R1", "complaint_id": "X", "application_id": "A0000000000001",
         "agency": MUNICIPAL, "requirements": "重新答复", "answer_due": "2026-12-30"},
        event_id="forged-order-1", application_id="A0000000000001", agency=ARCHIVES,
        to_agency=MUNICIPAL,
    )  # fmt: skip
    asyncio.run(publish_as_admin(system, order.subject, encode(order)))
    [letter] = system.wait_until(lambda: letters(system), bool, "the forged order's dead letter")
    assert (letter["agency"], letter["service"]) == (MUNICIPAL, "review")
    assert letter["event_type"] == "RectificationOrdered" and letter["subject"] == order.subject
    assert letter["error"] == (
        f"RectificationOrdered from {ARCHIVES} is not accepted by {MUNICIPAL}'s review"
    )
    code, table, _ = system.ogi("dlq", "list")
    assert code == 0 and "错误" in table and "RectificationOrdered" in table

    [replayed] = system.ogi_json("dlq", "replay", str(letter["seq"]))["replayed"]
    assert replayed["seq"] == letter["seq"]
    [again] = system.wait_until(
        lambda: letters(system), lambda ls: len(ls) == 1 and ls[0]["seq"] != letter["seq"],
        "the replayed order refused again",
    )  # fmt: skip
    assert again["error"] == letter["error"] and again["event_id"] == "forged-order-1"
