"""The counted annual table (parts 三 and 四), its consistency check, and its JSON form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ogi_errors import DomainError
from ogi_report.labels import (
    APPLICANT_COLUMNS,
    CHECK_RULE,
    COLUMN_BY_KEY,
    COLUMN_KEYS,
    COLUMNS,
    GROUP_ROWS,
    NUMBER_ROWS,
    REMEDY_GROUP_BY_KEY,
    REMEDY_GROUP_KEYS,
    REMEDY_GROUPS,
    REMEDY_RESULT_BY_KEY,
    REMEDY_RESULT_KEYS,
    REMEDY_RESULTS,
    ROW_BY_KEY,
    ROWS,
    TOTAL,
    row_name,
)

Cell = tuple[str, str]
PENDING_AND_CONCLUDED: tuple[str, ...] = ("upheld", "corrected", "other", "pending")


class BrokenTable(DomainError):
    """The table breaks one of its own sums; ``cell`` is the (row, column) — or (group, result)
    for part 四 — found wrong, and the message names it in Chinese and by key."""

    def __init__(self, description: str, cell: Cell | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.cell = cell


def _three(row: str, column: str) -> str:
    return f"{row_name(row)} / {COLUMN_BY_KEY[column].label} ({row}, {column})"


def _four(group: str, result: str) -> str:
    label = f"四、{REMEDY_GROUP_BY_KEY[group].label} / {REMEDY_RESULT_BY_KEY[result].label}"
    return f"{label} ({group}, {result})"


def _plus(labels: Iterable[str]) -> str:
    return " + ".join(labels)


@dataclass
class AnnualTable:
    """Parts 三 and 四 of one agency's (or, with ``agency`` None, all agencies') annual report.

    ``cells`` maps (row, column) to a count for every numbered row of part 三 (leaf rows, group
    rows, ``outcome_total``, ``received``, ``carried_in``, ``carried_out``) and every column,
    ``total`` included; ``remedies`` maps (group, result) to a count for part 四.
    """

    agency: str | None
    year: int
    cells: dict[Cell, int] = field(default_factory=dict)
    remedies: dict[Cell, int] = field(default_factory=dict)
    agency_name: str = ""
    """The agency's name as printed in the title (the code when empty)."""

    @classmethod
    def empty(cls, agency: str | None, year: int) -> AnnualTable:
        return cls(
            agency,
            year,
            {(r, c): 0 for r in NUMBER_ROWS for c in COLUMN_KEYS},
            {(g, r): 0 for g in REMEDY_GROUP_KEYS for r in REMEDY_RESULT_KEYS},
        )

    def cell(self, row: str, column: str) -> int:
        """The count in part 三 at (row, column); ValueError for a row or column not in the
        table or for the heading row 三、本年度办理结果, which has no numbers."""
        if row not in ROW_BY_KEY or column not in COLUMN_BY_KEY:
            raise ValueError(f"no cell ({row}, {column}) in part 三")
        if ROW_BY_KEY[row].heading:
            raise ValueError(f"{row_name(row)} ({row}) is a heading row without numbers")
        return self.cells.get((row, column), 0)

    def remedy(self, group: str, result: str) -> int:
        """The count in part 四 at (group, result)."""
        if group not in REMEDY_GROUP_BY_KEY or result not in REMEDY_RESULT_BY_KEY:
            raise ValueError(f"no cell ({group}, {result}) in part 四")
        return self.remedies.get((group, result), 0)

    # -- the check -------------------------------------------------------------------------

    def check(self) -> None:
        """Raise BrokenTable naming the first cell that breaks a rule, in this order: a cell
        outside the table or not a non-negative integer; (a) 总计 column = the six applicant
        columns; (b) each group row = its sub-rows; (c) （七）总计 = （一）+…+（六）;
        (d) 一 + 二 = 三（七）总计 + 四 in every column; (e) each part-四 group's 总计 = its four
        results."""
        self._check_shape()
        for row in NUMBER_ROWS:
            total = self.cell(row, TOTAL)
            parts = sum(self.cell(row, c) for c in APPLICANT_COLUMNS)
            if total != parts:
                names = _plus(COLUMN_BY_KEY[c].label for c in APPLICANT_COLUMNS)
                raise BrokenTable(
                    f"{_three(row, TOTAL)}: 总计 = {total} but {names} = {parts}", (row, TOTAL)
                )
        for column in COLUMN_KEYS:
            for group in (*GROUP_ROWS, "outcome_total"):
                value = self.cell(group, column)
                subs = ROW_BY_KEY[group].parts
                summed = sum(self.cell(s, column) for s in subs)
                if value != summed:
                    names = _plus(ROW_BY_KEY[s].label for s in subs)
                    raise BrokenTable(
                        f"{_three(group, column)}: {ROW_BY_KEY[group].label} = {value} "
                        f"but {names} = {summed}",
                        (group, column),
                    )
        for column in COLUMN_KEYS:
            left = self.cell("received", column) + self.cell("carried_in", column)
            right = self.cell("outcome_total", column) + self.cell("carried_out", column)
            if left != right:
                raise BrokenTable(
                    f"{_three('outcome_total', column)}: 一 + 二 = {left} "
                    f"but （七）总计 + 四 = {right}",
                    ("outcome_total", column),
                )
        for group in REMEDY_GROUP_KEYS:
            total = self.remedy(group, "total")
            summed = sum(self.remedy(group, r) for r in PENDING_AND_CONCLUDED)
            if total != summed:
                names = _plus(REMEDY_RESULT_BY_KEY[r].label for r in PENDING_AND_CONCLUDED)
                raise BrokenTable(
                    f"{_four(group, 'total')}: 总计 = {total} but {names} = {summed}",
                    (group, "total"),
                )

    def _check_shape(self) -> None:
        for (row, column), value in self.cells.items():
            if row not in NUMBER_ROWS or column not in COLUMN_BY_KEY:
                raise BrokenTable(f"({row}, {column}) is not a cell of part 三", (row, column))
            if type(value) is not int or value < 0:
                raise BrokenTable(f"{_three(row, column)}: {value!r} is not a count", (row, column))
        for (group, result), value in self.remedies.items():
            if group not in REMEDY_GROUP_BY_KEY or result not in REMEDY_RESULT_BY_KEY:
                raise BrokenTable(f"({group}, {result}) is not a cell of part 四", (group, result))
            if type(value) is not int or value < 0:
                raise BrokenTable(
                    f"{_four(group, result)}: {value!r} is not a count", (group, result)
                )

    # -- JSON ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the labels travel with the numbers, so a client can print the table."""
        return {
            "agency": self.agency,
            "agency_name": self.agency_name,
            "year": self.year,
            "check_rule": CHECK_RULE,
            "columns": [{"key": c.key, "label": c.label, "gloss": c.gloss} for c in COLUMNS],
            "rows": [
                {
                    "key": r.key,
                    "label": r.label,
                    "gloss": r.gloss,
                    "parent": r.parent or None,
                    "heading": r.heading,
                    "values": None if r.heading else {c: self.cell(r.key, c) for c in COLUMN_KEYS},
                }
                for r in ROWS
            ],
            "part_four": {
                "results": [
                    {"key": r.key, "label": r.label, "gloss": r.gloss} for r in REMEDY_RESULTS
                ],
                "groups": [
                    {
                        "key": g.key,
                        "label": g.label,
                        "gloss": g.gloss,
                        "values": {r: self.remedy(g.key, r) for r in REMEDY_RESULT_KEYS},
                    }
                    for g in REMEDY_GROUPS
                ],
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnnualTable:
        """The inverse of ``to_dict``; labels are not read back (the keys decide). ValueError
        when a key is unknown, a row or group is missing, or a value is not an integer."""
        agency = data.get("agency")
        year = data.get("year")
        if agency is not None and not isinstance(agency, str):
            raise ValueError(f"agency must be a string or null, not {agency!r}")
        if type(year) is not int:
            raise ValueError(f"year must be an integer, not {year!r}")
        name = data.get("agency_name") or ""
        if not isinstance(name, str):
            raise ValueError(f"agency_name must be a string, not {name!r}")
        table = cls(agency, year, agency_name=name)
        for row in data.get("rows") or ():
            key = row.get("key")
            if key not in ROW_BY_KEY:
                raise ValueError(f"unknown row {key!r}")
            if ROW_BY_KEY[key].heading:
                continue
            table.cells.update(_values(f"row {key}", row.get("values"), COLUMN_KEYS, key))
        missing = [r for r in NUMBER_ROWS if (r, TOTAL) not in table.cells]
        if missing:
            raise ValueError(f"rows missing: {', '.join(missing)}")
        for group in (data.get("part_four") or {}).get("groups") or ():
            key = group.get("key")
            if key not in REMEDY_GROUP_BY_KEY:
                raise ValueError(f"unknown part-四 group {key!r}")
            values = group.get("values")
            table.remedies.update(_values(f"group {key}", values, REMEDY_RESULT_KEYS, key))
        missing = [g for g in REMEDY_GROUP_KEYS if (g, "total") not in table.remedies]
        if missing:
            raise ValueError(f"part-四 groups missing: {', '.join(missing)}")
        return table


def _values(where: str, values: Any, keys: tuple[str, ...], first: str) -> dict[Cell, int]:
    if not isinstance(values, Mapping) or set(values) != set(keys):
        raise ValueError(f"{where}: values must have exactly the keys {', '.join(keys)}")
    out: dict[Cell, int] = {}
    for k in keys:
        v = values[k]
        if type(v) is not int:
            raise ValueError(f"{where}: {k} must be an integer, not {v!r}")
        out[(first, k)] = v
    return out


def sum_tables(
    tables: Iterable[AnnualTable], agency: str | None = None, year: int | None = None
) -> AnnualTable:
    """Cell-by-cell sum of tables of one year (``year`` is needed only when there are none),
    labelled ``agency`` (None: all agencies). ValueError when the years differ."""
    tables = list(tables)
    years = {t.year for t in tables} | ({year} if year is not None else set())
    if len(years) != 1:
        raise ValueError(f"cannot sum tables of years {sorted(years)}")
    total = AnnualTable.empty(agency, years.pop())
    for t in tables:
        for key in total.cells:
            total.cells[key] += t.cells.get(key, 0)
        for key in total.remedies:
            total.remedies[key] += t.remedies.get(key, 0)
    return total
