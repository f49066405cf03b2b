"""Three agencies and the supervision bureau, on PostgreSQL and a real nats-server, each person
acting with a token of their own agency: an application to the municipal office is forwarded to
the natural resources bureau, which consults the archives bureau (Art. 34) and discloses part of
it late; the applicant complains; the bureau investigates with the full trace, orders
rectification; the agency answers; the complaint closes. The complaint service's own rules (a
case without an application, an order answered before the case closes, late answers) are proven
in memory by tests/unit/test_complaint_case.py.

The CLI runs in the test's process (the `ogi` program itself: test_walk, test_bad_input)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness.ogisystem import OgiSystem, one_json
from harness.servers import dated_system

from ogi_platform.today import write_today_file

MUNICIPAL = "municipal-office"
NATURAL_RESOURCES = "natural-resources-bureau"
ARCHIVES = "archives-bureau"
BUREAU = "supervision-bureau"


class Government:
    """The running system, the legal day, and one token per person."""

    def __init__(self, system: OgiSystem, today: Path) -> None:
        self.system = system.cli()
        self.today = today
        self.tokens: dict[str, str] = {}
        for who, role, agency in [
            ("portal", "portal", ""),
            (MUNICIPAL, "staff", MUNICIPAL),
            (NATURAL_RESOURCES, "staff", NATURAL_RESOURCES),
            (ARCHIVES, "staff", ARCHIVES),
            (BUREAU, "staff", BUREAU),
        ]:
            args = ["token", "issue", "--role", role, "--name", f"{who}-clerk"]
            issued = system.ogi_json(*args, *(["--agency", agency] if agency else []))
            self.tokens[who] = issued["token"]

    def on(self, day: str) -> Government:
        write_today_file(self.today, day)
        return self

    def as_(self, who: str, *args: str) -> Any:
        """`ogi ARGS --json` with ``who``'s token; must succeed."""
        code, out, err = self.system.ogi(*args, "--json", env={"OGI_TOKEN": self.tokens[who]})
        assert code == 0, f"{who}: `ogi {' '.join(args)}` exited {code}: {out!r} {err!r}"
        return one_json(out)

    def denied(self, who: str, *args: str) -> str:
        """`ogi ARGS` with ``who``'s token is refused as not theirs to do."""
        message = self.system.refused(*args, env={"OGI_TOKEN": self.tokens[who]})
        assert "PERMISSION_DENIED" in message, message
        return message

    def hidden(self, who: str, *args: str) -> str:
        """`ogi ARGS` with ``who``'s token is refused as if the application did not exist: it
        is another agency's, which ``who`` may not even read."""
        message = self.system.refused(*args, env={"OGI_TOKEN": self.tokens[who]})
        assert "NOT_FOUND" in message and "没有" in message, message
        return message

    def status(self, who: str, application_id: str) -> dict[str, Any]:
        result = self.as_(who, "status", application_id)
        assert isinstance(result, dict)
        return result

    def trace(self, who: str, application_id: str) -> list[dict[str, Any]]:
        return list(self.as_(who, "trace", application_id)["events"])

    def trace_so_far(self, who: str, application_id: str) -> list[dict[str, Any]]:
        """``who``'s trace of the application, empty while its agency has no history of it."""
        code, out, _ = self.system.ogi(
            "trace", application_id, "--json", env={"OGI_TOKEN": self.tokens[who]}
        )
        document = one_json(out)
        if code != 0 and "has no history" in document.get("error", ""):
            return []
        assert code == 0, document
        return list(document["events"])


@pytest.fixture(scope="module")
def government(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Government]:
    with dated_system(tmp_path_factory.mktemp("bureau"), "2026-09-25") as (system, today):
        yield Government(system, today)


