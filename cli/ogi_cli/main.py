"""`ogi`: the command line for operators, staff and applicants. Every command takes --json."""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ogi_cli.arguments import whole_number
from ogi_errors import DomainError

if TYPE_CHECKING:
    import grpc

    from ogi_cli.client import Clients

# `ogi --help` and the parsing of any command import no gRPC, NATS or event store: a command's
# module is imported when the command runs (tests/unit/test_cli_imports.py).
LocalCommand = Callable[[argparse.Namespace], dict[str, Any]]

#: Commands defined by modules of their own, with their help lines: such a module is imported
#: only when one of its commands is given (test_cli_imports checks the lines are the modules').
GROUPS: dict[str, tuple[str, str]] = {
    "case": ("cases", "the bureau's complaint cases"),
    "rectify": ("cases", "answer a rectification order"),
    "report": ("report", "the annual report (Art. 49, 50)"),
    "remedy": ("report", "reconsideration and lawsuits"),
    "nats": ("natsadmin", "NATS administration"),
    "dlq": ("dlq", "dead letters: list, replay"),
}


def lazy(module: str, name: str) -> Callable[..., dict[str, Any]]:
    """The function ``name`` of ``ogi_cli.<module>``, imported when it is called."""

    def call(*args: Any) -> dict[str, Any]:
        function: Callable[..., dict[str, Any]] = getattr(
            importlib.import_module(f"ogi_cli.{module}"), name
        )
        return function(*args)

    return call


