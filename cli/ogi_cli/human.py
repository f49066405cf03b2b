"""How a command's result reads without --json: Chinese field names, codes as the catalogue's
terms (ogi_law.labels), dates as 2026年12月18日, agencies by name, lists as aligned tables.

A view is a sequence of fields (one line each, left out when empty) and of row lists (a table
under a heading). --json prints the result itself, codes and all; this is for people only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ogi_cli.cjk import pad, table, width
from ogi_cli.registry import agency_name
from ogi_law.dates import chinese_date
from ogi_law.labels import label

Show = Callable[[Any], str]


@dataclass(frozen=True)
class Field:
    """One line: the value at ``key`` (a dotted path) under a Chinese ``name``."""

    key: str
    name: str
    show: Show = str


@dataclass(frozen=True)
class Rows:
    """A list of records at ``key``, as a table headed ``name`` with these columns."""

    key: str
    name: str
    columns: tuple[Field, ...]


View = Sequence[Field | Rows]


def value_at(result: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted path (``applicant.name``); None where the path leads nowhere."""
    value: Any = result
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def empty(value: Any) -> bool:
    """Nothing to say: no value, an empty text or list, false, or zero."""
    return value is None or value is False or value in ("", 0) or value == [] or value == {}


def date(value: Any) -> str:
    return chinese_date(str(value))


def agency(value: Any) -> str:
    """An agency by name with its code, which commands take: 市档案局（archives-bureau）."""
    name = agency_name(str(value))
    return name if name == value else f"{name}（{value}）"


def term(vocabulary: Mapping[str, str]) -> Show:
    """A code as the vocabulary's term."""
    return lambda value: label(vocabulary, str(value))


def each(show: Show, separator: str = "；") -> Show:
    """Every item of a list, shown and joined."""
    return lambda values: separator.join(show(v) for v in values)


def numbered(values: Any) -> str:
    return "\n".join(f"{n}. {v}" for n, v in enumerate(values, 1))


def yes(value: Any) -> str:
    return "是" if value else "否"


def working_days(value: Any) -> str:
    return f"{value} 个工作日"


def lines(pairs: Sequence[tuple[str, str]]) -> str:
    """``name  value`` lines, values aligned in one column (continuation lines too)."""
    if not pairs:
        return ""
    column = max(width(name) for name, _ in pairs) + 2
    out = []
    for name, text in pairs:
        first, *rest = text.split("\n")
        out.append((pad(name, column) + first).rstrip())
        out += [(" " * column + line).rstrip() for line in rest]
    return "\n".join(out) + "\n"


def rows_table(records: Sequence[Mapping[str, Any]], columns: Sequence[Field]) -> str:
    """Records as a table, one column per field (empty cells for empty values)."""
    cells = [
        ["" if empty(value_at(r, c.key)) else c.show(value_at(r, c.key)) for c in columns]
        for r in records
    ]
    return table([c.name for c in columns], cells)


def render(result: Mapping[str, Any], view: View) -> str:
    """The result as the view lays it out: its fields, then its tables."""
    pairs = [
        (f.name, f.show(value_at(result, f.key)))
        for f in view
        if isinstance(f, Field) and not empty(value_at(result, f.key))
    ]
    text = lines(pairs)
    for rows in (r for r in view if isinstance(r, Rows)):
        records = value_at(result, rows.key) or []
        if records:
            indented = "".join(
                f"  {line}\n" for line in rows_table(records, rows.columns).split("\n")[:-1]
            )
            text += f"{rows.name}：\n{indented}"
    return text
