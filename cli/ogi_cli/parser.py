"""The command line of `ogi`: every command and option, with its help in Chinese.

`ogi --help` and the parsing of any command import no gRPC, NATS or event store: a command's
module is imported when the command runs (``lazy``), a group's module only when the group is
given (tests/unit/test_cli_imports.py). Each command names how its result reads without --json
(``show``: a view of ogi_cli.views or ogi_cli.adminviews).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ogi_cli.arguments import whole_number
from ogi_cli.helptext import AGENCIES, BUREAUS, ChineseHelp, choices, listed
from ogi_law.labels import (
    APPLICANT_TYPES,
    CHANNELS,
    COMPLAINT_GROUNDS,
    DELIVERY_METHODS,
    EXTENSION_APPROVER_ROLES,
    FEE_METHODS,
    FORMS,
    ORGAN_ANSWERS,
    ROLES,
    SECRECY_RESULTS,
    SERVICES,
    THIRD_PARTY_ANSWERS,
    ground_label,
    outcome_label,
)
from ogi_law.rules import EXEMPTION_GROUNDS, OUTCOMES

DESCRIPTION = (
    "ogi：政府信息公开申请的办理系统（《中华人民共和国政府信息公开条例》）的命令行，"
    "供运维人员、机关工作人员和申请人使用。每个命令都接受 --json：输出一个 JSON 文档，"
    "其中的状态、结果等保持代码形式。"
)
JSON_HELP = "输出一个 JSON 文档（代码不翻译）"
APPLICATION_ID = "申请标识或编号"
APPLICATION_HELP = "申请标识（A 开头），或机关给出的申请编号（如 SZFB-2026-00001）"

#: Commands defined by modules of their own, with their help lines: such a module is imported
#: only when one of its commands is given (test_cli_imports checks the lines are the modules').
GROUPS: dict[str, tuple[str, str]] = {
    "case": ("cases", "监督机构的投诉案件（第四十七条、第五十一条）"),
    "rectify": ("cases", "答复督促整改通知（第四十七条）"),
    "report": ("report", "政府信息公开工作年度报告（第四十九条、第五十条）"),
    "remedy": ("report", "行政复议和行政诉讼（第五十一条）"),
    "nats": ("natsadmin", "NATS 管理"),
    "dlq": ("dlq", "死信：列出、重放"),
    "web": ("webusers", "网页服务：工作人员的账户"),
}


def lazy(module: str, name: str) -> Callable[..., dict[str, Any]]:
    """The function ``name`` of ``ogi_cli.<module>``, imported when it is called."""

    def call(*args: Any) -> dict[str, Any]:
        function: Callable[..., dict[str, Any]] = getattr(
            importlib.import_module(f"ogi_cli.{module}"), name
        )
        return function(*args)

    return call


class UsageError(Exception):
    """The command line itself is wrong (a missing or unknown argument)."""


class Parser(argparse.ArgumentParser):
    """A parser whose help is Chinese and whose errors are raised, not printed."""

    def __init__(
        self,
        *args: Any,
        add_help: bool = True,
        parents: Sequence[argparse.ArgumentParser] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("formatter_class", ChineseHelp)
        kwargs["add_help"] = False  # a Chinese -h instead
        super().__init__(*args, **kwargs)
        # Titled before the parents' options join, so that theirs join the same sections.
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
        for parent in parents:
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def command_of(argv: list[str]) -> str:
    """The command named on the command line ("" if none): its first word not an option."""
    return next((word for word in argv if not word.startswith("-")), "")


class Commands:
    """Adds commands to a parser's subcommands: each takes --json and names its view."""

    def __init__(self, parser: argparse.ArgumentParser, dest: str) -> None:
        self.sub = parser.add_subparsers(
            dest=dest, required=True, parser_class=Parser, title="命令", metavar="命令"
        )
        # SUPPRESS: a subcommand's default does not overwrite the --json the parent set.
        self.common = Parser(add_help=False)
        self.common.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help=JSON_HELP
        )

    def __call__(self, name: str, help_text: str, show: str = "") -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self.sub.add_parser(
            name, parents=[self.common], help=help_text, description=help_text
        )
        parser.set_defaults(show=show)
        return parser


