"""Errors as pages: what went wrong in Chinese, with the service's own words where it gave some.

A service's refusal of bad input names a field: the form shows the message beside it
(``field_message``); any other refusal is a page of its own (``PageError``).
"""

from __future__ import annotations

import re

from ogi_web.backend import ServiceError

#: What a status code means for the person using the page.
CODE_TITLES = {
    "INVALID_ARGUMENT": "填写的内容有误",
    "NOT_FOUND": "没有找到",
    "FAILED_PRECONDITION": "当前状态下不能办理这一步",
    "PERMISSION_DENIED": "无权办理",
    "UNAUTHENTICATED": "请重新登录",
    "UNAVAILABLE": "系统暂时无法访问",
    "DEADLINE_EXCEEDED": "系统响应超时",
}
STATUS = {"NOT_FOUND": 404, "PERMISSION_DENIED": 403, "UNAUTHENTICATED": 401}

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^is required\b"), "此项必填"),
    (re.compile(r"^is longer than (\d+) characters"), "不能超过 {0} 个字"),
    (re.compile(r"is not one of"), "请从所列选项中选择"),
    (re.compile(r"is not a date|YYYY-MM-DD"), "日期格式应为 YYYY-MM-DD"),
    (re.compile(r"is in the future"), "不能晚于今天"),
    (re.compile(r"needs at least one exemption ground"), "须选择至少一项不予公开的理由和依据"),
)


class PageError(Exception):
    """An error shown as a page of its own, with its HTTP status."""

    def __init__(self, status: int, title: str, message: str = "") -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.message = message

    @classmethod
    def of(cls, error: ServiceError) -> PageError:
        title = CODE_TITLES.get(error.code, "办理未成功")
        return cls(
            STATUS.get(error.code, 409 if error.code != "UNAVAILABLE" else 503),
            title,
            error.message,
        )


def field_message(error: ServiceError) -> str:
    """The service's complaint about a field in Chinese where it is a common one, else its own
    words after a Chinese lead."""
    text = error.message.removeprefix(f"{error.field}: ")
    for pattern, chinese in _PATTERNS:
        found = pattern.search(text)
        if found:
            return chinese.format(*found.groups())
    return f"不符合要求：{text}"
