"""`ogi up` stopped with SIGINT and started again on the same data folder gives the same history.

The CLI runs in the test's process (the `ogi` program itself: test_walk); `ogi up` is the
program, started, stopped and started again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytestmark = pytest.mark.long

if TYPE_CHECKING:
    from harness.ogisystem import OgiSystem


def number_of(application: dict[str, Any]) -> tuple[str, int]:
    series, _, number = application["application_number"].rpartition("-")
    return series, int(number)


def test_same_trace_after_restart(system_factory: Callable[..., OgiSystem], tmp_path: Path) -> None:
    data, home = tmp_path / "data", tmp_path / "home"
    first = system_factory(data=data, home=home)
    described = first.start()
    walked = first.cli().walk()
    app_id = walked["application"]["application_id"]
    before = {
        "trace": first.cli().trace(app_id),
        "status": first.cli().status(app_id),
        "letter": first.cli().ogi_json("letter", app_id),
    }
    services = {e["service"] for e in before["trace"]["events"]}
    assert services == {"intake", "routing", "review", "reply", "complaint"}, services

    code = first.stop()
    assert code == 0, f"`ogi up` exited {code} on SIGINT"
    assert not first.leftovers, f"processes left after SIGINT: {first.leftovers}"
    # --json: the one JSON document printed at start, and nothing else
    assert first.one_json(first.stdout_path.read_text(encoding="utf-8")) == described
    assert "Traceback" not in first.stderr_path.read_text(encoding="utf-8")
    assert not (home / "endpoints.json").exists(), "the stopped system is still advertised"
    code, out, _ = first.cli().ogi("status", app_id, "--json")
    assert code != 0 and "error" in first.one_json(out), "answered with the system stopped"

    second = system_factory(data=data, home=home)
    second.start()
    cli = second.cli()
    assert cli.trace(app_id) == before["trace"]
    assert cli.status(app_id) == before["status"]
    assert cli.ogi_json("letter", app_id) == before["letter"]

    # the restarted system carries on: next number in the series, events flow across services
    later = cli.apply()
    series, number = number_of(walked["application"])
    assert number_of(later) == (series, number + 1)
    cli.wait_state(later["application_id"], "under_review")
    cli.decide(later["application_id"], "not_held")
    cli.wait_state(later["application_id"], "replied")
    # ...and nothing of the old application was handled twice meanwhile
    assert cli.trace(app_id) == before["trace"]

    code = second.stop()
    assert code == 0
    assert not second.leftovers, f"processes left after SIGINT: {second.leftovers}"

    third = system_factory(data=data, home=home)
    third.start()
    assert third.cli().trace(app_id) == before["trace"]
    events = third.cli().trace(later["application_id"])["events"]
    assert [e["type"] for e in events if e["type"] in ("DecisionMade", "ReplyIssued")] == [
        "DecisionMade",
        "ReplyIssued",
    ]
