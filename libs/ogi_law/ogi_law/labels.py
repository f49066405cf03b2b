"""The catalogue of labels: every code the system speaks, in the Regulations' Chinese.

One place for the CLI, the reply letter, the annual report and a web front end to turn codes into
the terms of the Regulations (State Council Decree 711; article numbers are its own unless
another instrument is named). The vocabularies the rules validate against are the rules' own
(``ogi_law.rules``: outcomes, exemption grounds, applicant types, forms, channels, delivery
methods, remedies) and are reused here, not copied; the others are defined here and validated
against by the services that use them (review: secrecy results, answers, fee methods;
complaint: grounds). Plain dicts only: `ogi --help` imports this module.
"""

from __future__ import annotations

from collections.abc import Mapping

from ogi_law.rules import (
    APPLICANT_TYPES,
    CHANNELS,
    DELIVERY_METHODS,
    EXEMPTION_GROUNDS,
    FORMS,
    OUTCOMES,
    REMEDY_KINDS,
    REMEDY_RESULTS,
)

__all__ = [
    "ACTORS",
    "AGENCY_KINDS",
    "APPLICANT_TYPES",
    "APPLICATION_STATES",
    "CHANNELS",
    "CLOCK_STATUSES",
    "COMPLAINT_GROUNDS",
    "COMPLAINT_OUTCOMES",
    "COMPLAINT_STATES",
    "CONSULTATION_KINDS",
    "DELIVERY_METHODS",
    "EVENT_TYPES",
    "EXTENSION_APPROVER_ROLES",
    "FEE_METHODS",
    "FIELDS",
    "FINDINGS",
    "FORMS",
    "GROUNDS",
    "ORGAN_ANSWERS",
    "OUTCOME_LABELS",
    "REMEDY_KINDS",
    "REMEDY_RESULTS",
    "REPLY_STATES",
    "REVIEW_STATES",
    "ROLES",
    "ROUTING_STATES",
    "SECRECY_RESULTS",
    "SERVICES",
    "THIRD_PARTY_ANSWERS",
    "ground_label",
    "label",
    "outcome_label",
]

#: Where an application stands: intake's states and the overall state `ogi status` and the read
#: model derive from every service's view.
APPLICATION_STATES = {
    "received": "已收到申请",
    "accepted": "已登记受理",
    "assigned": "已分办",
    "awaiting_correction": "待补正（第三十条）",
    "under_review": "审查中",
    "decided": "已作出答复决定",
    "replied": "已答复",
    "delivered": "答复书已送达",
    "reopened": "重新办理（督促整改）",
    "closed": "已办结",
    "withdrawn": "申请人已撤回",
    "lapsed": "逾期未补正，视为放弃申请（第三十条）",
    "unpaid": "逾期未缴费，不再处理（第四十二条）",
    "forwarded": "已转送掌握信息的机关",
    "unknown": "状态不明",
}
ROUTING_STATES = {"assigned": "已分办至承办科室", "forwarded": "已转送其他机关", "closed": "已办结"}
REVIEW_STATES = {"open": "审查中", "decided": "已作出答复决定", "closed": "审查已结束"}
REPLY_STATES = {"issued": "答复书已出具，待送达", "delivered": "答复书已送达", "closed": "已办结"}

#: Art. 17: the confidentiality review before anything is disclosed.
SECRECY_RESULTS = {
    "cleared": "经保密审查，不涉及国家秘密",
    "secret": "经保密审查，属于国家秘密",
    "referred": "不能确定是否涉密，已报保密行政管理部门确定",
}
#: Consultations: a third party whose rights may be harmed (Art. 32), organs that made or hold
#: the information together (Art. 34).
CONSULTATION_KINDS = {
    "third_party": "征求第三方意见（第三十二条）",
    "organ": "征求其他机关意见（第三十四条）",
}
THIRD_PARTY_ANSWERS = {"consent": "同意公开", "refusal": "不同意公开", "none": "逾期未答复"}
ORGAN_ANSWERS = {
    "consent": "同意公开",
    "objection": "不同意公开",
    "consent_by_silence": "逾期未答复，视为同意",
}
#: Art. 33: an extension is approved by the head of the OGI office.
EXTENSION_APPROVER_ROLES = {"head_of_ogi_office": "政府信息公开工作机构负责人"}
#: Art. 42; 国办函〔2020〕109号.
FEE_METHODS = {"per_application": "按件计收", "per_page": "按量计收"}

