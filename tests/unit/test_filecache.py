"""Data files parsed once while they do not change (ogi_law.filecache), as every store of a
process serving many agencies reads the same agency and calendar files."""

from __future__ import annotations

import os
from pathlib import Path

from ogi_law.agencies import load_agencies
from ogi_law.filecache import parsed_once


def test_a_file_is_parsed_again_only_when_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text("one", encoding="utf-8")
    parses: list[str] = []

    def parse(p: Path) -> str:
        parses.append(p.read_text(encoding="utf-8"))
        return parses[-1]

    assert parsed_once(path, "test", parse) == "one"
    assert parsed_once(path, "test", parse) == "one"
    assert parses == ["one"]
    path.write_text("three", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a change of size and time, as an operator's edit makes
    assert parsed_once(path, "test", parse) == "three"
    assert parses == ["one", "three"]


def test_the_agency_file_is_read_once_for_every_store(tmp_path: Path) -> None:
    default = load_agencies()
    path = tmp_path / "agencies.yaml"
    path.write_text(
        "agencies:\n"
        "  - {code: only-office, name: 某办公室, kind: department, number_prefix: ONLY,\n"
        "     offices: [办公室], reconsideration_body: 市人民政府}\n",
        encoding="utf-8",
    )
    first = load_agencies(path)
    assert load_agencies(path) is first
    assert first.codes() == ["only-office"]
    assert load_agencies() is default
