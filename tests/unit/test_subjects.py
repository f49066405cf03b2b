"""Which of a process's stores a bus subject is for (messaging.subjects)."""

from __future__ import annotations

import pytest

from ogi_platform.messaging import subjects
from ogi_platform.messaging.subjects import SubjectIndex, matches, widened


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("ogi.*.*.ApplicationForwarded.a", "ogi.b.routing.ApplicationForwarded.a", True),
        ("ogi.*.*.ApplicationForwarded.a", "ogi.b.routing.ApplicationForwarded.c", False),
        ("ogi.a.*.ApplicationForwarded.*", "ogi.a.routing.ApplicationForwarded.c", True),
        ("ogi.*.reply.ReplySent.*", "ogi.a.review.ReplySent.c", False),
        ("ogi.>", "ogi.a.reply.ReplySent.c", True),
        ("ogi.>", "ogi", False),
        ("ogi.*.*.T.a", "ogi.b.x.T.a.extra", False),
    ],
)
def test_nats_subject_matching(pattern: str, subject: str, expected: bool) -> None:
    assert matches(pattern, subject) is expected


def test_the_index_finds_exactly_the_stores_whose_patterns_match() -> None:
    index: SubjectIndex[str] = SubjectIndex()
    agencies = [f"agency-{n}" for n in range(1000)]
    for code in agencies:
        index.add(f"ogi.*.*.ApplicationForwarded.{code}", code)  # addressed to it
        index.add(f"ogi.{code}.*.ApplicationForwarded.*", code)  # sent by it
    index.add("ogi.*.reply.ReplySent.*", "bureau")  # heard from everywhere
    index.add("ogi.>", "everything")

    assert index.owners("ogi.agency-3.routing.ApplicationForwarded.agency-7") == [
        "agency-7",
        "agency-3",
        "everything",
    ]
    assert index.owners("ogi.agency-5.routing.ApplicationForwarded.agency-5") == [
        "agency-5",
        "everything",
    ]
    assert index.owners("ogi.agency-5.reply.ReplySent.agency-9") == ["bureau", "everything"]
    assert index.owners("ogi.outsider.routing.ApplicationForwarded.outsider") == ["everything"]
    patterns = [(f"ogi.*.*.ApplicationForwarded.{code}", code) for code in agencies] + [
        (f"ogi.{code}.*.ApplicationForwarded.*", code) for code in agencies
    ]
    subject = "ogi.agency-1.review.ApplicationForwarded.agency-999"
    brute = {owner for pattern, owner in patterns if matches(pattern, subject)}
    assert set(index.owners(subject)) - {"everything"} == brute


def test_the_filters_of_many_stores_are_few_and_do_not_overlap() -> None:
    subjects = (
        [f"ogi.*.*.{kind}.{code}" for code in ("a", "b", "c") for kind in ("Forwarded", "Ordered")]
        + [f"ogi.{code}.*.Forwarded.*" for code in ("a", "b", "c")]
        + ["ogi.*.reply.ReplySent.*"]
    )
    assert widened(subjects) == ["ogi.*.*.Forwarded.*", "ogi.*.*.Ordered.*", "ogi.*.*.ReplySent.*"]
    assert widened([*subjects, "ogi.>"]) == ["ogi.>"]


def test_the_owners_of_a_subject_are_found_again_after_another_pattern_is_added() -> None:
    index: SubjectIndex[str] = SubjectIndex()
    index.add("ogi.*.*.Accepted.a", "a")
    assert index.owners("ogi.x.intake.Accepted.a") == ["a"]
    index.add("ogi.*.*.Accepted.*", "bureau")
    assert sorted(index.owners("ogi.x.intake.Accepted.a")) == ["a", "bureau"]


def test_the_subjects_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subjects, "REMEMBERED_SUBJECTS", 2)
    index: SubjectIndex[str] = SubjectIndex()
    index.add("ogi.*.*.Accepted.*", "bureau")
    for sender in ("x", "y", "z"):
        assert index.owners(f"ogi.{sender}.intake.Accepted.a") == ["bureau"]
    assert len(index._known) <= 2
