"""The statutory lifecycle's rules on real 2026 dates, without any I/O."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from intake.domain import Applicant, Application, Request
from ogi_errors import IllegalStep, InvalidInput
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import meta
from reply.clock import ClockStatus
from reply.clockfacts import CLOCK_EVENTS, clock_fact, fact_from_json, fact_to_json
from reply.deadline import Deadline
from review.decision import Decision
from review.domain import Review
from review.fees import per_application_fee, per_page_fee

CAL = WorkingCalendar.load()
APP_ID = "A0000000000CD"


def m(on: date, actor: str = "staff") -> Any:
    return meta(APP_ID, actor, on)


def accepted(received_on: date) -> Application:
    application = Application.receive(
        APP_ID,
        "municipal-office",
        Applicant.checked("张三", "natural_person", "1101", "138"),
        Request.checked("文件", "paper", "mail"),
        received_on,
        m(received_on),
    )
    application.accept("SZFB-2026-00001", 1, m(received_on))
    return application


def review(received_on: str = "2026-09-25", monthly_count: int = 1) -> Review:
    snapshot = {
        "application_id": APP_ID,
        "agency": "municipal-office",
        "application_number": "SZFB-2026-00001",
        "applicant": {"name": "张三", "type": "natural_person", "id_doc": "1", "contact": "2"},
        "description": "文件",
        "form": "paper",
        "channel": "mail",
        "received_on": received_on,
        "monthly_count": monthly_count,
    }
    return Review(application=snapshot, office="办公室", meta=m(date.fromisoformat(received_on)))


# -- Art. 30: correction ---------------------------------------------------------------------


def test_correction_notice_within_7_working_days_across_national_day() -> None:
    # Received Fri 2026-09-25; working days after it: 9/28, 9/29, 9/30, (10/1-7 off), 10/8,
    # 10/9, 10/10 (Saturday make-up day), 10/12 -> the 7th is Monday 2026-10-12.
    on_time = accepted(date(2026, 9, 25))
    on_time.request_correction(["写明文号"], 10, date(2026, 10, 12), CAL, "", m(date(2026, 10, 12)))
    assert on_time.state == "awaiting_correction"
    late = accepted(date(2026, 9, 25))
    with pytest.raises(IllegalStep, match="2026-10-12"):
        late.request_correction(
            ["写明文号"], 10, date(2026, 10, 13), CAL, "", m(date(2026, 10, 13))
        )
    late.request_correction(
        ["写明文号"], 10, date(2026, 10, 13), CAL, "系统故障", m(date(2026, 10, 13))
    )
    assert late.correction["late"] is True


def test_correction_once_with_every_item_and_a_period() -> None:
    application = accepted(date(2026, 9, 25))
    with pytest.raises(InvalidInput, match="items"):
        application.request_correction([], 10, date(2026, 9, 28), CAL, "", m(date(2026, 9, 28)))
    with pytest.raises(InvalidInput, match="period_days"):
        application.request_correction(["x"], 0, date(2026, 9, 28), CAL, "", m(date(2026, 9, 28)))
    application.request_correction(["x", "y"], 10, date(2026, 9, 28), CAL, "", m(date(2026, 9, 28)))
    # 10 working days after Mon 9/28: 9/29, 9/30, 10/8, 10/9, 10/10, 10/12-10/16 -> 10/16.
    assert application.correct_by == date(2026, 10, 16)
    with pytest.raises(IllegalStep, match="一次性"):
        application.request_correction(["z"], 10, date(2026, 9, 29), CAL, "", m(date(2026, 9, 29)))


def test_correction_lapses_the_day_after_the_period_and_late_corrections_need_a_reason() -> None:
    application = accepted(date(2026, 9, 25))
    application.request_correction(["x"], 10, date(2026, 9, 28), CAL, "", m(date(2026, 9, 28)))
    assert not application.lapse_if_due(date(2026, 10, 16), "system")
    with pytest.raises(IllegalStep, match="2026-10-16"):
        application.correct("新描述", date(2026, 10, 17), "", m(date(2026, 10, 17)))
    assert application.lapse_if_due(date(2026, 10, 19), "system")
    assert application.state == "closed"
    lapsed = application.collect_events()[-1]
    assert type(lapsed).__name__ == "CorrectionLapsed"
    assert vars(lapsed)["meta"]["occurred_on"] == "2026-10-17"


# -- Art. 32, 34: consultations --------------------------------------------------------------


def test_third_party_consultation_answer_due_and_refusal_needs_reasons() -> None:
    r = review()
    ref = r.consult_third_party("某公司", date(2026, 9, 28), CAL, m(date(2026, 9, 28)))
    # 15 working days after 9/28: 9/29, 9/30, 10/8, 10/9, 10/10, 10/12-16 (10), 10/19-23 -> 10/23
    assert r.consultations[ref].answer_due == date(2026, 10, 23)
    with pytest.raises(InvalidInput, match="reasons"):
        r.record_answer(ref, "refusal", "", date(2026, 10, 9), m(date(2026, 10, 9)))
    with pytest.raises(IllegalStep, match="still open"):
        r.decide(
            Decision.checked("not_held", [], "", "", "paper"),
            date(2026, 10, 9),
            "",
            m(date(2026, 10, 9)),
        )
    r.record_answer(ref, "refusal", "商业秘密", date(2026, 10, 9), m(date(2026, 10, 9)))
    assert r.third_party_refused() == ["某公司"]


def test_refusal_blocks_full_disclosure_unless_public_interest_with_notice() -> None:
    r = review()
    ref = r.consult_third_party("某公司", date(2026, 9, 28), CAL, m(date(2026, 9, 28)))
    r.record_answer(ref, "refusal", "商业秘密", date(2026, 10, 9), m(date(2026, 10, 9)))
    r.review_secrecy("cleared", "", date(2026, 10, 12), m(date(2026, 10, 12)))
    disclose = Decision.checked("disclose", [], "", "", "paper")
    with pytest.raises(IllegalStep, match="public_interest_reason"):
        r.decide(disclose, date(2026, 10, 12), "", m(date(2026, 10, 12)))
    r.decide(disclose, date(2026, 10, 12), "涉及重大公共安全", m(date(2026, 10, 12)))
    names = [type(e).__name__ for e in r.collect_events()]
    assert names[-2:] == ["DecisionMade", "ThirdPartyNotifiedOfDisclosure"]


def test_silence_ends_consultations_on_their_due_date() -> None:
    r = review()
    tp = r.consult_third_party("某公司", date(2026, 9, 28), CAL, m(date(2026, 9, 28)))
    organ = r.consult_organ("市财政局", date(2026, 9, 28), CAL, m(date(2026, 9, 28)))
    assert not r.act_on_time(date(2026, 10, 23), "system")
    assert r.act_on_time(date(2026, 10, 24), "system")
    assert r.consultations[tp].answer == "none"
    assert r.consultations[organ].answer == "consent_by_silence"
    assert r.consultations[organ].answered_on == date(2026, 10, 23)


# -- Art. 33, 35, 17 ------------------------------------------------------------------------


def test_extension_once_at_most_20_days_by_the_head_of_the_office() -> None:
    r = review()
    on = date(2026, 10, 9)
    with pytest.raises(InvalidInput, match="working_days"):
        r.extend(21, "王主任", "head_of_ogi_office", "复杂", on, m(on))
    with pytest.raises(InvalidInput, match="approver_role"):
        r.extend(10, "李科员", "clerk", "复杂", on, m(on))
    r.extend(20, "王主任", "head_of_ogi_office", "复杂", on, m(on))
    with pytest.raises(IllegalStep, match="once"):
        r.extend(5, "王主任", "head_of_ogi_office", "复杂", on, m(on))


def test_disclosure_needs_a_cleared_confidentiality_review_first() -> None:
    r = review()
    on = date(2026, 10, 9)
    for outcome in ("disclose", "already_public"):
        with pytest.raises(IllegalStep, match="confidentiality"):
            r.decide(Decision.checked(outcome, [], "", "", "paper"), on, "", m(on))
    r.review_secrecy("secret", "", on, m(on))
    with pytest.raises(IllegalStep, match="confidentiality"):
        r.decide(Decision.checked("disclose", [], "", "", "paper"), on, "", m(on))
    r.decide(
        Decision.checked("withhold", ["state_secret"], "属于国家秘密", "", "paper"), on, "", m(on)
    )
    assert r.state == "decided"


def test_reply_date_must_be_later() -> None:
    r = review()
    with pytest.raises(InvalidInput, match="due_on"):
        r.set_reply_date(date(2026, 10, 9), "量大", date(2026, 10, 9), m(date(2026, 10, 9)))
    r.set_reply_date(date(2026, 12, 31), "量大", date(2026, 10, 9), m(date(2026, 10, 9)))
    assert r.reply_due == date(2026, 12, 31)


# -- Art. 42: fees --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nth", "yuan"), [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300)]
)
def test_per_application_tiers(nth: int, yuan: int) -> None:
    assert per_application_fee(nth) == yuan


@pytest.mark.parametrize(
    ("pages", "yuan"),
    [(30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (250, 4700)],
)
def test_per_page_tiers_charge_only_the_part_in_each_tier(pages: int, yuan: int) -> None:
    assert per_page_fee(pages) == yuan


def test_fee_notice_once_pay_in_20_working_days_or_closed() -> None:
    free = review(monthly_count=3)
    with pytest.raises(IllegalStep, match="free"):
        free.assess_fee("per_application", 0, date(2026, 10, 9), CAL, m(date(2026, 10, 9)))
    r = review()
    r.assess_fee("per_page", 120, date(2026, 9, 28), CAL, m(date(2026, 9, 28)))
    assert r.fee is not None and r.fee.amount_yuan == 700 + 20 * 20
    # 20 working days after 9/28: 10/23 is the 15th (see above), then 10/26-30 -> 10/30
    assert r.fee.pay_by == date(2026, 10, 30)
    with pytest.raises(IllegalStep, match="one method"):
        r.assess_fee("per_application", 0, date(2026, 9, 29), CAL, m(date(2026, 9, 29)))
    assert not r.act_on_time(date(2026, 10, 30), "system")
    assert r.act_on_time(date(2026, 10, 31), "system")
    assert r.state == "closed"


# -- the clock as the reply service keeps it -------------------------------------------------


def test_every_clock_event_maps_to_a_fact_that_round_trips() -> None:
    data = {
        "application": {"received_on": "2026-09-25"},
        "ref": "TP-1",
        "working_days": 10,
        "due_on": "2026-12-31",
    }
    for event_type in CLOCK_EVENTS:
        fact = clock_fact(event_type, date(2026, 10, 9), data)
        assert fact is not None, event_type
        assert fact_from_json(fact_to_json(fact)) == fact
    assert clock_fact("DecisionMade", date(2026, 10, 9), data) is None


def test_deadline_warns_once_then_declares_overdue_once() -> None:
    deadline = Deadline(
        application_id=APP_ID, agency="municipal-office", received_on="2026-09-25",
        meta=m(date(2026, 9, 25)),
    )  # fmt: skip
    assert deadline.watch(CAL, date(2026, 9, 25), 5, "system")  # the due date is recorded
    assert deadline.due_on == "2026-10-29"
    assert not deadline.watch(CAL, date(2026, 10, 21), 5, "system")  # 6 left: no warning yet
    assert deadline.watch(CAL, date(2026, 10, 22), 5, "system")
    assert not deadline.watch(CAL, date(2026, 10, 23), 5, "system")
    assert deadline.watch(CAL, date(2026, 10, 30), 5, "system")
    assert deadline.clock(CAL, date(2026, 10, 30)).status == ClockStatus.OVERDUE
    assert not deadline.watch(CAL, date(2026, 11, 2), 5, "system")
    names = [type(e).__name__ for e in deadline.collect_events()]
    assert names.count("ApplicationDueSoon") == 1 and names.count("ApplicationOverdue") == 1


def test_deadline_recomputes_when_a_year_is_published(tmp_path: Any) -> None:
    deadline = Deadline(
        application_id=APP_ID, agency="municipal-office", received_on="2026-12-15",
        meta=m(date(2026, 12, 15)),
    )  # fmt: skip
    deadline.watch(CAL, date(2026, 12, 15), 5, "system")
    assert (deadline.due_on, deadline.provisional) == ("2027-01-13", True)
    # The State Council publishes 2027 with an extra day off on 2027-01-04 (a made-up example).
    (tmp_path / "2027.toml").write_text(
        'year = 2027\nsource = "test"\n[[holidays]]\nname = "元旦"\n'
        'days = ["2027-01-01..2027-01-04"]\n',
        encoding="utf-8",
    )
    published = WorkingCalendar.load(tmp_path)
    assert deadline.watch(published, date(2026, 12, 16), 5, "system")
    assert (deadline.due_on, deadline.provisional) == ("2027-01-14", False)


def test_still_unclear_after_correction_needs_a_correction_first() -> None:
    unclear = Decision.checked("unclear_after_correction", [], "仍不明确", "", "paper")
    r = review()
    with pytest.raises(IllegalStep, match="never corrected"):
        r.decide(unclear, date(2026, 10, 12), "", m(date(2026, 10, 12)))
    r.note_correction("", m(date(2026, 10, 9)))  # corrected, the description unchanged
    r.decide(unclear, date(2026, 10, 12), "", m(date(2026, 10, 12)))
    assert r.decision is not None and r.decision.outcome == "unclear_after_correction"


def test_a_withdrawal_is_not_dated_before_receipt_nor_made_after_a_forward() -> None:
    early = accepted(date(2026, 9, 25))
    with pytest.raises(InvalidInput, match="withdrawn_on"):
        early.withdraw("不需要了", m(date(2026, 9, 24)))
    forwarded = accepted(date(2026, 9, 25))
    forwarded.note_forwarded("archives-bureau", "档案已移交", m(date(2026, 9, 28)))
    with pytest.raises(IllegalStep, match="withdrawn there"):
        forwarded.withdraw("不需要了", m(date(2026, 9, 29)))
