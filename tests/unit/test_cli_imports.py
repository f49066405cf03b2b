"""`ogi` starts fast: parsing a command line, and `ogi --help`, import no gRPC, NATS, event
store or service code, nor YAML (the agency registry is read only for a help text that lists the
agencies); a command's module comes in when the command runs."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest

from ogi_cli.parser import GROUPS, Commands, Parser, build

HEAVY = ("grpc", "nats", "eventsourcing", "intake", "routing", "review", "reply", "complaint")


def imported_after(code: str) -> list[str]:
    """The heavy top-level packages in sys.modules after running ``code`` in a fresh Python."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded = {name.split(".")[0] for name in json.loads(out.splitlines()[-1])}
    return sorted(loaded & {*HEAVY, "report", "openpyxl", "yaml"})


def test_importing_the_cli_imports_no_grpc_nats_store_or_service() -> None:
    assert imported_after("import ogi_cli.main") == []


def test_help_and_parsing_import_nothing_heavy() -> None:
    code = (
        "from ogi_cli.parser import build\n"
        "for argv in (['status', 'A1'], ['decide', 'A1', '--outcome', 'x'], ['due',"
        " '--received-on', '2026-01-05']):\n"
        "    build(argv).parse_args(argv)\n"
        "build([]).format_help()"
    )
    assert imported_after(code) == []


def test_a_remote_command_imports_its_module_when_it_runs() -> None:
    assert "grpc" in imported_after("import ogi_cli.main\nimport ogi_cli.commands")


def _help_lines(parser: argparse.ArgumentParser) -> dict[str, str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: str(choice.help) for choice in sub._choices_actions}


@pytest.mark.parametrize("module", sorted({m for m, _ in GROUPS.values()}))
def test_the_help_lines_of_a_group_are_its_modules_own(module: str) -> None:
    """Without its module, a group's command shows the same help line as with it."""
    names = [name for name, (of, _) in GROUPS.items() if of == module]
    real = Parser()
    importlib.import_module(f"ogi_cli.{module}").add_parsers(Commands(real, "command"))
    assert {n: GROUPS[n][1] for n in names} == _help_lines(real)
    with_module = _help_lines(build([names[0]]))
    assert {n: with_module[n] for n in names} == {n: GROUPS[n][1] for n in names}
