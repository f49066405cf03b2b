"""A refusal in Chinese: what a status code means for the person who asked, and the reason in
this catalogue's words (every refusal the code raises is here; one from elsewhere keeps its
own words). The labels' companion (``ogi_law.labels``), kept apart so that `ogi --help` does
not load it; for the command line and the web pages, while ``--json`` and the APIs keep the
codes and the services' wording."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ogi_law import labels

#: What a status code means for the person who asked.
STATUS_TITLES = {
    "INVALID_ARGUMENT": "填写的内容有误",
    "NOT_FOUND": "没有找到",
    "FAILED_PRECONDITION": "当前状态下不能办理这一步",
    "PERMISSION_DENIED": "无权办理",
    "UNAUTHENTICATED": "请重新登录",
    "UNAVAILABLE": "系统暂时无法访问",
    "DEADLINE_EXCEEDED": "系统响应超时",
}
#: A refusal whose code is none of those.
OTHER_TITLE = "办理未成功"

#: The services' refusals as they word them (in braces: any value, named for the Chinese) and
#: the same in Chinese, like a message catalogue: the more particular wording of two that could
#: both fit comes first. tests/unit/test_refusals.py checks that every refusal the code raises
#: is here.
MESSAGES: tuple[tuple[str, str], ...] = (
    # -- any field ---------------------------------------------------------------------------
    ("is required", "此项必填"),
    ("is required (one of {allowed})", "此项必填（可选：{allowed}）"),
    ("is required (YYYY-MM-DD)", "此项必填，日期格式为 YYYY-MM-DD"),
    ("is required (a supervision bureau)", "此项必填：须为监督机构"),
    ("is required (e.g. SZFB-2026-00001)", "此项必填（如 SZFB-2026-00001）"),
    (
        "the last {count} characters or more of the applicant's identity document are required",
        "须填写申请人身份证明号码的最后 {count} 位或更多位",
    ),
    ("is required (R1, R2, ... as filed)", "此项必填（按提出顺序：R1、R2……）"),
    ("is required: say what the complaint is about", "此项必填：请说明投诉的事项"),
    ("is required for staff", "机关工作人员的令牌须写明所属机关"),
    ("is required for NATS user {user}", "NATS 用户 {user} 须提供口令"),
    (
        "is required, at least {n} characters (or OGI_TOKEN_SECRET_FILE)",
        "必须设置，至少 {n} 个字符（或设置 OGI_TOKEN_SECRET_FILE）",
    ),
    ("is longer than {n} characters", "不能超过 {n} 个字"),
    ("holds the control character U+{code}", "含有控制字符 U+{code}"),
    ("has more than {n} items", "不能超过 {n} 项"),
    ("{value} is not one of {allowed}", "{value} 不在可选范围内（{allowed}）"),
    ("{value} is in the future", "{value} 晚于今天"),
    ("{value} is not a date (YYYY-MM-DD)", "{value} 不是日期（格式为 YYYY-MM-DD）"),
    ("must be at least 1", "至少为 1"),
    ("must be at least {n}", "至少为 {n}"),
    ("must be from {least} to {most}", "应为 {least} 至 {most}"),
    ("{value} is not a whole number", "{value} 不是整数"),
    ("{value} is not a number of seconds", "{value} 不是秒数"),
    ("must be more than 0 seconds", "应大于 0 秒"),
    ("must be 1 or more", "至少为 1"),
    ("must be at least {n} characters", "至少 {n} 个字符"),
    ("must be 1 to {n} working days", "应为 1 至 {n} 个工作日"),
    ("must be 1 to {n} (Art. 33)", "应为 1 至 {n} 个工作日（第三十三条）"),
    ("must be 1 to {n}", "应为 1 至 {n}"),
    ("must be from 0 to {n} working days", "应为 0 至 {n} 个工作日"),
    ("must be from 1 to {n} (0: {default})", "应为 1 至 {n}（0 表示 {default}）"),
    ("must be a year from {year}", "年度不能早于 {year} 年"),
    ("must be after the day it is set", "应晚于指定之日"),
    ("is before the application was received ({day})", "早于收到申请之日（{day}）"),
    ("is before the application was received", "早于收到申请之日"),
    ("is before the consultation was sent", "早于征求意见之日"),
    ("is before the reply was issued", "早于出具答复书之日"),
    ("is before it was filed ({day})", "早于提出之日（{day}）"),
    ("is before received_from", "早于起始日期（received_from）"),
    (
        "is not a valid message (is every string field UTF-8?): {error}",
        "不是有效的消息（各文本字段是否均为 UTF-8？）：{error}",
    ),
    ("is not a token this list gave", "不是本列表给出的翻页标记"),
    ("is not a trace as `ogi trace --json` prints it", "不是 `ogi trace --json` 输出的办理记录"),
    ("is not set and no `ogi up` is running here", "未设置，且本机没有运行中的 `ogi up`"),
    ("is the agency handling it now", "就是当前办理该申请的机关"),
    ("holds no word to look for", "没有可供检索的词"),
    # -- tokens and permissions --------------------------------------------------------------
    (
        "a token is required (metadata `authorization: Bearer <token>`)",
        "须提供令牌（元数据 `authorization: Bearer <token>`）",
    ),
    ("the token is malformed", "令牌格式有误"),
    ("the token's signature is not valid", "令牌签名无效"),
    ("the token expired on {day}", "令牌已于 {day} 过期"),
    ("the token's claims are malformed", "令牌所载信息格式有误"),
    ("no authenticated caller", "调用者身份未经验证"),
    (
        "only staff tokens name an agency, not {role}",
        "只有机关工作人员的令牌写明机关，{role}的不写",
    ),
    (
        "{actor} may not see the government-level report (its general office, the supervision "
        "bureau and operators may)",
        "{actor}无权查看本级政府的年度报告（政府办公厅（室）、监督机构和运维人员可以查看）",
    ),
    ("{actor} may not list applications", "{actor}无权查看申请列表"),
    ("{actor} may not read the lists of {agency}", "{actor}无权查看 {agency} 的列表"),
    (
        "{actor} may not {access} for agency {agency}",
        "{actor}无权为 {agency} 办理此事（{access}）",
    ),
    # -- agencies and instances --------------------------------------------------------------
    (
        "agency code {code} must be lower-case letters, digits, '-'",
        "机关代码 {code} 只能由小写字母、数字和“-”组成",
    ),
    (
        "agency {code}: kind {kind} is not one of {allowed}",
        "机关 {code}：类型 {kind} 不在可选范围内（{allowed}）",
    ),
    (
        "agency {code}: each entry needs a subject and keywords",
        "机关 {code}：每一条目须有主题和关键词",
    ),
    ("agency {agency} is not served by this {service}", "本 {service} 服务不为机关 {agency} 办理"),
    ("unknown agency {code}", "没有机关 {code}"),
    ("{office} is not an office of {agency}", "{office} 不是 {agency} 的内设机构"),
    ("{bureau} is not a supervision bureau", "{bureau} 不是监督机构"),
    (
        "name an agency: no supervision bureau's read model is served here",
        "请写明机关：这里不提供监督机构的查询",
    ),
    ("name one agency, or ask for all agencies", "请写明一个机关，或查询全部机关"),
    ("name the agency consulted", "请写明被征求意见的机关"),
    ("name the application, or the agency complained about", "请写明申请，或被投诉的机关"),
    (
        "this {service} instance is a standby: another one serves",
        "本 {service} 实例为备用实例：由另一实例办理",
    ),
    ("unsupported scheme {scheme}", "不支持的数据库地址类型 {scheme}"),
    ("cannot open {database}: {error}", "无法打开 {database}：{error}"),
    # -- applications ------------------------------------------------------------------------
    ("{value} is not an application id", "{value} 不是申请的标识"),
    ("application {application} is already with {office}", "申请 {application} 已在 {office} 办理"),
    ("application {application} is already {state}", "申请 {application} 已是“{state}”"),
    (
        "application {application} was forwarded to {agency}: it is withdrawn there",
        "申请 {application} 已转送 {agency}：请向该机关撤回",
    ),
    ("application {application} awaits no correction", "申请 {application} 不在等待补正"),
    ("application {application} is not routed here", "申请 {application} 不在本机关分办"),
    ("application {application} is not under review here", "申请 {application} 不在本机关审查"),
    ("application {application} is not handled here", "申请 {application} 不由本机关办理"),
    ("application {application} is not known to {agency}", "{agency} 没有申请 {application}"),
    ("application {application} has no history", "申请 {application} 没有办理记录"),
    ("application {application} not found", "没有申请 {application}"),
    (
        "application {application} is {state}",
        "申请 {application} 当前为“{state}”，不能办理这一步",
    ),
    (
        "would make a {kind} event of {size} bytes, more than the {limit} an event may have",
        "会产生 {size} 字节的 {kind} 事件，超过每个事件 {limit} 字节的上限",
    ),
    (
        "{day} is outside the working-day calendar ({first} to {last}): its time limits cannot be "
        "counted",
        "{day} 不在工作日历范围内（{first} 至 {last}）：无法计算期限",
    ),
    # -- routing -----------------------------------------------------------------------------
    ("forwarding would loop: {path}", "转送将形成循环：{path}"),
    ("say why the application is forwarded", "请说明转送的理由"),
    # -- correction (Art. 30) ----------------------------------------------------------------
    ("list every item to correct", "请列明需要补正的每一项"),
    (
        "a correction notice was already sent: Art. 30 allows one (一次性)",
        "已发出补正通知：第三十条要求一次性告知",
    ),
    (
        "the correction notice is due within {n} working days of receipt, by {day} (Art. 30); "
        "give a late_reason to record it late",
        "补正通知应在收到申请之日起 {n} 个工作日内（{day} 前）发出（第三十条）；逾期补登须写明理由"
        "（late_reason）",
    ),
    (
        "the correction period ended on {day}; give a good_reason to accept it late",
        "补正期限已于 {day} 届满；逾期受理须写明正当理由（good_reason）",
    ),
    (
        "the application was never corrected: ask for a correction first (Art. 30)",
        "该申请未经补正：请先告知补正（第三十条）",
    ),
    # -- review ------------------------------------------------------------------------------
    (
        "{outcome} needs at least one exemption ground",
        "“{outcome}”须选择至少一项不予公开的理由和依据",
    ),
    ("{outcome} takes no exemption ground", "“{outcome}”不适用不予公开的理由"),
    (
        "{outcome} must state the reasons (Art. 36(3), 37)",
        "“{outcome}”须说明理由（第三十六条第三项、第三十七条）",
    ),
    (
        "{outcome} must say what the applicant asked and why",
        "“{outcome}”须写明申请人申请的内容及理由",
    ),
    ("{agency} was not consulted under {ref}", "未以 {ref} 征求 {agency} 的意见"),
    ("an agency does not consult itself", "机关不能征求自身的意见"),
    ("no consultation {ref} on {application}", "申请 {application} 没有征求意见 {ref}"),
    ("no consultation {ref} from {agency}", "{agency} 没有征求意见 {ref}"),
    ("consultation {ref} from {agency} was already answered", "{agency} 的征求意见 {ref} 已答复"),
    ("consultation {ref} was already answered", "征求意见 {ref} 已答复"),
    ("consultation {refs} is still open", "征求意见 {refs} 尚未结束"),
    ("an objection must give its reasons", "不同意须说明理由"),
    ("a refusal must give its reasons (Art. 32)", "不同意公开须说明理由（第三十二条）"),
    (
        "{parties} refused consent: withhold that part, or give a public_interest_reason to "
        "disclose anyway (Art. 32)",
        "{parties} 不同意公开：该部分不予公开，"
        "或写明公共利益理由（public_interest_reason）后决定公开（第三十二条）",
    ),
    (
        "a confidentiality review clearing the information must come before any disclosure "
        "(Art. 17; State Secrets Law Art. 35)",
        "公开前须经保密审查确认可以公开（第十七条；《保守国家秘密法》第三十五条）",
    ),
    ("the reply period was already extended once (Art. 33)", "答复期限已延长过一次（第三十三条）"),
    (
        "an extension is approved by the {role} (Art. 33)",
        "延长答复期限须经政府信息公开工作机构负责人同意（第三十三条）",
    ),
    # -- fees --------------------------------------------------------------------------------
    (
        "a fee notice was already issued: one method per application",
        "已发出收费通知：每件申请只用一种计收方式",
    ),
    ("nothing to charge: {method} for {units} is free", "无需收费：按{method}，{units}不收费"),
    ("no fee notice was issued", "没有发出收费通知"),
    ("the fee was already paid", "信息处理费已缴纳"),
    ("the fee notice is unpaid", "收费通知所列费用尚未缴纳"),
    # -- reply -------------------------------------------------------------------------------
    (
        "the reply to {application} is already {reply_state}",
        "对申请 {application} 的答复已是“{reply_state}”",
    ),
    ("no reply to application {application} here", "本机关没有对申请 {application} 的答复"),
    ("no clock for application {application} here", "本机关没有申请 {application} 的答复期限记录"),
    ("there is no reply to {application} to print yet", "对申请 {application} 尚无可打印的答复书"),
    ("{ref} of {application} is already concluded", "申请 {application} 的 {ref} 已办结"),
    # -- complaints and rectification ----------------------------------------------------------
    (
        "complaint {complaint} names no application to trace",
        "投诉 {complaint} 未写明申请，无办理记录可查",
    ),
    (
        "complaint {complaint} names no application to reopen: issue a notice of criticism or "
        "recommend accountability",
        "投诉 {complaint} 未写明申请，无从重新办理：请予通报批评或建议追责",
    ),
    ("complaint {complaint} was not upheld", "投诉 {complaint} 不成立"),
    (
        "complaint {complaint} is {complaint_state}",
        "投诉 {complaint} 当前为“{complaint_state}”，不能办理这一步",
    ),
    ("complaint {complaint} not found", "没有投诉 {complaint}"),
    ("the trace of the application is empty", "该申请的办理记录为空"),
    ("the agency has not answered {orders} yet", "被投诉机关尚未答复 {orders}"),
    ("an upheld complaint needs an outcome before it is closed", "投诉成立的，办结前须作出处理"),
    (
        "names no application: there is no trace; record the finding",
        "未写明申请，无办理记录：请直接记录调查结论",
    ),
    ("no rectification order {order} here", "本机关没有整改通知 {order}"),
    ("rectification order {order} was already answered", "整改通知 {order} 已答复"),
    # -- read models and reports -------------------------------------------------------------
    ("the events of {agency} cannot be counted: {error}", "无法统计 {agency} 的事件：{error}"),
    (
        "the report of {agency} is not up to date with the bus ({behind}): try again",
        "{agency} 的报告尚未跟上消息总线（{behind}）：请稍后再试",
    ),
    (
        "the read model of {agency} is not up to date with the bus ({behind}): try again",
        "{agency} 的查询数据尚未跟上消息总线（{behind}）：请稍后再试",
    ),
    (
        "an .xlsx workbook needs a file: --out report.xlsx",
        "xlsx 工作簿须写入文件：--out report.xlsx",
    ),
    ("a government-level table is not added up again", "本级政府的汇总表不能再次汇总"),
    ("counted twice: {names}", "重复统计：{names}"),
    ("tables of different years: {years}", "各表年度不同：{years}"),
    ("cannot read {name}: {error}", "无法读取 {name}：{error}"),
    ("{name} is not a valid table: {error}", "{name} 不是有效的统计表：{error}"),
    ("cannot write {name}: no folder {folder}", "无法写入 {name}：没有文件夹 {folder}"),
    ("cannot write {name}: {error}", "无法写入 {name}：{error}"),
    # -- operators: NATS, dead letters, accounts ---------------------------------------------
    (
        "only the NATS admin may make consumer {consumer} again",
        "只有 NATS 管理员可以重建消费者 {consumer}",
    ),
    (
        "consumer {consumer} is being made again already: try later",
        "消费者 {consumer} 正在重建：请稍后再试",
    ),
    ("cannot connect to NATS at {url}: {reason}", "无法连接 {url} 的 NATS：{reason}"),
    ("NATS: {error}", "消息总线 NATS 出错：{error}"),
    (
        "dead letter {seq}: {stream} no longer holds its message {original} ({subject}); "
        "not replayed",
        "死信 {seq}：{stream} 已不再保存其原消息 {original}（{subject}），未重放",
    ),
    ("unknown service {service}: one of {services}", "没有服务 {service}：可选 {services}"),
    ("name the dead letters to replay, or --all", "请写明要重放的死信，或使用 --all"),
    (
        "--agency and --service choose letters for --all only",
        "--agency 和 --service 只与 --all 一起使用",
    ),
    ("{seq} is not a dead-letter sequence", "{seq} 不是死信序号"),
    ("no dead letter {seq} in {stream}", "{stream} 中没有死信 {seq}"),
    (
        "name the accounts file (--file), or run it beside `ogi up`",
        "请写明账户文件（--file），或在运行 `ogi up` 的目录下执行",
    ),
    ("the two passwords differ", "两次输入的密码不一致"),
    ("{text} is not COUNT/SECONDS", "{text} 不是“次数/秒数”格式"),
    ("{what} not found", "没有找到 {what}"),
)


#: Values that are codes of a vocabulary, by the name their place has in ``MESSAGES``: shown by
#: their labels (a value that is no code of it stays as it is).
VOCABULARIES: dict[str, Mapping[str, str]] = {
    "state": {**labels.REVIEW_STATES, **labels.APPLICATION_STATES},
    "reply_state": labels.REPLY_STATES,
    "complaint_state": labels.COMPLAINT_STATES,
    "outcome": labels.OUTCOME_LABELS,
    "actor": labels.ACTORS,
    "role": labels.ROLES,
    "method": labels.FEE_METHODS,
}


def _shown(name: str, value: str) -> str:
    """A value as a person reads it: a code by its label (quotes the code put around it go)."""
    vocabulary = VOCABULARIES.get(name)
    if vocabulary is None:
        return value
    return vocabulary.get(value.strip("'\""), value)


def _compiled(wording: str) -> re.Pattern[str]:
    """A wording of ``MESSAGES`` as a pattern: literal text, and any value in braces."""
    parts = re.split(r"\{(\w+)\}", wording)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(pattern, re.DOTALL)


_CATALOGUE: list[tuple[re.Pattern[str], str]] | None = None


def in_chinese(message: str) -> str | None:
    """A refusal's wording in Chinese, its values put in (None: not in the catalogue)."""
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = [(_compiled(english), chinese) for english, chinese in MESSAGES]
    for pattern, chinese in _CATALOGUE:
        found = pattern.fullmatch(message)
        if found:
            values = {name: _shown(name, value) for name, value in found.groupdict().items()}
            return chinese.format(**values)
    return None


