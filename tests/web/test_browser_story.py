"""The whole story through the pages, in headless Chromium: an applicant applies (on a phone)
and gets a number; staff find it in the queue, consult a third party, extend, decide partial
disclosure, print the letter and deliver it; the applicant sees the reply and complains; the
bureau accepts, investigates on the timeline, orders rectification; the agency answers; the
bureau closes. Then the refusals: a bad form, staff of another agency, wrong identity digits, a
forged post without its CSRF token. Screenshots of the main pages go to .screenshots/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from browsing import PASSWORD, SCREENSHOTS
from harness.ogisystem import OgiSystem

DIGITS = "7777"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def story() -> dict[str, str]:
    """What the story's steps hand each other (the number, the ids)."""
    return {}


def context(browser: Any, **options: Any) -> Any:
    made = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    made.set_default_timeout(20_000)
    return made


@pytest.fixture
def pages(browser: Any) -> Iterator[Any]:
    """New pages, each in a context (cookies) of its own; closed after the test."""
    made: list[Any] = []

    def new(**options: Any) -> Any:
        made.append(context(browser, **(DESK | options)))
        return made[-1].new_page()

    yield new
    for each in made:
        each.close()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def until(page: Any, selector: str, timeout: float = 25.0) -> Any:
    """Reload until ``selector`` is on the page (what the bus carries arrives a moment later)."""
    deadline = time.monotonic() + timeout
    while page.locator(selector).count() == 0:
        assert time.monotonic() < deadline, f"{selector} never appeared on {page.url}"
        time.sleep(0.3)
        page.reload()
    return page.locator(selector).first


def sign_in(page: Any, web: str, name: str) -> None:
    page.goto(f"{web}/staff/signin")
    page.fill("#f-username", name)
    page.fill("#f-password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{web}/staff/")


def act(page: Any, action: str, fill: dict[str, str], done: str = "已办理") -> None:
    """Open the case file's form of ``action``, fill it in, submit it, and see it done."""
    page.click(f"#action-{action} > summary")
    form = page.locator(f"#form-{action}")
    for selector, value in fill.items():
        target = form.locator(selector)
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        elif target.get_attribute("type") in ("radio", "checkbox"):
            target.check()
        else:
            target.fill(value)
    form.locator("button[type=submit]").click()
    assert done in page.locator(".notice").inner_text(), page.content()


def apply(page: Any, web: str, description: str) -> str:
    page.goto(f"{web}/apply")
    page.select_option("#f-agency", "municipal-office")
    page.fill("#f-applicant-name", "张三")
    page.select_option("#f-applicant-type", "natural_person")
    page.fill("#f-applicant-id_doc", f"11010119900307{DIGITS}")
    page.fill("#f-applicant-contact", "13800138000")
    page.fill("#f-description", description)
    shot(page, "portal-apply")
    page.click("button:has-text('提交申请')")
    return str(page.inner_text("#application-number")).strip()


