"""`--help` in Chinese: the formatter, and the lists of valid values with their legal meaning.

The lists come from the catalogue (ogi_law.labels), plain dicts cheap to read on every parse.
The agencies come from the registry, whose YAML is read only when a help text is printed: a
help text names them by the markers ``AGENCIES`` or ``BUREAUS``, which the formatter fills in.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from typing import Any

from ogi_cli.cjk import pad, width, wrap

AGENCIES = "{agencies}"
BUREAUS = "{bureaus}"
#: Continuation lines of a listed value are indented this much more than its first line.
HANGING = 4
#: The widest listed line whose meaning stands in a column (an 80-column help's text).
ALIGNED = 52
#: Options whose value is a code of a listed vocabulary.
CODED = (
    "outcome ground form channel applicant_type method result kind answer role service format"
    " state waiting sort"
)
#: What an option's value is, by its destination (``--on 日期``); any other is 文字 (text).
METAVARS = {
    **dict.fromkeys(
        ("on", "received_on", "due", "notified_on", "received_from", "received_to", "since"),
        "日期",
    ),
    **dict.fromkeys(
        ("days", "working_days", "period", "pages", "copies", "year", "due_within", "page"),
        "数",
    ),
    "page_size": "件数",
    "page_token": "标记",
    **dict.fromkeys(("agency", "to", "against", "bureau", "from_agency"), "机关"),
    **dict.fromkeys(CODED.split(), "代码"),
    **dict.fromkeys(("out", "html"), "文件"),
    **dict.fromkeys(("data", "data_dir"), "目录"),
    **dict.fromkeys(("url", "database_url", "address"), "地址"),
    **dict.fromkeys(("ref", "order"), "编号"),
}


def choices(values: Mapping[str, str], indent: str = "  ") -> str:
    """One line per value: its code, then its meaning (``  disclose  予以公开（第三十六条…）``),
    the meanings in a column when every line then fits the help of an 80-column terminal."""
    column = max(len(code) for code in values)
    column = column if column + 2 + max(map(width, values.values())) <= ALIGNED else 0
    return "\n".join(f"{indent}{code.ljust(column)}  {meaning}" for code, meaning in values.items())


def listed(intro: str, values: Mapping[str, str]) -> str:
    """A help text: what the option is, then every value it takes."""
    return f"{intro}：\n{choices(values)}"


def _agencies(bureaus_only: bool) -> str:
    from ogi_cli.registry import registry

    found: Iterable[Any] = registry().all()
    if bureaus_only:
        found = [a for a in found if a.kind == "supervision_bureau"]
    return choices({a.code: a.name for a in found})


class ChineseHelp(argparse.HelpFormatter):
    """Help laid out for Chinese text: 用法 for usage, line breaks kept (one listed value a
    line), lines wrapped by display width, the agencies filled in when the help is printed."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[Any],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is not argparse.SUPPRESS:
            actions = [action, *self._iter_indented_subactions(action)]
            longest = max(width(self._format_action_invocation(a)) for a in actions)
            self._action_max_length = max(self._action_max_length, longest + self._current_indent)
            self._add_item(self._format_action, [action])

    def _format_action(self, action: argparse.Action) -> str:
        """As argparse lays out an option and its help, counting display width, not length."""
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = " " * self._current_indent + self._format_action_invocation(action)
        helps = (
            self._split_lines(self._expand_help(action), help_width)
            if action.help and action.help.strip()
            else []
        )
        if helps and width(header) <= action_width + self._current_indent:
            parts = [f"{pad(header, help_position)}{helps[0]}\n"]
            helps = helps[1:]
        else:
            parts = [f"{header}\n"]
        parts += [f"{' ' * help_position}{line}\n" for line in helps]
        parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return METAVARS.get(action.dest, "文字")

    def _expand_help(self, action: argparse.Action) -> str:
        text = super()._expand_help(action)
        if AGENCIES in text:
            text = text.replace(AGENCIES, _agencies(bureaus_only=False))
        if BUREAUS in text:
            text = text.replace(BUREAUS, _agencies(bureaus_only=True))
        return text

    def _split_lines(self, text: str, width: int) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            indent = len(paragraph) - len(paragraph.lstrip(" "))
            lines += wrap(paragraph, width, indent + HANGING if indent else 0)
        return lines

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))
