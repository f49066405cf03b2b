"""What staff ask of the reply service, as typed commands (``on`` is each one's legal date)."""

from __future__ import annotations

from dataclasses import dataclass

from ogi_platform.eventstore.commands import ApplicationCommand
from reply.domain import Reply
from reply.remedy import RemedyCase


@dataclass(frozen=True, kw_only=True)
class RecordDelivery(ApplicationCommand[Reply]):
    """The reply letter was delivered by ``method`` on ``on``, its legal date (Art. 11 of the
    rules): the application closes and its clock stops."""

    method: str


@dataclass(frozen=True, kw_only=True)
class RecordPrinting(ApplicationCommand[Reply]):
    """The actor printed ``copies`` of the reply letter on ``on``: before delivering it, or
    after as a duplicate; refused while there is no reply."""

    copies: int


@dataclass(frozen=True, kw_only=True)
class FileRemedy(ApplicationCommand[list[RemedyCase]]):
    """The applicant applied for reconsideration or sued about the handling, on ``on``; returns
    every remedy of the application, the new one last (R1, R2, ...)."""

    kind: str
    body: str
    case_number: str


@dataclass(frozen=True, kw_only=True)
class ConcludeRemedy(ApplicationCommand[list[RemedyCase]]):
    """The reconsideration body or court concluded the remedy ``ref`` on ``on``."""

    ref: str
    result: str
