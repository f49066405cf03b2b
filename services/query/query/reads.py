"""The read model's answers: SQL over its tables, one function per question, each given the
cursor of a read-only transaction and the database's dialect (``QueryApplication.read``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from query.dialect import Dialect
from query.paging import Order
from query.rows import APPLICATION_COLUMNS, OPEN_STATES
from query.words import agency_lexeme

Row = dict[str, Any]

BY_DUE_DATE = Order(("due_sort", "application_id", "agency"))
BY_RECEIPT = Order(("received_on", "application_id", "agency"), descending=True)
CONSULTATIONS = Order(("answer_due", "application_id", "from_agency", "ref"))
COMPLAINTS = Order(("c.filed_on", "c.complaint_id"), descending=True)
OVERDUE_REPORTS = Order(
    ("r.reported_on", "r.application_id", "r.agency", "r.due_on"), descending=True
)

#: What a summary shows of an application row (not its search words).
SHOWN = ", ".join(APPLICATION_COLUMNS)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    #: Rows of the whole list (every page).
    total: int
    #: The sort key of the last row, if more follow.
    last: list[str] | None


@dataclass(frozen=True)
class ApplicationFilter:
    """Which applications a list holds (empty fields: no condition)."""

    #: The agencies handling them (empty: every agency the read model keeps).
    agencies: tuple[str, ...] = ()
    #: Their states (empty: any state).
    states: tuple[str, ...] = OPEN_STATES
    office: str = ""
    #: Open and past their due date (or declared overdue by the reply clock) on ``today``.
    overdue: bool = False
    today: str = ""
    #: Due on or before this day (YYYY-MM-DD).
    due_by: str = ""
    waiting_correction: bool = False
    waiting_fee: bool = False
    waiting_consultation: bool = False
    received_from: str = ""
    received_to: str = ""
    applicant_type: str = ""
    applicant_id_doc: str = ""
    outcome: str = ""
    number: str = ""


def _conditions(f: ApplicationFilter, d: Dialect) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []

    def add(condition: str, *values: Any) -> None:
        conditions.append(condition)
        params.extend(values)

    if f.agencies:
        narrower = f.number or f.applicant_id_doc
        condition, values = d.one_of(d.unindexed("agency") if narrower else "agency", f.agencies)
        add(condition, *values)
    if f.states and set(f.states) <= set(OPEN_STATES):
        add("open = 1")  # the work queue's index holds the open rows
    if f.states and set(f.states) != set(OPEN_STATES):
        condition, values = d.one_of("state", f.states)
        add(condition, *values)
    for column in ("office", "applicant_type", "applicant_id_doc", "outcome", "number"):
        if getattr(f, column):
            add(f"{column} = {d.mark}", getattr(f, column))
    if f.overdue:
        add(f"open = 1 AND (overdue = 1 OR (due_on <> '' AND due_on < {d.mark}))", f.today)
    if f.due_by:
        add(f"due_on <> '' AND due_on <= {d.mark}", f.due_by)
    if f.waiting_correction:
        add("waiting_correction = 1")
    if f.waiting_fee:
        add("waiting_fee = 1")
    if f.waiting_consultation:
        add("consulting <> ''")
    if f.received_from:
        add(f"received_on >= {d.mark}", f.received_from)
    if f.received_to:
        add(f"received_on <> '' AND received_on <= {d.mark}", f.received_to)
    return conditions, params


def _page(
    cursor: Any,
    source: str,
    columns: str,
    where: tuple[list[str], list[Any]],
    order: Order,
    size: int,
    after: list[str] | None,
    mark: str,
) -> Page:
    """One page of the rows of ``source`` (a table, or tables joined) that meet ``where``, in
    ``order`` after the key ``after``, with the number of rows of every page."""
    conditions, params = where
    clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    cursor.execute(f"SELECT COUNT(*) AS total FROM {source}{clause}", params)
    total = int(cursor.fetchone()["total"])
    if after is not None:
        conditions, params = [*conditions, order.after(mark)], [*params, *after]
        clause = f" WHERE {' AND '.join(conditions)}"
    cursor.execute(
        f"SELECT {columns} FROM {source}{clause} ORDER BY {order.by()} LIMIT {size + 1}", params
    )
    rows = [dict(row) for row in cursor.fetchall()]
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, total, order.key(rows[-1]) if more else None)


def applications(
    cursor: Any, d: Dialect, f: ApplicationFilter, order: Order, size: int, after: list[str] | None
) -> Page:
    where = _conditions(f, d)
    return _page(cursor, d.table("applications"), SHOWN, where, order, size, after, d.mark)


#: A search counts its matches up to this many (beyond, its total is a lower bound): the first
#: page of a search for a word in nearly every application must not read them all.
COUNT_CAP = 1000


@dataclass(frozen=True)
class Resume:
    """Where a search's next page starts (before a row id), and the total its first page
    counted (a search is counted once, not page after page)."""

    before: int
    total: int


def search(
    cursor: Any, d: Dialect, words: tuple[str, ...], agency: str, size: int, resume: Resume | None
) -> Page:
    """Applications whose searched text (description, applicant name, decision) holds every
    word, of one agency ("" : every agency kept), the most recently received first (by the row's
    id, given in the order the read model first heard of them). The total is counted up to
    ``COUNT_CAP`` + 1 (more: ``COUNT_CAP`` + 1 stands for "more than ``COUNT_CAP``"); the page's
    key is the last row's id and the total."""
    found = _postgres_matches if d.postgres else _sqlite_matches
    rows, total = found(cursor, d, words, agency, size + 1, resume)
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, total, [str(rows[-1]["id"]), str(total)] if more else None)


