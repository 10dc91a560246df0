"""Japanese line breaking for the memo's texts (notes, legend titles, the data's credit).

:func:`wrap` counts a kanji or kana as two columns and a Latin letter as one, breaks
Japanese text between any two characters and Latin text between words, and keeps closing
marks off the start of a line and opening brackets off its end (禁則).
"""

from __future__ import annotations

import re
import unicodedata

#: Characters a line must not start with (closing brackets, punctuation), nor end with (opening brackets).
_NO_START = set("）)」』】〕］]、。，,．.：:；;！!？?・ー〜～")
_NO_END = set("（(「『【〔［[")


def _cols(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap(text: str, width: int) -> str:
    """``text`` in lines of at most about ``width`` columns, as Japanese is set.

    A kanji or kana is two columns, a Latin letter one. Lines break between any two
    characters of Japanese text and between words of Latin text, but a line never starts
    with a closing bracket or a punctuation mark (it stays at the end of the line before,
    a little past the width, as Japanese is set), and never ends with an opening bracket
    (it moves down with what it opens), so 「…推定）」 never leaves 「）」 alone.

    >>> print(wrap("区域はおおよその範囲（町丁目の代表点から推定）", 44))
    区域はおおよその範囲（町丁目の代表点から推定）
    >>> print(wrap("区域はおおよその範囲（町丁目の代表点から推定）", 20))
    区域はおおよその範囲
    （町丁目の代表点から
    推定）
    >>> print(wrap("Areas are approximate (estimated from town centre points)", 30))
    Areas are approximate
    (estimated from town centre
    points)
    """
    lines, line = [], []
    for token in _tokens(text):
        if not line and not token.strip():
            continue  # no line starts with a space
        hang = token.lstrip()[:1] in _NO_START  # a closing mark stays on its line, past the width
        if line and not hang and _width(line) + _width([token]) > width:
            carry = [line.pop()] if len(line) > 1 and line[-1][-1:] in _NO_END else []
            lines.append("".join(line).rstrip())
            line = carry + [token] if carry else ([token.lstrip()] if token.strip() else [])
        else:
            line.append(token)
    if line:
        lines.append("".join(line).rstrip())
    return "\n".join(lines)


def _width(tokens) -> int:
    return sum(_cols(c) for t in tokens for c in t)


def _tokens(text: str) -> list[str]:
    """Words (with the space before them) for Latin text, single characters for Japanese."""
    return re.findall(r" ?[\x21-\x7e]+| |.", text)