#: The reply clock (Art. 30-35), as the reply service reports it.
CLOCK_STATUSES = {
    "not_started": "尚未起算",
    "running": "计时中",
    "paused": "暂停计时（征求意见期间不计入，第三十二条、第三十四条）",
    "awaiting_correction": "中止计时，等待申请人补正（第三十条）",
    "stopped": "已停止计时",
    "overdue": "已逾期",
}

#: Complaints and reports to the supervision bureau (Art. 47, 51).
COMPLAINT_GROUNDS = {
    "overdue": "逾期未答复",
    "no_reply": "未予答复",
    "unlawful_refusal": "违法不予公开",
    "improper_fee": "违规收费",
    "failed_proactive_disclosure": "未依法主动公开",
    "other": "其他",
}
COMPLAINT_STATES = {
    "received": "已收到投诉",
    "accepted": "已受理",
    "rejected": "不予受理",
    "investigating": "调查中",
    "found": "已作出调查结论",
    "closed": "已办结",
}
#: What an upheld complaint led to (Art. 47, 52, 53).
COMPLAINT_OUTCOMES = {
    "rectification_order": "督促整改（第四十七条）",
    "criticism": "通报批评（第四十七条）",
    "accountability": "建议追究责任（第五十二条、第五十三条）",
}
FINDINGS = {"upheld": "投诉成立", "not_upheld": "投诉不成立"}

AGENCY_KINDS = {
    "municipal_office": "本级人民政府办公厅（室）",
    "department": "政府工作部门",
    "archives_bureau": "档案馆（依档案法提供利用）",
    "supervision_bureau": "政府信息公开工作主管部门（监督机构）",
}
ROLES = {"staff": "机关工作人员", "portal": "公众服务门户", "operator": "运维人员"}
#: Who an event names as its actor (``staff:张三@municipal-office``, ``system:reply``).
ACTORS = {"applicant": "申请人", "complainant": "投诉人", "system": "系统", **ROLES}
SERVICES = {
    "intake": "受理",
    "routing": "分办",
    "review": "审查",
    "reply": "答复",
    "complaint": "投诉",
    "report": "年度报告",
    "query": "查询",
}

#: Every event type the services store, public and internal (ogi_contracts), as a reader of an
#: application's history names it.
EVENT_TYPES = {
    # intake
    "ApplicationReceived": "收到申请（第二十九条、第三十一条）",
    "ApplicationAccepted": "登记受理",
    "CorrectionRequested": "一次性告知补正（第三十条）",
    "ApplicationCorrected": "收到补正，重新起算（第三十条）",
    "CorrectionLapsed": "逾期未补正，视为放弃申请（第三十条）",
    "ApplicationWithdrawn": "申请人撤回申请",
    "ApplicationForwardNoted": "记录转送",
    "ApplicationClosedNoted": "记录办结",
    "ApplicationNumberIssued": "编发申请编号",
    "NumberSeriesStarted": "启用年度申请编号",
    "MonthlyCountStarted": "开始申请人当月申请计数",
    "ApplicationCounted": "计入申请人当月申请数",
    # routing
    "ApplicationAssigned": "分办至承办科室",
    "ApplicationReassigned": "改派承办科室",
    "ApplicationForwarded": "转送掌握信息的机关",
    "RoutingClosed": "分办结束",
    # review
    "ReviewOpened": "开始审查",
    "ReviewMovedToOffice": "改由其他科室审查",
    "ReviewApplicationCorrected": "审查中记录补正",
    "ConfidentialityReviewed": "保密审查（第十七条）",
    "ThirdPartyConsultationStarted": "书面征求第三方意见（第三十二条）",
    "ThirdPartyAnswered": "第三方答复意见（第三十二条）",
    "ThirdPartyNotifiedOfDisclosure": "决定公开，书面告知第三方（第三十二条）",
    "OrganConsultationStarted": "征求其他机关意见（第三十四条）",
    "OrganAnswered": "被征求意见机关答复（第三十四条）",
    "ConsultationFileOpened": "收到征求意见，立卷",
    "ConsultationRequestReceived": "收到其他机关的征求意见（第三十四条）",
    "ConsultationAnswered": "答复其他机关的征求意见（第三十四条）",
    "ExtensionGranted": "延长答复期限（第三十三条）",
    "ReplyDateSet": "确定答复期限（第三十五条）",
    "FeeNoticeIssued": "发出收费通知（第四十二条）",
    "FeePaid": "申请人缴纳费用（第四十二条）",
    "FeeUnpaidClosed": "逾期未缴费，不再处理（第四十二条）",
    "DecisionMade": "作出答复决定（第三十六条至第三十九条）",
    "HandlingReopened": "督促整改，重新办理（第四十七条）",
    "RectificationAnswered": "报告整改情况",
    "ReviewClosed": "审查结束",
    # reply
    "DeadlineOpened": "开始计算答复期限（第三十三条）",
    "ClockFactNoted": "记录影响期限的事实",
    "ClockReopened": "重新办理，恢复计时",
    "ClockStopped": "停止计时",
    "DueDateChanged": "答复期限变更",
    "ApplicationDueSoon": "答复期限即将届满",
    "ApplicationOverdue": "逾期未答复（第三十三条）",
    "ReplyIssued": "出具答复书（第三十六条）",
    "ReplyReissued": "重新出具答复书",
    "ReplyLetterPrinted": "打印答复书",
    "ReplyDelivered": "答复书送达（第四十条）",
    "ApplicationClosed": "申请办结",
    "RemedyFiled": "申请行政复议或提起行政诉讼（第五十一条）",
    "RemedyConcluded": "行政复议、行政诉讼审结",
    # complaint
    "ComplaintFiled": "收到投诉、举报（第五十一条）",
    "ComplaintAccepted": "受理投诉",
    "ComplaintRejected": "不予受理投诉",
    "InvestigationTraceAttached": "调取申请办理全过程记录",
    "FindingMade": "作出调查结论",
    "RectificationOrdered": "督促整改（第四十七条）",
    "RectificationAnswerReceived": "收到整改情况报告",
    "RectificationAnswerOverdue": "逾期未报告整改情况",
    "CriticismNoticeIssued": "通报批评（第四十七条）",
    "AccountabilityRecommended": "提出追究责任建议（第五十二条、第五十三条）",
    "ComplaintClosed": "投诉办结，告知投诉人",
    "ApplicationKnown": "获悉申请",
    "ApplicationKnownAt": "获悉申请转由其他机关办理",
    "OverdueReported": "收到逾期未答复报告",
}

