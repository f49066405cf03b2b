"""Counting one year of one agency (or of all agencies) into the annual table.

The rules below are the system's choice; the national format fixes the table, not how an
application's history maps onto it.

* An application forwarded away (``forwarded_away``) is skipped entirely, in part 三 and in
  part 四: the agency that received it from the forward has its own facts, with its own
  receipt, and counts it.
* An application's counting closure is its FIRST closing. The year of that first closing is the
  year it is counted as handled, once. Its outcome row is the row of the LAST closing dated in
  that same year: a reopening within the year changes the outcome; a reopening in a later year
  (e.g. after a rectification order) does not count the application again.
* 一 (``received``): received in the year.
  二 (``carried_in``): received before 1 January and not first-closed before 1 January.
  三 (outcome rows): first-closed within the year (hence received on or before 31 December).
  四 (``carried_out``): received on or before 31 December and not first-closed by 31 December.
  Applications received after the year are ignored. With these rules 一 + 二 = 三（七）总计 + 四
  holds in every column for any facts that pass the validation below.
* Part 四: a remedy is counted in the year it was filed, in its group; its result is its
  ``result`` if it was concluded on or before 31 December of that year, else 尚未审结 (pending);
  each group's 总计 is 结果维持 + 结果纠正 + 其他结果 + 尚未审结.
* Group rows are the sums of their sub-rows, （七）总计 the sum of （一）–（六）, and the 总计
  column the sum of the six applicant columns.
* ``agency`` None counts every application of every agency by the same rules (the
  government-level aggregate, equal to the sum of the agencies' tables).

Facts that cannot be counted raise ValueError naming the application: an unknown applicant type,
a closing row that is not a leaf row, closings out of date order or before receipt, an unknown
remedy kind or result, a result without a conclusion date or the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ogi_report.facts import ApplicationFacts, Remedy
from ogi_report.labels import (
    APPLICANT_COLUMNS,
    CONCLUDED_RESULTS,
    GROUP_ROWS,
    LEAF_ROWS,
    NUMBER_ROWS,
    REMEDY_GROUP_KEYS,
    ROW_BY_KEY,
    TOTAL,
)
from ogi_report.table import PENDING_AND_CONCLUDED, AnnualTable


def count_year(facts: Iterable[ApplicationFacts], agency: str | None, year: int) -> AnnualTable:
    """Parts 三 and 四 of ``agency``'s annual report for ``year`` (``agency`` None: all)."""
    table = AnnualTable.empty(agency, year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    for fact in facts:
        if fact.forwarded_away or (agency is not None and fact.agency != agency):
            continue
        _validate(fact)
        column = fact.applicant_type
        for remedy in fact.remedies:
            if remedy.filed_on.year == year:
                table.remedies[(remedy.kind, _result_by(remedy, end))] += 1
        if fact.received_on > end:
            continue
        first = fact.closings[0].on if fact.closings else None
        if fact.received_on >= start:
            table.cells[("received", column)] += 1
        elif first is None or first >= start:
            table.cells[("carried_in", column)] += 1
        if first is None or first > end:
            table.cells[("carried_out", column)] += 1
        elif first >= start:
            row = [c.row for c in fact.closings if c.on.year == year][-1]
            table.cells[(row, column)] += 1
    _add_sums(table)
    return table


def _result_by(remedy: Remedy, end: date) -> str:
    if remedy.concluded_on is not None and remedy.concluded_on <= end:
        return remedy.result
    return "pending"


def _add_sums(table: AnnualTable) -> None:
    cells = table.cells
    for column in APPLICANT_COLUMNS:
        for group in (*GROUP_ROWS, "outcome_total"):
            cells[(group, column)] = sum(cells[(s, column)] for s in ROW_BY_KEY[group].parts)
    for row in NUMBER_ROWS:
        cells[(row, TOTAL)] = sum(cells[(row, c)] for c in APPLICANT_COLUMNS)
    for group in REMEDY_GROUP_KEYS:
        table.remedies[(group, "total")] = sum(
            table.remedies[(group, r)] for r in PENDING_AND_CONCLUDED
        )


def _validate(fact: ApplicationFacts) -> None:
    where = f"application {fact.application_id}"
    if fact.applicant_type not in APPLICANT_COLUMNS:
        raise ValueError(
            f"{where}: applicant type {fact.applicant_type!r} is not one of "
            f"{', '.join(APPLICANT_COLUMNS)}"
        )
    previous = fact.received_on
    for closing in fact.closings:
        if closing.row not in LEAF_ROWS:
            raise ValueError(f"{where}: {closing.row!r} is not a leaf row of part 三")
        if closing.on < previous:
            raise ValueError(
                f"{where}: closing on {closing.on} is before receipt or an earlier closing"
            )
        previous = closing.on
    for remedy in fact.remedies:
        if remedy.kind not in REMEDY_GROUP_KEYS:
            raise ValueError(f"{where}: remedy kind {remedy.kind!r} is unknown")
        if (remedy.concluded_on is None) != (remedy.result == ""):
            raise ValueError(f"{where}: a remedy has a result exactly when it is concluded")
        if remedy.result and remedy.result not in CONCLUDED_RESULTS:
            raise ValueError(f"{where}: remedy result {remedy.result!r} is unknown")
        if remedy.concluded_on is not None and remedy.concluded_on < remedy.filed_on:
            raise ValueError(f"{where}: remedy concluded before it was filed")
