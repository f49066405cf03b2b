"""`ogi due` counts working days by the calendar alone: it answers with no system to reach."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ogi_cli.main import main


@pytest.fixture(autouse=True)
def nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No system to reach: a command that called one would fail with UNAVAILABLE."""
    monkeypatch.setenv("OGI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OGI_ENDPOINTS", "intake=127.0.0.1:1,review=127.0.0.1:1,reply=127.0.0.1:1")


def due(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["due", *args, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert isinstance(answer, dict)
    return answer


def test_due_counts_working_days_across_the_national_day_holiday(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 20 working days after Mon 9/28: 9/29, 9/30, 10/8-10 (10/10 a make-up Saturday), ... 10/30.
    answer = due(capsys, "--received-on", "2026-09-28")
    assert (answer["due_on"], answer["provisional"]) == ("2026-10-30", False)
    assert due(capsys, "--received-on", "2026-09-30", "--working-days", "1")["due_on"] == (
        "2026-10-08"
    )


def test_due_refuses_a_day_that_does_not_exist(capsys: pytest.CaptureFixture[str]) -> None:
    """One line on stderr, or exactly ``{"error": ...}`` with --json; no traceback."""
    assert main(["due", "--received-on", "2026-02-30"]) != 0
    printed = capsys.readouterr()
    assert printed.out == "" and len(printed.err.strip().splitlines()) == 1
    assert "Traceback" not in printed.err and "received_on" in printed.err
    assert main(["due", "--received-on", "2026-02-30", "--json"]) != 0
    printed = capsys.readouterr()
    assert printed.err == "" and set(json.loads(printed.out)) == {"error"}