#: The fields a refusal may name (a request's field, a command's option, a setting), as a
#: person reads them; a list's item is named by its field (``items[2]``: ``items``), a nested
#: field by its path (``applicant.name``). tests/unit/test_refusals.py checks that every field
#: of every request and every field the code refuses by name is here.
FIELDS = {
    # -- who and which ------------------------------------------------------------------------
    "agency": "机关",
    "against_agency": "被投诉机关",
    "bureau": "监督机构",
    "from_agency": "来函机关",
    "to_agency": "转送至的机关",
    "party": "征求意见对象",
    "competent_organ": "有权机关",
    "competent_organ_contact": "有权机关联系方式",
    "organ": "机关",
    "third_party": "第三方",
    "office": "承办科室",
    "body": "机关或单位",
    "approved_by": "批准人",
    "approver_role": "批准人职务",
    "complainant": "投诉人",
    "complainant_contact": "投诉人联系方式",
    "applicant": "申请人",
    "applicant.name": "申请人姓名或者名称",
    "applicant.type": "申请人类型",
    "applicant.id_doc": "申请人身份证明",
    "applicant.contact": "申请人联系方式",
    "applicant_type": "申请人类型",
    "applicant_id_doc": "申请人身份证明",
    "applicant_id_doc_tail": "申请人身份证明号码后几位",
    # -- what ---------------------------------------------------------------------------------
    "application_id": "申请标识",
    "number": "申请编号",
    "complaint_id": "投诉标识",
    "order_id": "整改通知标识",
    "ref": "编号",
    "case_number": "案号",
    "request": "请求",
    "request_id": "请求标识",
    "description": "申请公开的政府信息的描述",
    "form": "获取信息的方式",
    "channel": "申请渠道",
    "form_of_provision": "提供信息的形式",
    "outcome": "答复类型",
    "ground": "理由",
    "grounds": "不予公开的理由和依据",
    "reason": "理由",
    "reasons": "理由",
    "good_reason": "正当理由",
    "late_reason": "逾期理由",
    "public_interest_reason": "公共利益理由",
    "where_published": "已公开信息的获取途径",
    "kind": "类别",
    "answer": "答复意见",
    "result": "结果",
    "text": "内容",
    "note": "说明",
    "notice": "告知内容",
    "requirements": "整改要求",
    "items": "补正事项",
    "upheld": "投诉是否成立",
    "trace": "申请的全过程记录",
    "trace_json": "申请的全过程记录",
    "method": "方式",
    "pages": "页数",
    "copies": "份数",
    "monthly_count": "本月申请件数",
    # -- when and how long --------------------------------------------------------------------
    "received_on": "收到申请之日",
    "received_from": "收到申请日期（起）",
    "received_to": "收到申请日期（止）",
    "notice_on": "告知日期",
    "corrected_on": "补正日期",
    "withdrawn_on": "撤回日期",
    "forwarded_on": "转送日期",
    "answered_on": "答复日期",
    "decided_on": "作出答复决定日期",
    "reviewed_on": "审查日期",
    "sent_on": "发出日期",
    "notified_on": "告知申请人日期",
    "due_on": "答复期限",
    "paid_on": "缴费日期",
    "delivered_on": "送达日期",
    "printed_on": "印制日期",
    "filed_on": "提出日期",
    "concluded_on": "结案日期",
    "on": "日期",
    "since": "起始日期",
    "year": "年度",
    "period_days": "补正期限（工作日）",
    "working_days": "延长的工作日数",
    "answer_days": "整改答复期限（工作日）",
    "due_within_days": "距答复期限的工作日数",
    "days": "有效天数",
    # -- lists and searches -------------------------------------------------------------------
    "all_agencies": "全部机关",
    "all_states": "全部状态",
    "states": "状态",
    "open_only": "仅未办结",
    "overdue": "已逾期",
    "waiting_correction": "等待补正",
    "waiting_fee": "等待缴费",
    "waiting_consultation": "等待征求意见",
    "up_to_date": "读取最新",
    "rebuild": "重建",
    "words": "查找的词语",
    "sort": "排序",
    "page": "页码",
    "page_size": "每页条数",
    "page_token": "翻页标记",
    # -- the command line and settings --------------------------------------------------------
    "file": "文件",
    "files": "文件",
    "out": "输出文件",
    "html": "网页文件",
    "format": "格式",
    "catalogue": "信息目录",
    "code": "机关代码",
    "name": "姓名或者名称",
    "role": "角色",
    "password": "口令",
    "seq": "序号",
    "service": "服务",
    "url": "地址",
    "database_url": "数据库地址",
    "OGI_AGENCIES": "所服务的机关（OGI_AGENCIES）",
    "OGI_GRPC_PORT": "服务端口（OGI_GRPC_PORT）",
    "OGI_TICK_SECONDS": "期限检查间隔秒数（OGI_TICK_SECONDS）",
    "OGI_DUE_SOON_DAYS": "临近期限提醒的工作日数（OGI_DUE_SOON_DAYS）",
    "OGI_RECTIFICATION_DAYS": "整改期限工作日数（OGI_RECTIFICATION_DAYS）",
    "OGI_STALL_SECONDS": "停滞判定秒数（OGI_STALL_SECONDS）",
    "OGI_PG_CONNECTIONS": "写入连接数（OGI_PG_CONNECTIONS）",
    "OGI_PG_READ_CONNECTIONS": "读取连接数（OGI_PG_READ_CONNECTIONS）",
    "OGI_WRITER_THREADS": "写入线程数（OGI_WRITER_THREADS）",
    "OGI_TOKEN_SECRET": "令牌密钥（OGI_TOKEN_SECRET）",
    "OGI_WEB_RATE_LIMIT": "网页请求限额（OGI_WEB_RATE_LIMIT）",
}

#: Outcomes (Art. 35-39) and exemption grounds (Art. 14-16) as their labels.
OUTCOME_LABELS = {code: outcome.label for code, outcome in OUTCOMES.items()}
GROUNDS = {code: ground.label for code, ground in EXEMPTION_GROUNDS.items()}


def label(vocabulary: Mapping[str, str], code: str) -> str:
    """The Chinese term of ``code``; the code itself when the vocabulary has none (a newer
    service's code is shown rather than lost), empty for an empty code."""
    return vocabulary.get(code, code)


def outcome_label(code: str) -> str:
    """An outcome with the article it comes from: ``予以公开（第三十六条第（二）项）``."""
    outcome = OUTCOMES.get(code)
    return f"{outcome.label}（{outcome.article}）" if outcome else code


def ground_label(code: str, no_article: str = "") -> str:
    """An exemption ground with its article: ``属于国家秘密（第十四条）``; a ground no article
    names (an administrative query) with ``no_article`` in its place, or alone."""
    ground = EXEMPTION_GROUNDS.get(code)
    if ground is None:
        return code
    article = ground.article or no_article
    return f"{ground.label}（{article}）" if article else ground.label
