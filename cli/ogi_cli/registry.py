"""The agencies the CLI knows: OGI_AGENCY_FILE, else the default ones (ogi_law's registry).

Read when first needed (parsing YAML costs a few tens of milliseconds, which `ogi --help`
and every command's parsing do without), once per file.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from ogi_law.agencies import AgencyRegistry, load_agencies


@cache
def _load(path: str) -> AgencyRegistry:
    return load_agencies(Path(path) if path else None)


def registry() -> AgencyRegistry:
    """The agency registry of this system (OGI_AGENCY_FILE when set)."""
    return _load(os.environ.get("OGI_AGENCY_FILE", ""))


def agency_name(code: str) -> str:
    """The agency's name (市自然资源和规划局), or the code itself if none is registered."""
    agency = registry().find(code)
    return agency.name if agency else code
