"""The review service given events and commands: the fee notice and its payment (Art. 42), the
silence of a consulted organ (Art. 34), a consultation between two agencies' reviews, and the
endings other services announce. In memory; the reviews of two agencies hand each other the
events they recorded, as the bus would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from inmemory import APP_ID, InMemoryService

from ogi_errors import IllegalStep, InvalidInput
from review.application import ReviewApplication
from review.commands import AnswerConsultation, AssessFee, Consult, RecordPayment
from review.handlers import handlers
from routing.application import RoutingApplication
from routing.handlers import handlers as routing_handlers

RESOURCES, ARCHIVES = "natural-resources-bureau", "archives-bureau"


def review_of(
    monkeypatch: pytest.MonkeyPatch, agency: str = "municipal-office"
) -> InMemoryService[ReviewApplication]:
    return InMemoryService(ReviewApplication, handlers, monkeypatch, agency)


@pytest.fixture
def review(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryService[ReviewApplication]]:
    service = review_of(monkeypatch)
    yield service
    service.app.close()


def assigned(
    review: InMemoryService[ReviewApplication], received_on: str, app: str = APP_ID
) -> None:
    """Routing assigned the application to an office of the review's agency: a review opens."""
    agency = review.app.agency
    application: dict[str, Any] = {
        "application_id": app, "agency": agency, "application_number": "X-2026-00001",
        "applicant": {"name": "张三", "type": "natural_person", "id_doc": "1", "contact": "2"},
        "description": "文件", "form": "paper", "channel": "mail", "received_on": received_on,
        "monthly_count": 1,
    }  # fmt: skip
    review.hear("ApplicationAssigned", "routing", received_on, agency=agency,
                application_id=app, application=application, office="办公室")  # fmt: skip


def test_a_fee_notice_is_paid_in_20_working_days_or_the_application_closes(
    review: InMemoryService[ReviewApplication],
) -> None:
    assigned(review, "2026-03-02")
    review.handle(AssessFee(actor="staff", on=date(2026, 3, 3), application_id=APP_ID,
                            method="per_page", pages=120))  # fmt: skip
    [notice] = review.recorded("FeeNoticeIssued")
    assert (notice.data["amount_yuan"], notice.data["pay_by"]) == (700 + 20 * 20, "2026-03-31")
    review.handle(RecordPayment(actor="applicant", on=date(2026, 3, 10), application_id=APP_ID))
    assert [e.occurred_on for e in review.recorded("FeePaid")] == ["2026-03-10"]
    review.tick("2026-04-01")
    assert review.recorded("FeeUnpaidClosed") == []

    unpaid = "A0000000000UP"
    assigned(review, "2026-03-02", unpaid)
    review.handle(AssessFee(actor="staff", on=date(2026, 3, 3), application_id=unpaid,
                            method="per_page", pages=40))  # fmt: skip
    review.tick("2026-03-31")  # the last day to pay
    assert review.recorded("FeeUnpaidClosed", unpaid) == []
    review.tick("2026-04-01")
    [closed] = review.recorded("FeeUnpaidClosed", unpaid)
    assert (closed.occurred_on, closed.data["pay_by"]) == ("2026-04-01", "2026-03-31")


def test_an_organ_silent_for_15_working_days_consents_on_its_answer_date(
    review: InMemoryService[ReviewApplication],
) -> None:
    assigned(review, "2026-09-25")
    _, ref = review.handle(Consult(actor="staff", on=date(2026, 9, 28), application_id=APP_ID,
                                   kind="organ", party="市财政局"))  # fmt: skip
    # 15 working days after 9/28: 9/29, 9/30, 10/8-10, 10/12-16 (10), 10/19-23 (15).
    review.tick("2026-10-23")
    assert review.recorded("OrganAnswered") == []
    review.tick("2026-10-26")
    [answered] = review.recorded("OrganAnswered")
    assert answered.occurred_on == "2026-10-23"
    assert answered.data == {"ref": ref, "answer": "consent_by_silence", "reasons": ""}


def test_a_consultation_between_two_agencies_reviews(monkeypatch: pytest.MonkeyPatch) -> None:
    """Art. 34: the request reaches the consulted agency's file; an objection needs reasons; its
    answer, addressed back, ends the consultation at the consulting agency; an answer from an
    agency that was not consulted is refused."""
    consulting, consulted = review_of(monkeypatch, RESOURCES), review_of(monkeypatch, ARCHIVES)
    try:
        assigned(consulting, "2026-09-25")
        _, ref = consulting.handle(Consult(actor="staff", on=date(2026, 10, 12),
                                           application_id=APP_ID, kind="organ", party="市档案局",
                                           organ_agency=ARCHIVES))  # fmt: skip
        [started] = consulting.recorded("OrganConsultationStarted")
        assert started.to_agency == ARCHIVES
        consulted.tell(started)
        [request] = consulted.recorded("ConsultationRequestReceived")
        assert (request.data["from_agency"], request.data["ref"]) == (RESOURCES, ref)

        def answer(kind: str, reasons: str = "") -> None:
            consulted.handle(AnswerConsultation(actor="staff", on=date(2026, 10, 15),
                                                application_id=APP_ID, from_agency=RESOURCES,
                                                ref=ref, answer=kind, reasons=reasons))  # fmt: skip

        with pytest.raises(InvalidInput, match="reasons"):
            answer("objection")
        answer("consent")
        [sent] = consulted.recorded("ConsultationAnswered")
        assert (sent.agency, sent.to_agency) == (ARCHIVES, RESOURCES)

        with pytest.raises(IllegalStep, match="was not consulted"):
            consulting.tell(replace(sent, agency="municipal-office"))
        consulting.tell(sent)
        [answered] = consulting.recorded("OrganAnswered")
        assert (answered.occurred_on, answered.data["answer"]) == ("2026-10-15", "consent")
        assert "ReviewClosed" not in consulting.types()
    finally:
        consulting.app.close()
        consulted.app.close()


def test_a_lapsed_correction_closes_the_review_and_the_routing(
    review: InMemoryService[ReviewApplication], monkeypatch: pytest.MonkeyPatch
) -> None:
    routing = InMemoryService(RoutingApplication, routing_handlers, monkeypatch)
    try:
        assigned(review, "2026-09-25")
        routing.hear("ApplicationAccepted", "intake", "2026-09-25",
                     application={"application_id": APP_ID, "agency": "municipal-office",
                                  "received_on": "2026-09-25"})  # fmt: skip
        for service in (review, routing):
            service.hear("CorrectionLapsed", "intake", "2026-10-21", correct_by="2026-10-20")
        assert [e.occurred_on for e in review.recorded("ReviewClosed")] == ["2026-10-21"]
        assert [e.occurred_on for e in routing.recorded("RoutingClosed")] == ["2026-10-21"]
    finally:
        routing.app.close()
