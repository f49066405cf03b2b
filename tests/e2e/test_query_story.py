"""The query side end to end (issue 11): a staff member of the natural resources bureau opens
`ogi list` and sees the agency's work queue by due date with the days left in Chinese, an
application the municipal office forwarded among them; finds one application by its number and
another by two Chinese words of its description, and acts on them by number; the supervision
bureau lists its new complaint and the overdue report the reply clock sent it; after every read
model is dropped and rebuilt from the stream, the same answers come back.

One `ogi up` on its embedded servers, its legal day read from a file (OGI_TODAY_FILE) the story
moves on to make one application overdue; the CLI runs in the test's process. The views and the
number resolution on their own: tests/unit/test_cli_query.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from harness.ogisystem import OgiSystem, one_json, running_system

from ogi_platform.today import write_today_file

pytestmark = pytest.mark.long

MUNICIPAL = "municipal-office"
NATURAL_RESOURCES = "natural-resources-bureau"
BUREAU = "supervision-bureau"
OVERDUE = "2025年度全市矿产资源开采许可证发放清单"
BY_NUMBER = "某地块国有建设用地使用权出让合同"
BY_WORDS = "2025年度全市地下水超采区综合治理工作方案"
FORWARDED = "某片区控制性详细规划调整的批复文件"
T = TypeVar("T")


class Agencies:
    """The running system, its legal day, and a token for each person (the operator's is the
    one `ogi up` left in OGI_HOME)."""

    def __init__(self, system: OgiSystem, today: Path) -> None:
        self.system = system.cli()
        self.today = today
        self.tokens: dict[str, str] = {}
        for who, role, agency in [
            ("portal", "portal", ""),
            (MUNICIPAL, "staff", MUNICIPAL),
            (NATURAL_RESOURCES, "staff", NATURAL_RESOURCES),
            (BUREAU, "staff", BUREAU),
        ]:
            args = ["token", "issue", "--role", role, "--name", f"{who}-clerk"]
            issued = system.ogi_json(*args, *(["--agency", agency] if agency else []))
            self.tokens[who] = issued["token"]
        self.printed: list[str] = []

    def on(self, day: str) -> Agencies:
        write_today_file(self.today, day)
        return self

    def env(self, who: str) -> dict[str, str]:
        return {"OGI_TOKEN": self.tokens[who]} if who != "operator" else {}

    def json(self, who: str, *args: str) -> Any:
        code, out, err = self.system.ogi(*args, "--json", env=self.env(who))
        assert code == 0, f"{who}: `ogi {' '.join(args)}` exited {code}: {out!r} {err!r}"
        return one_json(out)

    def text(self, who: str, *args: str) -> str:
        """`ogi ARGS` as people read it (kept for the story's record)."""
        code, out, err = self.system.ogi(*args, env=self.env(who))
        assert code == 0, f"{who}: `ogi {' '.join(args)}` exited {code}: {out!r} {err!r}"
        self.printed.append(f"$ ogi {' '.join(args)}   # {who}\n{out}")
        return out

    def apply(self, agency: str, received_on: str, description: str) -> dict[str, Any]:
        applied: dict[str, Any] = self.json(
            "portal", "apply", "--agency", agency, "--name", "李四",
            "--applicant-type", "natural_person", "--id-doc", "110101199003071234",
            "--contact", "13900139000", "--received-on", received_on,
            "--description", description,
        )  # fmt: skip
        return applied


@pytest.fixture
def agencies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agencies]:
    """A system of the story's own (for its one test: a rerun starts on a fresh one, not on
    what the failed try left)."""
    base = tmp_path_factory.mktemp("query-story")
    today = base / "today"
    write_today_file(today, "2026-06-01")
    env = {"OGI_TODAY_FILE": str(today), "OGI_TICK_SECONDS": "0.3"}
    with running_system(base, env) as system:
        yield Agencies(system, today)


def steady(fetch: Callable[[], T], wait: Callable[..., T]) -> T:
    """What ``fetch`` answers twice in a row (events still in flight change it no more)."""
    seen: list[T] = [fetch()]

    def again(answer: T) -> bool:
        seen.append(answer)
        return seen[-2] == answer

    return wait(fetch, again, "the answers to settle")


def rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return list(answer["applications"])


