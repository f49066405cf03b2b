"""The CLI ends every failure in one line (or one JSON document), never a traceback: arguments
out of range, dates outside the calendar, files it cannot write, and its own faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ogi_cli.lifecycle as lifecycle
import ogi_cli.main as main
from ogi_cli.commands import write_file
from ogi_errors import InvalidInput


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``ogi ARGS`` in plain and in --json form: the exit code and the one line of error for
    people (the JSON document's is for programs: one line too)."""
    code = main.main(list(args))
    plain = capsys.readouterr()
    assert plain.out == "", plain.out
    lines = plain.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ogi："), plain.err
    assert main.main([*args, "--json"]) == code
    as_json = capsys.readouterr()
    assert as_json.err == ""
    error = json.loads(as_json.out)
    assert set(error) == {"error"} and error["error"] and "\n" not in error["error"]
    return code, lines[0]


@pytest.fixture(autouse=True)
def nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No system to reach: a command that called one would fail with UNAVAILABLE."""
    monkeypatch.setenv("OGI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OGI_ENDPOINTS", "intake=127.0.0.1:1,review=127.0.0.1:1,reply=127.0.0.1:1")


@pytest.mark.parametrize(
    "args",
    [
        [
            "extend",
            "A0000000000000",
            "--days",
            "1099511627776",
            "--approved-by",
            "x",
            "--reason",
            "y",
        ],
        ["correction", "A0000000000000", "--item", "x", "--period", "-2147483649"],
        ["fee", "A0000000000000", "--method", "per_page", "--pages", "99999999999"],
        ["report", "annual", "--agency", "municipal-office", "--year", "99999999999"],
        ["due", "--received-on", "2026-01-05", "--working-days", "1e3"],
    ],
)
def test_numbers_beyond_their_fields_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, line = run(capsys, *args)
    assert code == 2
    assert "out of range" in line or "not a whole number" in line


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2018-12-31"])
def test_due_outside_the_calendar_is_one_line(capsys: pytest.CaptureFixture[str], day: str) -> None:
    code, line = run(capsys, "due", "--received-on", day)
    assert code == 2
    assert f"no calendar data for {int(day[:4])}" in line


def test_due_inside_the_calendar_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["due", "--received-on", "2019-09-27", "--json"]) == 0
    # From Fri 2019-09-27: Sun Sep 29, a make-up working day (1), Sep 30 (2), National Day
    # Oct 1-7 off, Oct 8-11 (3-6), Sat Oct 12 made up (7), 14-18 (8-12), 21-25 (13-17),
    # 28, 29, 30 (18-20).
    assert json.loads(capsys.readouterr().out)["due_on"] == "2019-10-30"


def test_report_to_a_missing_folder_is_refused_before_any_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, line = run(
        capsys, "report", "annual", "--agency", "municipal-office", "--year", "2025",
        "--format", "csv", "--out", "/nonexistent/x.csv",
    )  # fmt: skip
    assert code == 2
    assert "/nonexistent/x.csv" in line and "UNAVAILABLE" not in line


def test_a_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=f"out: cannot write {tmp_path}: Is a directory"):
        write_file("out", str(tmp_path), b"table")
    with pytest.raises(InvalidInput, match="no folder"):
        write_file("html", str(tmp_path / "no" / "letter.html"), b"<html>")
    assert write_file("out", str(tmp_path / "t.csv"), b"a,b").read_bytes() == b"a,b"


def test_a_fault_of_ogi_itself_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(args: object) -> dict[str, object]:
        raise KeyError("a\nmulti-line fault")

    monkeypatch.setattr(lifecycle, "due", broken)
    code, line = run(capsys, "due", "--received-on", "2026-01-05")
    assert code == 1
    assert line.startswith("ogi：意外错误：KeyError:")