def _postgres_matches(
    cursor: Any, d: Dialect, words: tuple[str, ...], agency: str, limit: int, resume: Resume | None
) -> tuple[list[Row], int]:
    """From the GIN index of the rows' words, which hold the row's agency as a lexeme too (the
    index alone finds an agency's matches to count); the page in the order of the agency's ids
    (index ``applications_newest``), so that it stops at the page however many match."""
    terms = "plainto_tsquery('simple', %s)"
    params: list[Any] = [" ".join(words)]
    if agency:
        terms = f"({terms} && %s::tsquery) AND agency = %s"
        params += [f"'{agency_lexeme(agency)}'", agency]
    where, table = f"words @@ {terms}", d.table("applications")
    if resume is None:
        cursor.execute(
            f"SELECT COUNT(*) AS total FROM (SELECT 1 FROM {table} WHERE {where} "
            f"LIMIT {COUNT_CAP + 1}) AS matches",
            params,
        )
        total = int(cursor.fetchone()["total"])
    else:
        total = resume.total
        where, params = f"{where} AND id < %s", [*params, resume.before]
    cursor.execute(
        f"SELECT {SHOWN} FROM {table} WHERE {where} ORDER BY id DESC LIMIT {limit}", params
    )
    return [dict(row) for row in cursor.fetchall()], total


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _sqlite_matches(
    cursor: Any, d: Dialect, words: tuple[str, ...], agency: str, limit: int, resume: Resume | None
) -> tuple[list[Row], int]:
    """From the FTS5 table alone, which holds each row's agency too (and reads its rowids in
    order); only the page's rows are read."""
    match = "words : (" + " AND ".join(_phrase(word) for word in words) + ")"
    if agency:
        match = f"agency : {_phrase(agency)} AND {match}"
    source = "FROM application_search WHERE application_search MATCH ?"
    params: list[Any]
    if resume is None:
        cursor.execute(
            f"SELECT COUNT(*) AS total FROM (SELECT rowid {source} LIMIT {COUNT_CAP + 1})",
            [match],
        )
        total = int(cursor.fetchone()["total"])
        condition, params = "", [match]
    else:
        total = resume.total
        condition, params = " AND rowid < ?", [match, resume.before]
    cursor.execute(
        f"SELECT rowid AS id {source}{condition} ORDER BY rowid DESC LIMIT {limit}", params
    )
    ids = [int(row["id"]) for row in cursor.fetchall()]
    if not ids:
        return [], total
    cursor.execute(f"SELECT {SHOWN} FROM applications WHERE id IN ({d.marks(len(ids))})", ids)
    by_id = {int(row["id"]): dict(row) for row in cursor.fetchall()}
    return [by_id[i] for i in ids if i in by_id], total