def test_a_work_queue_by_due_date_lookups_by_number_and_words_the_bureaus_boards_rebuilt(
    agencies: Agencies,
) -> None:
    a, wait = agencies, agencies.system.wait_until
    nrb = NATURAL_RESOURCES

    # 6/1: applications received by the bureau in May, and one the municipal office forwards.
    overdue = a.on("2026-06-01").apply(nrb, "2026-05-06", OVERDUE)  # due 6/2
    # The number `ogi apply` printed works in the very next command (the read model waited for).
    status = a.json(nrb, "status", overdue["application_number"])
    assert status["application_id"] == overdue["application_id"]
    by_number = a.apply(nrb, "2026-05-25", BY_NUMBER)  # due 6/23
    by_words = a.apply(nrb, "2026-05-28", BY_WORDS)  # due 6/26
    forwarded = a.apply(MUNICIPAL, "2026-05-29", FORWARDED)
    wait(lambda: a.json(MUNICIPAL, "status", forwarded["application_id"])["state"],
         lambda state: state == "under_review", "the review at the municipal office")  # fmt: skip
    a.json(MUNICIPAL, "forward", forwarded["application_id"], "--to", nrb,
           "--reason", "控制性详细规划由市自然资源和规划局制作保存")  # fmt: skip

    # 6/4: the first one is past its due date; the reply clock tells the supervision bureau.
    a.on("2026-06-04")
    queue = wait(lambda: rows(a.json(nrb, "list", "--up-to-date")),
                 lambda found: len(found) == 4 and found[0]["overdue"]
                 and found[3]["forwarded_from"] == MUNICIPAL
                 and all(r["state"] == "under_review" and r["office"] and r["due_on"]
                         for r in found),
                 "the four under review in the work queue with their due dates, the first "
                 "overdue")  # fmt: skip
    assert [r["application_id"] for r in queue] == [
        overdue["application_id"], by_number["application_id"],
        by_words["application_id"], forwarded["application_id"],
    ]  # fmt: skip
    assert [r["due_on"] for r in queue] == ["2026-06-02", "2026-06-23", "2026-06-26", "2026-06-30"]
    assert [r.get("days_left") for r in queue] == [-2, 12, 15, 17]
    printed = a.text(nrb, "list").splitlines()
    assert printed[0] == "市自然资源和规划局；剩余工作日自2026年6月4日起算"
    assert "已逾期 2" in printed[2] and "2026年6月2日" in printed[2]
    assert "市人民政府办公室转来" in printed[5] and "2026年6月30日" in printed[5]
    assert printed[5].split()[0] == queue[3]["number"]  # the bureau's own number for it
    assert printed[5].split()[-2] == "17" and "共 4 件。" in printed
    second = a.json(nrb, "list", "--page-size", "3", "--page", "2")
    assert rows(second) == queue[3:] and second["total"] == 4 and not second["next_page_token"]
    first = a.text(nrb, "list", "--page-size", "3")
    assert "共 4 件，本页 3 件（第 1 页）。" in first and "（或 --page 2）。" in first

    # One by its number, one by two words of its description.
    number = by_number["application_number"]
    assert number.startswith("ZRZY-2026-")
    found = a.json(nrb, "find", number)["application"]
    assert found["application_id"] == by_number["application_id"]
    assert number in a.text(nrb, "find", number)
    searched = a.json(nrb, "find", "地下水", "治理")
    assert [r["application_id"] for r in rows(searched)] == [by_words["application_id"]]
    assert a.text(nrb, "find", "地下水", "治理").startswith("查找的词：地下水 治理\n")

    # Acting on them by number: a confidentiality review and a decision; the status.
    a.json(nrb, "secrecy", number, "--result", "cleared")
    decided = a.json(nrb, "decide", number, "--outcome", "disclose")
    assert decided["application_id"] == by_number["application_id"]
    assert "状态" in a.text(nrb, "status", by_words["application_number"])
    message = a.system.refused("status", "ZRZY-2026-09999", env=a.env(nrb))
    assert "申请编号 ZRZY-2026-09999 不存在" in message

    # The applicant complains of the overdue one; the supervision bureau's boards.
    a.json("portal", "complain", overdue["application_id"], "--ground", "overdue",
           "--text", "申请已逾期，至今未收到答复", "--complainant", "李四")  # fmt: skip
    cases = wait(lambda: a.json(BUREAU, "case", "list", "--state", "received")["cases"],
                 lambda found: len(found) == 1, "the complaint in the bureau's list")  # fmt: skip
    assert cases[0]["application_number"] == overdue["application_number"]
    assert "逾期未答复" in a.text(BUREAU, "case", "list")
    reports = wait(lambda: a.json(BUREAU, "overdue")["reports"], lambda found: len(found) == 1,
                   "the overdue report to reach the bureau's read model")  # fmt: skip
    assert reports[0]["number"] == overdue["application_number"]
    assert reports[0]["due_on"] == "2026-06-02"
    assert "2026年6月2日" in a.text(BUREAU, "overdue")
    figures = {f["agency"]: f for f in a.json(BUREAU, "figures")["agencies"]}
    assert (figures[nrb]["open"], figures[nrb]["overdue"]) == (4, 1)
    assert "市自然资源和规划局" in a.text(BUREAU, "figures")
    assert "没有其他机关征求意见。" in a.text(nrb, "consultations")
    mine = rows(a.json(nrb, "overdue"))
    assert [r["application_id"] for r in mine] == [overdue["application_id"]]
    assert "已逾期 2" in a.text(nrb, "overdue")

    # The answers once every event has been applied (the decision's letter included) ...
    def answers() -> dict[str, Any]:
        return {
            "list": a.json(nrb, "list", "--all", "--up-to-date"),
            "number": a.json(nrb, "find", number),
            "words": a.json(nrb, "find", "地下水", "治理"),
            "cases": a.json(BUREAU, "case", "list"),
            "reports": a.json(BUREAU, "overdue"),
            "mine": a.json(nrb, "overdue"),
        }

    wait(answers, lambda seen: seen["number"]["application"]["letter_number"] != "",
         "the decision's letter to reach the read model")  # fmt: skip
    before = steady(answers, wait)

    # ... come back the same after every read model is dropped and rebuilt from the stream.
    rebuilt = a.json("operator", "query", "rebuild")["rebuilt"]
    assert {r["agency"] for r in rebuilt} >= {NATURAL_RESOURCES, BUREAU}
    assert all(r["events_applied"] > 0 for r in rebuilt if r["agency"] != "archives-bureau")
    assert "已重建读模型" in a.text("operator", "query", "rebuild", "--agency", nrb)
    assert answers() == before
    print("\n".join(a.printed))  # the story's record (pytest -s shows it)
