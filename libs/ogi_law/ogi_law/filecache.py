"""Data files read once while they do not change: a process serving a thousand agencies opens a
store per agency, and each store reads the same calendar and agency files."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_parsed: dict[tuple[str, str, int, int], Any] = {}
_lock = threading.Lock()


def parsed_once(path: Path, kind: str, parse: Callable[[Path], T]) -> T:
    """``parse(path)``, parsed again only when the file's size or modification time changed.
    What it gives is shared by every caller: it must not be changed."""
    stat = path.stat()
    key = (kind, str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key in _parsed:
            cached: T = _parsed[key]
            return cached
    value = parse(path)
    with _lock:
        _parsed[key] = value
    return value
