"""What the operator's and the calendar's commands print without --json, in Chinese: `ogi up`,
`ogi health`, `ogi token issue`, `ogi due`, a report written to a file, `ogi nats …`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ogi_cli import human
from ogi_cli.human import Field, Rows, View, agency, date, each, term, working_days
from ogi_cli.registry import agency_name
from ogi_cli.views import actor
from ogi_law.labels import SERVICES, label

Result = Mapping[str, Any]


def service(code: Any) -> str:
    """A service by its Chinese name with its code, which commands take: 受理（intake）."""
    return f"{label(SERVICES, str(code))}（{code}）"


PROVISIONAL = "是：该年度节假日安排尚未公布，到期日暂定"

UP: View = (
    Field("nats", "NATS"),
    Field("database", "数据库"),
    Field("data", "数据目录"),
    Field("agencies", "机关", each(agency_name, "、")),
    Field("pid", "进程号"),
    Field("nats_admin_file", "NATS 管理员登录文件"),
    Field("ready_seconds", "启动用时", lambda s: f"{s} 秒"),
    Rows(
        "service_list",
        "服务",
        (Field("name", "服务", service), Field("address", "地址")),
    ),
)
HEALTH: View = (
    Field("service", "服务", service),
    Field("address", "地址"),
    Field("serving_text", "状态"),
)
TOKEN: View = (
    Field("actor", "持有人", actor),
    Field("expiry", "有效期至"),
    Field("token", "令牌"),
)
WEB_USER: View = (Field("actor", "网页账户", actor), Field("file", "账户文件"))
DUE: View = (
    Field("received_on", "收到申请日期", date),
    Field("working_days", "工作日数", working_days),
    Field("due", "到期日"),
    Field("provisional", "到期日暂定", lambda _: PROVISIONAL),
    Field("published_years", "已公布节假日安排的年度", each(str, "、")),
)
REPORT_FILE: View = (
    Field("agency", "机关", lambda code: "全部机关" if code == "all" else agency(code)),
    Field("agencies", "汇总的机关", each(agency_name, "、")),
    Field("year", "年度"),
    Field("format", "格式"),
    Field("written", "已写入"),
    Field("events_read", "读取事件数"),
    Field("check_text", "勾稽关系"),
)
ACTIONS = {"created": "已创建", "unchanged": "无需变更", "filters updated": "已更新过滤主题"}
PROVISION: View = (
    Field("nats", "NATS"),
    Rows(
        "consumers",
        "消费者",
        (
            Field("consumer", "名称"),
            Field("action", "操作", term(ACTIONS)),
            Field("filter_subjects", "过滤主题", each(str, " ")),
        ),
    ),
)
RECOVER: View = (
    Field("nats", "NATS"),
    Field("stream", "现事件流标识"),
    Field("nothing", "结果"),
    Rows(
        "adopted",
        "已采用现事件流的存储",
        (
            Field("agency", "机关", agency_name),
            Field("service", "服务", service),
            Field("upstream", "位置"),
            Field("from", "原事件流标识"),
            Field("epoch", "纪元"),
        ),
    ),
)


def up(result: Result) -> str:
    services = [{"name": n, "address": a} for n, a in result.get("services", {}).items()]
    return human.render({**result, "service_list": services}, UP)


def health(result: Result) -> str:
    return human.render(
        {**result, "serving_text": "正常" if result["serving"] else "不可用"}, HEALTH
    )


def token(result: Result) -> str:
    expiry = date(result["expires_on"]) if result.get("expires_on") else "长期有效"
    return human.render({**result, "expiry": expiry}, TOKEN)


def due(result: Result) -> str:
    due_on = f"{date(result['due_on'])}（星期{result['weekday']}）"
    return human.render({**result, "due": due_on}, DUE)


def report_file(result: Result) -> str:
    from ogi_report.labels import CHECK_RULE

    return human.render({**result, "check_text": f"每一列均满足 {CHECK_RULE}"}, REPORT_FILE)


def recover(result: Result) -> str:
    nothing = "" if result.get("adopted") else "没有存储需要采用现事件流"
    return human.render({**result, "nothing": nothing}, RECOVER)


VIEWS: dict[str, Callable[[Result], str]] = {
    "up": up,
    "health": health,
    "token": token,
    "web_user": lambda r: human.render(r, WEB_USER),
    "due": due,
    "report_file": report_file,
    "provision": lambda r: human.render(r, PROVISION),
    "recover": recover,
}
