"""The labels of the national annual-report tables (国办公开办函〔2021〕30号), as data.

Part 三 (applications received and handled) has the applicant columns and the numbered rows;
part 四 (reconsideration and litigation) has three remedy groups, each with five results. The
Chinese labels are reproduced byte for byte from the national format; the English gloss is for
display only. Where a column or row stands for a code of the catalogue (applicant types,
exemption grounds, remedy kinds and results: ogi_law.labels), its key is that code, taken from
the catalogue in its order: the table's texts are its own, its codes are the system's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ogi_law.labels import APPLICANT_TYPES, EXEMPTION_GROUNDS, REMEDY_KINDS
from ogi_law.labels import REMEDY_RESULTS as REMEDY_RESULT_CODES

TITLE_PART_THREE = "三、收到和处理政府信息公开申请情况"
TITLE_PART_FOUR = "四、政府信息公开行政复议、行政诉讼情况"
APPLICANT_HEADER = "申请人情况"
CHECK_RULE = "一 + 二 = 三（七）总计 + 四"
CHECK_RULE_NOTE = f"勾稽关系：{CHECK_RULE}"
ALL_AGENCIES = "全部机关"


@dataclass(frozen=True)
class Label:
    """A column of part 三 or a group or result of part 四. ``label`` is the full national
    label; ``parent`` is the spanning header above it (法人或其他组织, 行政诉讼) or empty, and
    ``short`` the text under that header."""

    key: str
    label: str
    gloss: str
    parent: str = ""
    separator: str = " / "

    @property
    def short(self) -> str:
        return (
            self.label.removeprefix(f"{self.parent}{self.separator}") if self.parent else self.label
        )


Column = Label
RemedyLabel = Label


ORGANISATIONS = "法人或其他组织"


def _keyed(codes: Iterable[str], texts: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The table's texts, each under the catalogue's code in the same place (as many of each)."""
    return [(code, *text) for code, text in zip(codes, texts, strict=True)]


COLUMNS: tuple[Column, ...] = (
    *(
        Column(*column)
        for column in _keyed(
            APPLICANT_TYPES,
            (
                ("自然人", "natural persons"),
                ("法人或其他组织 / 商业企业", "commercial enterprises", ORGANISATIONS),
                ("法人或其他组织 / 科研机构", "research institutions", ORGANISATIONS),
                (
                    "法人或其他组织 / 社会公益组织",
                    "public-interest organisations",
                    ORGANISATIONS,
                ),
                ("法人或其他组织 / 法律服务机构", "legal-service providers", ORGANISATIONS),
                ("法人或其他组织 / 其他", "other organisations", ORGANISATIONS),
            ),
        )
    ),
    Column("total", "总计", "total"),
)
COLUMN_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
TOTAL = "total"
APPLICANT_COLUMNS: tuple[str, ...] = tuple(k for k in COLUMN_KEYS if k != TOTAL)


@dataclass(frozen=True)
class Row:
    """A row of part 三.

    ``parent`` is the row this one is printed under (``outcome`` for （一）–（七）, the group for
    a numbered sub-row); ``parts`` are the rows it is the sum of (empty for a leaf); a
    ``heading`` row carries no numbers. ``level`` is the printed indentation.
    """

    key: str
    label: str
    gloss: str
    parent: str = ""
    parts: tuple[str, ...] = ()
    heading: bool = False

    @property
    def level(self) -> int:
        if not self.parent:
            return 0
        return 1 if self.parent == "outcome" else 2


OUTCOME_GROUPS: tuple[str, ...] = (
    "disclosed",
    "partial",
    "withheld",
    "unable",
    "not_processed",
    "other",
)


def _group(key: str, label: str, gloss: str, subs: Iterable[tuple[str, ...]]) -> list[Row]:
    sub_rows = [Row(f"{key}.{k}", lab, g, parent=key) for k, lab, g in subs]
    return [Row(key, label, gloss, "outcome", tuple(r.key for r in sub_rows)), *sub_rows]


