"""The Regulations as data: reply types (Art. 35-39), exemption grounds (Art. 14-16), forms.

Article numbers are the Regulations' (State Council Decree 711) unless another law is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ogi_errors import InvalidInput

APPLICANT_TYPES = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_services": "法律服务机构",
    "other_org": "其他组织",
}

FORMS = {"electronic": "电子文本", "paper": "纸质文本", "inspection": "当场查阅"}
CHANNELS = {
    "online": "网上申请",
    "in_person": "当面提交",
    "mail": "平信邮寄",
    "registered_mail": "挂号信或快递",
    "fax": "传真",
}
DELIVERY_METHODS = {
    "in_person": "当面领取",
    "post": "邮寄",
    "email": "电子邮件",
    "online": "网上送达",
    "fax": "传真",
}


@dataclass(frozen=True)
class Ground:
    code: str
    label: str
    article: str
    kind: str


EXEMPTION_GROUNDS = {
    g.code: g
    for g in (
        Ground("state_secret", "属于国家秘密", "第十四条", "mandatory"),
        Ground("law_prohibits", "其他法律、行政法规禁止公开", "第十四条", "mandatory"),
        Ground(
            "security_stability",
            "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
            "第十四条",
            "mandatory",
        ),
        Ground(
            "third_party",
            "涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害",
            "第十五条",
            "mandatory_with_exceptions",
        ),
        Ground(
            "internal_affairs",
            "属于人事管理、后勤管理、内部工作流程等内部事务信息",
            "第十六条第一款",
            "discretionary",
        ),
        Ground(
            "process_info",
            "属于讨论记录、过程稿、磋商信函、请示报告等过程性信息",
            "第十六条第二款",
            "discretionary",
        ),
        Ground("enforcement_file", "属于行政执法案卷信息", "第十六条第二款", "discretionary"),
        Ground("administrative_query", "属于行政查询事项", "", "category"),
    )
}


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    article: str
    needs_grounds: bool
    refusal: bool
    report_row: str


OUTCOMES = {
    o.code: o
    for o in (
        Outcome("already_public", "已主动公开", "第三十六条第（一）项", False, False, "disclosed"),
        Outcome("disclose", "予以公开", "第三十六条第（二）项", False, False, "disclosed"),
        Outcome("withhold", "不予公开", "第三十六条第（三）项", True, True, "withheld"),
        Outcome(
            "not_held",
            "经检索没有所申请公开信息",
            "第三十六条第（四）项",
            False,
            True,
            "unable.not_held",
        ),
        Outcome(
            "not_ours",
            "所申请公开信息不属于本机关负责公开",
            "第三十六条第（五）项",
            False,
            True,
            "unable.not_held",
        ),
        Outcome(
            "repeat",
            "重复申请，不予重复处理",
            "第三十六条第（六）项",
            False,
            True,
            "not_processed.repeat",
        ),
        Outcome(
            "other_procedure",
            "按照有关法律、行政法规的规定办理",
            "第三十六条第（七）项",
            False,
            False,
            "other.other",
        ),
        Outcome("partial", "部分公开", "第三十七条", True, True, "partial"),
        Outcome(
            "needs_creation",
            "需要另行制作，不予提供",
            "第三十八条",
            False,
            True,
            "unable.needs_creation",
        ),
        Outcome(
            "petition",
            "属于信访、投诉、举报等事项，不作为政府信息公开申请处理",
            "第三十九条第一款",
            False,
            True,
            "not_processed.petition",
        ),
        Outcome(
            "publication",
            "要求提供公开出版物，告知获取途径",
            "第三十九条第二款",
            False,
            False,
            "not_processed.publication",
        ),
        Outcome(
            "unclear_after_correction",
            "经补正后申请内容仍不明确，无法提供",
            "第三十条",
            False,
            True,
            "unable.unclear_after_correction",
        ),
        Outcome(
            "confirm_or_reissue",
            "要求行政机关确认或者重新出具已获取的信息，不作为政府信息公开申请处理",
            "国办公开办函〔2021〕30号",
            False,
            True,
            "not_processed.confirm_or_reissue",
        ),
        Outcome(
            "vexatious",
            "申请数量、频次明显超过合理范围且理由不合理，不予处理",
            "第三十五条",
            False,
            True,
            "not_processed.vexatious",
        ),
    )
}

#: Remedies against an agency's handling (Art. 51; Administrative Reconsideration Law;
#: Administrative Procedure Law), as part 四 of the annual report groups them.
REMEDY_KINDS = {
    "reconsideration": "行政复议",
    "lawsuit_direct": "行政诉讼（未经复议直接起诉）",
    "lawsuit_after_reconsideration": "行政诉讼（复议后起诉）",
}
REMEDY_RESULTS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果"}


def required_text(field: str, value: str, max_len: int | None = None) -> str:
    """Stripped text that must not be empty (nor longer than ``max_len``); InvalidInput names
    the field."""
    value = value.strip()
    if not value:
        raise InvalidInput(field, "is required")
    if max_len is not None and len(value) > max_len:
        raise InvalidInput(field, f"is longer than {max_len} characters")
    return value


def choose(field: str, value: str, allowed: Mapping[str, object], default: str = "") -> str:
    """A code from a closed list; InvalidInput naming the field and the allowed codes."""
    value = value or default
    if not value:
        raise InvalidInput(field, f"is required (one of {', '.join(allowed)})")
    if value not in allowed:
        raise InvalidInput(field, f"{value!r} is not one of {', '.join(allowed)}")
    return value
