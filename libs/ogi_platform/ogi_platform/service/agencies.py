"""What the platform needs to know of the agencies a process serves: their codes, their kinds
(a supervision bureau may read and act for others) and nothing more. The agency registry of the
law (``ogi_law.agencies``) satisfies these protocols; the services hand it to the runtime."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Agency(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def kind(self) -> str: ...


class Agencies(Protocol):
    def get(self, code: str, field: str = "agency") -> Agency:
        """The agency with ``code``; ``InvalidInput`` naming ``field`` if there is none."""
        ...

    def codes(self) -> Sequence[str]: ...

    def all(self) -> Sequence[Agency]: ...
