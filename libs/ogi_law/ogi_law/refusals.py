"""A refusal in Chinese: what a status code means for the person who asked, and the reason, in
the catalogue's words where it is a common one (the service's own words otherwise). One
catalogue for the command line and the web pages; ``--json`` and the APIs keep the codes."""

from __future__ import annotations

import re

#: What a status code means for the person who asked.
STATUS_TITLES = {
    "INVALID_ARGUMENT": "填写的内容有误",
    "NOT_FOUND": "没有找到",
    "FAILED_PRECONDITION": "当前状态下不能办理这一步",
    "PERMISSION_DENIED": "无权办理",
    "UNAUTHENTICATED": "请重新登录",
    "UNAVAILABLE": "系统暂时无法访问",
    "DEADLINE_EXCEEDED": "系统响应超时",
}
#: A refusal whose code is none of those.
OTHER_TITLE = "办理未成功"

_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^is required\b"), "此项必填"),
    (re.compile(r"^is longer than (\d+) characters"), "不能超过 {0} 个字"),
    (re.compile(r"is not one of"), "请从所列选项中选择"),
    (re.compile(r"is not a date|YYYY-MM-DD"), "日期格式应为 YYYY-MM-DD"),
    (re.compile(r"is in the future"), "不能晚于今天"),
    (re.compile(r"needs at least one exemption ground"), "须选择至少一项不予公开的理由和依据"),
)


def status_title(code: str) -> str:
    return STATUS_TITLES.get(code, OTHER_TITLE)


def reason_in_chinese(reason: str) -> str | None:
    """The catalogue's words for a common reason a field is refused (None: not a common one)."""
    for pattern, chinese in _REASONS:
        found = pattern.search(reason)
        if found:
            return chinese.format(*found.groups())
    return None


def field_reason(message: str, field: str) -> str:
    """Why ``field`` was refused, from the service's ``message`` ("<field>: <reason>"): in the
    catalogue's words where it is a common reason, else its own after a Chinese lead."""
    reason = message.removeprefix(f"{field}: ")
    return reason_in_chinese(reason) or f"不符合要求：{reason}"


def refusal_line(code: str, message: str, field: str = "") -> str:
    """One line for a person: the code's meaning (the code beside it, to look up), then the
    field and why, or the service's words."""
    detail = f"{field}：{field_reason(message, field)}" if field else message
    return f"{status_title(code)}（{code}）：{detail}"
