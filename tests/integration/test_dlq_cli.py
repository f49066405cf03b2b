"""`ogi dlq list` and `ogi dlq replay` against a real nats-server and a real reply service.

An application received in a year the reply service's calendar does not cover cannot get a
clock: its acceptance is dead-lettered. Once the operator adds that year's arrangement to the
calendar directory, `ogi dlq replay` gives the event back and the clock is opened, once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bushelpers import AGENCY, eventually, hand_made_event, jetstream, opened, stream_messages

from ogi_platform.messaging.envelope import DEAD_LETTER_STREAM, EVENT_STREAM
from ogi_platform.messaging.wire import encode
from ogi_platform.natsserver import NatsServer, free_port
from reply.application import ReplyApplication

OGI = Path(sys.executable).parent / "ogi"
APPLICATION_ID = "A0000000002040"
YEAR_2040 = """year = 2040
source = "测试：2040年节假日安排"

[[holidays]]
name = "元旦"
days = ["2040-01-01"]
"""


@pytest.fixture
def reply_service(
    tmp_path: Path, nats_server: NatsServer
) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """``python -m reply.main`` for one agency on SQLite, with an empty calendar directory."""
    calendars = tmp_path / "calendars"
    calendars.mkdir()
    database_url = f"sqlite://{tmp_path / 'stores'}"
    env = os.environ | {
        "OGI_AGENCIES": AGENCY,
        "OGI_GRPC_HOST": "127.0.0.1",
        "OGI_GRPC_PORT": str(free_port()),
        "OGI_NATS_URL": nats_server.url,
        "OGI_DATABASE_URL": database_url,
        "OGI_DATA_DIR": str(tmp_path / "data"),
        "OGI_CALENDAR_DIR": str(calendars),
        "OGI_TICK_SECONDS": "0.2",
        "OGI_TODAY": "2040-03-10",
        "OGI_LOG_LEVEL": "WARNING",
        "OGI_TOKEN_SECRET": "dlq-test-secret-0123456789abcdef0123",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "reply.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "reply.main"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 20
        while b"ready reply" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"reply did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield database_url, calendars, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ogi(nats_url: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    env["OGI_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [str(OGI), "dlq", *args, "--url", nats_url],
        capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def ogi_json(nats_url: str, tmp_path: Path, *args: str) -> Any:
    code, out, err = ogi(nats_url, tmp_path, *args, "--json")
    assert code == 0, (out, err)
    return json.loads(out)


def opened_deadlines(database_url: str) -> int:
    with opened(ReplyApplication, database_url) as reply:
        return [e.type for e in reply.history(APPLICATION_ID)].count("DeadlineOpened")


async def test_a_dead_letter_is_listed_replayed_once_its_cause_is_fixed_and_applied_once(
    tmp_path: Path,
    nats_server: NatsServer,
    reply_service: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    database_url, calendars, _ = reply_service
    url = nats_server.url
    accepted = hand_made_event(
        "ApplicationAccepted", "intake",
        {"application_number": "SZFB-2040-00001", "application": {"received_on": "2040-03-02"}},
        event_id="accepted-2040", application_id=APPLICATION_ID, occurred_on="2040-03-02",
    )  # fmt: skip
    async with jetstream(url) as (_, js):
        ack = await js.publish(accepted.subject, encode(accepted), stream=EVENT_STREAM)

        async def letters() -> list[Any]:
            return await stream_messages(js, DEAD_LETTER_STREAM)

        await eventually(letters, timeout=30, what="the dead letter")

    [listed] = ogi_json(url, tmp_path, "list")["dead_letters"]
    assert listed["subject"] == accepted.subject and listed["original_seq"] == ack.seq
    assert listed["consumer"] == f"{AGENCY}__reply"
    assert (listed["agency"], listed["service"]) == (AGENCY, "reply")
    assert (listed["event_type"], listed["event_id"]) == ("ApplicationAccepted", "accepted-2040")
    assert listed["application_id"] == APPLICATION_ID
    assert "no calendar data for 2040" in listed["error"]
    assert ogi_json(url, tmp_path, "list", "--agency", "archives-bureau")["dead_letters"] == []
    code, table, _ = ogi(url, tmp_path, "list", "--service", "reply")
    assert code == 0 and "原主题" in table and accepted.subject in table
    assert opened_deadlines(database_url) == 0

    # An unknown sequence is refused in one line and nothing changes.
    code, out, err = ogi(url, tmp_path, "replay", str(listed["seq"]), "999")
    assert (
        code != 0
        and out == ""
        and err.strip() == "ogi：没有找到（NOT_FOUND）：OGI_DLQ 中没有死信 999"
    )
    assert len(ogi_json(url, tmp_path, "list")["dead_letters"]) == 1

    (calendars / "2040.toml").write_text(YEAR_2040, encoding="utf-8")
    time.sleep(1.0)  # the reply service reloads its calendar directory every tick (0.2 s)
    [replayed] = ogi_json(url, tmp_path, "replay", str(listed["seq"]))["replayed"]
    assert replayed["seq"] == listed["seq"] and replayed["duplicate"] is False

    await eventually(lambda: opened_deadlines(database_url) == 1, what="the clock opened")
    assert ogi_json(url, tmp_path, "list")["dead_letters"] == []
    code, _, err = ogi(url, tmp_path, "replay", str(listed["seq"]))
    assert code != 0 and "中没有死信" in err  # replayed letters are gone
    assert ogi_json(url, tmp_path, "replay", "--all")["replayed"] == []
    time.sleep(1.0)
    assert opened_deadlines(database_url) == 1
