"""`ogi`: the command line for operators, staff and applicants. Every command takes --json."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ogi_cli.parser import UsageError, build
from ogi_errors import DomainError, InvalidInput

if TYPE_CHECKING:
    import grpc

#: A command that needs no running service (``local`` in its parser's defaults).
LocalCommand = Callable[[argparse.Namespace], dict[str, Any]]


def _print(result: dict[str, Any], as_json: bool, show: str) -> None:
    """The result as one JSON document (codes as they are), or for people as the command's
    view lays it out (ogi_cli.output)."""
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    from ogi_cli.output import text

    print(text(show, result), end="")


def _fail(message: str, as_json: bool, code: int, for_people: str | None = None) -> int:
    """``message`` as one JSON document (``--json``), or, for people, ``for_people`` (else
    ``message``) after ``ogi：``; the exit ``code``."""
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"ogi：{for_people or message}", file=sys.stderr)
    return code


def _refused(status: str, detail: str, field: str, as_json: bool) -> int:
    """A refusal (status code ``status``): its code and words in ``--json``, what it means in
    Chinese for people (``ogi_law.refusals``)."""
    from ogi_law.refusals import refusal_line

    message = f"{status}: {detail}" + (
        f" (field: {field})" if field and field not in detail else ""
    )
    return _fail(message, as_json, 2, refusal_line(status, detail, field))


def _rpc_error(error: grpc.RpcError, as_json: bool) -> int:
    import grpc

    from ogi_platform.rpc.server import field_of

    code = error.code()
    if code == grpc.StatusCode.UNAVAILABLE:
        return _fail(
            "UNAVAILABLE: the system is not reachable: "
            "start it with `ogi up` (or set OGI_ENDPOINTS)",
            as_json,
            2,
            "系统暂时无法访问（UNAVAILABLE）：请先用 `ogi up` 启动系统（或设置 OGI_ENDPOINTS）",
        )
    return _refused(code.name, error.details() or code.name, field_of(error) or "", as_json)


def _domain_error(error: DomainError, as_json: bool) -> int:
    field = error.field if isinstance(error, InvalidInput) else ""
    return _refused(error.code, str(error), field, as_json)


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
        return _fail(f"cannot start: {error}", args.json, 1, f"无法启动：{error}")
    description["ready_seconds"] = round(time.monotonic() - started, 2)
    _print(description, args.json, "up")
    if not args.json and description.get("web"):
        print(f"网页：{description['web']}")
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
        print("ogi up：已停止")
    return return_code


def run_health(args: argparse.Namespace) -> int:
    from ogi_cli.up import wait_serving

    serving = wait_serving(args.address, timeout=3.0)
    result = {"service": args.service, "address": args.address, "serving": serving}
    _print(result, args.json, "health")
    return 0 if serving else 1


def main(argv: list[str] | None = None) -> int:
    """Run one command; whatever goes wrong ends in one line (or one JSON document), never a
    traceback."""
    # Only the main thread may set a handler (a test may run a command in another thread).
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _run(argv)
    except KeyboardInterrupt:
        return _fail("interrupted", "--json" in argv, 130, "已中断")
    except Exception as error:  # the last resort: a fault of ogi itself or of its surroundings
        message = " ".join(f"{type(error).__name__}: {error}".split())
        return _fail(f"unexpected error: {message}", "--json" in argv, 1, f"意外错误：{message}")


def _run(argv: list[str]) -> int:
    try:
        args = build(argv).parse_args(argv)
    except UsageError as error:
        return _fail(str(error), "--json" in argv, 2)
    if args.command == "up":
        return run_up(args)
    if args.command == "health":
        return run_health(args)
    local: LocalCommand | None = getattr(args, "local", None)  # needs no running service
    if local is not None:
        try:
            _print(local(args), args.json, args.show)
        except DomainError as error:
            return _domain_error(error, args.json)
        except (ValueError, OverflowError) as error:
            return _fail(str(error), args.json, 2)
        return 0
    import grpc

    from ogi_cli.client import Clients
    from ogi_cli.endpoints import resolve_endpoints
    from ogi_cli.numbers import resolve_numbers
    from ogi_cli.tokens import resolve_token

    clients = Clients(resolve_endpoints(), resolve_token())
    try:
        resolve_numbers(clients, args)  # an application number given for an application id
        _print(args.run(clients, args), args.json, args.show)
        return 0
    except grpc.RpcError as error:
        return _rpc_error(error, args.json)
    except DomainError as error:
        return _domain_error(error, args.json)
    finally:
        clients.close()


if __name__ == "__main__":
    raise SystemExit(main())