def test_forward_consult_late_partial_complaint_rectification_close(
    government: Government,
) -> None:
    g, system = government, government.system
    wait = system.wait_until

    # The applicant applies to the municipal office through the public portal.
    applied = g.as_("portal", "apply", "--agency", MUNICIPAL, "--name", "某某房地产开发有限公司",
                    "--applicant-type", "commercial", "--id-doc", "91110000MA00000000",
                    "--contact", "010-12345678", "--received-on", "2026-09-25",
                    "--description", "某地块国有建设用地使用权出让和规划许可文件")  # fmt: skip
    application_id = applied["application_id"]
    wait(lambda: g.status(MUNICIPAL, application_id), lambda s: s["state"] == "under_review",
         "the municipal office's review to open")  # fmt: skip
    assert g.hidden(NATURAL_RESOURCES, "forward", application_id, "--to", NATURAL_RESOURCES,
                    "--reason", "not theirs to forward")  # fmt: skip

    # 9/28: the municipal office forwards it to the natural resources bureau.
    g.on("2026-09-28").as_(MUNICIPAL, "forward", application_id, "--to", NATURAL_RESOURCES,
                           "--reason", "规划许可由该局制作保存")  # fmt: skip
    arrived = wait(lambda: g.status("portal", application_id),
                   lambda s: s["agency"] == NATURAL_RESOURCES and s["state"] == "under_review"
                   and s["clock"]["received_on"] == "2026-09-28",
                   "the forward to arrive, with the receiver's own clock")  # fmt: skip
    assert arrived["clock"]["due_on"] == "2026-10-30"  # its own receipt 9/28, National Day between
    assert g.status(NATURAL_RESOURCES, application_id)["agency"] == NATURAL_RESOURCES
    wait(lambda: g.trace(BUREAU, application_id),
         lambda es: any(e["type"] == "ReviewClosed" and e["agency"] == MUNICIPAL for e in es),
         "the municipal office's review to close on hearing of its forward")  # fmt: skip
    assert g.hidden(MUNICIPAL, "secrecy", application_id, "--result", "cleared")

    # 10/12: the natural resources bureau consults the archives bureau (Art. 34).
    consulted = g.on("2026-10-12").as_(NATURAL_RESOURCES, "consult", application_id,
                                       "--organ", ARCHIVES)  # fmt: skip
    wait(lambda: g.trace_so_far(ARCHIVES, application_id),
         lambda es: any(e["type"] == "ConsultationRequestReceived" for e in es),
         "the archives bureau to receive the consultation")  # fmt: skip
    answer = ["consultation-answer", application_id, "--agency", ARCHIVES,
              "--from", NATURAL_RESOURCES, "--ref", consulted["ref"],
              "--answer", "consent"]  # fmt: skip
    assert g.denied(NATURAL_RESOURCES, *answer)  # only the archives bureau answers for itself
    g.on("2026-10-15").as_(ARCHIVES, *answer)
    # Paused 10/12-10/14 (3 working days): due 10/30 + 3 working days.
    clock = wait(lambda: g.status(NATURAL_RESOURCES, application_id)["clock"],
                 lambda c: c["status"] == "running" and c["paused_days"] == 3,
                 "the clock to run again")  # fmt: skip
    assert clock["due_on"] == "2026-11-04"

    # 11/5: nothing decided yet; overdue, and the bureau hears of it.
    g.on("2026-11-05")
    overdue = wait(lambda: g.trace(BUREAU, application_id),
                   lambda es: any(e["type"] == "OverdueReported" for e in es),
                   "the bureau to hear of the overdue application")  # fmt: skip
    reported = next(e for e in overdue if e["type"] == "OverdueReported")
    assert reported["data"] == {"agency": NATURAL_RESOURCES, "due_on": "2026-11-04"}

    # 11/6: partly disclosed, late.
    g.on("2026-11-06").as_(NATURAL_RESOURCES, "secrecy", application_id, "--result", "cleared")
    g.as_(NATURAL_RESOURCES, "decide", application_id, "--outcome", "partial",
          "--ground", "process_info", "--reason", "内部讨论稿不予公开")  # fmt: skip
    wait(lambda: g.status(NATURAL_RESOURCES, application_id), lambda s: s["state"] == "replied",
         "the reply")  # fmt: skip
    g.as_(NATURAL_RESOURCES, "deliver", application_id, "--method", "post")

    # The applicant complains to the supervision bureau.
    complaint = g.as_("portal", "complain", application_id, "--ground", "overdue",
                      "--text", "逾期答复，且部分不予公开理由不当")  # fmt: skip
    case = complaint["complaint_id"]
    assert complaint["against_agency"] == NATURAL_RESOURCES
    assert g.denied(NATURAL_RESOURCES, "case", "accept", case)  # no judge in its own cause

    # 11/9: the bureau accepts, investigates with the whole trace, upholds, orders rectification.
    g.on("2026-11-09").as_(BUREAU, "case", "accept", case)
    seen_by_bureau = len(g.trace(BUREAU, application_id))
    attached = g.as_(BUREAU, "case", "investigate", case)
    assert attached["state"] == "investigating"
    assert attached["trace_events"] >= seen_by_bureau > 30
    g.as_(BUREAU, "case", "find", case, "--upheld", "yes", "--reasons", "超过法定答复期限")
    ordered = g.as_(BUREAU, "case", "order", case, "--requirements", "重新审查并重新答复")
    order_id = ordered["order_id"]
    assert ordered["orders"][0]["answer_due"] == "2026-11-30"  # 15 working days after 11/9
    reopened = wait(lambda: g.status(NATURAL_RESOURCES, application_id),
                    lambda s: s["state"] == "reopened" and s["clock"]["status"] == "running"
                    and s["clock"]["started_on"] == "2026-11-09",
                    "the order to reopen the handling with a new clock")  # fmt: skip
    assert reopened["clock"]["due_on"] == "2026-12-07"

    # 11/12: the agency decides again, reissues the letter and answers the bureau.
    g.on("2026-11-12").as_(NATURAL_RESOURCES, "decide", application_id, "--outcome", "disclose")
    reissued = wait(lambda: g.as_(NATURAL_RESOURCES, "letter", application_id),
                    lambda r: r["state"] == "issued" and r["letter_number"].endswith("-2"),
                    "the second letter")  # fmt: skip
    assert reissued["outcome"] == "disclose"
    g.as_(NATURAL_RESOURCES, "deliver", application_id, "--method", "post")
    # 12/1: the answer date (11/30) passed unanswered; the bureau's tick records it.
    g.on("2026-12-01")
    late = wait(lambda: g.as_(BUREAU, "case", "show", case),
                lambda c: c["orders"][0]["answer_late"], "the late answer to be noted")  # fmt: skip
    assert late["orders"][0]["answer"] == ""
    assert g.hidden(MUNICIPAL, "rectify", application_id, "--order", order_id, "--text", "x")
    g.as_(NATURAL_RESOURCES, "rectify", application_id, "--order", order_id,
          "--text", "已重新审查并全部公开")  # fmt: skip
    wait(lambda: g.as_(BUREAU, "case", "show", case),
         lambda c: c["orders"][0]["answer"] == "已重新审查并全部公开",
         "the agency's answer to reach the bureau")  # fmt: skip
    g.as_(BUREAU, "case", "criticise", case, "--text", "对逾期答复予以通报批评")
    closed = g.as_(BUREAU, "case", "close", case, "--notice", "经督促，被投诉机关已重新答复")
    assert closed["state"] == "closed"
    assert closed["outcomes"] == ["rectification_order", "criticism"]

    # The trace from the bureau's side: every agency, in causal order (kept for reading).
    trace = g.trace(BUREAU, application_id)
    code, printed, _ = system.ogi("trace", application_id, env={"OGI_TOKEN": g.tokens[BUREAU]})
    assert code == 0 and len(printed.splitlines()) == 1 + len(trace)  # a heading, a line each
    (system.home / "bureau-trace.txt").write_text(printed, encoding="utf-8")
    assert {e["agency"] for e in trace} == {MUNICIPAL, NATURAL_RESOURCES, ARCHIVES, BUREAU}
    order = [e["type"] for e in trace]
    for earlier, later in [
        ("ApplicationReceived", "ApplicationForwarded"),
        ("ApplicationForwarded", "OrganConsultationStarted"),
        ("OrganConsultationStarted", "ConsultationRequestReceived"),
        ("ConsultationRequestReceived", "ConsultationAnswered"),
        ("ConsultationAnswered", "OrganAnswered"),
        ("ApplicationForwarded", "OverdueReported"),
        ("ComplaintFiled", "InvestigationTraceAttached"),
        ("RectificationOrdered", "HandlingReopened"),
        ("HandlingReopened", "ClockReopened"),
        ("RectificationOrdered", "RectificationAnswerOverdue"),
        ("RectificationAnswerOverdue", "RectificationAnswered"),
        ("RectificationAnswered", "RectificationAnswerReceived"),
        ("RectificationAnswerReceived", "ComplaintClosed"),
    ]:
        assert earlier in order and later in order, (earlier, later, order)
        assert order.index(earlier) < order.index(later), (earlier, later)
    receipts = [(e["agency"], i) for i, e in enumerate(trace) if e["type"] == "ApplicationReceived"]
    assert [agency for agency, _ in receipts] == [MUNICIPAL, NATURAL_RESOURCES]
    assert order.index("ApplicationForwarded") < receipts[1][1]
    acting = {e["actor"] for e in trace if e["type"] in ("ApplicationForwarded", "DecisionMade")}
    assert acting == {
        f"staff:{MUNICIPAL}-clerk@{MUNICIPAL}",
        f"staff:{NATURAL_RESOURCES}-clerk@{NATURAL_RESOURCES}",
    }
    # Each agency's staff sees its own part of the history only.
    assert {e["agency"] for e in g.trace(MUNICIPAL, application_id)} == {MUNICIPAL}
    assert {e["agency"] for e in g.trace(ARCHIVES, application_id)} == {ARCHIVES}


def test_a_complaint_about_an_agency_without_an_application(government: Government) -> None:
    g = government
    g.on("2026-12-02")
    filed = g.as_("portal", "complain", "--against", ARCHIVES,
                  "--ground", "failed_proactive_disclosure",
                  "--text", "馆藏开放档案目录未依法主动公开")  # fmt: skip
    case = filed["complaint_id"]
    assert case.startswith(f"{ARCHIVES}-C") and filed["application_id"] == ""
    g.as_(BUREAU, "case", "accept", case)
    g.as_(BUREAU, "case", "find", case, "--upheld", "yes", "--reasons", "目录未公开")
    g.as_(BUREAU, "case", "recommend", case, "--body", "市档案局党组", "--text", "建议追责")
    closed = g.as_(BUREAU, "case", "close", case, "--notice", "已建议有权机关处理")
    assert closed["state"] == "closed" and closed["outcomes"] == ["accountability"]