def application(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("application_id", metavar=APPLICATION_ID, help=APPLICATION_HELP)
    return parser


def nats_options(parser: argparse.ArgumentParser) -> None:
    """How an administrative command logs in to NATS."""
    parser.add_argument("--url", help="NATS 地址（默认 OGI_NATS_URL）")
    parser.add_argument("--user", help="管理员用户（默认 admin，需要密码）")
    parser.add_argument("--password", help="该用户的密码（默认 ADMIN_NATS_PASSWORD）")


def on(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--on", help=f"{what}（YYYY-MM-DD，默认今天）")


def build(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command (a group's own arguments only when it is given)."""
    parser = Parser(prog="ogi", description=DESCRIPTION)
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    add = Commands(parser, "command")
    _system(add)
    _intake(add)
    _review(add)
    _reply(add)
    # Imported here: the read side's parsers build on this module's Commands and lazy.
    from ogi_cli.queryparser import add_query_commands

    add_query_commands(add)
    chosen = GROUPS.get(command_of(argv or []), ("", ""))[0]
    for module in dict.fromkeys(module for module, _ in GROUPS.values()):
        if module == chosen:
            importlib.import_module(f"ogi_cli.{module}").add_parsers(add)
            continue
        for name, (of, help_text) in GROUPS.items():
            if of == module:  # its help line; the module's own arguments when it is given
                add(name, help_text)
    return parser


def _system(add: Commands) -> None:
    up = add("up", "在本机启动整个系统（NATS 和各服务）", "up")
    up.add_argument("--data", default="data", help="数据目录（默认 ./data）")

    health = add("health", "检查一个服务是否正常", "health")
    health.add_argument("--service", required=True, help=listed("服务", SERVICES))
    health.add_argument("--address", required=True, help="地址（主机:端口）")

    token = Commands(add("token", "签发访问令牌（运维人员）"), "token_command")
    issue = token("issue", "为工作人员、门户或运维人员签发签名令牌", "token")
    issue.add_argument("--role", required=True, help=listed("持有人的角色", ROLES))
    issue.add_argument("--name", required=True, help="持有人（个人或系统）")
    issue.add_argument("--agency", help=f"工作人员所在机关（staff 必填）：\n{AGENCIES}")
    issue.add_argument("--days", type=whole_number, help="有效天数（默认长期有效）")
    issue.set_defaults(local=lazy("tokens", "issue"))

    due = add("due", "收到申请之日后第 N 个工作日（第三十一条、第三十三条）", "due")
    due.add_argument("--received-on", required=True, help="收到申请的日期（YYYY-MM-DD）")
    due.add_argument("--working-days", type=whole_number, default=20, help="工作日数（默认 20）")
    due.add_argument("--agency", help=f"按该机关的本地日历调整：\n{AGENCIES}")
    due.set_defaults(local=lazy("lifecycle", "due"))


def _intake(add: Commands) -> None:
    apply = add("apply", "提交政府信息公开申请（第二十七条、第二十九条）", "application")
    apply.add_argument("--agency", required=True, help=f"受理申请的机关：\n{AGENCIES}")
    apply.add_argument("--name", required=True, help="申请人的姓名或者名称（第二十九条）")
    apply.add_argument(
        "--applicant-type", required=True, help=listed("申请人类型", APPLICANT_TYPES)
    )
    apply.add_argument(
        "--id-doc", required=True, help="身份证件号码或统一社会信用代码（第二十九条）"
    )
    apply.add_argument("--contact", required=True, help="联系方式：电话、电子邮箱或通信地址")
    apply.add_argument(
        "--description",
        required=True,
        help="所需政府信息的名称、文号或者便于查询的其他特征性描述（第二十九条）",
    )
    apply.add_argument("--form", help=listed("获取信息的方式（默认 electronic）", FORMS))
    apply.add_argument("--channel", help=listed("申请方式（默认 online）", CHANNELS))
    apply.add_argument("--received-on", help="收到申请的日期（第三十一条，YYYY-MM-DD，默认今天）")
    apply.add_argument("--request-id", help="幂等键：重试时带同一个值，申请只提交一次")
    apply.set_defaults(run=lazy("commands", "apply"))

    for name, module, help_text, show in (
        ("status", "commands", "申请的办理情况和答复期限", "status"),
        ("trace", "commands", "申请在各机关、各环节的全部记录", "trace"),
        ("clock", "lifecycle", "答复期限的实时计算（第三十条至第三十五条）", "clock"),
        ("suggest", "commands", "谁掌握所需信息（依各机关的信息目录）", "suggestion"),
    ):
        application(add(name, help_text, show)).set_defaults(run=lazy(module, name))

    correction = application(add("correction", "一次性告知补正（第三十条）", "application"))
    correction.add_argument(
        "--item", action="append", required=True, help="需要补正的事项（每项一个 --item）"
    )
    correction.add_argument("--period", type=whole_number, help="补正期限，工作日（默认 15）")
    on(correction, "告知补正的日期")
    correction.add_argument("--late-reason", help="收到申请 7 个工作日后才告知补正的理由")
    correction.set_defaults(run=lazy("lifecycle", "request_correction"))

    corrected = application(add("corrected", "收到补正（第三十条）", "application"))
    corrected.add_argument("--description", help="补正后的内容描述")
    on(corrected, "收到补正的日期")
    corrected.add_argument("--good-reason", help="超过补正期限仍予受理的正当理由")
    corrected.set_defaults(run=lazy("lifecycle", "record_correction"))

    withdraw = application(add("withdraw", "申请人撤回申请", "application"))
    withdraw.add_argument("--reason", help="撤回理由")
    on(withdraw, "撤回日期")
    withdraw.set_defaults(run=lazy("commands", "withdraw"))

    reassign = application(add("reassign", "改派承办科室", "routing"))
    reassign.add_argument("--office", required=True, help="承办科室")
    reassign.add_argument("--reason", help="改派理由")
    reassign.set_defaults(run=lazy("commands", "reassign"))

    forward = application(add("forward", "转送掌握该信息的机关", "routing"))
    forward.add_argument("--to", required=True, help=f"掌握该信息的机关：\n{AGENCIES}")
    forward.add_argument("--reason", required=True, help="转送理由")
    on(forward, "转送日期")
    forward.set_defaults(run=lazy("commands", "forward"))


def _review(add: Commands) -> None:
    secrecy = application(add("secrecy", "保密审查（第十七条）", "review"))
    secrecy.add_argument("--result", required=True, help=listed("审查结果", SECRECY_RESULTS))
    secrecy.add_argument("--note", help="说明")
    on(secrecy, "审查日期")
    secrecy.set_defaults(run=lazy("lifecycle", "secrecy"))

    consult = application(
        add("consult", "征求第三方（第三十二条）或其他机关（第三十四条）的意见", "review")
    )
    party = consult.add_mutually_exclusive_group(required=True)
    party.add_argument("--third-party", help="公开后可能损害其合法权益的第三方（第三十二条）")
    party.add_argument(
        "--organ",
        help=f"共同制作或掌握该信息的机关（第三十四条）；以下机关经系统征求，其他名称只作记录：\n{AGENCIES}",
    )
    on(consult, "发出征求意见的日期")
    consult.set_defaults(run=lazy("lifecycle", "consult"))

    answer = application(add("answer", "记录第三方或其他机关对征求意见的答复", "review"))
    answer.add_argument("--ref", required=True, help="征求意见编号（ogi consult 给出）")
    answer.add_argument(
        "--answer",
        required=True,
        help="意见：\n第三方（第三十二条）：\n"
        f"{choices(THIRD_PARTY_ANSWERS)}\n其他机关（第三十四条）：\n{choices(ORGAN_ANSWERS)}",
    )
    answer.add_argument("--reasons", help="理由（不同意公开的须说明）")
    on(answer, "答复日期")
    answer.set_defaults(run=lazy("lifecycle", "answer"))

    consulted = application(
        add("consultation-answer", "答复其他机关的征求意见（第三十四条）", "consultation_answer")
    )
    consulted.add_argument(
        "--agency", required=True, help=f"被征求意见、作出答复的机关：\n{AGENCIES}"
    )
    consulted.add_argument(
        "--from", dest="from_agency", required=True, help=f"征求意见的机关：\n{AGENCIES}"
    )
    consulted.add_argument("--ref", required=True, help="征求意见编号")
    consulted.add_argument(
        "--answer",
        required=True,
        help=listed("意见", {k: ORGAN_ANSWERS[k] for k in ("consent", "objection")}),
    )
    consulted.add_argument("--reasons", help="理由（不同意公开的须说明）")
    on(consulted, "答复日期")
    consulted.set_defaults(run=lazy("lifecycle", "answer_consultation"))

    extend = application(add("extend", "延长答复期限，仅限一次（第三十三条）", "review"))
    extend.add_argument(
        "--days", type=whole_number, required=True, help="延长的工作日数，最多 20 个"
    )
    extend.add_argument("--approved-by", required=True, help="批准人")
    extend.add_argument(
        "--role",
        default="head_of_ogi_office",
        help=listed("批准人的职务（默认 head_of_ogi_office）", EXTENSION_APPROVER_ROLES),
    )
    extend.add_argument("--reason", required=True, help="延长理由")
    extend.add_argument("--notified-on", help="告知申请人的日期")
    extend.set_defaults(run=lazy("lifecycle", "extend"))

    reply_date = application(add("set-reply-date", "确定较晚的答复日期（第三十五条）", "review"))
    reply_date.add_argument("--due", required=True, help="答复日期（YYYY-MM-DD）")
    reply_date.add_argument("--reason", required=True, help="理由")
    reply_date.set_defaults(run=lazy("lifecycle", "set_reply_date"))

    fee = application(add("fee", "发出收费通知（第四十二条）", "review"))
    fee.add_argument("--method", required=True, help=listed("收费方式", FEE_METHODS))
    fee.add_argument("--pages", type=whole_number, help="页数（按量计收时）")
    on(fee, "通知日期")
    fee.set_defaults(run=lazy("lifecycle", "fee"))

    fee_paid = application(add("fee-paid", "申请人已缴费（第四十二条）", "review"))
    on(fee_paid, "缴费日期")
    fee_paid.set_defaults(run=lazy("lifecycle", "fee_paid"))

    decide = application(add("decide", "作出答复决定（第三十六条至第三十九条）", "review"))
    decide.add_argument(
        "--outcome",
        required=True,
        help=listed("办理结果", {code: outcome_label(code) for code in OUTCOMES}),
    )
    decide.add_argument(
        "--ground",
        action="append",
        help=listed(
            "不予公开的理由（不予公开、部分公开时必填，可重复）",
            {code: ground_label(code) for code in EXEMPTION_GROUNDS},
        ),
    )
    decide.add_argument("--reason", help="说明理由")
    decide.add_argument("--form", help=listed("提供信息的形式（第四十条，默认按申请）", FORMS))
    decide.add_argument(
        "--competent-organ", help="负责公开该信息的机关（not_ours，第三十六条第（五）项）"
    )
    decide.add_argument("--competent-organ-contact", help="该机关的联系方式")
    decide.add_argument("--where-published", help="获取途径（already_public 时）")
    on(decide, "决定日期")
    decide.add_argument(
        "--public-interest-reason",
        help="第三方不同意公开，但不公开可能对公共利益造成重大影响而决定公开的理由（第三十二条）",
    )
    decide.set_defaults(run=lazy("commands", "decide"))


def _reply(add: Commands) -> None:
    letter = application(add("letter", "答复书全文", "letter"))
    letter.add_argument("--html", metavar="文件", help="同时写成可打印的网页文件")
    letter.set_defaults(run=lazy("commands", "letter"))

    deliver = application(add("deliver", "记录答复书送达（第四十条）", "reply"))
    deliver.add_argument(
        "--method", default="online", help=listed("送达方式（默认 online）", DELIVERY_METHODS)
    )
    deliver.add_argument("--on", help="法定送达日期（YYYY-MM-DD，默认今天）")
    deliver.set_defaults(run=lazy("commands", "deliver"))

    reply = Commands(add("reply", "答复书的记录"), "reply_command")
    printed = application(reply("printed", "答复书已打印", "reply"))
    printed.add_argument("--copies", type=whole_number, default=1, help="份数，1 至 100（默认 1）")
    on(printed, "打印日期")
    printed.set_defaults(run=lazy("lifecycle", "reply_printed"))

    complain = add("complain", "向政府信息公开工作主管部门投诉、举报（第五十一条）", "complaint")
    complain.add_argument(
        "application_id",
        metavar=APPLICATION_ID,
        nargs="?",
        default="",
        help="所投诉的申请（申请标识或编号）；对机关工作的一般投诉可省略，用 --against 指明机关",
    )
    complain.add_argument("--ground", required=True, help=listed("投诉事由", COMPLAINT_GROUNDS))
    complain.add_argument("--text", required=True, help="投诉内容")
    complain.add_argument(
        "--against", help=f"被投诉的机关（默认：正在办理该申请的机关）：\n{AGENCIES}"
    )
    complain.add_argument(
        "--bureau", help=f"受理投诉的监督机构（默认 supervision-bureau）：\n{BUREAUS}"
    )
    complain.add_argument("--complainant", help="投诉人的姓名或者名称")
    complain.add_argument("--contact", help="投诉人的联系方式（告知处理结果用）")
    on(complain, "投诉日期")
    complain.set_defaults(run=lazy("commands", "complain"))
