"""`ogi dlq list` and `ogi dlq replay`: the dead letters (stream OGI_DLQ) an operator reads and,
once their cause is fixed, gives back to their consumers.

Replaying republishes a dead letter's original message to its original subject, so every
consumer of that subject gets it again (handlers are idempotent per upstream event id: a service
that applied it already changes nothing), then deletes the letter. The message id of a replay is
derived from the original message, so replaying it twice (two letters of one message, or a
replay interrupted before the deletion and run again) publishes it once.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from ogi_cli.cjk import table as cjk_table
from ogi_cli.endpoints import nats_login
from ogi_cli.helptext import AGENCIES, listed
from ogi_cli.natsclient import admin_client
from ogi_cli.parser import GROUPS, Commands, nats_options
from ogi_cli.registry import registry
from ogi_contracts import CONTRACTS
from ogi_errors import DomainError, IllegalStep, InvalidInput, NotFound
from ogi_law.labels import EVENT_TYPES, SERVICES, label
from ogi_platform.messaging.envelope import (
    DEAD_LETTER_ROOT,
    DEAD_LETTER_STREAM,
    EVENT_STREAM,
)
from ogi_platform.messaging.wire import UndecodableEvent, decode

MAX_SEQUENCE = 2**63 - 1
HEADINGS = {
    "seq": "序号",
    "time": "时间",
    "consumer": "消费者",
    "subject": "原主题",
    "original_seq": "原序号",
    "event_type": "事件",
    "application_id": "申请",
    "error": "错误",
}


@dataclass(frozen=True)
class DeadLetter:
    """One message of the dead-letter stream, with what its headers and envelope tell."""

    seq: int
    time: str
    agency: str
    service: str
    consumer: str
    subject: str
    original_seq: int
    error: str
    event_type: str
    event_id: str
    application_id: str
    data: bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "agency": self.agency,
            "service": self.service,
            "consumer": self.consumer,
            "subject": self.subject,
            "original_seq": self.original_seq,
            "error": self.error,
            "event_type": self.event_type,
            "event_id": self.event_id,
            "application_id": self.application_id,
        }

    @property
    def replay_id(self) -> str:
        """The ``Nats-Msg-Id`` of its replay: the same for every replay of the same message."""
        digest = hashlib.sha256(self.data).hexdigest()[:24]
        return f"replay:{self.subject}:{self.original_seq}:{digest}"


def _letter(raw: Any) -> DeadLetter:
    headers: dict[str, str] = raw.headers or {}
    data: bytes = raw.data or b""
    _, agency, service, *_ = [*str(raw.subject).split("."), "", ""]  # ogidlq.<agency>.<service>
    try:
        record = decode(data)
        event = (record.type, record.event_id, record.application_id)
    except UndecodableEvent:
        event = ("", "", "")
    return DeadLetter(
        seq=int(raw.seq),
        time=str(raw.time or ""),
        agency=agency,
        service=service,
        consumer=headers.get("Ogi-Consumer", ""),
        subject=headers.get("Ogi-Original-Subject", ""),
        original_seq=int(headers.get("Ogi-Original-Sequence") or 0),
        error=headers.get("Ogi-Error", ""),
        event_type=event[0],
        event_id=event[1],
        application_id=event[2],
        data=data,
    )


async def _letters(
    js: JetStreamContext, agency: str | None, service: str | None
) -> list[DeadLetter]:
    """Every dead letter of ``agency``'s ``service`` (any when None), in stream order."""
    wanted = f"{DEAD_LETTER_ROOT}.{agency or '*'}.{service or '*'}"
    found: list[DeadLetter] = []
    seq = 1
    while True:
        try:
            raw = await js.get_msg(DEAD_LETTER_STREAM, seq=seq, subject=wanted, next=True)
        except NotFoundError:  # no more of them, or no dead-letter stream at all
            return found
        found.append(_letter(raw))
        seq = found[-1].seq + 1


async def _named(js: JetStreamContext, sequences: list[int]) -> list[DeadLetter]:
    """The dead letters with these sequences; NotFound for the first that is not one."""
    letters = []
    for seq in dict.fromkeys(sequences):
        if not 1 <= seq <= MAX_SEQUENCE:
            raise InvalidInput("seq", f"{seq} is not a dead-letter sequence")
        try:
            letters.append(_letter(await js.get_msg(DEAD_LETTER_STREAM, seq)))
        except NotFoundError:
            raise NotFound(f"no dead letter {seq} in {DEAD_LETTER_STREAM}") from None
    return letters