class UsageError(Exception):
    """The command line itself is wrong (a missing or unknown argument)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _command_of(argv: list[str]) -> str:
    """The command named on the command line ("" if none): its first word not an option."""
    return next((word for word in argv if not word.startswith("-")), "")


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    # --json is accepted before or after the command; SUPPRESS keeps a subcommand's default
    # from overwriting the value the top-level parser set.
    common = _Parser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )
    parser = _Parser(prog="ogi", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    up = sub.add_parser("up", parents=[common], help="start the whole system on this machine")
    up.add_argument("--data", default="data", help="data folder (default ./data)")

    health = sub.add_parser("health", parents=[common], help="check one service's health")
    health.add_argument("--service", required=True)
    health.add_argument("--address", required=True)

    apply = sub.add_parser("apply", parents=[common], help="submit an application (Art. 29)")
    apply.add_argument("--agency", required=True)
    apply.add_argument("--name", required=True)
    apply.add_argument("--applicant-type", required=True)
    apply.add_argument("--id-doc", required=True)
    apply.add_argument("--contact", required=True)
    apply.add_argument("--description", required=True)
    apply.add_argument("--form", help="electronic|paper|inspection")
    apply.add_argument("--channel", help="online|in_person|mail|registered_mail|fax")
    apply.add_argument("--received-on", help="receipt date per Art. 31 (YYYY-MM-DD)")
    apply.add_argument("--request-id", help="idempotency key for retries")
    apply.set_defaults(run=lazy("commands", "apply"))

    for name, module, help_text in (
        ("status", "commands", "where an application stands, with its clock"),
        ("trace", "commands", "the full history of an application"),
        ("clock", "lifecycle", "the live statutory clock of an application"),
        ("suggest", "commands", "who holds the information (agencies' catalogues)"),
    ):
        cmd = sub.add_parser(name, parents=[common], help=help_text)
        cmd.add_argument("application_id")
        cmd.set_defaults(run=lazy(module, name))

    letter = sub.add_parser("letter", parents=[common], help="the reply letter")
    letter.add_argument("application_id")
    letter.add_argument("--html", metavar="FILE", help="also write it as a printable HTML page")
    letter.set_defaults(run=lazy("commands", "letter"))

    token = sub.add_parser("token", parents=[common], help="issue an API token (operators)")
    token_sub = token.add_subparsers(dest="token_command", required=True, parser_class=_Parser)
    token_issue = token_sub.add_parser(
        "issue", parents=[common], help="a signed token for staff, a portal or an operator"
    )
    token_issue.add_argument("--role", required=True, help="staff|portal|operator")
    token_issue.add_argument("--name", required=True, help="who holds it (a person, a system)")
    token_issue.add_argument("--agency", help="the agency of a staff member")
    token_issue.add_argument(
        "--days", type=whole_number, help="valid for N days (default: no expiry)"
    )
    token_issue.set_defaults(local=lazy("tokens", "issue"))

    due = sub.add_parser("due", parents=[common], help="N working days after a date")
    due.add_argument("--received-on", required=True)
    due.add_argument("--working-days", type=whole_number, default=20)
    due.add_argument("--agency", help="apply this agency's local calendar overrides")
    due.set_defaults(local=lazy("lifecycle", "due"))

    correction = sub.add_parser(
        "correction", parents=[common], help="send the one correction notice (Art. 30)"
    )
    correction.add_argument("application_id")
    correction.add_argument("--item", action="append", required=True, help="repeat per item")
    correction.add_argument(
        "--period", type=whole_number, help="working days to correct (default 15)"
    )
    correction.add_argument("--on", help="date of the notice")
    correction.add_argument("--late-reason", help="to record a notice after 7 working days")
    correction.set_defaults(run=lazy("lifecycle", "request_correction"))

    corrected = sub.add_parser("corrected", parents=[common], help="the correction arrived")
    corrected.add_argument("application_id")
    corrected.add_argument("--description", help="the corrected description")
    corrected.add_argument("--on", help="date the correction was received")
    corrected.add_argument("--good-reason", help="to accept a correction after the period")
    corrected.set_defaults(run=lazy("lifecycle", "record_correction"))

    secrecy = sub.add_parser("secrecy", parents=[common], help="confidentiality review (Art. 17)")
    secrecy.add_argument("application_id")
    secrecy.add_argument("--result", required=True, help="cleared|secret|referred")
    secrecy.add_argument("--note")
    secrecy.add_argument("--on")
    secrecy.set_defaults(run=lazy("lifecycle", "secrecy"))

    consult = sub.add_parser("consult", parents=[common], help="consult (Art. 32 / Art. 34)")
    consult.add_argument("application_id")
    party = consult.add_mutually_exclusive_group(required=True)
    party.add_argument("--third-party", help="a third party whose rights may be harmed")
    party.add_argument("--organ", help="a co-producing organ")
    consult.add_argument("--on", help="date the letter was sent")
    consult.set_defaults(run=lazy("lifecycle", "consult"))

    answer = sub.add_parser("answer", parents=[common], help="a consultation's answer")
    answer.add_argument("application_id")
    answer.add_argument("--ref", required=True)
    answer.add_argument("--answer", required=True, help="consent|refusal (third party), "
                        "consent|objection (organ)")  # fmt: skip
    answer.add_argument("--reasons")
    answer.add_argument("--on")
    answer.set_defaults(run=lazy("lifecycle", "answer"))

    consulted = sub.add_parser(
        "consultation-answer", parents=[common], help="answer another agency's consultation"
    )
    consulted.add_argument("application_id")
    consulted.add_argument("--agency", required=True, help="the consulted agency answering")
    consulted.add_argument("--from", dest="from_agency", required=True, help="consulting agency")
    consulted.add_argument("--ref", required=True)
    consulted.add_argument("--answer", required=True, help="consent|objection")
    consulted.add_argument("--reasons")
    consulted.add_argument("--on")
    consulted.set_defaults(run=lazy("lifecycle", "answer_consultation"))

    extend = sub.add_parser("extend", parents=[common], help="the one extension (Art. 33)")
    extend.add_argument("application_id")
    extend.add_argument("--days", type=whole_number, required=True, help="at most 20 working days")
    extend.add_argument("--approved-by", required=True)
    extend.add_argument("--role", default="head_of_ogi_office")
    extend.add_argument("--reason", required=True)
    extend.add_argument("--notified-on", help="date the applicant was told")
    extend.set_defaults(run=lazy("lifecycle", "extend"))

    reply_date = sub.add_parser(
        "set-reply-date", parents=[common], help="a later reply date (Art. 35)"
    )
    reply_date.add_argument("application_id")
    reply_date.add_argument("--due", required=True)
    reply_date.add_argument("--reason", required=True)
    reply_date.set_defaults(run=lazy("lifecycle", "set_reply_date"))

    fee = sub.add_parser("fee", parents=[common], help="issue the fee notice (Art. 42)")
    fee.add_argument("application_id")
    fee.add_argument("--method", required=True, help="per_application|per_page")
    fee.add_argument("--pages", type=whole_number)
    fee.add_argument("--on")
    fee.set_defaults(run=lazy("lifecycle", "fee"))

    fee_paid = sub.add_parser("fee-paid", parents=[common], help="the fee was paid")
    fee_paid.add_argument("application_id")
    fee_paid.add_argument("--on")
    fee_paid.set_defaults(run=lazy("lifecycle", "fee_paid"))

    decide = sub.add_parser("decide", parents=[common], help="record the decision (Art. 36)")
    decide.add_argument("application_id")
    decide.add_argument("--outcome", required=True)
    decide.add_argument("--ground", action="append", help="exemption ground code (repeatable)")
    decide.add_argument("--reason")
    decide.add_argument("--form", help="form of provision (Art. 40)")
    decide.add_argument("--competent-organ")
    decide.add_argument("--competent-organ-contact")
    decide.add_argument("--where-published")
    decide.add_argument("--on", help="decision date (default today)")
    decide.add_argument(
        "--public-interest-reason", help="disclose over a third party's refusal (Art. 32)"
    )
    decide.set_defaults(run=lazy("commands", "decide"))

    deliver = sub.add_parser("deliver", parents=[common], help="record delivery of the reply")
    deliver.add_argument("application_id")
    deliver.add_argument("--method", default="online", help="in_person|post|email|online|fax")
    deliver.add_argument("--on", help="legal delivery date (default today)")
    deliver.set_defaults(run=lazy("commands", "deliver"))

    reply = sub.add_parser("reply", parents=[common], help="records of the reply letter")
    reply_sub = reply.add_subparsers(dest="reply_command", required=True, parser_class=_Parser)
    printed = reply_sub.add_parser("printed", parents=[common], help="the letter was printed")
    printed.add_argument("application_id")
    printed.add_argument("--copies", type=whole_number, default=1, help="1 to 100 (default 1)")
    printed.add_argument("--on", help="date printed (default today)")
    printed.set_defaults(run=lazy("lifecycle", "reply_printed"))

    withdraw = sub.add_parser("withdraw", parents=[common], help="withdraw an application")
    withdraw.add_argument("application_id")
    withdraw.add_argument("--reason")
    withdraw.add_argument("--on")
    withdraw.set_defaults(run=lazy("commands", "withdraw"))

    reassign = sub.add_parser("reassign", parents=[common], help="move to another office")
    reassign.add_argument("application_id")
    reassign.add_argument("--office", required=True)
    reassign.add_argument("--reason")
    reassign.set_defaults(run=lazy("commands", "reassign"))

    forward = sub.add_parser("forward", parents=[common], help="forward to another agency")
    forward.add_argument("application_id")
    forward.add_argument("--to", required=True, help="code of the agency holding the information")
    forward.add_argument("--reason", required=True)
    forward.add_argument("--on", help="date of the forward (default today)")
    forward.set_defaults(run=lazy("commands", "forward"))

    complain = sub.add_parser("complain", parents=[common], help="complain to the bureau")
    complain.add_argument(
        "application_id", nargs="?", default="", help="omit, with --against, for an agency's work"
    )
    complain.add_argument("--ground", required=True)
    complain.add_argument("--text", required=True)
    complain.add_argument("--against", help="agency complained about (default: the handler)")
    complain.add_argument("--bureau", help="supervision bureau (default supervision-bureau)")
    complain.add_argument("--complainant")
    complain.add_argument("--on")
    complain.set_defaults(run=lazy("commands", "complain"))
    chosen = GROUPS.get(_command_of(argv or []), ("", ""))[0]
    for module in dict.fromkeys(module for module, _ in GROUPS.values()):
        if module == chosen:
            importlib.import_module(f"ogi_cli.{module}").add_parsers(sub, common)
            continue
        for name, (of, help_text) in GROUPS.items():
            if of == module:  # its help line; the module's own arguments when it is given
                sub.add_parser(name, parents=[common], help=help_text)
    return parser


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if set(result) == {"_text"}:  # a document (a report table), printed as it is
        print(result["_text"], end="")
        return
    if "events" in result:
        for e in result["events"]:
            print(
                f"{e['recorded_at'][:19]}  {e['occurred_at']}  {e['agency']:<26} "
                f"{e['service']:<9} {e['type']:<24} {e['actor']}"
            )
        return
    for key, value in result.items():
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        print(f"{key}: {value}")


def _fail(message: str, as_json: bool, code: int) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"ogi: {message}", file=sys.stderr)
    return code


def _rpc_error(error: grpc.RpcError, clients: Clients) -> str:
    import grpc

    from ogi_platform.rpc.server import field_of

    code = error.code()
    if code == grpc.StatusCode.UNAVAILABLE:
        return "the system is not reachable: start it with `ogi up` (or set OGI_ENDPOINTS)"
    field = field_of(error)
    detail = error.details() or code.name
    return f"{code.name}: {detail}" + (
        f" (field: {field})" if field and field not in detail else ""
    )


def run_up(args: argparse.Namespace) -> int:
    from ogi_cli.up import System

    system = System(Path(args.data))
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: terminal closed
        signal.signal(signum, stop)
    started = time.monotonic()
    try:
        description = system.start()
    except (RuntimeError, OSError, TimeoutError, DomainError) as error:
        return _fail(f"cannot start: {error}", args.json, 1)
    description["ready_seconds"] = round(time.monotonic() - started, 2)
    _print(description, args.json)
    sys.stdout.flush()
    try:
        while not stopping:
            for note in system.supervise_once():
                print(f"ogi up: {note}", file=sys.stderr)
            time.sleep(0.5)
    except RuntimeError as error:
        print(f"ogi up: {error}", file=sys.stderr)
        return_code = 1
    else:
        return_code = 0
    system.stop()
    if not args.json:
        print("ogi up: stopped")
    return return_code


def run_health(args: argparse.Namespace) -> int:
    from ogi_cli.up import wait_serving

    serving = wait_serving(args.address, timeout=3.0)
    result = {"service": args.service, "address": args.address, "serving": serving}
    _print(result, args.json)
    return 0 if serving else 1


def main(argv: list[str] | None = None) -> int:
    """Run one command; whatever goes wrong ends in one line (or one JSON document), never a
    traceback."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _run(argv)
    except KeyboardInterrupt:
        return _fail("interrupted", "--json" in argv, 130)
    except Exception as error:  # the last resort: a fault of ogi itself or of its surroundings
        message = " ".join(f"{type(error).__name__}: {error}".split())
        return _fail(f"unexpected error: {message}", "--json" in argv, 1)


def _run(argv: list[str]) -> int:
    try:
        args = _parser(argv).parse_args(argv)
    except UsageError as error:
        return _fail(str(error), "--json" in argv, 2)
    if args.command == "up":
        return run_up(args)
    if args.command == "health":
        return run_health(args)
    local: LocalCommand | None = getattr(args, "local", None)  # needs no running service
    if local is not None:
        try:
            _print(local(args), args.json)
        except (DomainError, ValueError, OverflowError) as error:
            return _fail(str(error), args.json, 2)
        return 0
    import grpc

    from ogi_cli.client import Clients
    from ogi_cli.endpoints import resolve_endpoints
    from ogi_cli.tokens import resolve_token

    clients = Clients(resolve_endpoints(), resolve_token())
    try:
        _print(args.run(clients, args), args.json)
        return 0
    except grpc.RpcError as error:
        return _fail(_rpc_error(error, clients), args.json, 2)
    except DomainError as error:
        return _fail(str(error), args.json, 2)
    finally:
        clients.close()


if __name__ == "__main__":
    raise SystemExit(main())