def consultations(
    cursor: Any, d: Dialect, agency: str, open_only: bool, size: int, after: list[str] | None
) -> Page:
    """Consultations addressed to ``agency`` by the agencies handling the applications
    (Art. 34), earliest answer date first."""
    where = ([f"to_agency = {d.mark}"] + (["answered_on = ''"] if open_only else []), [agency])
    return _page(cursor, d.table("consultations"), "*", where, CONSULTATIONS, size, after, d.mark)


def _number_joined(d: Dialect, table: str, alias: str, agency: str) -> str:
    """``table`` with the number its application has at ``agency`` (a column of the table)."""
    return (
        f"{d.table(table)} {alias} LEFT JOIN {d.table('applications')} a "
        f"ON a.application_id = {alias}.application_id AND a.agency = {alias}.{agency}"
    )


def complaints(
    cursor: Any,
    d: Dialect,
    bureau: str,
    states: tuple[str, ...],
    against: str,
    size: int,
    after: list[str] | None,
) -> Page:
    """A supervision bureau's complaint cases, newest first, with the number the application
    has at the agency complained about."""
    conditions, params = [f"c.bureau = {d.mark}"], [bureau]
    if states:
        condition, values = d.one_of("c.state", states)
        conditions.append(condition)
        params += values
    if against:
        conditions.append(f"c.against_agency = {d.mark}")
        params.append(against)
    return _page(
        cursor,
        _number_joined(d, "complaints", "c", "against_agency"),
        "c.*, COALESCE(a.number, '') AS application_number",
        (conditions, params),
        COMPLAINTS,
        size,
        after,
        d.mark,
    )


def overdue_reports(
    cursor: Any, d: Dialect, since: str, agency: str, size: int, after: list[str] | None
) -> Page:
    """Applications the reply clock declared overdue on or after ``since`` (newest first), with
    their number, office and state now."""
    conditions, params = [f"r.reported_on >= {d.mark}"], [since]
    if agency:
        conditions.append(f"r.agency = {d.mark}")
        params.append(agency)
    return _page(
        cursor,
        _number_joined(d, "overdue_reports", "r", "agency"),
        "r.*, COALESCE(a.number, '') AS number, COALESCE(a.office, '') AS office, "
        "COALESCE(a.state, '') AS state",
        (conditions, params),
        OVERDUE_REPORTS,
        size,
        after,
        d.mark,
    )


@dataclass(frozen=True)
class Figures:
    """One agency's figures: open applications, those overdue, those replied, and the median
    working days from receipt to the reply's delivery (None: nothing replied)."""

    agency: str
    open: int
    overdue: int
    replied: int
    median_reply_days: float | None


def figures(cursor: Any, d: Dialect, today: str) -> list[Figures]:
    """Every agency's figures, by agency code."""
    table = d.table("applications")
    cursor.execute(
        "SELECT agency, COUNT(*) AS open, SUM(CASE WHEN overdue = 1 OR "
        f"(due_on <> '' AND due_on < {d.mark}) THEN 1 ELSE 0 END) AS overdue "
        f"FROM {table} WHERE open = 1 GROUP BY agency",
        [today],
    )
    counts = {row["agency"]: (int(row["open"]), int(row["overdue"])) for row in cursor.fetchall()}
    cursor.execute(
        f"SELECT agency, COUNT(*) AS replied FROM {table} WHERE reply_days IS NOT NULL "
        "GROUP BY agency"
    )
    replied = {row["agency"]: int(row["replied"]) for row in cursor.fetchall()}
    answer = []
    for agency in sorted(set(counts) | set(replied)):
        opened, overdue = counts.get(agency, (0, 0))
        n = replied.get(agency, 0)
        answer.append(Figures(agency, opened, overdue, n, _median(cursor, d, agency, n)))
    return answer


def _median(cursor: Any, d: Dialect, agency: str, n: int) -> float | None:
    """The median of an agency's reply days: the middle one or two, read through the index."""
    if not n:
        return None
    cursor.execute(
        f"SELECT reply_days FROM {d.table('applications')} WHERE agency = {d.mark} "
        f"AND reply_days IS NOT NULL ORDER BY reply_days LIMIT {2 - n % 2} OFFSET {(n - 1) // 2}",
        [agency],
    )
    middle = [int(row["reply_days"]) for row in cursor.fetchall()]
    return sum(middle) / len(middle)
