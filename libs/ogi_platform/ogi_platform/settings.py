"""Settings from the environment, refused by name when they are not what they must be (a
service reads them when it starts: ``service.config``; the stores and the writer pool read the
counts they use where they use them)."""

from __future__ import annotations

import os

from ogi_errors import InvalidInput


def setting(name: str, default: str | None = None) -> str | None:
    """The value set in ``name``; ``default`` when it is unset or empty."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def whole_setting(name: str, default: int, least: int = 1, most: int | None = None) -> int:
    """The whole number set in ``name`` (``default`` when unset), from ``least`` to ``most``."""
    value = setting(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(name, f"{value!r} is not a whole number") from None
    if most is not None and not least <= number <= most:
        raise InvalidInput(name, f"must be from {least} to {most}")
    if number < least:
        raise InvalidInput(name, f"must be at least {least}")
    return number


def seconds_setting(name: str, default: float) -> float:
    """The seconds set in ``name`` (``default`` when unset), more than 0."""
    value = setting(name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise InvalidInput(name, f"{value!r} is not a number of seconds") from None
    if not seconds > 0:
        raise InvalidInput(name, "must be more than 0 seconds")
    return seconds