def status_title(code: str) -> str:
    return STATUS_TITLES.get(code, OTHER_TITLE)


_ITEM = re.compile(r"\[(\d+)\]")


def field_label(field: str) -> str:
    """The field a refusal names, as a person reads it (``labels.FIELDS``): a nested field by
    its path's label, else by its parts' (``items[2].text``: 补正事项（第 3 项）内容), a list's
    item with its place; a field the catalogue lacks keeps its code."""
    whole = labels.FIELDS.get(_ITEM.sub("", field))
    if whole is not None:
        return whole + _places(field)
    parts = [(labels.FIELDS.get(_ITEM.sub("", part)), part) for part in field.split(".")]
    if len(parts) < 2 or any(named is None for named, _ in parts):
        return field
    return "".join(f"{named}{_places(part)}" for named, part in parts)


def _places(field: str) -> str:
    """Where in its lists ``field`` is, as people count: ``[2]`` is （第 3 项）."""
    return "".join(f"（第 {int(index) + 1} 项）" for index in _ITEM.findall(field))


def field_reason(message: str, field: str) -> str:
    """Why ``field`` was refused, from the service's ``message`` ("<field>: <reason>"): in the
    catalogue's words where it is a common reason, else its own after a Chinese lead."""
    reason = message.removeprefix(f"{field}: ")
    return in_chinese(reason) or f"不符合要求：{reason}"


def refusal_detail(message: str, field: str = "", with_code: bool = False) -> str:
    """What was refused and why, from the service's ``message``: the field by its label (its
    code beside it ``with_code``) and why, or the wording in Chinese (the service's own words
    if the catalogue lacks it)."""
    if not field:
        return in_chinese(message) or message
    named = field_label(field)
    if with_code and named != field:
        named = f"{named}（{field}）"
    return f"{named}：{field_reason(message, field)}"


def refusal_line(code: str, message: str, field: str = "") -> str:
    """One line for a person: the code's meaning and the field's label (each code beside it,
    to look up), then what was refused and why."""
    return f"{status_title(code)}（{code}）：{refusal_detail(message, field, with_code=True)}"
