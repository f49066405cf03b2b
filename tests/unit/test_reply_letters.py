"""The reply letter of a partial disclosure: what it discloses, what it withholds and why, and
that reconsideration comes first for the part refused."""

from __future__ import annotations

from datetime import date

from ogi_law.agencies import load_agencies
from reply.letter import compose_letter

APPLICATION = {
    "application_id": "A0000000000PL",
    "agency": "municipal-office",
    "application_number": "SZFB-2026-00009",
    "applicant": {"name": "王五", "type": "commercial", "id_doc": "9111", "contact": "x"},
    "description": "某项目批复及附件",
    "form": "paper",
    "channel": "mail",
    "received_on": "2026-09-25",
}


def test_a_partial_disclosure_cites_art_37_and_the_ground_and_reconsideration_first() -> None:
    letter = compose_letter(
        load_agencies().get("municipal-office"),
        APPLICATION,
        {
            "outcome": "partial",
            "grounds": ["third_party"],
            "reason": "涉及第三方商业秘密的部分不予公开",
            "form_of_provision": "paper",
        },
        "SZFB-2026-00009-答",
        date(2026, 11, 20),
    )
    assert "第三十七条" in letter and "第十五条" in letter and "商业秘密" in letter
    assert "涉及第三方商业秘密的部分不予公开" in letter and "纸质文本" in letter
    assert "应当先申请行政复议" in letter
