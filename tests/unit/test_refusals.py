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
from ogi_law.labels import FIELDS
from ogi_law.refusals import (
    MESSAGES,
    field_label,
    field_reason,
    in_chinese,
    refusal_detail,
    refusal_line,
    status_title,
)

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


def parsed_sources() -> Iterator[tuple[Path, ast.Module]]:
    """Every hand-written Python file of the code (not the tests), parsed."""
    for folder in ("libs", "services", "cli", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            if "_pb2" not in path.name and ".egg-info" not in str(path):
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def raised_wordings() -> Iterator[tuple[str, str]]:
    """Where each refusal is raised in the code, and its wording (the reason, for bad input)."""
    for path, tree in parsed_sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            called = node.exc.func
            name = getattr(called, "id", None) or getattr(called, "attr", None)
            if name not in REFUSALS or not node.exc.args:
                continue
            written = wording(node.exc.args[1 if name == "InvalidInput" else 0])
            if written is not None:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", written


#: Functions that refuse a field whose name they are given (as ``field``): where it is among
#: their arguments (``InvalidInput`` takes it first too; ``get``: an agency registry's, as
#: ``_a_registry`` tells).
NAMING = dict.fromkeys(
    ("InvalidInput", "parse_date", "not_in_future", "day_from_input", "required_text", "choose",
     "_text", "countable", "states_of", "optional_date", "_not_before_receipt", "output_file",
     "write_file", "whole_setting", "seconds_setting"),
    0,
) | {"checked_application_id": 1, "get": 1, "unit": 2, "reader": 2}  # fmt: skip


def named_fields() -> Iterator[tuple[str, str]]:
    """Where the code names a field it refuses (a function of ``NAMING``), and the field's
    name."""
    for path, tree in parsed_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            at = NAMING.get(name or "")
            if at is None or (name == "get" and not _a_registry(node.func)):
                continue
            given = [k.value for k in node.keywords if k.arg == "field"] + node.args[at : at + 1]
            for argument in given:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", argument.value


def _a_registry(called: ast.expr) -> bool:
    """Whether ``called`` is a method of an agency registry (``self.runtime.registry.get``)."""
    receiver = getattr(called, "value", None)
    return (getattr(receiver, "id", None) or getattr(receiver, "attr", "")) == "registry"


def request_fields() -> Iterator[str]:
    """Every field of every request the services take, nested ones by their path."""
    from google.protobuf.descriptor import Descriptor, FieldDescriptor
    from ogi.v1 import (
        complaint_pb2,
        history_pb2,
        intake_pb2,
        query_pb2,
        reply_pb2,
        report_pb2,
        review_pb2,
        routing_pb2,
    )

    def fields(message: Descriptor, prefix: str) -> Iterator[str]:
        for field in message.fields:
            yield prefix + field.name
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                yield from fields(field.message_type, f"{prefix}{field.name}.")

    modules = [intake_pb2, routing_pb2, review_pb2, reply_pb2, complaint_pb2]
    modules += [query_pb2, report_pb2, history_pb2]
    for module in modules:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                yield from fields(method.input_type, "")


def test_every_field_a_refusal_may_name_has_a_label() -> None:
    named = list(named_fields())
    assert len(named) > 80
    requests = set(request_fields())
    assert {"applicant.name", "received_on", "items"} <= requests
    missing = [f"{where}: {field}" for where, field in named if field_label(field) == field]
    missing += [f"a request's {field}" for field in sorted(requests) if field not in FIELDS]
    assert not missing, "not in ogi_law/labels.py FIELDS:\n" + "\n".join(missing)


def test_a_field_reads_by_its_label_with_its_place_in_a_list() -> None:
    assert field_label("received_on") == "收到申请之日"
    assert field_label("applicant.name") == "申请人姓名或者名称"
    assert field_label("states[0]") == "状态（第 1 项）"
    assert field_label("items[2].text") == "补正事项（第 3 项）内容"
    assert field_label("moon") == "moon"
    assert field_label("items[0].moon") == "items[0].moon"
    # Pages show no codes; the command line shows the field's code beside its label.
    assert refusal_detail("applicant.name: is required", "applicant.name") == (
        "申请人姓名或者名称：此项必填"
    )
    assert refusal_detail("moon: is required", "moon", with_code=True) == "moon：此项必填"


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
        "填写的内容有误（INVALID_ARGUMENT）：申请公开的政府信息的描述（description）：此项必填"
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
        "ogi：填写的内容有误（INVALID_ARGUMENT）：收到申请之日（received_on）："
        "'2026-13-01' 不是日期（格式为 YYYY-MM-DD）\n"
    )
    assert main(["due", "--received-on", "2026-13-01", "--json"]) == 2
    assert json.loads(capsys.readouterr().out) == {
        "error": "INVALID_ARGUMENT: received_on: '2026-13-01' is not a date (YYYY-MM-DD)"
    }
