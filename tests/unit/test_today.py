"""The platform's day: a day file never yields the real date (a tick reading the real date
instead of the simulated one declares deadlines overdue that are not)."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from ogi_platform import today as today_module
from ogi_platform.today import TodayFileError, today_in_china, write_today_file


@pytest.fixture
def day_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "today"
    monkeypatch.setenv("OGI_TODAY_FILE", str(path))
    monkeypatch.setattr(today_module, "_EMPTY_FILE_PATIENCE", 0.2)
    return path


def test_the_day_file_is_read_at_every_call(day_file: Path) -> None:
    write_today_file(day_file, "2026-09-25")
    assert today_in_china() == date(2026, 9, 25)
    write_today_file(day_file, date(2026, 11, 23))
    assert today_in_china() == date(2026, 11, 23)
    assert [p.name for p in day_file.parent.iterdir()] == ["today"]


def test_a_day_file_caught_empty_is_read_again_until_it_holds_a_day(day_file: Path) -> None:
    day_file.write_text("", encoding="utf-8")  # truncated by a writer that writes in place
    writer = threading.Timer(0.05, lambda: day_file.write_text("2026-11-20\n", encoding="utf-8"))
    writer.start()
    try:
        assert today_in_china() == date(2026, 11, 20)
    finally:
        writer.join()


def test_a_day_file_that_stays_empty_or_missing_is_an_error_not_the_real_date(
    day_file: Path,
) -> None:
    with pytest.raises(TodayFileError, match=r"OGI_TODAY_FILE .* holds no day"):
        today_in_china()
    day_file.write_text(" \n", encoding="utf-8")
    with pytest.raises(TodayFileError, match="holds no day"):
        today_in_china()
    day_file.write_text("11/20", encoding="utf-8")
    with pytest.raises(TodayFileError, match="holds '11/20', not a day"):
        today_in_china()


def test_a_day_that_is_not_one_is_not_written(day_file: Path) -> None:
    write_today_file(day_file, "2026-09-25")
    with pytest.raises(ValueError):
        write_today_file(day_file, "2026-02-30")
    assert today_in_china() == date(2026, 9, 25)


def test_without_a_day_file_a_fixed_day_or_the_real_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OGI_TODAY_FILE", raising=False)
    monkeypatch.setenv("OGI_TODAY", "2026-01-05")
    assert today_in_china() == date(2026, 1, 5)
    monkeypatch.delenv("OGI_TODAY")
    assert abs((today_in_china() - date.today()).days) <= 1
