"""An agency file as a city's or province's operator writes it: the four default agencies and
district offices after them (``district-<n>-office``, number prefix ``QZF<n>``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from ogi_law.agencies import DEFAULT_AGENCIES


def district_codes(count: int) -> tuple[str, ...]:
    """The codes of the district offices a file of ``count`` agencies adds to the defaults."""
    return tuple(f"district-{n}-office" for n in range(1, count - len(DEFAULT_AGENCIES) + 1))


def agency_file(folder: Path, count: int) -> Path:
    """``folder/agencies-<count>.yaml``: the defaults and ``count - 4`` district offices."""
    default_file = resources.files("ogi_law").joinpath("data/agencies.yaml")
    agencies = yaml.safe_load(default_file.read_text(encoding="utf-8"))["agencies"]
    agencies += [
        {
            "code": code,
            "name": f"第{n}区人民政府办公室",
            "kind": "department",
            "number_prefix": f"QZF{n}",
            "offices": ["政府信息公开办公室"],
            "reconsideration_body": "市人民政府",
        }
        for n, code in enumerate(district_codes(count), start=1)
    ]
    path = folder / f"agencies-{count}.yaml"
    path.write_text(yaml.safe_dump({"agencies": agencies}, allow_unicode=True), encoding="utf-8")
    return path
