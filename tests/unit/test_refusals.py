"""A refusal in Chinese for people, its code for programs: one catalogue for the command line
and the web pages (ogi_law.refusals), which holds every refusal the code raises."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ogi_cli.main import main
from ogi_law.refusals import MESSAGES, field_reason, in_chinese, refusal_line, status_title

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = {
    "DomainError",
    "InvalidInput",
    "IllegalStep",
    "NotFound",
    "PermissionDenied",
    "Unauthenticated",
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def wording(node: ast.expr) -> str | None:
    """A message as the code writes it, any value in it as ``x`` (None: not written there)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "x" for v in node.values)
    return None


def raised_wordings() -> Iterator[tuple[str, str]]:
    """Where each refusal is raised in the code, and its wording (the reason, for bad input)."""
    for folder in ("libs", "services", "cli", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            if "_pb2" in path.name or ".egg-info" in str(path):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                    continue
                called = node.exc.func
                name = getattr(called, "id", None) or getattr(called, "attr", None)
                if name not in REFUSALS or not node.exc.args:
                    continue
                written = wording(node.exc.args[1 if name == "InvalidInput" else 0])
                if written is not None:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", written


def test_every_refusal_the_code_raises_reads_in_chinese() -> None:
    wordings = list(raised_wordings())
    assert len(wordings) > 150
    missing = [
        f"{where}: {text}"
        for where, text in wordings
        if not CHINESE.search(text) and in_chinese(text) is None
    ]
    assert not missing, "not in ogi_law/refusals.py MESSAGES:\n" + "\n".join(missing)


def test_each_chinese_wording_puts_in_only_values_its_english_one_has() -> None:
    for english, chinese in MESSAGES:
        names = set(re.findall(r"\{(\w+)\}", english))
        assert set(re.findall(r"\{(\w+)\}", chinese)) <= names, english
        assert CHINESE.search(chinese), english


def test_a_wording_reads_in_the_catalogues_words_with_its_values() -> None:
    assert refusal_line("INVALID_ARGUMENT", "description: is required", "description") == (
        "填写的内容有误（INVALID_ARGUMENT）：description：此项必填"
    )
    assert field_reason("applicant.name: is longer than 200 characters", "applicant.name") == (
        "不能超过 200 个字"
    )
    # The more particular of two wordings that could both fit.
    assert in_chinese("application A1 is already with 信息公开办") == "申请 A1 已在 信息公开办 办理"
    # Codes of a vocabulary read by their labels.
    assert in_chinese("application A1 is closed") == "申请 A1 当前为“已办结”，不能办理这一步"
    assert in_chinese("'partial' needs at least one exemption ground") == (
        "“部分公开”须选择至少一项不予公开的理由和依据"
    )
    assert in_chinese("staff may not list applications") == "机关工作人员无权查看申请列表"
    assert in_chinese("application A1 is lost") == "申请 A1 当前为“lost”，不能办理这一步"
    assert (
        refusal_line("NOT_FOUND", "application 7 not found") == "没有找到（NOT_FOUND）：没有申请 7"
    )


def test_a_wording_not_in_the_catalogue_keeps_the_services_words_after_a_chinese_lead() -> None:
    assert (
        field_reason("items[1]: rhymes with orange", "items[1]") == "不符合要求：rhymes with orange"
    )
    assert refusal_line("ABORTED", "the moon is down") == "办理未成功（ABORTED）：the moon is down"
    assert status_title("ABORTED") == "办理未成功"


def test_the_command_line_tells_people_in_chinese_and_programs_by_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["due", "--received-on", "2026-13-01"]) == 2
    assert capsys.readouterr().err == (
        "ogi：填写的内容有误（INVALID_ARGUMENT）：received_on："
        "'2026-13-01' 不是日期（格式为 YYYY-MM-DD）\n"
    )
    assert main(["due", "--received-on", "2026-13-01", "--json"]) == 2
    assert json.loads(capsys.readouterr().out) == {
        "error": "INVALID_ARGUMENT: received_on: '2026-13-01' is not a date (YYYY-MM-DD)"
    }
