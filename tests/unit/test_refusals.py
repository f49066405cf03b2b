"""A refusal in Chinese for people, its code for programs: one catalogue for the command line
and the web pages (ogi_law.refusals)."""

from __future__ import annotations

import json

import pytest

from ogi_cli.main import main
from ogi_law.refusals import field_reason, refusal_line, status_title


def test_a_common_reason_reads_in_the_catalogues_words() -> None:
    assert refusal_line("INVALID_ARGUMENT", "description: is required", "description") == (
        "填写的内容有误（INVALID_ARGUMENT）：description：此项必填"
    )
    assert field_reason("applicant.name: is longer than 200 characters", "applicant.name") == (
        "不能超过 200 个字"
    )


def test_another_reason_keeps_the_services_words_after_a_chinese_lead() -> None:
    assert field_reason("items[1]: holds the control character U+0007", "items[1]") == (
        "不符合要求：holds the control character U+0007"
    )
    assert refusal_line("NOT_FOUND", "application 7 not found") == (
        "没有找到（NOT_FOUND）：application 7 not found"
    )
    assert status_title("ABORTED") == "办理未成功"


def test_the_command_line_tells_people_in_chinese_and_programs_by_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["due", "--received-on", "2026-13-01"]) == 2
    assert capsys.readouterr().err == (
        "ogi：填写的内容有误（INVALID_ARGUMENT）：received_on：日期格式应为 YYYY-MM-DD\n"
    )
    assert main(["due", "--received-on", "2026-13-01", "--json"]) == 2
    assert json.loads(capsys.readouterr().out) == {
        "error": "INVALID_ARGUMENT: received_on: '2026-13-01' is not a date (YYYY-MM-DD)"
    }
