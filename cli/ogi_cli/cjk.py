"""Text laid out for a terminal where a Chinese character takes two columns: widths, padding,
tables, and wrapping (Unicode East Asian Width: wide and full-width characters count two)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: A run of characters never split when wrapping: a word of narrow characters, or one wide one.
_PIECE = re.compile(r"\s+|[^\s]")
#: Punctuation that never begins a line: it stays at the end of the line before.
CLOSING = frozenset("，。、；：！？）》」』〕】")


def char_width(char: str) -> int:
    """Columns a character takes: two for wide and full-width ones, none for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    return sum(char_width(c) for c in text)


def pad(text: str, columns: int) -> str:
    """``text`` followed by spaces up to ``columns`` columns (never cut)."""
    return text + " " * max(0, columns - width(text))


def table(headings: Sequence[str], rows: Sequence[Sequence[str]], gap: int = 2) -> str:
    """Rows under their headings, each column as wide as its widest cell; a cell's line breaks
    become spaces. Ends with a newline; trailing spaces are dropped."""
    cells = [list(headings), *([" ".join(str(c).split("\n")) for c in row] for row in rows)]
    widths = [max(width(line[i]) for line in cells) for i in range(len(headings))]
    return "".join(
        (" " * gap).join(pad(c, w) for c, w in zip(line, widths, strict=True)).rstrip() + "\n"
        for line in cells
    )


def _pieces(text: str) -> list[str]:
    """Words of narrow characters, single wide characters, and the spaces between them."""
    pieces: list[str] = []
    for piece in _PIECE.findall(text):
        word = pieces[-1] if pieces else " "
        if (
            width(piece) == 1
            and not piece.isspace()
            and not word.isspace()
            and width(word[-1]) == 1
        ):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def wrap(text: str, columns: int, hanging: int = 0) -> list[str]:
    """``text`` in lines of at most ``columns`` columns, broken at spaces or between wide
    characters (a word longer than a line stands alone; closing punctuation stays on its line).
    The leading spaces of ``text`` indent its first line, ``hanging`` spaces the lines after."""
    indent = text[: len(text) - len(text.lstrip(" "))]
    lines: list[str] = []
    line = indent
    for piece in _pieces(text[len(indent) :]):
        if piece.isspace():
            line += piece if line.strip() else ""
        elif line.strip() and width(line) + width(piece) > columns and piece not in CLOSING:
            lines.append(line.rstrip())
            line = " " * hanging + piece
        else:
            line += piece
    lines.append(line.rstrip())
    return lines


def shorten(text: str, columns: int) -> str:
    """``text`` on one line in at most ``columns`` columns, cut with … when longer (a summary
    in a table column: the whole text is in the command's --json)."""
    text = " ".join(text.split())
    if width(text) <= columns:
        return text
    kept = ""
    for char in text:
        if width(kept) + char_width(char) > columns - 1:
            break
        kept += char
    return kept.rstrip() + "…"
