"""Tests of reply.clock on real 2026 dates, plus properties that hold for any facts.

Reference weeks (2026, State Council arrangement):
  Sep: Tue 1 .. Fri 4 | Mon 7 .. Fri 11 | 14-18 | Sat 19 off, Sun 20 WORK | 21-24 | Fri 25 .. Sun 27
       OFF (Mid-Autumn) | Mon 28 .. Wed 30
  Oct: Thu 1 .. Wed 7 OFF | Thu 8, Fri 9 | Sat 10 WORK | Sun 11 | 12-16 | 19-23 | 26-30
  Nov: Sun 1 | 2-6 | 9-13 | 16-20 | 23-27 | Mon 30 (no holidays)
  Dec: Tue 1 .. Fri 4 | 7-11 | 14-18 | 21-25 | 28-31 (no holidays); 2027-01-01 (Fri) fixed holiday.
Every expected value is counted by hand from these weeks, as its comment shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogi_law.calendar import WorkingCalendar
from reply.clock import (
    ClockError,
    ClockFact,
    ClockState,
    ClockStatus,
    Corrected,
    CorrectionRequested,
    DeadlineSet,
    Extended,
    PauseEnded,
    PauseStarted,
    Received,
    Stopped,
    compute_clock,
)

D = dt.date
CAL = WorkingCalendar.load()


def clock(facts: Sequence[ClockFact], today: dt.date) -> ClockState:
    return compute_clock(facts, CAL, today)


# --- table tests -------------------------------------------------------------------------------


def test_not_started() -> None:
    assert clock([], D(2026, 9, 1)).status is ClockStatus.NOT_STARTED
    later = clock([Received(D(2026, 10, 1))], D(2026, 9, 30))  # receipt dated after today
    assert later.status is ClockStatus.NOT_STARTED
    assert later.due_on is None


def test_receipt_before_national_day() -> None:
    facts = [Received(D(2026, 9, 28))]
    # Due: Sep 29 (1), 30 (2), Oct 8 (3), 9 (4), Sat 10 (5), 12-16 (6-10), 19-23 (11-15),
    # 26-30 (16-20). Used by Oct 9: Sep 29, Sep 30, Oct 8, Oct 9.
    s = clock(facts, D(2026, 10, 9))
    assert (s.status, s.started_on, s.due_on) == (
        ClockStatus.RUNNING,
        D(2026, 9, 28),
        D(2026, 10, 30),
    )
    assert (s.allowed_days, s.used_days, s.left_days) == (20, 4, 16)
    assert not s.provisional and not s.overdue
    on_receipt_day = clock(facts, D(2026, 9, 28))
    assert (on_receipt_day.used_days, on_receipt_day.left_days) == (0, 20)


def test_correction_suspends_then_restarts() -> None:
    facts = [
        Received(D(2026, 9, 21)),
        CorrectionRequested(D(2026, 9, 24)),
        Corrected(D(2026, 10, 9)),
    ]
    # Awaiting on Oct 1: suspended since Sep 24 after Sep 22, 23, 24 were used.
    waiting = clock(facts, D(2026, 10, 1))
    assert waiting.status is ClockStatus.AWAITING_CORRECTION
    assert (waiting.due_on, waiting.left_days, waiting.used_days) == (None, None, 3)
    # Restart from Fri Oct 9: Sat Oct 10 (1), 12-16 (2-6), 19-23 (7-11), 26-30 (12-16),
    # Nov 2, 3, 4, 5 (17-20). Used by Oct 12: Oct 10, Oct 12.
    s = clock(facts, D(2026, 10, 12))
    assert (s.status, s.received_on, s.started_on) == (
        ClockStatus.RUNNING,
        D(2026, 9, 21),
        D(2026, 10, 9),
    )
    assert (s.due_on, s.used_days, s.left_days) == (D(2026, 11, 5), 2, 18)


def test_abandoned_while_awaiting_correction() -> None:
    facts = [Received(D(2026, 9, 21)), CorrectionRequested(D(2026, 9, 24)), Stopped(D(2026, 11, 2))]
    s = clock(facts, D(2026, 11, 10))
    assert (s.status, s.due_on, s.used_days, s.stopped_on) == (
        ClockStatus.STOPPED,
        None,
        3,
        D(2026, 11, 2),
    )
    assert not s.overdue


THIRD_PARTY = [
    Received(D(2026, 9, 1)),
    # Letter to the third party on Mon Sep 7; its answer arrives on the 15th working day after:
    # Sep 8-11 (1-4), 14-18 (5-9), Sun 20 (10), 21-24 (11-14), Mon 28 (15).
    PauseStarted(D(2026, 9, 7), "third-party"),
    PauseEnded(D(2026, 9, 28), "third-party"),
]


def test_third_party_consultation_of_15_working_days() -> None:
    # Without the pause the due date is Sep 29: Sep 2-4 (1-3), 7-11 (4-8), 14-18 (9-13),
    # Sun 20 (14), 21-24 (15-18), 28 (19), 29 (20).
    assert clock(THIRD_PARTY[:1], D(2026, 9, 2)).due_on == D(2026, 9, 29)
    # With it: Sep 2, 3, 4, 7 (1-4), then after Sep 28: Sep 29 (5), 30 (6), Oct 8 (7), 9 (8),
    # Sat 10 (9), 12-16 (10-14), 19-23 (15-19), Mon 26 (20): 15 working days later.
    s = clock(THIRD_PARTY, D(2026, 10, 12))
    assert (s.status, s.due_on, s.paused_days) == (ClockStatus.RUNNING, D(2026, 10, 26), 15)
    # Used by Oct 12: Sep 2, 3, 4, 7, 29, 30, Oct 8, 9, 10, 12.
    assert (s.used_days, s.left_days) == (10, 10)
    assert s.paused_periods == [(D(2026, 9, 7), D(2026, 9, 28))]


def test_open_consultation_pauses_the_clock_as_of_today() -> None:
    # On Fri Sep 18 the answer (dated Sep 28) has not come: the pause is open. Paused so far:
    # Sep 8-11, 14-18 (9 working days). Due as if it ended today: 4 used (Sep 2, 3, 4, 7), then
    # Sun 20 (5), 21-24 (6-9), 28-30 (10-12), Oct 8, 9, Sat 10 (13-15), 12-16 (16-20).
    s = clock(THIRD_PARTY, D(2026, 9, 18))
    assert (s.status, s.due_on, s.used_days, s.left_days) == (
        ClockStatus.PAUSED,
        D(2026, 10, 16),
        4,
        16,
    )
    assert (s.paused_days, s.paused_periods) == (9, [(D(2026, 9, 7), None)])


def test_overlapping_pauses_count_once() -> None:
    facts = [
        Received(D(2026, 9, 1)),
        PauseStarted(D(2026, 9, 7), "third-party"),
        PauseStarted(D(2026, 9, 10), "organ"),
        PauseEnded(D(2026, 9, 14), "third-party"),
        PauseEnded(D(2026, 9, 17), "organ"),
    ]
    # Union excluded: Sep 8 .. Sep 17 -> Sep 8-11, 14-17 = 8 working days (not 5 + 5).
    # Counted: Sep 2, 3, 4, 7 (1-4), 18 (5), Sun 20 (6), 21-24 (7-10), 28-30 (11-13), Oct 8 (14),
    # Oct 9 (15), Sat 10 (16), 12-15 (17-20).
    s = clock(facts, D(2026, 10, 9))
    assert (s.due_on, s.paused_days, s.used_days, s.left_days) == (D(2026, 10, 15), 8, 15, 5)
    assert s.status is ClockStatus.RUNNING


def test_pause_of_zero_days_changes_nothing() -> None:
    facts = [
        Received(D(2026, 9, 28)),
        PauseStarted(D(2026, 10, 12), "x"),
        PauseEnded(D(2026, 10, 12), "x"),
    ]
    s = clock(facts, D(2026, 10, 13))
    assert (s.due_on, s.paused_days, s.status) == (D(2026, 10, 30), 0, ClockStatus.RUNNING)


def test_pause_after_the_due_date_does_not_cure_lateness() -> None:
    facts = [Received(D(2026, 9, 28)), PauseStarted(D(2026, 11, 2), "late")]
    # Due Oct 30 stays; Mon Nov 2 (pause start) counts, Nov 3-6 are paused.
    s = clock(facts, D(2026, 11, 6))
    assert (s.status, s.due_on, s.used_days, s.left_days, s.paused_days) == (
        ClockStatus.OVERDUE,
        D(2026, 10, 30),
        21,
        -1,
        4,
    )


def test_extension_of_20_days() -> None:
    facts = [Received(D(2026, 9, 28)), Extended(D(2026, 10, 28), 20)]
    # 20 days end Oct 30; then Nov 2-6 (21-25), 9-13 (26-30), 16-20 (31-35), 23-27 (36-40).
    # Used by Nov 2: 20 + Nov 2.
    s = clock(facts, D(2026, 11, 2))
    assert (s.due_on, s.allowed_days, s.extension_days) == (D(2026, 11, 27), 40, 20)
    assert (s.used_days, s.left_days, s.status) == (21, 19, ClockStatus.RUNNING)


def test_deadline_set_for_large_volume() -> None:
    facts = [Received(D(2026, 9, 28)), DeadlineSet(D(2026, 10, 12), D(2026, 12, 31))]
    # Allowed = working days Sep 29 .. Dec 31: 20 (to Oct 30) + 21 in Nov + 23 in Dec = 64.
    # Used by Oct 12: Sep 29, 30, Oct 8, 9, 10, 12.
    s = clock(facts, D(2026, 10, 12))
    assert (s.due_on, s.allowed_days, s.used_days, s.left_days) == (D(2026, 12, 31), 64, 6, 58)


def test_stopped_clock_ignores_later_facts() -> None:
    facts = [
        Received(D(2026, 9, 28)),
        Stopped(D(2026, 10, 16)),
        PauseEnded(D(2026, 10, 20), "never-started"),  # would be an error if not ignored
    ]
    # Used: Sep 29, 30, Oct 8, 9, 10, 12-16 = 10; due still Oct 30.
    s = clock(facts, D(2026, 12, 1))
    assert (s.status, s.stopped_on, s.due_on, s.used_days, s.left_days) == (
        ClockStatus.STOPPED,
        D(2026, 10, 16),
        D(2026, 10, 30),
        10,
        10,
    )
    assert not s.overdue


@pytest.mark.parametrize(
    ("today", "status", "used", "left", "overdue"),
    [
        (D(2026, 10, 30), ClockStatus.RUNNING, 20, 0, False),  # the due date itself
        (D(2026, 10, 31), ClockStatus.OVERDUE, 20, 0, True),  # Saturday after it
        (D(2026, 11, 3), ClockStatus.OVERDUE, 22, -2, True),  # Nov 2, 3 past it
    ],
)
def test_overdue(today: dt.date, status: ClockStatus, used: int, left: int, overdue: bool) -> None:
    s = clock([Received(D(2026, 9, 28))], today)
    assert (s.status, s.used_days, s.left_days, s.overdue) == (status, used, left, overdue)


def test_late_reply_keeps_overdue_flag() -> None:
    s = clock([Received(D(2026, 9, 28)), Stopped(D(2026, 11, 2))], D(2026, 11, 10))
    assert (s.status, s.overdue, s.used_days, s.left_days) == (ClockStatus.STOPPED, True, 21, -1)


def test_into_2027_is_provisional() -> None:
    # Dec 16-18 (1-3), 21-25 (4-8), 28-31 (9-12), Jan 1 2027 fixed holiday, Jan 4-8 (13-17),
    # Jan 11-13 (18-20). Used by Dec 20: Dec 16, 17, 18.
    s = clock([Received(D(2026, 12, 15))], D(2026, 12, 20))
    assert (s.due_on, s.used_days, s.left_days, s.provisional) == (D(2027, 1, 13), 3, 17, True)


def test_counted_days_in_2027_are_provisional_too() -> None:
    # Due in 2026: Dec 2-4 (1-3), 7-11 (4-8), 14-18 (9-13), 21-25 (14-18), 28, 29 (19, 20).
    # By Jan 5 2027: Dec 30, 31, Jan 4, 5 past it (Jan 1 fixed holiday).
    s = clock([Received(D(2026, 12, 1))], D(2027, 1, 5))
    assert (s.due_on, s.used_days, s.left_days) == (D(2026, 12, 29), 24, -4)
    assert s.provisional and s.overdue


def test_published_2027_is_final(tmp_path: Path) -> None:
    (tmp_path / "2027.toml").write_text(
        'year = 2027\nworkdays = ["2027-01-09"]\n\n[[holidays]]\nname = "元旦 (made up)"\n'
        'days = ["2027-01-01..2027-01-03"]\n',
        encoding="utf-8",
    )
    cal = WorkingCalendar.load(tmp_path)
    # As above to Dec 31 (12), Jan 4-8 (13-17), Sat Jan 9 (18), Jan 11 (19), Jan 12 (20).
    s = compute_clock([Received(D(2026, 12, 15))], cal, D(2026, 12, 20))
    assert (s.due_on, s.provisional) == (D(2027, 1, 12), False)


def test_extension_before_a_correction_is_spent() -> None:
    facts: list[ClockFact] = [
        Received(D(2026, 9, 1)),
        Extended(D(2026, 9, 2), 10),
        CorrectionRequested(D(2026, 9, 3)),
        Corrected(D(2026, 9, 10)),
    ]
    s = clock(facts, D(2026, 9, 11))
    assert (s.extension_days, s.allowed_days) == (0, 20)
    with pytest.raises(ClockError, match="at most one extension"):
        clock([*facts, Extended(D(2026, 9, 15), 5)], D(2026, 9, 16))


R = Received(D(2026, 9, 1))


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ([CorrectionRequested(D(2026, 8, 31)), R], "before the application's receipt"),
        ([Stopped(D(2026, 8, 31)), R], "before the application's receipt"),
        ([R, Received(D(2026, 9, 2))], "already received"),
        ([R, Corrected(D(2026, 9, 2))], "no correction was pending"),
        (
            [
                R,
                CorrectionRequested(D(2026, 9, 2)),
                Corrected(D(2026, 9, 3)),
                CorrectionRequested(D(2026, 9, 4)),
            ],
            r"only once \(Art. 30\)",
        ),
        ([R, Extended(D(2026, 9, 2), 20), Extended(D(2026, 9, 3), 1)], "at most one extension"),
        ([R, Extended(D(2026, 9, 2), 21)], "must be 1 to 20"),
        ([R, Extended(D(2026, 9, 2), 0)], "must be 1 to 20"),
        (
            [R, CorrectionRequested(D(2026, 9, 2)), Extended(D(2026, 9, 3), 5)],
            "awaiting correction",
        ),
        ([R, DeadlineSet(D(2026, 9, 10), D(2026, 9, 9))], "lies before"),
        ([R, PauseEnded(D(2026, 9, 2), "x")], "not open"),
        ([R, PauseStarted(D(2026, 9, 2), "x"), PauseStarted(D(2026, 9, 3), "x")], "already open"),
        # Same date: list order decides, so the end comes before its start here.
        ([R, PauseEnded(D(2026, 9, 2), "x"), PauseStarted(D(2026, 9, 2), "x")], "not open"),
    ],
)
def test_rule_violations_raise(facts: list[ClockFact], message: str) -> None:
    with pytest.raises(ClockError, match=message):
        clock(facts, D(2026, 12, 1))


def test_clock_error_is_a_value_error() -> None:
    assert issubclass(ClockError, ValueError)


def test_unordered_facts_are_sorted_by_date() -> None:
    shuffled = [THIRD_PARTY[2], THIRD_PARTY[0], THIRD_PARTY[1]]
    assert clock(shuffled, D(2026, 10, 12)) == clock(THIRD_PARTY, D(2026, 10, 12))


def test_to_dict_is_json_friendly() -> None:
    d = clock(THIRD_PARTY[:2], D(2026, 9, 18)).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["status"] == "paused"
    assert d["due_on"] == "2026-10-16"
    assert d["paused_periods"] == [["2026-09-07", None]]
    assert d["stopped_on"] is None


# --- properties ----------------------------------------------------------------------------------

RECEIPTS = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 11, 30))
OFFSETS = st.integers(min_value=0, max_value=40)


@st.composite
def lawful_facts(draw: st.DrawFn) -> list[ClockFact]:
    """Facts in date order that break no rule: pauses (possibly overlapping or left open),
    at most one extension, optionally a stop at the end."""
    day = draw(RECEIPTS)
    facts: list[ClockFact] = [Received(day)]
    open_refs: list[str] = []
    extended = False
    for number in range(draw(st.integers(min_value=0, max_value=6))):
        day += dt.timedelta(days=draw(OFFSETS))
        kinds = ["pause"] + ["end"] * bool(open_refs) + ["extend"] * (not extended)
        kind = draw(st.sampled_from(kinds))
        if kind == "pause":
            open_refs.append(f"p{number}")
            facts.append(PauseStarted(day, open_refs[-1]))
        elif kind == "end":
            facts.append(PauseEnded(day, open_refs.pop(draw(st.integers(0, len(open_refs) - 1)))))
        else:
            extended = True
            facts.append(Extended(day, draw(st.integers(min_value=1, max_value=20))))
    if draw(st.booleans()):
        facts.append(Stopped(day + dt.timedelta(days=draw(OFFSETS))))
    return facts


def today_for(facts: Sequence[ClockFact], extra: int) -> dt.date:
    return max(f.on for f in facts) + dt.timedelta(days=extra)


@settings(deadline=None)
@given(received=RECEIPTS, extra=st.integers(min_value=0, max_value=120))
def test_plain_receipt_is_20_working_days(received: dt.date, extra: int) -> None:
    today = received + dt.timedelta(days=extra)
    s = clock([Received(received)], today)
    expected = CAL.add_working_days(received, 20)
    assert s.due_on == expected.date
    assert CAL.is_working_day(s.due_on)
    assert s.used_days == CAL.working_days_between(received, today)
    assert s.provisional == CAL.provisional_between(received, max(today, expected.date))
    assert s.overdue == (today > expected.date)


@settings(deadline=None)
@given(
    received=RECEIPTS,
    start=OFFSETS,
    length=st.integers(min_value=0, max_value=60),
    extra=st.integers(min_value=0, max_value=60),
)
def test_one_pause_moves_the_due_date_by_its_working_days(
    received: dt.date, start: int, length: int, extra: int
) -> None:
    pause_start = received + dt.timedelta(days=start)
    pause_end = pause_start + dt.timedelta(days=length)
    facts = [Received(received), PauseStarted(pause_start, "p"), PauseEnded(pause_end, "p")]
    s = clock(facts, pause_end + dt.timedelta(days=extra))
    plain = CAL.add_working_days(received, 20).date
    paused = CAL.working_days_between(pause_start, pause_end)
    if pause_start < plain:
        assert s.due_on == CAL.add_working_days(received, 20 + paused).date
    else:
        assert s.due_on == plain


@settings(deadline=None)
@given(facts=lawful_facts(), extra=st.integers(min_value=0, max_value=60))
def test_invariants_of_lawful_facts(facts: list[ClockFact], extra: int) -> None:
    today = today_for(facts, extra)
    s = clock(facts, today)
    assert s.due_on is not None and s.left_days is not None
    assert CAL.is_working_day(s.due_on)
    assert s.used_days + s.left_days == s.allowed_days == 20 + s.extension_days
    assert s.used_days >= 0 and s.paused_days >= 0
    assert s.overdue == (min(today, s.stopped_on or today) > s.due_on)
    assert (s.status is ClockStatus.STOPPED) == (s.stopped_on is not None)
    if s.status is not ClockStatus.STOPPED:
        assert (s.status is ClockStatus.OVERDUE) == s.overdue
    assert json.loads(json.dumps(s.to_dict())) == s.to_dict()


@settings(deadline=None)
@given(facts=lawful_facts(), extra=st.integers(min_value=0, max_value=60))
def test_pauses_only_move_the_due_date_later(facts: list[ClockFact], extra: int) -> None:
    today = today_for(facts, extra)
    without = [f for f in facts if not isinstance(f, PauseStarted | PauseEnded)]
    with_pauses, plain = clock(facts, today), clock(without, today)
    assert with_pauses.due_on is not None and plain.due_on is not None
    assert with_pauses.due_on >= plain.due_on
    assert with_pauses.used_days <= plain.used_days


@settings(deadline=None)
@given(facts=lawful_facts(), days=st.integers(min_value=1, max_value=20))
def test_extension_adds_exactly_its_working_days(facts: list[ClockFact], days: int) -> None:
    base = [f for f in facts if not isinstance(f, Extended | Stopped)]
    today = today_for(base, 0)
    extended = [*base, Extended(today, days)]
    before, after = clock(base, today), clock(extended, today)
    assert before.due_on is not None and after.due_on is not None
    assert after.allowed_days == before.allowed_days + days
    if today <= before.due_on:
        # Pauses are all before the old due date, so the new one is `days` counted days later.
        assert after.due_on == CAL.add_working_days(before.due_on, days).date
    assert CAL.working_days_between(before.due_on, after.due_on) >= days


@settings(deadline=None)
@given(
    facts=lawful_facts(),
    request_after=st.integers(min_value=0, max_value=7),
    wait=OFFSETS,
    extra=st.integers(min_value=0, max_value=60),
)
def test_correction_restarts_as_a_fresh_receipt(
    facts: list[ClockFact], request_after: int, wait: int, extra: int
) -> None:
    received = facts[0].on
    restart = received + dt.timedelta(days=request_after + wait)
    later = [dataclasses.replace(f, on=restart + (f.on - received)) for f in facts[1:]]
    with_correction = [
        Received(received),
        CorrectionRequested(received + dt.timedelta(days=request_after)),
        Corrected(restart),
        *later,
    ]
    fresh = [Received(restart), *later]
    today = today_for(fresh, extra)
    a, b = clock(with_correction, today), clock(fresh, today)
    assert (a.started_on, a.due_on, a.used_days, a.left_days, a.allowed_days, a.status) == (
        b.started_on,
        b.due_on,
        b.used_days,
        b.left_days,
        b.allowed_days,
        b.status,
    )


@st.composite
def any_facts(draw: st.DrawFn) -> list[ClockFact]:
    """Arbitrary facts, lawful or not, in any order."""
    base = draw(RECEIPTS)

    def on() -> dt.date:
        return base + dt.timedelta(days=draw(st.integers(min_value=-5, max_value=80)))

    refs = st.sampled_from(["a", "b"])
    makers = [
        lambda: Received(on()),
        lambda: CorrectionRequested(on()),
        lambda: Corrected(on()),
        lambda: PauseStarted(on(), draw(refs)),
        lambda: PauseEnded(on(), draw(refs)),
        lambda: Extended(on(), draw(st.integers(min_value=0, max_value=25))),
        lambda: DeadlineSet(on(), on()),
        lambda: Stopped(on()),
    ]
    return [draw(st.sampled_from(makers))() for _ in range(draw(st.integers(0, 8)))]


def outcome(facts: Sequence[ClockFact], today: dt.date) -> ClockState | str:
    try:
        return clock(facts, today)
    except ClockError as exc:
        return f"ClockError: {exc}"


@settings(deadline=None)
@given(facts=any_facts(), today_offset=st.integers(min_value=-5, max_value=90))
def test_facts_after_today_change_nothing(facts: list[ClockFact], today_offset: int) -> None:
    if not facts:
        return
    today = min(f.on for f in facts) + dt.timedelta(days=today_offset)
    known = [f for f in facts if f.on <= today]
    assert outcome(facts, today) == outcome(known, today)
    assert outcome(facts, today) == outcome([*known, Stopped(today + dt.timedelta(days=1))], today)


@settings(deadline=None)
@given(facts=lawful_facts(), extra=st.integers(min_value=0, max_value=30))
def test_used_days_and_due_date_never_go_back_as_time_passes(
    facts: list[ClockFact], extra: int
) -> None:
    received = facts[0].on
    previous = clock(facts, received)
    for offset in range(1, (today_for(facts, extra) - received).days + 1):
        current = clock(facts, received + dt.timedelta(days=offset))
        assert current.used_days >= previous.used_days
        assert current.due_on is not None and previous.due_on is not None
        assert current.due_on >= previous.due_on
        previous = current
