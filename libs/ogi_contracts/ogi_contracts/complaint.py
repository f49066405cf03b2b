"""The complaint service of a supervision bureau (Art. 47, 51-53).

Every public complaint event names the case (``complaint_id``) and the agency complained about.
"""

from __future__ import annotations

from ogi_contracts.contract import ANY, BUREAU, Contract

SERVICE = "complaint"

COMPLAINT_FILED = "ComplaintFiled"
COMPLAINT_ACCEPTED = "ComplaintAccepted"
COMPLAINT_REJECTED = "ComplaintRejected"
FINDING_MADE = "FindingMade"
RECTIFICATION_ORDERED = "RectificationOrdered"
CRITICISM_NOTICE_ISSUED = "CriticismNoticeIssued"
ACCOUNTABILITY_RECOMMENDED = "AccountabilityRecommended"
RECTIFICATION_ANSWER_RECEIVED = "RectificationAnswerReceived"
RECTIFICATION_ANSWER_OVERDUE = "RectificationAnswerOverdue"
COMPLAINT_CLOSED = "ComplaintClosed"

PUBLIC = frozenset(
    {
        COMPLAINT_FILED,
        COMPLAINT_ACCEPTED,
        COMPLAINT_REJECTED,
        FINDING_MADE,
        RECTIFICATION_ORDERED,
        CRITICISM_NOTICE_ISSUED,
        ACCOUNTABILITY_RECOMMENDED,
        RECTIFICATION_ANSWER_RECEIVED,
        RECTIFICATION_ANSWER_OVERDUE,
        COMPLAINT_CLOSED,
    }
)
#: The case file's trace (the whole history of an application) and what the bureau knows of
#: every agency's applications stay with the bureau.
INTERNAL = frozenset(
    {"InvestigationTraceAttached", "ApplicationKnown", "ApplicationKnownAt", "OverdueReported"}
)
HANDLES = dict.fromkeys(("ApplicationAccepted", "ApplicationOverdue", "RectificationAnswered"), ANY)
#: A bureau hears of every agency's accepted and overdue applications, not only its own.
HEARD_EVERYWHERE = {"ApplicationAccepted": "intake", "ApplicationOverdue": "reply"}

CONTRACT = Contract(
    SERVICE, PUBLIC, INTERNAL, HANDLES, heard_everywhere=HEARD_EVERYWHERE, served_kind=BUREAU
)
