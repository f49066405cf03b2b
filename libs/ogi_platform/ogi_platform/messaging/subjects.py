"""Which of a process's stores a bus subject is for: NATS subject patterns, matched in memory.

An inbox serving many stores takes one durable consumer for all of them and hands each message
to the stores whose filter subjects it matches. Patterns are indexed by the places where they
name a token, so finding a message's stores costs a few dictionary lookups however many stores
the process serves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


def matches(pattern: str, subject: str) -> bool:
    """Whether a NATS subject matches a pattern (``*`` one token, ``>`` the rest)."""
    wanted = pattern.split(".")
    tokens = subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > index
        if index >= len(tokens) or (token != "*" and token != tokens[index]):
            return False
    return len(tokens) == len(wanted)


def widened(patterns: Iterable[str]) -> list[str]:
    """Patterns no narrower than ``patterns`` and fewer: each keeps its first and fourth token
    (the root and the event type of ``ogi.<sender>.<service>.<type>.<addressee>``), the others
    become ``*``; one ending in ``>`` stands alone. For the consumer of many stores, whose
    messages are sorted out in memory (a consumer's filters must not overlap)."""
    wide: set[str] = set()
    for pattern in patterns:
        tokens = pattern.split(".")
        if ">" in tokens:
            return [pattern] if tokens.index(">") <= 1 else [f"{tokens[0]}.>"]
        wide.add(".".join(t if i in (0, 3) else "*" for i, t in enumerate(tokens)))
    return sorted(wide)


#: How many subjects' owners an index remembers (a province's agencies, senders and event types
#: make tens of thousands of subjects; each costs a few microseconds to find again).
REMEMBERED_SUBJECTS = 100_000


class SubjectIndex(Generic[T]):
    """The owners (stores) of patterns, found for a subject without trying every pattern; the
    owners of the subjects last seen are remembered."""

    def __init__(self) -> None:
        self._known: dict[str, list[T]] = {}
        #: By the places a pattern names (its literal tokens' indexes): literal tokens -> owners.
        self._exact: dict[tuple[int, ...], dict[tuple[str, ...], list[tuple[str, T]]]] = (
            defaultdict(lambda: defaultdict(list))
        )
        self._rest: list[tuple[str, T]] = []  # patterns with ``>``

    def add(self, pattern: str, owner: T) -> None:
        self._known.clear()
        tokens = pattern.split(".")
        if ">" in tokens:
            self._rest.append((pattern, owner))
            return
        places = (*(i for i, t in enumerate(tokens) if t != "*"), -len(tokens))
        literal = tuple(tokens[i] for i in places if i >= 0)
        self._exact[places][literal].append((pattern, owner))

    def owners(self, subject: str) -> list[T]:
        """The owners of every pattern ``subject`` matches, each once (a list shared by the
        calls for the subject: not to be changed)."""
        known = self._known.get(subject)
        if known is None:
            if len(self._known) >= REMEMBERED_SUBJECTS:
                self._known.clear()
            known = self._known[subject] = self._owners(subject)
        return known

    def _owners(self, subject: str) -> list[T]:
        tokens = subject.split(".")
        found: dict[int, T] = {}
        for places, table in self._exact.items():
            if places[-1] != -len(tokens):
                continue
            key = tuple(tokens[i] for i in places if i >= 0)
            for _, owner in table.get(key, ()):
                found.setdefault(id(owner), owner)
        for pattern, owner in self._rest:
            if matches(pattern, subject):
                found.setdefault(id(owner), owner)
        return list(found.values())
