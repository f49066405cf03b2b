"""The reply clock in one Chinese sentence, as the staff and the applicant read it.

From the clock the reply service answers (`ogi clock --json`): 20 working days from the day
after receipt (Art. 31, 33), plus an extension (Art. 33), days of consultation not counted
(Art. 32, 34), suspended while a correction is awaited and counted afresh from the corrected
application (Art. 30). While a correction is awaited the service gives no due date (and 0 days
left, its field's default): the sentence says the clock is suspended and why, never "0 left".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ogi_law.dates import chinese_date

PAUSED = "征求意见期间暂停计时（第三十二条、第三十四条）"


def _counted(clock: Mapping[str, Any], due_as: str = "") -> str:
    """``已用 12 个工作日，剩余 8 个，2026年12月18日到期``, overdue: ``已逾期 3 个工作日``."""
    used, left, due = clock["used_days"], clock["left_days"], chinese_date(clock["due_on"])
    if clock["overdue"]:
        late = f"已逾期 {-left} 个工作日" if left < 0 else "已逾期"
        return f"{late}（{due}到期，已用 {used} 个工作日）"
    return f"已用 {used} 个工作日，剩余 {left} 个，{due_as}{due}到期"


def _notes(clock: Mapping[str, Any]) -> str:
    """The extension in the days allowed, and a due date in a year not yet published."""
    notes = []
    if clock["extension_days"]:
        notes.append(f"含延长 {clock['extension_days']} 个工作日（第三十三条）")
    if clock["provisional"]:
        notes.append("到期日暂定（该年度节假日安排尚未公布）")
    return "".join(f"；{note}" for note in notes)


def clock_sentence(clock: Mapping[str, Any], correct_by: str = "") -> str:
    """The clock as a sentence; ``correct_by`` (intake's correction deadline) when known."""
    status = clock["status"]
    if status == "not_started":
        return "尚未起算"
    if status == "awaiting_correction":
        by = f"于{chinese_date(correct_by)}前" if correct_by else ""
        return f"中止计时：等待申请人{by}补正（第三十条），收到补正之日起重新计算答复期限"
    if status == "stopped":
        due = f"，{chinese_date(clock['due_on'])}到期" if clock["due_on"] else ""
        late = "，逾期答复" if clock["overdue"] else ""
        return (
            f"已停止计时（{chinese_date(clock['stopped_on'])}）："
            f"共用 {clock['used_days']} 个工作日{due}{late}"
        )
    if status == "paused":  # the due date as if the pause ended today
        return f"{PAUSED}：{_counted(clock, '如今日恢复计时，')}{_notes(clock)}"
    return _counted(clock) + _notes(clock)