ROWS: tuple[Row, ...] = (
    Row("received", "一、本年新收政府信息公开申请数量", "new applications received this year"),
    Row(
        "carried_in", "二、上年结转政府信息公开申请数量", "applications carried over from last year"
    ),
    Row("outcome", "三、本年度办理结果", "outcomes this year", heading=True),
    Row("disclosed", "（一）予以公开", "disclosed", "outcome"),
    Row(
        "partial",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "partly disclosed (counted only here)",
        "outcome",
    ),
    *_group(
        "withheld",
        "（三）不予公开",
        "not disclosed",
        _keyed(
            EXEMPTION_GROUNDS,
            (
                ("1.属于国家秘密", "state secret"),
                ("2.其他法律行政法规禁止公开", "prohibited by other laws"),
                (
                    '3.危及"三安全一稳定"',
                    "endangers national, public or economic security or social stability",
                ),
                ("4.保护第三方合法权益", "protects third parties' lawful rights"),
                ("5.属于三类内部事务信息", "internal-affairs information"),
                ("6.属于四类过程性信息", "process information"),
                ("7.属于行政执法案卷", "administrative-enforcement file"),
                ("8.属于行政查询事项", "administrative-query matter"),
            ),
        ),
    ),
    *_group(
        "unable",
        "（四）无法提供",
        "cannot be provided",
        (
            ("not_held", "1.本机关不掌握相关政府信息", "not held by this agency"),
            ("needs_creation", "2.没有现成信息需要另行制作", "would have to be created"),
            (
                "unclear_after_correction",
                "3.补正后申请内容仍不明确",
                "still unclear after correction",
            ),
        ),
    ),
    *_group(
        "not_processed",
        "（五）不予处理",
        "not processed",
        (
            ("petition", "1.信访举报投诉类申请", "petition, report or complaint"),
            ("repeat", "2.重复申请", "repeat application"),
            ("publication", "3.要求提供公开出版物", "asks for a publication"),
            ("vexatious", "4.无正当理由大量反复申请", "unreasonable volume or repetition"),
            (
                "confirm_or_reissue",
                "5.要求行政机关确认或重新出具已获取信息",
                "asks to confirm or reissue information already obtained",
            ),
        ),
    ),
    *_group(
        "other",
        "（六）其他处理",
        "otherwise handled",
        (
            (
                "correction_lapsed",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                "correction not made in time; no longer processed",
            ),
            (
                "fee_unpaid",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                "fee not paid in time; no longer processed",
            ),
            ("other", "3.其他", "other"),
        ),
    ),
    Row("outcome_total", "（七）总计", "total handled", "outcome", OUTCOME_GROUPS),
    Row("carried_out", "四、结转下年度继续办理", "carried over to next year"),
)
ROW_BY_KEY: dict[str, Row] = {r.key: r for r in ROWS}
ROW_KEYS: tuple[str, ...] = tuple(r.key for r in ROWS)
NUMBER_ROWS: tuple[str, ...] = tuple(r.key for r in ROWS if not r.heading)
GROUP_ROWS: tuple[str, ...] = ("withheld", "unable", "not_processed", "other")
LEAF_ROWS: tuple[str, ...] = tuple(r.key for r in ROWS if r.parent and not r.parts)
"""The rows a closing can be counted in: （一）, （二） and the numbered sub-rows."""


def row_name(key: str) -> str:
    """The row as a reader names it: ``三（七）总计``, ``三（三）不予公开 1.属于国家秘密``."""
    row = ROW_BY_KEY[key]
    if not row.parent:
        return row.label
    if row.parent == "outcome":
        return f"三{row.label}"
    return f"三{ROW_BY_KEY[row.parent].label} {row.label}"


LAWSUIT = "行政诉讼"

REMEDY_GROUPS: tuple[RemedyLabel, ...] = tuple(
    RemedyLabel(*group)
    for group in _keyed(
        REMEDY_KINDS,
        (
            ("行政复议", "administrative reconsideration"),
            ("行政诉讼·未经复议直接起诉", "sued directly", LAWSUIT, "·"),
            ("行政诉讼·复议后起诉", "sued after reconsideration", LAWSUIT, "·"),
        ),
    )
)
REMEDY_RESULTS: tuple[RemedyLabel, ...] = (
    *(
        RemedyLabel(*result)
        for result in _keyed(
            REMEDY_RESULT_CODES,
            (("结果维持", "upheld"), ("结果纠正", "corrected"), ("其他结果", "other result")),
        )
    ),
    RemedyLabel("pending", "尚未审结", "pending"),
    RemedyLabel("total", "总计", "total"),
)
REMEDY_GROUP_BY_KEY: dict[str, RemedyLabel] = {g.key: g for g in REMEDY_GROUPS}
REMEDY_RESULT_BY_KEY: dict[str, RemedyLabel] = {r.key: r for r in REMEDY_RESULTS}
REMEDY_GROUP_KEYS: tuple[str, ...] = tuple(g.key for g in REMEDY_GROUPS)
REMEDY_RESULT_KEYS: tuple[str, ...] = tuple(r.key for r in REMEDY_RESULTS)
CONCLUDED_RESULTS: tuple[str, ...] = tuple(REMEDY_RESULT_CODES)
"""The results a concluded remedy can have; ``pending`` and ``total`` are the table's."""
