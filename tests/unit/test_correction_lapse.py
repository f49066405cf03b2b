"""A correction notice (Art. 30) through the intake service: sent late only with a reason, its
period counted in working days, and the application deemed abandoned by the tick the day after
the period ends; nothing corrects it afterwards. In memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from inmemory import InMemoryService

from intake.application import IntakeApplication
from intake.commands import RecordCorrection, RequestCorrection, SubmitApplication
from intake.domain import Applicant, Request
from intake.handlers import handlers
from ogi_errors import IllegalStep
from ogi_law.agencies import load_agencies


@pytest.fixture
def intake(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryService[IntakeApplication]]:
    service = InMemoryService(IntakeApplication, handlers, monkeypatch)
    yield service
    service.app.close()


def test_a_late_notice_with_a_reason_then_the_lapse_the_day_after_the_period(
    intake: InMemoryService[IntakeApplication],
) -> None:
    app = intake.handle(
        SubmitApplication(
            actor="applicant:张三",
            on=date(2026, 9, 25),  # a Friday before the National Day holiday
            agency=load_agencies().get("municipal-office"),
            applicant=Applicant.checked("张三", "natural_person", "1101", "138"),
            request=Request.checked("文件", "paper", "mail"),
        )
    ).application_id
    # The 7th working day after 9/25 is 10/12 (9/28-30, 10/8, 10/9, 10/10, 10/12): 10/13 is late.
    intake.handle(
        RequestCorrection(
            actor="staff", on=date(2026, 10, 13), application_id=app, items=("写明文号",),
            period_days=5, late_reason="邮件退回后重新寄送",
        )
    )  # fmt: skip
    [notice] = intake.recorded("CorrectionRequested", app)
    # 5 working days after 10/13: 10/14-16, 10/19, 10/20.
    assert notice.data["correct_by"] == "2026-10-20" and notice.data["late"] is True
    intake.tick("2026-10-20")
    assert intake.recorded("CorrectionLapsed", app) == []
    intake.tick("2026-10-21")
    [lapse] = intake.recorded("CorrectionLapsed", app)
    assert (lapse.occurred_on, lapse.actor) == ("2026-10-21", "system:intake")
    assert lapse.data["correct_by"] == "2026-10-20"
    intake.tick("2026-10-22")
    assert len(intake.recorded("CorrectionLapsed", app)) == 1
    with pytest.raises(IllegalStep, match="awaits no correction"):
        intake.handle(
            RecordCorrection(
                actor="staff", on=date(2026, 10, 22), application_id=app, description="补正"
            )
        )