async def _check(js: JetStreamContext, letter: DeadLetter) -> None:
    """A letter is replayed only if the event stream still holds its message as the letter
    says: a letter is no proof of its sender (any agency's service may write dead letters)."""
    try:
        original = await js.get_msg(EVENT_STREAM, letter.original_seq)
    except NotFoundError:
        original = None
    if original is None or (original.subject, original.data) != (letter.subject, letter.data):
        raise IllegalStep(
            f"dead letter {letter.seq}: {EVENT_STREAM} no longer holds its message "
            f"{letter.original_seq} ({letter.subject or 'no subject'}); not replayed"
        )


async def _replay(js: JetStreamContext, letters: list[DeadLetter]) -> list[dict[str, Any]]:
    """Republish each letter's message to its subject, then delete the letter; nothing is
    done unless every letter is found in the event stream."""
    for letter in letters:
        await _check(js, letter)
    replayed = []
    for letter in letters:
        ack = await js.publish(
            letter.subject,
            letter.data,
            headers={"Nats-Msg-Id": letter.replay_id},
            stream=EVENT_STREAM,
        )
        await js.delete_msg(DEAD_LETTER_STREAM, letter.seq)
        replayed.append(
            letter.as_json() | {"republished_seq": ack.seq, "duplicate": bool(ack.duplicate)}
        )
    return replayed


async def _run(args: argparse.Namespace) -> list[dict[str, Any]]:
    nc = await admin_client(nats_login(args.url, args.user, args.password), "ogi-dlq")
    try:
        js = nc.jetstream()
        if args.dlq_command == "list":
            return [letter.as_json() for letter in await _letters(js, args.agency, args.service)]
        if args.all:
            letters = await _letters(js, args.agency, args.service)
        else:
            letters = await _named(js, args.seq)
        return await _replay(js, letters)
    except (nats.errors.Error, TimeoutError) as error:
        raise DomainError(f"NATS: {str(error) or type(error).__name__}") from None
    finally:
        await nc.close()


def table(rows: list[dict[str, Any]]) -> str:
    """The letters as a table with Chinese headings, event types as the catalogue names them."""
    cells = [
        [
            label(EVENT_TYPES, str(row[k]))
            if k == "event_type"
            else str(row[k])[: 19 if k == "time" else 200]
            for k in HEADINGS
        ]
        for row in rows
    ]
    return cjk_table(list(HEADINGS.values()), cells)


def _check_choice(args: argparse.Namespace) -> None:
    """--agency and --service become a subject filter: only known names."""
    if args.agency:
        registry().get(args.agency, "agency")
    services = tuple(contract.service for contract in CONTRACTS)
    if args.service and args.service not in services:
        raise InvalidInput("service", f"unknown service {args.service!r}: one of {services}")


def list_letters(args: argparse.Namespace) -> dict[str, Any]:
    _check_choice(args)
    letters = asyncio.run(_run(args))
    if args.json:
        return {"dead_letters": letters}
    return {"_text": table(letters) if letters else "没有死信\n"}


def replay(args: argparse.Namespace) -> dict[str, Any]:
    if bool(args.seq) == bool(args.all):
        raise InvalidInput("seq", "name the dead letters to replay, or --all")
    if args.seq and (args.agency or args.service):
        raise InvalidInput("agency", "--agency and --service choose letters for --all only")
    _check_choice(args)
    replayed = asyncio.run(_run(args))
    if args.json:
        return {"replayed": replayed}
    if not replayed:
        return {"_text": "没有可重放的死信\n"}
    return {"_text": f"已重放 {len(replayed)} 封死信：\n" + table(replayed)}


def add_parsers(add: Commands) -> None:
    steps = Commands(add("dlq", GROUPS["dlq"][1]), "dlq_command")

    def step(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        parser = steps(name, help_text)
        nats_options(parser)
        parser.add_argument("--agency", help=f"只看该机关的死信：\n{AGENCIES}")
        parser.add_argument(
            "--service",
            help=listed(
                "只看该服务的死信", {c.service: SERVICES.get(c.service, "") for c in CONTRACTS}
            ),
        )
        parser.set_defaults(local=run)
        return parser

    step("list", list_letters, "列出死信")
    replayed = step("replay", replay, "把死信重新发给它的消费者，然后删除")
    replayed.add_argument("seq", nargs="*", type=int, metavar="序号", help="死信序号（见 list）")
    replayed.add_argument("--all", action="store_true", help="全部死信（或 --agency…的全部）")
