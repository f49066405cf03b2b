"""A simple in-process limit on the public forms: so many posts per address and form within a
sliding window (a second web process keeps its own count)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimit:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[tuple[str, str], deque[float]] = {}

    def allow(self, address: str, form: str) -> bool:
        """Count one post of ``form`` from ``address``; False once the window is full."""
        now = self.clock()
        seen = self._seen.setdefault((address, form), deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        self._forget(now)
        return True

    def _forget(self, now: float) -> None:
        """Drop addresses whose posts all left the window, so the table does not grow."""
        if len(self._seen) > 10_000:
            for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - self.window]:
                del self._seen[key]