def test_the_story_through_the_pages(
    system: OgiSystem, web: str, pages: Any, story: dict[str, str]
) -> None:
    # The applicant applies on a phone and gets a number.
    applicant = pages(**PHONE)
    number = apply(applicant, web, "2023年度本市财政预算执行情况及相关合同")
    assert number.startswith("SZFB-")
    assert applicant.title() == "申请已提交 - 政府信息公开"
    shot(applicant, "portal-receipt")
    story["number"] = number

    # Staff find it in the queue, due date first with the days left.
    clerk = pages()
    sign_in(clerk, web, "王五")
    row = until(clerk, f"#queue tr:has-text('{number}')")
    assert "剩余 20 个工作日" in row.inner_text()
    shot(clerk, "staff-queue")
    row.locator("a").click()
    story["application_id"] = clerk.url.rsplit("/", 1)[1]

    # Consult a third party (the clock pauses), record its refusal, extend.
    act(clerk, "consult", {"input[value=third_party]": "", "#f-party": "某某工程有限公司"})
    assert "TP-1" in clerk.locator(".notice").inner_text()
    until(clerk, "#clock:has-text('征求意见期间暂停计时')")
    act(clerk, "answer", {"#f-answer": "refusal", "#f-reasons": "涉及本公司商业秘密"})
    act(clerk, "extend", {"#f-working_days": "10", "#f-approved_by": "李主任",
                          "#f-reason": "需要征求第三方意见并检索较多合同"})  # fmt: skip
    until(clerk, "#clock:has-text('含延长 10 个工作日')")

    # Decide partial disclosure, the statutory wording previewed as it is chosen.
    act(clerk, "secrecy", {"input[value=cleared]": ""})
    clerk.click("#action-decide > summary")
    clerk.select_option("#form-decide #f-outcome", "partial")
    clerk.check("#form-decide input[value=third_party]")
    preview = clerk.locator("#decision-preview")
    preview.filter(has_text="第三十七条").filter(has_text="涉及商业秘密").wait_for()
    clerk.fill("#form-decide #f-reason", "合同中的报价部分涉及第三方商业秘密，不予公开")
    shot(clerk, "staff-decide")
    clerk.click("#form-decide button[type=submit]")
    assert "已办理" in clerk.locator(".notice").inner_text()

    # Print the letter, then deliver it.
    until(clerk, "#action-print")
    act_print = clerk.locator("#form-print")
    clerk.click("#action-print > summary")
    act_print.locator("button[type=submit]").click()
    clerk.wait_for_url(f"**/{story['application_id']}/letter")
    assert "答复书" in clerk.content() and "第三十七条" in clerk.content()
    shot(clerk, "staff-letter")
    clerk.goto(f"{web}/staff/applications/{story['application_id']}")
    act(clerk, "deliver", {"#f-method": "online"})
    shot(clerk, "staff-casefile")

    # The applicant sees the reply and complains.
    applicant.goto(f"{web}/lookup")
    applicant.fill("#f-number", number)
    applicant.fill("#f-digits", DIGITS)
    applicant.click("button:has-text('查询')")
    assert "部分公开" in applicant.locator("#notices").inner_text()
    assert "延长答复期限告知书" in applicant.locator("#notices").inner_text()
    shot(applicant, "portal-status")
    applicant.select_option("#f-ground", "unlawful_refusal")
    applicant.fill("#f-text", "报价不属于商业秘密，部分公开违法")
    applicant.fill("#f-contact", "13800138000")
    applicant.click("button:has-text('提交投诉')")
    complaint_id = applicant.inner_text("#complaint-id").strip()

    # The bureau accepts, investigates on the timeline, orders rectification.
    bureau = pages()
    sign_in(bureau, web, "赵六")
    bureau.goto(f"{web}/bureau/")
    row = until(bureau, f"#cases tr:has-text('{complaint_id}')")
    assert "新投诉" in row.inner_text()
    shot(bureau, "bureau-cases")
    row.locator("a").click()
    bureau_step(bureau, "accept", {"#f-note": "依第五十一条受理"})
    bureau_step(bureau, "investigate", {})
    timeline = bureau.locator("#timeline").inner_text()
    assert "书面征求第三方意见" in timeline or "征求" in timeline, timeline
    bureau_step(
        bureau, "find", {"input[value=yes]": "", "#f-reasons": "报价已公开招标，不属商业秘密"}
    )
    bureau_step(bureau, "order", {"#f-requirements": "重新审查报价部分并重新答复"})
    shot(bureau, "bureau-case")

    # The agency answers the order; the bureau closes the case.
    clerk.goto(f"{web}/staff/applications/{story['application_id']}")
    until(clerk, "#action-rectify")
    act(clerk, "rectify", {"#f-text": "已重新审查，报价部分予以公开"})
    bureau.goto(f"{web}/bureau/cases/{complaint_id}")
    until(bureau, "#decisions td:has-text('已重新审查')")
    bureau_step(bureau, "close", {"#f-notice": "经督促整改，机关已重新答复"})
    assert "已办结" in bureau.locator("h1").inner_text()

    # The bureau's boards and the annual report, viewed and downloaded.
    bureau.goto(f"{web}/bureau/overdue")
    assert bureau.title() == "逾期情况 - 政府信息公开"
    shot(bureau, "bureau-overdue")
    year = system.today().year
    bureau.goto(f"{web}/bureau/reports?agency=municipal-office&year={year}")
    shot(bureau, "bureau-report")
    download = bureau.request.get(f"{web}/bureau/reports/municipal-office/{year}/csv")
    assert download.ok and "attachment" in download.headers["content-disposition"]


def bureau_step(page: Any, step: str, fill: dict[str, str]) -> None:
    page.click(f"#step-{step} > summary")
    form = page.locator(f"#form-{step}")
    for selector, value in fill.items():
        target = form.locator(selector)
        if target.get_attribute("type") == "radio":
            target.check()
        else:
            target.fill(value)
    form.locator("button[type=submit]").click()
    assert "已办理" in page.locator(".notice").inner_text(), page.content()


def test_the_refusals(web: str, pages: Any, story: dict[str, str]) -> None:
    applicant = pages(**PHONE)
    # A bad form: every refusal beside its field, in Chinese.
    applicant.goto(f"{web}/apply")
    applicant.fill("#f-applicant-name", "张三")
    applicant.click("button:has-text('提交申请')")
    assert applicant.locator(".field.invalid").count() >= 4
    assert "此项必填" in applicant.locator(".field.invalid").first.inner_text()
    assert applicant.input_value("#f-applicant-name") == "张三"
    shot(applicant, "portal-apply-refused")

    # Wrong identity digits: the same answer as for a number that does not exist.
    applicant.goto(f"{web}/lookup")
    applicant.fill("#f-number", story["number"])
    applicant.fill("#f-digits", "0000")
    applicant.click("button:has-text('查询')")
    assert "申请编号或证件号码后几位不正确" in applicant.content()
    assert story["number"] not in applicant.url and "0000" not in applicant.url

    # A forged post without its CSRF token, with the session's cookie.
    forged = applicant.request.post(f"{web}/lookup", form={"number": story["number"],
                                                            "digits": DIGITS})  # fmt: skip
    assert forged.status == 403 and "表单已失效" in forged.text()

    # A staff member of another agency: the application is not theirs to see or act on.
    other = pages()
    sign_in(other, web, "钱七")
    other.goto(f"{web}/staff/applications/{story['application_id']}")
    assert other.title().startswith("没有找到")
    csrf = other.locator("input[name=csrf]").first.get_attribute("value")
    acted = other.request.post(
        f"{web}/staff/applications/{story['application_id']}/actions/withdraw",
        form={"csrf": str(csrf), "reason": "冒名撤回"},
    )
    assert acted.status == 404 and "没有找到" in acted.text()
    shot(other, "staff-refused")
