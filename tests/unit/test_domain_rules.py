"""Domain rules of the five services, without any I/O."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from intake.domain import Applicant, Application, NumberSeries, Request
from ogi_errors import IllegalStep, InvalidInput
from ogi_law.agencies import load_agencies, parse_agencies
from ogi_law.rules import EXEMPTION_GROUNDS, OUTCOMES
from ogi_platform.eventstore.aggregate import meta
from ogi_platform.ids import checked_application_id, new_application_id
from reply.domain import Reply
from reply.letter import compose_letter
from review.decision import EXPLAINED, Decision
from review.domain import Review
from routing.catalogue import suggest_agency
from routing.domain import Routing

APP_ID = "A0000000000AB"
M = meta(APP_ID, "staff", date(2026, 9, 28))
AGENCY = load_agencies().get("municipal-office")


def snapshot(**extra: Any) -> dict[str, Any]:
    return {
        "application_id": APP_ID,
        "agency": "municipal-office",
        "application_number": "SZFB-2026-00007",
        "applicant": {"name": "李四", "type": "commercial", "id_doc": "9111", "contact": "x"},
        "description": "2026年度土地出让计划",
        "form": "paper",
        "channel": "registered_mail",
        "received_on": "2026-09-28",
    } | extra


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"name": ""}, "applicant.name"),
        ({"name": "   "}, "applicant.name"),
        ({"type": "alien"}, "applicant.type"),
        ({"type": ""}, "applicant.type"),
        ({"id_doc": ""}, "applicant.id_doc"),
        ({"contact": ""}, "applicant.contact"),
    ],
)
def test_art29_applicant_fields_are_required(fields: dict[str, str], bad_field: str) -> None:
    good = {"name": "张三", "type": "natural_person", "id_doc": "1101", "contact": "138"}
    with pytest.raises(InvalidInput) as caught:
        Applicant.checked(**(good | fields))
    assert caught.value.field == bad_field


def test_request_defaults_and_refusals() -> None:
    assert Request.checked("文件", "", "") == Request("文件", "electronic", "online")
    with pytest.raises(InvalidInput, match="description"):
        Request.checked(" ", "paper", "mail")
    with pytest.raises(InvalidInput, match="form"):
        Request.checked("文件", "carrier pigeon", "mail")
    with pytest.raises(InvalidInput, match="channel"):
        Request.checked("文件", "paper", "telepathy")


def test_numbers_are_issued_in_sequence_per_agency_and_year() -> None:
    series = NumberSeries(agency="municipal-office", year=2026, series="SZFB-2026", meta=M)
    assert [series.next_number(M) for _ in range(3)] == [
        "SZFB-2026-00001",
        "SZFB-2026-00002",
        "SZFB-2026-00003",
    ]
    assert NumberSeries.create_id("municipal-office", 2026) != NumberSeries.create_id(
        "municipal-office", 2027
    )


def test_application_accept_once_and_withdraw_once() -> None:
    application = Application.receive(
        APP_ID,
        "municipal-office",
        Applicant.checked("张三", "natural_person", "1101", "138"),
        Request.checked("文件", "paper", "mail"),
        date(2026, 9, 28),
        M,
    )
    application.accept("SZFB-2026-00001", 1, M)
    assert application.snapshot()["application_number"] == "SZFB-2026-00001"
    with pytest.raises(IllegalStep):
        application.accept("SZFB-2026-00002", 1, M)
    application.withdraw("不再需要", M)
    with pytest.raises(IllegalStep):
        application.withdraw("again", M)


def test_ids_are_typeable_and_idempotency_keys_are_stable() -> None:
    assert checked_application_id(new_application_id()).startswith("A")
    assert new_application_id("k1") == new_application_id("k1") != new_application_id("k2")
    for bad in ("", "A123", "B0000000000AB", "a0000000000ab"):
        with pytest.raises(InvalidInput):
            checked_application_id(bad)


def test_reassignment_only_to_an_office_of_the_agency() -> None:
    routing = Routing(application=snapshot(), office=AGENCY.default_office, meta=M)
    with pytest.raises(InvalidInput, match="office"):
        routing.reassign("nowhere", AGENCY.offices, "", M)
    with pytest.raises(IllegalStep):
        routing.reassign(AGENCY.default_office, AGENCY.offices, "", M)


def decision(outcome: str, grounds: list[str] | None = None, reason: str = "") -> Decision:
    return Decision.checked(outcome, grounds or [], reason, "", "paper")


@pytest.mark.parametrize("outcome", sorted(OUTCOMES))
def test_every_reply_type_of_the_regulations_can_be_decided(outcome: str) -> None:
    needs = OUTCOMES[outcome].needs_grounds
    explained = needs or outcome in EXPLAINED
    made = decision(outcome, ["process_info"] if needs else [], "理由" if explained else "")
    assert made.outcome == outcome


def test_grounds_are_required_where_information_is_withheld() -> None:
    with pytest.raises(InvalidInput, match="grounds"):
        decision("withhold")
    with pytest.raises(InvalidInput, match="reason"):
        decision("partial", ["third_party"])
    with pytest.raises(InvalidInput, match="grounds"):
        decision("disclose", ["state_secret"])
    with pytest.raises(InvalidInput, match="grounds"):
        decision("withhold", ["because"], "r")
    with pytest.raises(InvalidInput, match="outcome"):
        decision("maybe")


def test_every_exemption_ground_of_the_rules_exists() -> None:
    assert set(EXEMPTION_GROUNDS) == {
        "state_secret",
        "law_prohibits",
        "security_stability",
        "third_party",
        "internal_affairs",
        "process_info",
        "enforcement_file",
        "administrative_query",
    }


def test_form_of_provision_defaults_to_the_requested_form_only_when_provided() -> None:
    assert decision("disclose").form_of_provision == "paper"
    assert decision("not_held").form_of_provision == ""


def test_a_decided_or_closed_review_cannot_be_decided_again() -> None:
    review = Review(application=snapshot(), office="办公室", meta=M)
    review.review_secrecy("cleared", "", date(2026, 10, 8), M)
    with pytest.raises(InvalidInput, match="decided_on"):
        review.decide(decision("disclose"), date(2026, 9, 1), "", M)
    review.decide(decision("disclose"), date(2026, 10, 9), "", M)
    with pytest.raises(IllegalStep):
        review.decide(decision("not_held"), date(2026, 10, 9), "", M)
    review.close("ApplicationClosed", M)
    with pytest.raises(IllegalStep, match="closed"):
        review.decide(decision("disclose"), date(2026, 10, 9), "", M)


def test_delivery_closes_and_cannot_happen_twice_or_before_issue() -> None:
    reply = Reply(
        application=snapshot(),
        letter_number="L1",
        outcome="disclose",
        letter_text="…",
        meta=meta(APP_ID, "system", date(2026, 10, 9)),
    )
    with pytest.raises(InvalidInput, match="delivered_on"):
        reply.deliver("post", date(2026, 10, 8), M)
    with pytest.raises(InvalidInput, match="method"):
        reply.deliver("pigeon", date(2026, 10, 9), M)
    reply.deliver("post", date(2026, 10, 10), M)
    assert reply.state == "closed"
    assert [type(e).__name__ for e in reply.collect_events()][-2:] == [
        "ReplyDelivered",
        "ApplicationClosed",
    ]
    with pytest.raises(IllegalStep):
        reply.deliver("post", date(2026, 10, 10), M)


def test_refusal_letter_says_reconsideration_comes_first_and_names_the_body() -> None:
    letter = compose_letter(
        AGENCY,
        snapshot(),
        {"outcome": "withhold", "grounds": ["third_party"], "reason": "涉及商业秘密"},
        "SZFB-2026-00007-答",
        date(2026, 10, 20),
    )
    assert "2026年9月28日收到" in letter
    assert "第三十六条第（三）项" in letter and "第十五条" in letter
    assert f"向{AGENCY.reconsideration_body}申请行政复议" in letter
    assert "应当先申请行政复议" in letter and "六十日" in letter
    assert "李四" in letter and "SZFB-2026-00007-答" in letter


def test_disclosure_letter_offers_both_remedies_and_the_form() -> None:
    letter = compose_letter(
        AGENCY,
        snapshot(),
        {"outcome": "disclose", "grounds": [], "form_of_provision": "paper"},
        "L",
        date(2026, 10, 20),
    )
    assert "纸质文本" in letter and "六个月内" in letter
    assert "应当先申请行政复议" not in letter


def test_referral_letter_names_the_competent_organ() -> None:
    letter = compose_letter(
        AGENCY,
        snapshot(),
        {
            "outcome": "not_ours",
            "competent_organ": "市自然资源和规划局",
            "competent_organ_contact": "0000-1",
        },
        "L",
        date(2026, 10, 20),
    )
    assert "市自然资源和规划局" in letter and "0000-1" in letter


def test_forwarding_keeps_the_chain_and_refuses_loops_and_itself() -> None:
    routing = Routing(application=snapshot(), office=AGENCY.default_office, meta=M)
    with pytest.raises(InvalidInput, match="to_agency"):
        routing.forward("municipal-office", "r", M)
    with pytest.raises(InvalidInput, match="reason"):
        routing.forward("archives-bureau", " ", M)
    routing.forward("natural-resources-bureau", "由该局保存", M)
    assert routing.state == "forwarded"
    hop = routing.chain[-1]
    assert (hop["from_agency"], hop["to_agency"], hop["forwarded_on"]) == (
        "municipal-office",
        "natural-resources-bureau",
        "2026-09-28",
    )
    with pytest.raises(IllegalStep):
        routing.forward("archives-bureau", "again", M)
    # At the receiver, the chain came with the application: going back is a loop.
    received = Routing(
        application=snapshot(agency="natural-resources-bureau", chain=routing.chain),
        office="办公室",
        meta=M,
    )
    with pytest.raises(IllegalStep, match="loop"):
        received.forward("municipal-office", "退回", M)
    received.forward("archives-bureau", "已移交", M)
    assert [h["to_agency"] for h in received.chain] == [
        "natural-resources-bureau",
        "archives-bureau",
    ]


@pytest.mark.parametrize(
    ("description", "agency", "archives_law"),
    [
        ("城北地块的规划许可及附图", "natural-resources-bureau", False),
        ("1948年的民国档案，已移交档案馆", "archives-bureau", True),
        ("2023年度财政预算执行情况报告", "municipal-office", False),
        ("与任何目录都不相关的信息", None, False),
    ],
)
def test_catalogue_suggests_the_agency_holding_the_information(
    description: str, agency: str | None, archives_law: bool
) -> None:
    suggestion = suggest_agency(description, load_agencies())
    assert (suggestion.agency.code if suggestion else None) == agency
    assert bool(suggestion and suggestion.entry.archives_law) == archives_law
    if suggestion and archives_law:
        assert "档案法" in suggestion.note


def test_a_tie_between_catalogues_suggests_nobody() -> None:
    registry = parse_agencies(
        "agencies:\n"
        "  - {code: a-office, catalogue: [{subject: x, keywords: [土地]}]}\n"
        "  - {code: b-office, catalogue: [{subject: y, keywords: [土地]}]}\n"
    )
    assert suggest_agency("土地出让", registry) is None
    with pytest.raises(InvalidInput, match="catalogue"):
        parse_agencies("agencies:\n  - {code: c-office, catalogue: [{subject: z}]}\n")
