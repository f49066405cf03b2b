"""The read side's commands and their Chinese help: `ogi list`, `ogi find`, `ogi overdue`,
`ogi consultations`, `ogi figures`, `ogi case list` and `ogi query rebuild`, each answered by
the query service (ogi_cli.queries, imported when the command runs)."""

from __future__ import annotations

import argparse

from ogi_cli.arguments import whole_number
from ogi_cli.helptext import AGENCIES, BUREAUS, listed
from ogi_cli.parser import Commands, lazy
from ogi_law.labels import APPLICANT_TYPES, APPLICATION_STATES, COMPLAINT_STATES, outcome_label
from ogi_law.rules import OUTCOMES

#: The states the read model gives an application at one agency (query.proto
#: ApplicationSummary.state): open ones first, then settled ones.
STATES = (
    "received", "accepted", "awaiting_correction", "under_review", "decided",
    "replied", "closed", "withdrawn", "lapsed", "unpaid", "forwarded",
)  # fmt: skip
#: The states of a complaint case as the read model keeps them (ListComplaintCases).
CASE_STATES = ("received", "accepted", "rejected", "found", "closed")
WAITING = {
    "correction": "等待申请人补正（第三十条）",
    "fee": "等待申请人缴费（第四十二条）",
    "consultation": "等待第三方（第三十二条）或其他机关（第三十四条）的意见",
}
SORTS = {"due": "到期日最早的在前（默认）", "received": "收到申请日期最近的在前"}
READ_AGENCY = (
    "机关（默认：本人所在机关；监督机构工作人员和运维人员可查看任一机关，省略则为全部机关）：\n"
    f"{AGENCIES}"
)
BUREAU = f"监督机构（默认：本人所在的监督机构；运维人员须指明）：\n{BUREAUS}"


def paging(parser: argparse.ArgumentParser) -> None:
    """Page size, and which page: by its number or by the token the previous page gave."""
    parser.add_argument("--page-size", type=whole_number, help="每页件数（默认 50，最多 500）")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--page", type=whole_number, help="第几页（默认第 1 页）")
    which.add_argument("--page-token", help="上一页末尾给出的下一页标记")


def up_to_date(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--up-to-date",
        action="store_true",
        help="先等读模型处理完已发布的全部事件（最多 30 秒），再查询",
    )


def add_query_commands(add: Commands) -> None:
    """`ogi list`, `ogi find`, `ogi overdue`, `ogi consultations`, `ogi figures`, `ogi query`."""
    queue = add("list", "机关的待办申请：按到期日排列，显示剩余工作日", "applications")
    queue.add_argument("--agency", help=READ_AGENCY)
    queue.add_argument(
        "--state",
        action="append",
        help=listed(
            "只列出这些状态的申请（可重复；默认：办理中的申请）",
            {s: APPLICATION_STATES[s] for s in STATES},
        ),
    )
    queue.add_argument("--all", action="store_true", help="列出全部状态的申请（含已办结的）")
    queue.add_argument("--office", help="办理科室")
    queue.add_argument("--overdue", action="store_true", help="只列出已逾期的申请")
    queue.add_argument(
        "--due-within", type=whole_number, help="今天起 N 个工作日内到期（含已逾期的）"
    )
    queue.add_argument(
        "--waiting",
        action="append",
        choices=list(WAITING),
        metavar="代码",
        help=listed("只列出正在等待的申请（可重复）", WAITING),
    )
    queue.add_argument("--received-from", help="收到申请日期不早于（YYYY-MM-DD）")
    queue.add_argument("--received-to", help="收到申请日期不晚于（YYYY-MM-DD）")
    queue.add_argument("--applicant-type", help=listed("申请人类型", APPLICANT_TYPES))
    queue.add_argument("--id-doc", help="申请人的身份证件号码或统一社会信用代码")
    queue.add_argument(
        "--outcome", help=listed("办理结果", {code: outcome_label(code) for code in OUTCOMES})
    )
    queue.add_argument("--sort", help=listed("排列顺序", SORTS))
    up_to_date(queue)
    paging(queue)
    queue.set_defaults(run=lazy("queries", "list_applications"))

    find = add("find", "按申请编号或词语查找申请（中文自动分词）", "applications")
    find.add_argument(
        "words",
        nargs="+",
        metavar="申请编号或词语",
        help="申请编号（如 SZFB-2026-00001），或几个词语：申请内容、申请人、答复决定中"
        "含有全部词语的申请，收到日期最近的在前",
    )
    find.add_argument("--agency", help=f"按词语查找时只查这个机关：\n{AGENCIES}")
    up_to_date(find)
    paging(find)
    find.set_defaults(run=lazy("queries", "find"))

    late = add("overdue", "逾期未答复的申请（机关看本机关的，监督机构看逾期报告）", "overdue")
    late.add_argument("--agency", help=f"只看这个机关（监督机构可查看任一机关）：\n{AGENCIES}")
    late.add_argument("--bureau", help=BUREAU)
    late.add_argument("--since", help="监督机构：只看这一天及以后报告的（YYYY-MM-DD）")
    paging(late)
    late.set_defaults(run=lazy("queries", "overdue"))

    asked = add("consultations", "其他机关向本机关征求的意见（第三十四条）", "consultations")
    asked.add_argument("--agency", help=f"被征求意见的机关（默认：本人所在机关）：\n{AGENCIES}")
    asked.add_argument("--open", action="store_true", help="只列出尚未答复的")
    paging(asked)
    asked.set_defaults(run=lazy("queries", "consultations"))

    figures = add("figures", "各机关办理中、已逾期的申请和答复用时中位数（监督机构）", "figures")
    figures.add_argument("--bureau", help=BUREAU)
    figures.set_defaults(run=lazy("queries", "figures"))

    query = Commands(add("query", "读模型（申请列表、查找和监督机构的看板所用）"), "query_command")
    rebuild = query("rebuild", "删除读模型，按全部事件重新生成（运维人员或本机关）", "rebuilt")
    rebuild.add_argument(
        "--agency",
        action="append",
        help=f"要重建的机关（可重复；默认：本人所在机关，运维人员为全部机关）：\n{AGENCIES}",
    )
    rebuild.set_defaults(run=lazy("queries", "rebuild"))


def add_case_list(steps: Commands) -> None:
    """`ogi case list`: a supervision bureau's complaint cases, newest first."""
    listing = steps("list", "监督机构的投诉案件：最近的在前", "cases")
    listing.add_argument("--bureau", help=BUREAU)
    listing.add_argument(
        "--state",
        action="append",
        help=listed(
            "只列出这些状态的案件（可重复；默认：全部）",
            {s: COMPLAINT_STATES[s] for s in CASE_STATES},
        ),
    )
    listing.add_argument("--against", help=f"只列出投诉这个机关的：\n{AGENCIES}")
    paging(listing)
    listing.set_defaults(run=lazy("queries", "cases"))
