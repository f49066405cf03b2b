"""Tables and wrapped text line up on a terminal where a Chinese character takes two columns."""

from __future__ import annotations

import pytest

from ogi_cli.cjk import pad, table, width, wrap


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("", 0),
        ("abc", 3),
        ("审查", 4),
        ("A审查1", 6),
        ("（第三十条）", 12),
        ("ｆｕｌｌ", 8),
        ("é", 1),
    ],
)
def test_wide_characters_take_two_columns(text: str, columns: int) -> None:
    assert width(text) == columns


def test_pad_fills_to_the_display_width_and_never_cuts() -> None:
    assert pad("审查", 6) == "审查  "
    assert pad("审查中", 4) == "审查中"


def test_a_table_aligns_mixed_chinese_and_latin_cells() -> None:
    text = table(["编号", "事件"], [["1", "收到申请"], ["ORG-12", "分办"], ["2", "a\nb"]])
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == 4
    # The second column starts at the same display column on every line.
    starts = {
        width(line[: line.index(cell)])
        for line, cell in zip(lines, ["事件", "收到申请", "分办", "a b"], strict=True)
    }
    assert starts == {8}
    assert all(line == line.rstrip() for line in lines)


def test_wrapping_counts_display_width_and_breaks_between_wide_characters() -> None:
    lines = wrap("所需政府信息的名称、文号或者便于查询的其他特征性描述", 20)
    assert all(width(line) <= 20 for line in lines)
    assert "".join(lines) == "所需政府信息的名称、文号或者便于查询的其他特征性描述"


def test_wrapping_keeps_latin_words_whole_and_runs_of_spaces_inside_a_line() -> None:
    lines = wrap(
        "  disclose        予以公开（第三十六条第（二）项） partial 部分公开", 40, hanging=6
    )
    assert lines[0].startswith("  disclose        予以公开")
    assert all(line.startswith("      ") for line in lines[1:])
    assert "partial" in " ".join(lines) and all(width(line) <= 40 for line in lines)


def test_closing_punctuation_never_begins_a_line() -> None:
    for columns in range(6, 30):
        assert not any(
            line[:1] in "，。）"
            for line in wrap("作出答复决定（第三十六条），送达申请人。", columns)
        )
