"""Working-day calendar for mainland China (工作日), as the OGI time limits count them.

A working day is Monday to Friday, minus statutory holidays, plus make-up working days (调休):
weekend days the State Council declares working days. The data lives in TOML files that an
operator can edit without a code change:

* ``calendar_data/<year>.toml`` (shipped: 2019 to 2026): one State Council arrangement each,
  rest days and make-up working days exactly as the notice gives them. The format is described at
  the top of ``calendar_data/2024.toml``. A year that has such a file is *published*.
* ``calendar_data/fixed_holidays.toml``: for 2027-2035, the fixed statutory holidays under the
  current rules (全国年节及纪念日放假办法, 2024 revision): Jan 1; Spring Festival eve and days 1-3
  of the first lunar month; Qingming (solar-term day); May 1-2; Dragon Boat (5/5 lunar);
  Mid-Autumn (8/15 lunar); Oct 1-3. A year covered only by this table answers with weekends plus
  these days and no make-up days, and every answer computed through it is *provisional*.
* An operator directory (``WorkingCalendar.load(extra_dir)``; the services pass
  ``OGI_CALENDAR_DIR``) whose ``<year>.toml`` files replace or add whole years, whose optional
  ``fixed_holidays.toml`` replaces or adds years of the fixed table, and whose
  ``local/<agency-code>.toml`` adds an agency's local rest days (e.g. festivals of an
  ethnic-autonomous region) and local working days, applied on top of everything else for that
  agency only. A local file has the format of a year file without ``year`` (optionally with
  ``agency``) and may hold dates of any year.

A year in neither a published file nor the fixed table is outside the calendar: asking about it
raises ``CalendarError`` rather than guessing. ``receipt_range`` gives the receipt dates whose
time limits can be counted (shipped data: 2019-01-01 to 2034-12-31); intake refuses the others.

Why a generated table rather than a runtime dependency for the lunar and solar-term dates: the
``holidays`` package (0.108) knows them, but ``country_holidays("CN", years=2027..2030)`` by
default adds guessed substitute days that are not law (2027: Feb 9-10, May 3-4, Oct 4-5;
2028: Jan 3, May 29, Oct 4; 2030: Feb 6-7), and a later release that learns a published
arrangement would silently change deadlines without our data, and so ``fingerprint``, changing.
With ``observed=False`` it gives exactly the statutory days, and that is what
``scripts/gen_fixed_holidays.py`` wrote once into ``fixed_holidays.toml`` (tests cross-check it
against ``holidays`` and against ``chinese_calendar``'s solar terms). So nothing but the standard
library runs at run time, every answer comes from files an operator can read, and the
fingerprint covers everything that decides an answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ogi_law.filecache import parsed_once

DATA_DIR = Path(__file__).with_name("calendar_data")
FIXED_FILE = "fixed_holidays.toml"
LOCAL_DIR = "local"

_YEAR_FILE = re.compile(r"^(\d{4})\.toml$")
_AGENCY_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_RANGE_SEPARATOR = ".."
_MAX_RANGE_DAYS = 366
_FINGERPRINT_FORMAT = 1


class CalendarError(ValueError):
    """Calendar data is malformed, or a date lies outside the data."""


@dataclass(frozen=True)
class WorkingDate:
    """A date computed by counting working days; provisional if counted through an unpublished
    year."""

    date: dt.date
    provisional: bool


@dataclass(frozen=True)
class Arrangement:
    """Rest days and working days read from one data file (a year's arrangement or a local file)."""

    source: str
    rest: frozenset[dt.date]
    work: frozenset[dt.date]


class WorkingCalendar:
    """Answers which days are working days. Immutable once built; build it with ``load``."""

    def __init__(
        self,
        published: Mapping[int, Arrangement],
        fixed: Mapping[int, frozenset[dt.date]],
        local: Arrangement | None = None,
    ) -> None:
        all_rest = frozenset().union(*(a.rest for a in published.values()))
        all_work = frozenset().union(*(a.work for a in published.values()))
        if clash := all_rest & all_work:
            raise CalendarError(f"published files disagree on {_iso_list(clash)}")
        provisional_rest = frozenset().union(
            *(days for year, days in fixed.items() if year not in published)
        )
        rest, work = (provisional_rest - all_work) | all_rest, all_work
        if local is not None:
            rest, work = (rest - local.work) | local.rest, (work - local.rest) | local.work
        self._published = frozenset(published)
        self._covered = frozenset(published) | frozenset(fixed)
        self._rest = rest
        self._work = work

    @classmethod
    def load(cls, extra_dir: Path | None = None, agency: str | None = None) -> WorkingCalendar:
        """The shipped data, with the operator directory's years and the agency's local file."""
        published = _read_year_files(DATA_DIR)
        fixed = dict(parsed_once(DATA_DIR / FIXED_FILE, "fixed", _read_fixed))
        local = None
        if extra_dir is not None:
            if not extra_dir.is_dir():
                raise CalendarError(f"calendar directory {extra_dir} does not exist")
            published.update(_read_year_files(extra_dir))
            if (extra_dir / FIXED_FILE).is_file():
                fixed.update(parsed_once(extra_dir / FIXED_FILE, "fixed", _read_fixed))
        if agency is not None:
            local = _read_local(extra_dir, agency)
        return cls(published, fixed, local)

    def is_working_day(self, d: dt.date) -> bool:
        """True when ``d`` is a working day; ``CalendarError`` when its year has no data."""
        self._require_covered(d.year)
        if d in self._work:
            return True
        return d not in self._rest and d.weekday() < 5

    def is_published(self, year: int) -> bool:
        """True when the State Council arrangement for ``year`` is in the data."""
        return year in self._published

    def years_published(self) -> list[int]:
        """The years with a published arrangement, ascending."""
        return sorted(self._published)

    def provisional_between(self, start: dt.date, end: dt.date) -> bool:
        """True when any year from the earlier date's to the later date's is unpublished."""
        first, last = sorted((start.year, end.year))
        return any(not self.is_published(year) for year in range(first, last + 1))

    def receipt_range(self) -> tuple[dt.date, dt.date]:
        """The first and last receipt date whose time limits can be counted: from the first
        year of the data up to the end of the year before the last one of the unbroken run that
        follows (a limit counted from late in a year ends in the next)."""
        first = last = min(self._covered)
        while last + 1 in self._covered:
            last += 1
        return dt.date(first, 1, 1), dt.date(max(first, last - 1), 12, 31)

    def add_working_days(self, start: dt.date, n: int) -> WorkingDate:
        """The day on which the n-th working day after ``start`` falls (``start`` not counted;
        from a rest day, the next working day is day 1). ``n == 0`` gives ``start`` itself."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        self._require_covered(start.year)
        day = start
        while n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return WorkingDate(day, self.provisional_between(start, day))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days d with start < d <= end (0 when end <= start)."""
        return sum(self.is_working_day(d) for d in days_after(start, end))

    def fingerprint(self, year: int) -> str:
        """A stable hash of what decides the answers for ``year``: whether it is published, its
        weekdays that are rest days and its weekend days that are working days (local overrides
        included; comments and ``source`` texts are not)."""
        self._require_covered(year)
        days = list(days_after(dt.date(year - 1, 12, 31), dt.date(year, 12, 31)))
        weekdays = [d for d in days if d.weekday() < 5]
        weekends = [d for d in days if d.weekday() >= 5]
        payload = {
            "format": _FINGERPRINT_FORMAT,
            "year": year,
            "published": self.is_published(year),
            "rest_weekdays": [d.isoformat() for d in weekdays if d in self._rest],
            "working_weekends": [d.isoformat() for d in weekends if d in self._work],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def _require_covered(self, year: int) -> None:
        if year not in self._covered:
            raise CalendarError(
                f"no calendar data for {year}: add {year}.toml (published arrangement) or the "
                f"year's fixed holidays to {FIXED_FILE} in the calendar directory"
            )


def days_after(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """The days d with start < d <= end, ascending."""
    for offset in range(1, (end - start).days + 1):
        yield start + dt.timedelta(days=offset)


def _read_year_files(directory: Path) -> dict[int, Arrangement]:
    years = {}
    for path in sorted(directory.iterdir()):
        if match := _YEAR_FILE.match(path.name):
            year = int(match.group(1))
            years[year] = parsed_once(path, "year", functools.partial(_read_year_file, year=year))
    return years


def _read_year_file(path: Path, year: int) -> Arrangement:
    doc = _read_toml(path)
    if doc.get("year") != year:
        raise CalendarError(f"{path}: 'year' must be {year}, as the file name says")
    arrangement = _parse_arrangement(doc, str(path), extra_keys={"year"})
    earliest, latest = dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)
    if outside := {d for d in arrangement.rest | arrangement.work if not earliest <= d <= latest}:
        raise CalendarError(f"{path}: {_iso_list(outside)} outside {earliest}..{latest}")
    return arrangement


def _read_local(extra_dir: Path | None, agency: str) -> Arrangement | None:
    if not _AGENCY_CODE.match(agency):
        raise CalendarError(f"invalid agency code {agency!r}")
    if extra_dir is None or not (path := extra_dir / LOCAL_DIR / f"{agency}.toml").is_file():
        return None
    return parsed_once(path, "local", lambda p: _read_local_file(p, agency))


def _read_local_file(path: Path, agency: str) -> Arrangement:
    doc = _read_toml(path)
    if doc.get("agency", agency) != agency:
        raise CalendarError(f"{path}: 'agency' must be {agency!r}, as the file name says")
    return _parse_arrangement(doc, str(path), extra_keys={"agency"})


def _read_fixed(path: Path) -> dict[int, frozenset[dt.date]]:
    doc = _read_toml(path)
    _check_keys(doc, {"rules", "years"}, str(path))
    fixed = {}
    for key, festivals in _as_table(doc.get("years", {}), f"{path} years").items():
        where = f"{path} years.{key}"
        if not key.isdigit():
            raise CalendarError(f"{where}: a year must be a number")
        days = frozenset().union(
            *(_parse_days(v, f"{where} {k}") for k, v in _as_table(festivals, where).items())
        )
        if wrong := {d for d in days if d.year != int(key)}:
            raise CalendarError(f"{where}: {_iso_list(wrong)} not in {key}")
        fixed[int(key)] = days
    return fixed


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CalendarError(f"{path}: {exc}") from exc


def _parse_arrangement(doc: Mapping[str, Any], where: str, extra_keys: set[str]) -> Arrangement:
    _check_keys(doc, {"source", "holidays", "workdays"} | extra_keys, where)
    source = doc.get("source", "")
    if not isinstance(source, str):
        raise CalendarError(f"{where}: 'source' must be a string")
    rest: set[dt.date] = set()
    work = set(_parse_days(doc.get("workdays", []), f"{where} workdays"))
    holidays = doc.get("holidays", [])
    if not isinstance(holidays, list):
        raise CalendarError(f"{where}: 'holidays' must be a list of [[holidays]] tables")
    for number, item in enumerate(holidays, start=1):
        label = f"{where} holiday #{number}"
        _check_keys(_as_table(item, label), {"name", "days", "workdays"}, label)
        if not isinstance(item.get("name"), str) or "days" not in item:
            raise CalendarError(f"{label}: needs a 'name' string and a 'days' list")
        rest |= _parse_days(item["days"], label)
        work |= _parse_days(item.get("workdays", []), label)
    if clash := rest & work:
        raise CalendarError(f"{where}: {_iso_list(clash)} both a rest day and a working day")
    return Arrangement(source, frozenset(rest), frozenset(work))


def _parse_days(values: object, where: str) -> frozenset[dt.date]:
    if not isinstance(values, list):
        raise CalendarError(f"{where}: expected a list of dates")
    return frozenset().union(*(_parse_day_or_range(v, where) for v in values))


def _parse_day_or_range(value: object, where: str) -> frozenset[dt.date]:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return frozenset({value})
    if not isinstance(value, str):
        raise CalendarError(f"{where}: {value!r} is not a date")
    first, separator, last = value.partition(_RANGE_SEPARATOR)
    try:
        start = dt.date.fromisoformat(first.strip())
        end = dt.date.fromisoformat(last.strip()) if separator else start
    except ValueError as exc:
        raise CalendarError(
            f"{where}: {value!r} is neither YYYY-MM-DD nor a range YYYY-MM-DD..YYYY-MM-DD"
        ) from exc
    if not 0 <= (end - start).days < _MAX_RANGE_DAYS:
        raise CalendarError(f"{where}: range {value!r} is reversed or longer than a year")
    return frozenset({start, *days_after(start, end)})


def _as_table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CalendarError(f"{where}: expected a table")
    return value


def _check_keys(doc: Mapping[str, Any], allowed: set[str], where: str) -> None:
    if unknown := set(doc) - allowed:
        raise CalendarError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})")


def _iso_list(days: frozenset[dt.date] | set[dt.date]) -> str:
    return ", ".join(d.isoformat() for d in sorted(days))
