"""The agencies of the government: who they are, their offices, and whom to name in letters."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from ogi_errors import InvalidInput
from ogi_law.filecache import parsed_once
from ogi_law.labels import AGENCY_KINDS

KINDS = tuple(AGENCY_KINDS)
DEFAULT_AGENCIES = (
    "municipal-office",
    "archives-bureau",
    "natural-resources-bureau",
    "supervision-bureau",
)
_CODE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class CatalogueEntry:
    """A subject of information an agency holds, found by keywords in an application.

    ``archives_law``: the information was transferred to a state archive, where archives law,
    not the Regulations, governs access (SPC OGI rules 2011, Art. 7; Archives Law Art. 15).
    Records in an organ's own archive room stay under the Regulations.
    """

    subject: str
    keywords: tuple[str, ...]
    archives_law: bool = False


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: str
    number_prefix: str
    offices: tuple[str, ...]
    contact: str
    reconsideration_body: str
    catalogue: tuple[CatalogueEntry, ...] = ()

    @property
    def default_office(self) -> str:
        return self.offices[0]


class AgencyRegistry:
    def __init__(self, agencies: list[Agency]) -> None:
        self._by_code = {agency.code: agency for agency in agencies}

    def get(self, code: str, field: str = "agency") -> Agency:
        if not code:
            raise InvalidInput(field, "is required")
        agency = self._by_code.get(code)
        if agency is None:
            raise InvalidInput(field, f"unknown agency {code!r}")
        return agency

    def find(self, code: str) -> Agency | None:
        """The agency with this code, None if there is none (for display, not for input)."""
        return self._by_code.get(code)

    def codes(self) -> list[str]:
        return list(self._by_code)

    def all(self) -> list[Agency]:
        return list(self._by_code.values())


def _agency(entry: dict[str, object]) -> Agency:
    code = str(entry.get("code", ""))
    if not _CODE.match(code):
        raise InvalidInput("code", f"agency code {code!r} must be lower-case letters, digits, '-'")
    kind = str(entry.get("kind", "department"))
    if kind not in KINDS:
        raise InvalidInput("kind", f"agency {code}: kind {kind!r} is not one of {', '.join(KINDS)}")
    offices = entry.get("offices") or ["政府信息公开办公室"]
    assert isinstance(offices, list)
    return Agency(
        code=code,
        name=str(entry.get("name", code)),
        kind=kind,
        number_prefix=str(entry.get("number_prefix", code.upper())),
        offices=tuple(str(o) for o in offices),
        contact=str(entry.get("contact", "")),
        reconsideration_body=str(entry.get("reconsideration_body", "")),
        catalogue=tuple(_entry(code, e) for e in _list(entry.get("catalogue"))),
    )


def _list(value: object) -> list[dict[str, object]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _entry(code: str, entry: dict[str, object]) -> CatalogueEntry:
    keywords = entry.get("keywords") or []
    if not entry.get("subject") or not isinstance(keywords, list) or not keywords:
        raise InvalidInput("catalogue", f"agency {code}: each entry needs a subject and keywords")
    return CatalogueEntry(
        subject=str(entry["subject"]),
        keywords=tuple(str(k) for k in keywords),
        archives_law=bool(entry.get("archives_law", False)),
    )


#: libyaml's safe loader when PyYAML was built with it (its wheels are): a province's file of a
#: thousand agencies parses in 0.06 s instead of 0.31 s, in every process that reads it.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_agencies(text: str) -> AgencyRegistry:
    document = yaml.load(text, Loader=_SAFE_LOADER) or {}
    return AgencyRegistry([_agency(entry) for entry in document.get("agencies", [])])


def _parse_file(path: Path) -> AgencyRegistry:
    return parse_agencies(path.read_text(encoding="utf-8"))


def load_agencies(path: Path | None = None) -> AgencyRegistry:
    """The agencies from ``path`` (OGI_AGENCY_FILE), or the default four."""
    if path is not None:
        return parsed_once(path, "agencies", _parse_file)
    return _default_agencies()


@functools.cache
def _default_agencies() -> AgencyRegistry:
    return parse_agencies(
        resources.files("ogi_law").joinpath("data/agencies.yaml").read_text(encoding="utf-8")
    )
