"""Tests of ogi_law.calendar on real 2019-2026 dates.

Reference weeks (State Council arrangements, 国办发明电〔2025〕7号 for 2026):
  Feb 2026: Fri 13 | Sat 14 WORK | Sun 15 .. Mon 23 OFF | Tue 24 .. Fri 27 | Sat 28 WORK | Sun Mar 1
  Sep 2026: Sun 20 WORK | Fri 25 .. Sun 27 OFF (Mid-Autumn) | Mon 28 .. Wed 30
  Oct 2026: Thu 1 .. Wed 7 OFF | Thu 8, Fri 9 | Sat 10 WORK | Sun 11 | Mon 12 ...
  Dec 2026: Dec 1 is a Tuesday, no holidays; 2027-01-01 (Fri) is a fixed holiday (provisional).
Every expected date below is counted by hand from these weeks, as its comment shows.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ogi_law.calendar import DATA_DIR, CalendarError, WorkingCalendar, WorkingDate

D = dt.date
CAL = WorkingCalendar.load()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 13), True),  # Friday before the Spring Festival
        (D(2026, 2, 14), True),  # Saturday, make-up working day
        (D(2026, 2, 15), False),  # Sunday, first day of the 9-day block
        (D(2026, 2, 16), False),  # 除夕, Monday
        (D(2026, 2, 20), False),  # Friday inside the block
        (D(2026, 2, 23), False),  # Monday, last day of the block
        (D(2026, 2, 24), True),  # Tuesday after
        (D(2026, 2, 28), True),  # Saturday, make-up working day
        (D(2026, 3, 1), False),  # ordinary Sunday
        (D(2026, 9, 19), False),  # ordinary Saturday
        (D(2026, 9, 20), True),  # Sunday, make-up working day
        (D(2026, 9, 25), False),  # Mid-Autumn, Friday
        (D(2026, 10, 1), False),  # National Day, Thursday
        (D(2026, 10, 7), False),  # Wednesday, last day of the block
        (D(2026, 10, 8), True),  # Thursday after
        (D(2026, 10, 10), True),  # Saturday, make-up working day
        (D(2026, 10, 11), False),  # ordinary Sunday
        (D(2027, 1, 1), False),  # fixed holiday of an unpublished year
        (D(2027, 1, 4), True),  # ordinary Monday of an unpublished year
    ],
)
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Sep 29 (1), Sep 30 (2), Oct 8 (3), 9 (4), Sat 10 (5), 12-16 (6-10), 19-23 (11-15),
        # 26-30 (16-20).
        (D(2026, 9, 28), 20, D(2026, 10, 30)),
        # Sat Sep 19 off, Sun Sep 20 working: day 1.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        # Sep 24 (1), Sep 25-27 off, Sep 28 (2).
        (D(2026, 9, 23), 2, D(2026, 9, 28)),
        # Start inside National Day: Oct 8 (1), 9 (2), Sat 10 (3).
        (D(2026, 10, 3), 3, D(2026, 10, 10)),
        # Fri Feb 13 -> Sat Feb 14 is a make-up working day: day 1.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        # From the make-up Saturday, the next working day is Tue Feb 24.
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        # Feb 13 (1), 14 (2), 24-27 (3-6), Sat 28 (7), Mar 2-6 (8-12), 9-13 (13-17),
        # 16, 17, 18 (18-20).
        (D(2026, 2, 12), 20, D(2026, 3, 18)),
        # n == 0 gives the start itself, even on a rest day.
        (D(2026, 10, 1), 0, D(2026, 10, 1)),
    ],
)
def test_add_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert CAL.add_working_days(start, n) == WorkingDate(expected, provisional=False)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Sun Feb 15 is a rest day: the first working day after it (Tue Feb 24) is day 1.
        (D(2026, 2, 15), 1, D(2026, 2, 24)),
        # Thu Oct 1 is a rest day: Oct 8 (1), Oct 9 (2).
        (D(2026, 10, 1), 2, D(2026, 10, 9)),
        # Ordinary Saturday Oct 17: Mon Oct 19 is day 1.
        (D(2026, 10, 17), 1, D(2026, 10, 19)),
    ],
)
def test_rest_day_start_counts_next_working_day_as_day_one(
    start: dt.date, n: int, expected: dt.date
) -> None:
    assert CAL.add_working_days(start, n).date == expected


def test_differs_from_chinese_calendar_find_workday_one_off() -> None:
    cc = pytest.importorskip("chinese_calendar", reason="chinese_calendar not installed")
    # find_workday(1, rest day) skips one working day too many (Feb 25 instead of Feb 24).
    assert cc.find_workday(1, D(2026, 2, 15)) == D(2026, 2, 25)
    assert CAL.add_working_days(D(2026, 2, 15), 1).date == D(2026, 2, 24)


def test_add_working_days_rejects_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(D(2026, 1, 5), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 9, 30), D(2026, 10, 10), 3),  # Oct 8, 9, Sat 10
        (D(2026, 9, 28), D(2026, 10, 30), 20),  # as in the add_working_days table
        (D(2026, 2, 13), D(2026, 2, 28), 6),  # Feb 14, 24, 25, 26, 27, 28
        (D(2026, 10, 1), D(2026, 10, 7), 0),  # all National Day
        (D(2026, 10, 8), D(2026, 10, 8), 0),  # end == start
        (D(2026, 10, 9), D(2026, 10, 8), 0),  # end before start
    ],
)
def test_working_days_between(start: dt.date, end: dt.date, expected: int) -> None:
    assert CAL.working_days_between(start, end) == expected


@given(
    start=st.dates(min_value=D(2019, 1, 1), max_value=D(2035, 10, 31)),
    n=st.integers(min_value=1, max_value=45),
)
def test_add_and_between_agree(start: dt.date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert CAL.is_working_day(result.date)
    assert CAL.working_days_between(start, result.date) == n
    assert CAL.working_days_between(start, result.date - dt.timedelta(days=1)) == n - 1


def test_published_years() -> None:
    assert CAL.years_published() == list(range(2019, 2027))
    assert CAL.is_published(2026)
    assert not CAL.is_published(2027)


def test_provisional_into_2027() -> None:
    # Dec 16-18 (1-3), 21-25 (4-8), 28-31 (9-12), Fri Jan 1 2027 fixed holiday, Jan 4-8 (13-17),
    # Jan 11, 12, 13 (18-20).
    assert CAL.add_working_days(D(2026, 12, 15), 20) == WorkingDate(D(2027, 1, 13), True)
    # Ending in 2026 stays final even when started late in the year.
    assert CAL.add_working_days(D(2026, 12, 15), 12) == WorkingDate(D(2026, 12, 31), False)
    assert CAL.provisional_between(D(2026, 12, 1), D(2027, 1, 5))
    assert not CAL.provisional_between(D(2024, 12, 1), D(2026, 1, 5))


def test_uncovered_year_raises() -> None:
    with pytest.raises(CalendarError, match="2018"):
        CAL.is_working_day(D(2018, 6, 1))
    with pytest.raises(CalendarError, match="2036"):
        CAL.add_working_days(D(2035, 12, 20), 20)


@pytest.mark.parametrize("start", [D(1, 1, 1), D(2018, 12, 31), D(2036, 1, 1), D(9999, 12, 31)])
def test_counting_from_outside_the_data_raises_not_overflows(start: dt.date) -> None:
    with pytest.raises(CalendarError, match=f"no calendar data for {start.year}"):
        CAL.add_working_days(start, 1)


def test_receipt_range_is_the_data_but_its_last_year() -> None:
    """From 2019 (the current Regulations' first year) to the end of 2034: a limit counted from
    a receipt on 2034-12-31 ends in 2035, the last year of the fixed table."""
    assert CAL.receipt_range() == (D(2019, 1, 1), D(2034, 12, 31))
    CAL.add_working_days(D(2034, 12, 31), 60)


def test_receipt_range_ends_at_a_gap(tmp_path: Path) -> None:
    write(tmp_path / "fixed_holidays.toml", '[years.2037]\n"元旦" = ["2037-01-01"]\n')
    assert WorkingCalendar.load(tmp_path).receipt_range() == (D(2019, 1, 1), D(2034, 12, 31))
    write(tmp_path / "fixed_holidays.toml", '[years.2036]\n"元旦" = ["2036-01-01"]\n')
    assert WorkingCalendar.load(tmp_path).receipt_range() == (D(2019, 1, 1), D(2035, 12, 31))


MADE_UP_2027 = """\
# A made-up 2027 arrangement for the test: New Year Jan 1-3 off, Saturday Jan 9 working.
year = 2027
source = "test"
workdays = ["2027-01-09"]

[[holidays]]
name = "元旦"
days = ["2027-01-01..2027-01-03"]
"""


def test_override_dir_adds_a_published_year(tmp_path: Path) -> None:
    write(tmp_path / "2027.toml", MADE_UP_2027)
    cal = WorkingCalendar.load(tmp_path)
    assert cal.years_published() == [*range(2019, 2027), 2027]
    # Dec 16 .. Dec 31 (1-12), Jan 4-8 (13-17), Sat Jan 9 (18), Jan 11 (19), Jan 12 (20).
    assert cal.add_working_days(D(2026, 12, 15), 20) == WorkingDate(D(2027, 1, 12), False)
    assert cal.fingerprint(2027) != CAL.fingerprint(2027)
    assert cal.fingerprint(2026) == CAL.fingerprint(2026)


def test_override_dir_replaces_a_year(tmp_path: Path) -> None:
    # A replacement 2026 that also rests on Thu Oct 8; it replaces the whole year, so the
    # shipped Spring Festival is gone.
    write(
        tmp_path / "2026.toml",
        'year = 2026\nsource = "test"\n\n[[holidays]]\nname = "国庆节"\n'
        'days = ["2026-10-01..2026-10-08"]\nworkdays = ["2026-09-20", "2026-10-10"]\n',
    )
    cal = WorkingCalendar.load(tmp_path)
    assert not cal.is_working_day(D(2026, 10, 8))
    assert cal.is_working_day(D(2026, 2, 16))
    # Sep 29 (1), 30 (2), Oct 9 (3), Sat 10 (4), 12-16 (5-9), 19-23 (10-14), 26-30 (15-19),
    # Mon Nov 2 (20).
    assert cal.add_working_days(D(2026, 9, 28), 20).date == D(2026, 11, 2)
    assert cal.fingerprint(2026) != CAL.fingerprint(2026)
    assert cal.fingerprint(2025) == CAL.fingerprint(2025)


def test_override_dir_extends_fixed_table(tmp_path: Path) -> None:
    write(tmp_path / "fixed_holidays.toml", '[years.2036]\n"元旦" = ["2036-01-01"]\n')
    cal = WorkingCalendar.load(tmp_path)
    assert not cal.is_working_day(D(2036, 1, 1))
    assert cal.is_working_day(D(2036, 1, 2))  # Wednesday
    assert not cal.is_published(2036)


LOCAL = """\
# Test data, not a real arrangement: three local rest days and a local working Saturday.
agency = "xz-test-001"
source = "test"

[[holidays]]
name = "本地节日"
days = ["2026-03-02..2026-03-04"]
workdays = [2026-03-07]
"""


def test_local_agency_override(tmp_path: Path) -> None:
    write(tmp_path / "local" / "xz-test-001.toml", LOCAL)
    local = WorkingCalendar.load(tmp_path, agency="xz-test-001")
    other = WorkingCalendar.load(tmp_path, agency="other-agency")
    # Sat Feb 28 (1), Mar 2-4 local rest, Thu Mar 5 (2), Fri 6 (3), Sat 7 local work (4), Mon 9 (5).
    assert local.add_working_days(D(2026, 2, 27), 5).date == D(2026, 3, 9)
    # Without the local file: Feb 28 (1), Mar 2 (2), 3 (3), 4 (4), 5 (5).
    assert other.add_working_days(D(2026, 2, 27), 5).date == D(2026, 3, 5)
    assert other.fingerprint(2026) == CAL.fingerprint(2026)
    assert local.fingerprint(2026) != CAL.fingerprint(2026)


def test_local_working_day_beats_national_holiday(tmp_path: Path) -> None:
    write(
        tmp_path / "local" / "a1.toml",
        'workdays = ["2026-10-07"]\n\n[[holidays]]\nname = "x"\ndays = ["2026-10-09"]\n',
    )
    cal = WorkingCalendar.load(tmp_path, agency="a1")
    assert cal.is_working_day(D(2026, 10, 7))
    assert not cal.is_working_day(D(2026, 10, 9))


def test_fingerprint_is_stable_and_per_year() -> None:
    again = WorkingCalendar.load()
    assert again.fingerprint(2026) == CAL.fingerprint(2026)
    assert len({CAL.fingerprint(year) for year in range(2019, 2036)}) == 17
    assert len(CAL.fingerprint(2026)) == 64


def test_fingerprint_changes_on_publication_alone(tmp_path: Path) -> None:
    # Publishing 2027 with exactly the fixed days still changes the fingerprint (no longer
    # provisional), so services recompute open deadlines.
    write(
        tmp_path / "2027.toml",
        'year = 2027\n\n[[holidays]]\nname = "all fixed days"\ndays = ["2027-01-01", '
        '"2027-02-05..2027-02-08", "2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", '
        '"2027-09-15", "2027-10-01..2027-10-03"]\n',
    )
    cal = WorkingCalendar.load(tmp_path)
    assert all(
        cal.is_working_day(d) == CAL.is_working_day(d)
        for d in (D(2027, 1, 1) + dt.timedelta(days=i) for i in range(365))
    )
    assert cal.fingerprint(2027) != CAL.fingerprint(2027)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("2027.toml", "year = 2028\n", "'year' must be 2027"),
        ("2027.toml", 'year = 2027\nworkday = ["2027-01-09"]\n', "unknown keys"),
        ("2027.toml", 'year = 2027\nworkdays = ["2027-13-01"]\n', "neither YYYY-MM-DD"),
        ("2027.toml", 'year = 2027\nworkdays = ["2029-01-06"]\n', "outside"),
        (
            "2027.toml",
            'year = 2027\nworkdays = ["2027-01-02"]\n[[holidays]]\nname = "a"\n'
            'days = ["2027-01-01..2027-01-03"]\n',
            "both a rest day and a working day",
        ),
        ("2027.toml", 'year = 2027\n[[holidays]]\ndays = ["2027-01-01"]\n', "needs a 'name'"),
        (
            "2027.toml",
            'year = 2027\n[[holidays]]\nname = "a"\ndays = ["2027-01-03..2027-01-01"]\n',
            "reversed",
        ),
        ("2027.toml", "year = 2027\nworkdays = [", "2027.toml"),
        ("fixed_holidays.toml", '[years.2036]\n"元旦" = ["2037-01-01"]\n', "not in 2036"),
        ("local/a1.toml", 'agency = "a2"\n', "'agency' must be 'a1'"),
    ],
)
def test_malformed_files_are_rejected(tmp_path: Path, name: str, text: str, message: str) -> None:
    write(tmp_path / name, text)
    with pytest.raises(CalendarError, match=message):
        WorkingCalendar.load(tmp_path, agency="a1")


@pytest.mark.parametrize("agency", ["../etc", "", ".hidden", "a/b"])
def test_bad_agency_codes_are_rejected(tmp_path: Path, agency: str) -> None:
    with pytest.raises(CalendarError, match="invalid agency code"):
        WorkingCalendar.load(tmp_path, agency=agency)


def test_missing_override_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="does not exist"):
        WorkingCalendar.load(tmp_path / "nope")


def test_equals_chinese_calendar_2019_to_2026() -> None:
    """Every published year, day by day, as ``chinese_calendar`` has it (2020 with the Spring
    Festival extended to Feb 2 by 国办发明电〔2020〕1号)."""
    cc = pytest.importorskip(
        "chinese_calendar", reason="chinese_calendar not installed: cross-check skipped"
    )
    days = [
        D(2019, 1, 1) + dt.timedelta(days=i) for i in range((D(2027, 1, 1) - D(2019, 1, 1)).days)
    ]
    differing = [d for d in days if CAL.is_working_day(d) != cc.is_workday(d)]
    assert differing == []


def fixed_table() -> dict[int, dict[str, list[dt.date]]]:
    doc = tomllib.loads((DATA_DIR / "fixed_holidays.toml").read_text(encoding="utf-8"))
    return {
        int(year): {name: [D.fromisoformat(s) for s in days] for name, days in table.items()}
        for year, table in doc["years"].items()
    }


def test_fixed_table_covers_2027_to_2035_with_the_statutory_13_days() -> None:
    table = fixed_table()
    assert sorted(table) == list(range(2027, 2036))
    for year, festivals in table.items():
        assert [len(days) for days in festivals.values()] == [1, 4, 1, 2, 1, 1, 3], year
        assert festivals["元旦"] == [D(year, 1, 1)]
        assert festivals["劳动节"] == [D(year, 5, 1), D(year, 5, 2)]
        assert festivals["国庆节"] == [D(year, 10, 1), D(year, 10, 2), D(year, 10, 3)]


def test_fixed_table_spring_festival_dates() -> None:
    # 正月初一 2027-2035 (well-known dates); the block is the eve and days 1-3.
    first_days = {
        2027: D(2027, 2, 6),
        2028: D(2028, 1, 26),
        2029: D(2029, 2, 13),
        2030: D(2030, 2, 3),
        2031: D(2031, 1, 23),
        2032: D(2032, 2, 11),
        2033: D(2033, 1, 31),
        2034: D(2034, 2, 19),
        2035: D(2035, 2, 8),
    }
    for year, festivals in fixed_table().items():
        first = first_days[year]
        assert festivals["春节"] == [first + dt.timedelta(days=i) for i in range(-1, 3)], year


def test_fixed_table_qingming_equals_solar_terms() -> None:
    cc = pytest.importorskip("chinese_calendar", reason="chinese_calendar not installed")
    for year, festivals in fixed_table().items():
        terms = cc.get_solar_terms(D(year, 4, 1), D(year, 4, 10))
        assert festivals["清明节"] == [d for d, _ in terms], year


def test_fixed_table_equals_holidays_package() -> None:
    holidays = pytest.importorskip("holidays", reason="holidays not installed: cross-check skipped")
    for year, festivals in fixed_table().items():
        expected = holidays.country_holidays("CN", years=year, observed=False)
        assert {d for days in festivals.values() for d in days} == set(expected), year
        assert not CAL.is_published(year)
        assert all(not CAL.is_working_day(d) for d in expected)
