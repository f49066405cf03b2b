"""Pages of a sorted list: the page token is the sort key of the last row given (keyset paging),
so a page costs the same however deep it is and rows added meanwhile do not shift it."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from ogi_errors import InvalidInput

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Order:
    """A total order of rows: by ``columns`` (the last ones make it unique)."""

    columns: tuple[str, ...]
    descending: bool = False

    def by(self) -> str:
        direction = " DESC" if self.descending else ""
        return ", ".join(f"{column}{direction}" for column in self.columns)

    def after(self, mark: str) -> str:
        """The condition of rows after a key (its values are the parameters)."""
        columns = ", ".join(self.columns)
        values = ", ".join([mark] * len(self.columns))
        return f"({columns}) {'<' if self.descending else '>'} ({values})"

    def key(self, row: dict[str, Any]) -> list[str]:
        """The sort key of a row (its columns by their names, without a table's alias)."""
        return [str(row[column.rsplit(".", 1)[-1]]) for column in self.columns]


def page_size(requested: int) -> int:
    if requested < 0 or requested > MAX_PAGE_SIZE:
        raise InvalidInput(
            "page_size", f"must be from 1 to {MAX_PAGE_SIZE} (0: {DEFAULT_PAGE_SIZE})"
        )
    return requested or DEFAULT_PAGE_SIZE


def token_of(key: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode()


def key_of(token: str, order: Order) -> list[str] | None:
    """The sort key a page token holds (None: the first page)."""
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != len(order.columns)
        or not all(isinstance(v, str) for v in key)
    ):
        raise InvalidInput("page_token", "is not a token this list gave")
    return key


def numbers_of(token: str, count: int) -> list[int] | None:
    """The ``count`` whole numbers a page token holds (None: the first page)."""
    if not token:
        return None
    key = key_of(token, Order(tuple(f"n{i}" for i in range(count))))
    if key is None or not all(value.isdigit() for value in key):
        raise InvalidInput("page_token", "is not a token this list gave")
    return [int(value) for value in key]
