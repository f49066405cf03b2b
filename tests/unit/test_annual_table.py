"""The annual report's parts 三 and 四: counting, the check, the JSON form and the renderers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date

import openpyxl
import pytest

from ogi_errors import DomainError
from ogi_law.rules import APPLICANT_TYPES, EXEMPTION_GROUNDS, OUTCOMES
from ogi_report import (
    FORMATS,
    AnnualTable,
    ApplicationFacts,
    BrokenTable,
    Closing,
    Remedy,
    count_year,
    render,
    sum_tables,
)
from ogi_report.labels import (
    APPLICANT_COLUMNS,
    CHECK_RULE,
    CHECK_RULE_NOTE,
    COLUMN_BY_KEY,
    COLUMN_KEYS,
    COLUMNS,
    GROUP_ROWS,
    LEAF_ROWS,
    NUMBER_ROWS,
    REMEDY_GROUP_KEYS,
    REMEDY_GROUPS,
    REMEDY_RESULT_KEYS,
    REMEDY_RESULTS,
    ROW_BY_KEY,
    ROWS,
    TITLE_PART_FOUR,
    TITLE_PART_THREE,
)

D = date
_serial = iter(range(1, 1_000_000))


def app(
    received: date,
    *closings: tuple[date, str],
    type_: str = "natural_person",
    agency: str = "a",
    forwarded_away: bool = False,
    remedies: tuple[Remedy, ...] = (),
) -> ApplicationFacts:
    return ApplicationFacts(
        application_id=f"A{next(_serial):012d}",
        agency=agency,
        applicant_type=type_,
        received_on=received,
        closings=tuple(Closing(on, row) for on, row in closings),
        forwarded_away=forwarded_away,
        remedies=remedies,
    )


def nonzero(table: AnnualTable) -> dict[tuple[str, str], int]:
    return {k: v for k, v in table.cells.items() if v}


def nonzero_remedies(table: AnnualTable) -> dict[tuple[str, str], int]:
    return {k: v for k, v in table.remedies.items() if v}


def n_for(i: int, j: int) -> int:
    return 1 + (i + 2 * j) % 4


def every_cell_facts(agency: str = "a") -> list[ApplicationFacts]:
    """For leaf row i and applicant column j, n_for(i, j) applications received and closed in
    2025."""
    return [
        app(D(2025, 2, 1), (D(2025, 3, 1), row), type_=column, agency=agency)
        for i, row in enumerate(LEAF_ROWS)
        for j, column in enumerate(APPLICANT_COLUMNS)
        for _ in range(n_for(i, j))
    ]


# -- labels --------------------------------------------------------------------------------


def test_labels_are_the_national_ones() -> None:
    assert len(ROWS) == 30
    assert len(LEAF_ROWS) == 21
    assert ROW_BY_KEY["withheld.security_stability"].label == '3.危及"三安全一稳定"'
    assert ROW_BY_KEY["partial"].label == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert ROW_BY_KEY["outcome"].heading
    assert ROW_BY_KEY["outcome_total"].parts == (
        "disclosed",
        "partial",
        "withheld",
        "unable",
        "not_processed",
        "other",
    )
    assert [c.label for c in COLUMNS] == [
        "自然人",
        "法人或其他组织 / 商业企业",
        "法人或其他组织 / 科研机构",
        "法人或其他组织 / 社会公益组织",
        "法人或其他组织 / 法律服务机构",
        "法人或其他组织 / 其他",
        "总计",
    ]
    assert tuple(APPLICANT_TYPES) == APPLICANT_COLUMNS
    assert [g.label for g in REMEDY_GROUPS] == [
        "行政复议",
        "行政诉讼\u00b7未经复议直接起诉",
        "行政诉讼\u00b7复议后起诉",
    ]
    assert [r.label for r in REMEDY_RESULTS] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
    ]


def test_every_reply_type_maps_onto_a_leaf_row() -> None:
    for outcome in OUTCOMES.values():
        if outcome.report_row == "withheld":
            assert all(f"withheld.{g}" in LEAF_ROWS for g in EXEMPTION_GROUNDS)
        else:
            assert outcome.report_row in LEAF_ROWS, outcome.code


# -- counting ------------------------------------------------------------------------------


def test_every_row_and_column_is_counted() -> None:
    table = count_year(every_cell_facts(), "a", 2025)
    table.check()
    for i, row in enumerate(LEAF_ROWS):
        for j, column in enumerate(APPLICANT_COLUMNS):
            assert table.cell(row, column) == n_for(i, j), (row, column)
    assert [table.cell("withheld", c) for c in APPLICANT_COLUMNS] == [20] * 6
    assert [table.cell("unable", c) for c in APPLICANT_COLUMNS] == [8, 6, 8, 6, 8, 6]
    assert [table.cell("not_processed", c) for c in APPLICANT_COLUMNS] == [12, 14, 12, 14, 12, 14]
    assert [table.cell("other", c) for c in APPLICANT_COLUMNS] == [8, 6, 8, 6, 8, 6]
    assert [table.cell("outcome_total", c) for c in COLUMN_KEYS] == [51, 53, 51, 53, 51, 53, 312]
    assert [table.cell("received", c) for c in COLUMN_KEYS] == [51, 53, 51, 53, 51, 53, 312]
    assert table.cell("disclosed", "total") == 1 + 3 + 1 + 3 + 1 + 3
    assert table.cell("withheld", "total") == 120
    assert table.cell("carried_in", "total") == 0
    assert table.cell("carried_out", "total") == 0


def test_carried_in_and_out_across_years() -> None:
    facts = [
        app(D(2024, 11, 10), (D(2025, 1, 8), "disclosed")),  # closed early next year
        app(D(2024, 12, 20), type_="commercial"),  # never closed
        app(D(2025, 12, 30), (D(2026, 1, 10), "unable.not_held")),  # received late in 2025
        app(D(2023, 5, 1), (D(2023, 6, 1), "disclosed")),  # long done
        app(D(2026, 1, 2), type_="research"),  # after 2025
        app(D(2025, 12, 31), (D(2025, 12, 31), "other.fee_unpaid"), type_="legal_services"),
    ]
    t2024, t2025, t2026 = (count_year(facts, "a", y) for y in (2024, 2025, 2026))
    for t in (t2024, t2025, t2026):
        t.check()
    assert nonzero(t2024) == {
        ("received", "natural_person"): 1,
        ("received", "commercial"): 1,
        ("received", "total"): 2,
        ("carried_out", "natural_person"): 1,
        ("carried_out", "commercial"): 1,
        ("carried_out", "total"): 2,
    }
    assert nonzero(t2025) == {
        ("received", "natural_person"): 1,
        ("received", "legal_services"): 1,
        ("received", "total"): 2,
        ("carried_in", "natural_person"): 1,
        ("carried_in", "commercial"): 1,
        ("carried_in", "total"): 2,
        ("disclosed", "natural_person"): 1,
        ("disclosed", "total"): 1,
        ("other.fee_unpaid", "legal_services"): 1,
        ("other.fee_unpaid", "total"): 1,
        ("other", "legal_services"): 1,
        ("other", "total"): 1,
        ("outcome_total", "natural_person"): 1,
        ("outcome_total", "legal_services"): 1,
        ("outcome_total", "total"): 2,
        ("carried_out", "natural_person"): 1,
        ("carried_out", "commercial"): 1,
        ("carried_out", "total"): 2,
    }
    assert nonzero(t2026) == {
        ("received", "research"): 1,
        ("received", "total"): 1,
        ("carried_in", "natural_person"): 1,
        ("carried_in", "commercial"): 1,
        ("carried_in", "total"): 2,
        ("unable.not_held", "natural_person"): 1,
        ("unable.not_held", "total"): 1,
        ("unable", "natural_person"): 1,
        ("unable", "total"): 1,
        ("outcome_total", "natural_person"): 1,
        ("outcome_total", "total"): 1,
        ("carried_out", "commercial"): 1,
        ("carried_out", "research"): 1,
        ("carried_out", "total"): 2,
    }


def test_closed_on_new_years_day_is_carried_in_and_handled() -> None:
    facts = [
        app(D(2024, 12, 31), (D(2025, 1, 1), "not_processed.publication"), type_="public_interest")
    ]
    t2024, t2025 = count_year(facts, "a", 2024), count_year(facts, "a", 2025)
    both = ("public_interest", "total")
    assert nonzero(t2024) == {
        **{("received", c): 1 for c in both},
        **{("carried_out", c): 1 for c in both},
    }
    assert nonzero(t2025) == {
        **{("carried_in", c): 1 for c in both},
        **{("not_processed.publication", c): 1 for c in both},
        **{("not_processed", c): 1 for c in both},
        **{("outcome_total", c): 1 for c in both},
    }


def test_forwarded_away_is_counted_only_by_the_receiving_agency() -> None:
    sent = app(
        D(2025, 3, 1),
        (D(2025, 3, 5), "unable.not_held"),
        agency="a",
        forwarded_away=True,
        remedies=(Remedy("reconsideration", D(2025, 4, 1)),),
    )
    received = app(D(2025, 3, 6), (D(2025, 4, 1), "disclosed"), agency="b")
    facts = [sent, received]
    assert nonzero(count_year(facts, "a", 2025)) == {}
    assert nonzero_remedies(count_year(facts, "a", 2025)) == {}
    b = count_year(facts, "b", 2025)
    assert b.cell("received", "total") == 1
    assert b.cell("disclosed", "natural_person") == 1
    everyone = count_year(facts, None, 2025)
    assert everyone.agency is None
    assert everyone.cell("received", "total") == 1
    assert everyone.cell("unable", "total") == 0
    assert nonzero_remedies(everyone) == {}


def test_reopened_within_the_year_counts_the_last_outcome_of_that_year() -> None:
    facts = [
        app(
            D(2025, 2, 1),
            (D(2025, 3, 1), "withheld.third_party"),
            (D(2025, 6, 1), "partial"),
            type_="public_interest",
        )
    ]
    table = count_year(facts, "a", 2025)
    assert table.cell("partial", "public_interest") == 1
    assert table.cell("withheld.third_party", "public_interest") == 0
    assert table.cell("withheld", "total") == 0
    assert table.cell("outcome_total", "total") == 1


def test_reopened_in_a_later_year_is_not_counted_again() -> None:
    facts = [
        app(
            D(2025, 2, 1),
            (D(2025, 3, 1), "withheld.process_info"),
            (D(2025, 5, 1), "unable.needs_creation"),
            (D(2026, 2, 1), "disclosed"),  # after a rectification order
            type_="other_org",
        )
    ]
    t2025, t2026 = count_year(facts, "a", 2025), count_year(facts, "a", 2026)
    t2025.check()
    t2026.check()
    assert t2025.cell("unable.needs_creation", "other_org") == 1
    assert t2025.cell("withheld.process_info", "other_org") == 0
    assert t2025.cell("disclosed", "other_org") == 0
    assert t2025.cell("carried_out", "total") == 0
    assert nonzero(t2026) == {}


def test_remedies_are_counted_in_the_year_filed_pending_until_concluded() -> None:
    remedies = (
        Remedy("reconsideration", D(2025, 3, 1), D(2025, 6, 1), "upheld"),
        Remedy("reconsideration", D(2025, 4, 1), D(2025, 12, 31), "corrected"),
        Remedy("reconsideration", D(2024, 10, 1), D(2025, 1, 10), "other"),  # filed last year
        Remedy("lawsuit_direct", D(2025, 11, 1), D(2026, 2, 1), "corrected"),  # pending at 31 Dec
        Remedy("lawsuit_direct", D(2025, 5, 1), D(2025, 8, 1), "other"),
        Remedy("lawsuit_after_reconsideration", D(2025, 9, 1)),
    )
    facts = [app(D(2024, 9, 1), (D(2024, 9, 20), "withheld.state_secret"), remedies=remedies)]
    t2025 = count_year(facts, "a", 2025)
    t2025.check()
    assert nonzero_remedies(t2025) == {
        ("reconsideration", "upheld"): 1,
        ("reconsideration", "corrected"): 1,
        ("reconsideration", "total"): 2,
        ("lawsuit_direct", "other"): 1,
        ("lawsuit_direct", "pending"): 1,
        ("lawsuit_direct", "total"): 2,
        ("lawsuit_after_reconsideration", "pending"): 1,
        ("lawsuit_after_reconsideration", "total"): 1,
    }
    assert nonzero_remedies(count_year(facts, "a", 2024)) == {
        ("reconsideration", "pending"): 1,
        ("reconsideration", "total"): 1,
    }
    assert nonzero_remedies(count_year(facts, "a", 2026)) == {}


def test_all_agencies_is_the_sum_of_the_agencies() -> None:
    facts = [
        *every_cell_facts("a"),
        *every_cell_facts("b")[::3],
        app(D(2024, 12, 1), agency="c", type_="research"),
        app(
            D(2025, 7, 1),
            (D(2025, 8, 1), "not_processed.repeat"),
            agency="c",
            remedies=(Remedy("lawsuit_direct", D(2025, 9, 1), D(2025, 10, 1), "upheld"),),
        ),
    ]
    per_agency = [count_year(facts, a, 2025) for a in ("a", "b", "c")]
    everyone = count_year(facts, None, 2025)
    everyone.check()
    assert everyone == sum_tables(per_agency)
    assert everyone.cell("received", "total") == 312 + 104 + 1
    assert everyone.cell("carried_in", "research") == 1
    assert everyone.cell("carried_out", "total") == 1
    assert everyone.remedy("lawsuit_direct", "total") == 1
    assert count_year(facts, "nobody", 2025) == AnnualTable.empty("nobody", 2025)


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        (app(D(2025, 1, 1), type_="alien"), "applicant type 'alien'"),
        (app(D(2025, 1, 1), type_="total"), "applicant type 'total'"),
        (app(D(2025, 1, 1), (D(2025, 2, 1), "withheld")), "'withheld' is not a leaf row"),
        (app(D(2025, 1, 1), (D(2025, 2, 1), "outcome_total")), "not a leaf row"),
        (app(D(2025, 1, 1), (D(2025, 2, 1), "secret")), "'secret' is not a leaf row"),
        (app(D(2025, 3, 1), (D(2025, 2, 1), "disclosed")), "before receipt"),
        (
            app(D(2025, 1, 1), (D(2025, 3, 1), "disclosed"), (D(2025, 2, 1), "partial")),
            "before receipt or an earlier closing",
        ),
        (app(D(2025, 1, 1), remedies=(Remedy("appeal", D(2025, 2, 1)),)), "'appeal'"),
        (
            app(
                D(2025, 1, 1), remedies=(Remedy("reconsideration", D(2025, 2, 1), None, "upheld"),)
            ),
            "exactly when",
        ),
        (
            app(
                D(2025, 1, 1),
                remedies=(Remedy("reconsideration", D(2025, 2, 1), D(2025, 3, 1), "won"),),
            ),
            "'won'",
        ),
    ],
)
def test_facts_that_cannot_be_counted_name_the_application(
    fact: ApplicationFacts, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        count_year([fact], None, 2025)
    assert fact.application_id in str(caught.value)


# -- the check -----------------------------------------------------------------------------


def sample() -> AnnualTable:
    facts = [
        *every_cell_facts(),
        app(D(2024, 12, 1)),
        app(D(2025, 12, 1), type_="research"),
        app(
            D(2025, 1, 1),
            (D(2025, 1, 2), "disclosed"),
            remedies=(
                Remedy("reconsideration", D(2025, 2, 1)),
                Remedy("lawsuit_after_reconsideration", D(2025, 3, 1), D(2025, 4, 1), "upheld"),
            ),
        ),
    ]
    table = count_year(facts, "a", 2025)
    table.check()
    return table


def bump(table: AnnualTable, *cells: tuple[str, str]) -> AnnualTable:
    for cell in cells:
        table.cells[cell] += 1
    return table


@pytest.mark.parametrize(
    ("corrupt", "cell", "names"),
    [
        (
            lambda t: bump(t, ("partial", "research")),
            ("partial", "total"),
            "三（二）部分公开（区分处理的，只计这一情形，不计其他情形） / 总计 (partial, total)",
        ),
        (
            lambda t: bump(
                t, ("withheld.third_party", "research"), ("withheld.third_party", "total")
            ),
            ("withheld", "research"),
            "三（三）不予公开 / 法人或其他组织 / 科研机构 (withheld, research)",
        ),
        (
            lambda t: bump(t, ("unable", "natural_person"), ("unable", "total")),
            ("unable", "natural_person"),
            "三（四）无法提供 / 自然人 (unable, natural_person)",
        ),
        (
            lambda t: bump(t, ("disclosed", "commercial"), ("disclosed", "total")),
            ("outcome_total", "commercial"),
            "三（七）总计 / 法人或其他组织 / 商业企业 (outcome_total, commercial)",
        ),
        (
            lambda t: bump(t, ("carried_in", "other_org"), ("carried_in", "total")),
            ("outcome_total", "other_org"),
            "三（七）总计 / 法人或其他组织 / 其他 (outcome_total, other_org): 一 + 二 =",
        ),
    ],
)
def test_check_names_the_broken_cell(
    corrupt: Callable[[AnnualTable], AnnualTable], cell: tuple[str, str], names: str
) -> None:
    table = corrupt(sample())
    with pytest.raises(BrokenTable) as caught:
        table.check()
    assert caught.value.cell == cell
    assert names in str(caught.value)
    assert isinstance(caught.value, DomainError)


def test_check_rule_message_is_exact() -> None:
    table = bump(sample(), ("received", "natural_person"), ("received", "total"))
    with pytest.raises(BrokenTable) as caught:
        table.check()
    assert str(caught.value) == (
        "三（七）总计 / 自然人 (outcome_total, natural_person): "
        "一 + 二 = 54 but （七）总计 + 四 = 53"
    )


def test_check_catches_part_four_totals() -> None:
    table = sample()
    assert table.remedies[("reconsideration", "pending")] == 1
    table.remedies[("reconsideration", "pending")] += 1
    with pytest.raises(BrokenTable) as caught:
        table.check()
    assert caught.value.cell == ("reconsideration", "total")
    assert str(caught.value) == (
        "四、行政复议 / 总计 (reconsideration, total): "
        "总计 = 1 but 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 2"
    )


def test_check_catches_negative_and_stray_cells() -> None:
    table = sample()
    table.cells[("carried_out", "other_org")] = -1
    with pytest.raises(BrokenTable, match=r"\(carried_out, other_org\): -1 is not a count"):
        table.check()
    table = sample()
    table.cells[("outcome", "total")] = 0
    with pytest.raises(BrokenTable, match=r"\(outcome, total\) is not a cell of part 三"):
        table.check()


def test_cell_refuses_the_heading_row_and_unknown_keys() -> None:
    table = sample()
    with pytest.raises(ValueError, match="heading row"):
        table.cell("outcome", "total")
    with pytest.raises(ValueError):
        table.cell("disclosed", "aliens")
    with pytest.raises(ValueError):
        table.remedy("appeal", "total")


# -- JSON ----------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    table = sample()
    data = json.loads(render(table, "json"))
    assert data["check_rule"] == CHECK_RULE == "一 + 二 = 三（七）总计 + 四"
    assert data["agency"] == "a"
    assert data["year"] == 2025
    assert [c["label"] for c in data["columns"]] == [c.label for c in COLUMNS]
    assert [r["key"] for r in data["rows"]] == [r.key for r in ROWS]
    outcome = next(r for r in data["rows"] if r["key"] == "outcome")
    assert outcome["values"] is None
    received = next(r for r in data["rows"] if r["key"] == "received")
    assert received["values"]["total"] == 312 + 2
    groups = data["part_four"]["groups"]
    assert [g["key"] for g in groups] == list(REMEDY_GROUP_KEYS)
    assert groups[2]["values"] == {
        "upheld": 1,
        "corrected": 0,
        "other": 0,
        "pending": 0,
        "total": 1,
    }
    back = AnnualTable.from_dict(data)
    assert back == table
    back.check()


def test_from_dict_refuses_unknown_or_missing_keys() -> None:
    data = sample().to_dict()
    data["rows"][0]["key"] = "stolen"
    with pytest.raises(ValueError, match="unknown row 'stolen'"):
        AnnualTable.from_dict(data)
    data = sample().to_dict()
    del data["rows"][-1]
    with pytest.raises(ValueError, match="rows missing: carried_out"):
        AnnualTable.from_dict(data)
    data = sample().to_dict()
    data["rows"][0]["values"]["total"] = "3"
    with pytest.raises(ValueError, match="total must be an integer"):
        AnnualTable.from_dict(data)
    data = sample().to_dict()
    data["part_four"]["groups"].pop()
    with pytest.raises(ValueError, match="lawsuit_after_reconsideration"):
        AnnualTable.from_dict(data)


def test_sum_tables_refuses_mixed_years() -> None:
    with pytest.raises(ValueError, match="2024, 2025"):
        sum_tables([AnnualTable.empty("a", 2024), AnnualTable.empty("b", 2025)])
    assert sum_tables([], year=2025) == AnnualTable.empty(None, 2025)


# -- renderers -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_renderer_refuses_a_broken_table(fmt: str) -> None:
    table = bump(sample(), ("partial", "research"))
    with pytest.raises(BrokenTable, match=r"\(partial, total\)"):
        render(table, fmt)


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        render(sample(), "pdf")


def test_xlsx_round_trip() -> None:
    table = sample()
    book = openpyxl.load_workbook(io.BytesIO(render(table, "xlsx")))
    assert book.sheetnames == ["三", "四"]
    three, four = book["三"], book["四"]
    assert three["A1"].value == TITLE_PART_THREE
    assert three["A2"].value == "2025年度 · a"
    assert three["A3"].value == CHECK_RULE_NOTE
    assert three["B3"].value == "申请人情况"
    assert three["B4"].value == "自然人"
    assert three["C4"].value == "法人或其他组织"
    assert three["H4"].value == "总计"
    assert [three.cell(row=5, column=c).value for c in range(3, 8)] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    merged = {str(r) for r in three.merged_cells.ranges}
    assert {"A1:H1", "A3:A5", "B3:H3", "B4:B5", "C4:G4", "H4:H5"} <= merged
    for i, row in enumerate(ROWS):
        r = 6 + i
        assert three.cell(row=r, column=1).value == row.label
        values = [three.cell(row=r, column=2 + j).value for j in range(len(COLUMN_KEYS))]
        if row.heading:
            assert values == [None] * 7
        else:
            assert values == [table.cell(row.key, c) for c in COLUMN_KEYS]
            assert all(type(v) is int for v in values)
    assert three.cell(row=6 + len(ROWS), column=1).value is None
    assert three["H6"].value == 312 + 2  # 一 总计
    assert three.cell(row=6 + len(ROWS) - 1, column=8).value == 2  # 四 总计

    assert four["A1"].value == TITLE_PART_FOUR
    assert four["A3"].value == "行政复议"
    assert four["F3"].value == "行政诉讼"
    assert four["F4"].value == "未经复议直接起诉"
    assert four["K4"].value == "复议后起诉"
    assert [four.cell(row=4, column=c).value for c in range(1, 6)] == [
        r.label for r in REMEDY_RESULTS
    ]
    assert [four.cell(row=5, column=c).value for c in range(6, 16)] == [
        r.label for r in REMEDY_RESULTS
    ] * 2
    assert {"A3:E3", "F3:O3", "A4:A5", "E4:E5", "F4:J4", "K4:O4"} <= {
        str(r) for r in four.merged_cells.ranges
    }
    assert [four.cell(row=6, column=c).value for c in range(1, 16)] == [
        0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1,
    ]  # fmt: skip


def test_csv_has_a_bom_every_label_and_the_numbers() -> None:
    table = sample()
    data = render(table, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["2025年度 · a"]
    cells = {cell for line in lines for cell in line}
    assert {
        TITLE_PART_THREE,
        TITLE_PART_FOUR,
        CHECK_RULE_NOTE,
        "申请人情况",
        "法人或其他组织",
    } <= cells
    assert {c.short for c in COLUMNS} <= cells
    assert {r.label for r in ROWS} <= cells
    assert {"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"} <= cells
    assert {r.label for r in REMEDY_RESULTS} <= cells
    row_labels = {r.label for r in ROWS}
    by_label = {line[0]: line[1:] for line in lines if line and line[0] in row_labels}
    assert by_label["一、本年新收政府信息公开申请数量"] == [
        "52",
        "53",
        "52",
        "53",
        "51",
        "53",
        "314",
    ]
    assert by_label["二、上年结转政府信息公开申请数量"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert by_label["四、结转下年度继续办理"] == ["1", "0", "1", "0", "0", "0", "2"]
    assert by_label["三、本年度办理结果"] == [""] * 7
    assert lines[-1] == ["0", "0", "0", "1", "1", "0", "0", "0", "0", "0", "1", "0", "0", "0", "1"]


def test_markdown_has_every_exact_label() -> None:
    text = render(sample(), "markdown").decode("utf-8")
    for label in (TITLE_PART_THREE, TITLE_PART_FOUR, CHECK_RULE_NOTE):
        assert label in text
    for column in COLUMNS:
        assert f"| {column.label} |" in text
    for row in ROWS:
        assert row.label in text
    for group in REMEDY_GROUPS:
        for result in REMEDY_RESULTS:
            assert f"{group.label} / {result.label}" in text
    assert '| 　　3.危及"三安全一稳定" | 1 | 3 | 1 | 3 | 1 | 3 | 12 |' in text
    assert "| 一、本年新收政府信息公开申请数量 | 52 | 53 | 52 | 53 | 51 | 53 | 314 |" in text


def test_html_is_self_contained_merged_and_escaped() -> None:
    table = sample()
    table.agency = "<b>局&办</b>"
    text = render(table, "html").decode("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in text
    assert "&lt;b&gt;局&amp;办&lt;/b&gt;" in text
    assert "<b>" not in text
    for label in (TITLE_PART_THREE, TITLE_PART_FOUR, CHECK_RULE_NOTE):
        assert label in text
    for row in ROWS:
        assert f">{row.label}</th>" in text
    for column in COLUMNS:
        assert f">{column.short}</th>" in text
        assert column.label in text
    for group in REMEDY_GROUPS:
        assert group.label in text
    assert '<th class="corner" rowspan="3">' in text
    assert '<th colspan="7">申请人情况</th>' in text
    assert '<th colspan="5">法人或其他组织</th>' in text
    assert '<th rowspan="2">自然人</th>' in text
    assert '<th colspan="10">行政诉讼</th>' in text
    assert (
        '<th scope="row" class="level-2">3.危及"三安全一稳定"</th>'
        "<td>1</td><td>3</td><td>1</td><td>3</td><td>1</td><td>3</td><td>12</td>"
    ) in text


def test_table_has_every_cell() -> None:
    table = sample()
    for group in GROUP_ROWS:
        assert table.cell(group, "total") == sum(
            table.cell(s, "total") for s in ROW_BY_KEY[group].parts
        )
    assert set(NUMBER_ROWS) == {r for r, _ in table.cells}
    assert {g for g, _ in table.remedies} == set(REMEDY_GROUP_KEYS)
    assert {r for _, r in table.remedies} == set(REMEDY_RESULT_KEYS)
    assert COLUMN_BY_KEY["total"].label == "总计"
