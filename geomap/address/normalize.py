"""Normalization of Japanese address text for matching (pure functions).

:func:`normalize` folds what people type (width, hyphens, spaces, variant kanji, ケ/の
forms) and writes every 漢数字 as Arabic digits, while remembering for each character of
the result where it came from, so that the part of an address after the match can be
returned exactly as the user wrote it. :func:`key` applies the same folding to the names
of the index, so both sides meet in one form.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .variants import SPACES, fold_chars, prepare

_REMOVED = frozenset(SPACES)

KANJI_NUMERAL_RUN = re.compile(r"[〇一二三四五六七八九十]+")
# Put between a 漢数字 run written as digits and the Arabic digits that follow it.
NUMBER_BOUNDARY = "#"
_DIGIT_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")}

# A bracketed note: an opening bracket, up to 20 characters, a closing one.
_OPENING_BRACKETS, _CLOSING_BRACKETS = "(（【[「『〔<＜", ")）】]」』〕>＞"
_NOTE = f"[{re.escape(_OPENING_BRACKETS)}][^{re.escape(_CLOSING_BRACKETS)}]{{0,20}}[{re.escape(_CLOSING_BRACKETS)}]"
# Things written before the address proper: 〒 and postal codes, bracketed notes
# such as （前期） or 【本校】, and labels such as 住所: / 所在地：.
_LEADING_NOISE = re.compile(
    r"(?:"
    r"(?:TEL|Tel|tel|電話番号|電話)[:：]?\d{2,5}-\d{1,4}-\d{3,4}"  # a telephone number
    r"|\d{2,5}-\d{1,4}-\d{4}(?=\D)"
    r"|〒?\d{3}-\d{4}|〒\d{7}|郵便番号[:：]?\d{3}-?\d{4}"
    r"|" + _NOTE +
    r"|(?:住所|所在地|所在地住所|地番|住居表示)[:：]?"
    r"|\d{7}(?=\D)"
    r")"
)


class Normalized(NamedTuple):
    """Normalized text and, for each of its characters, the index in ``source``.

    ``origin`` has one more entry than ``text``: ``origin[len(text)] == len(source)``.
    """

    text: str
    origin: list[int]
    source: str

    def source_from(self, pos: int) -> str:
        """The user's own text from normalized position ``pos`` to the end."""
        return self.source[self.origin[pos]:]

    def source_between(self, start: int, end: int) -> str:
        """The user's own text between two normalized positions."""
        return self.source[self.origin[start]:self.origin[end]]


def kanji_to_int(numeral: str) -> int:
    """Value of a 漢数字 run: ``十`` → 10, ``二十一`` → 21, ``一〇`` → 10, ``二〇二`` → 202."""
    if "十" not in numeral:
        value = 0
        for ch in numeral:
            value = value * 10 + _DIGIT_VALUE[ch]
        return value
    total = 0
    for part_index, part in enumerate(numeral.split("十")):
        if part_index == 0:
            total += (kanji_to_int(part) if part else 1) * 10
        elif part:
            total += kanji_to_int(part)
        else:
            continue
    # "十十" and other malformed runs still give a number, never an exception.
    return total


def _digitize(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Replace 漢数字 runs with Arabic digits, keeping ``origin`` aligned (called by :func:`normalize`
    only for a ``text`` it found a run in)."""
    out: list[str] = []
    out_origin: list[int] = []
    last = 0
    n = len(text)
    for m in KANJI_NUMERAL_RUN.finditer(text):
        start, end = m.span()
        out.append(text[last:start])
        out_origin += origin[last:start]
        numeral = m.group()
        digits = _NUMERAL_TEXT.get(numeral)
        if digits is None:
            digits = _NUMERAL_TEXT[numeral] = str(kanji_to_int(numeral))
        out.append(digits)
        # each digit comes from the numeral's character at its place, the extra ones from its last
        extra = len(digits) - (end - start)
        if extra <= 0:
            out_origin += origin[start:start + len(digits)]
        else:
            out_origin += origin[start:end]
            out_origin += [origin[end - 1]] * extra
        if end < n and "0" <= text[end] <= "9":
            # かな八8-3 (a town ending in 八, then block 8): the numbers must not run together.
            out.append(NUMBER_BOUNDARY)
            out_origin.append(origin[end])
        last = end
    out.append(text[last:])
    out_origin += origin[last:]
    return "".join(out), out_origin


#: 漢数字 runs already written as digits (a list repeats 一 to 九 and a few more).
_NUMERAL_TEXT: dict[str, str] = {}


def normalize(raw: str) -> Normalized:
    """Fold ``raw`` for matching and keep the map back to the user's text.

    Examples
    --------
    >>> normalize("東京都江東区東陽４－１１－２８").text
    '東京都江東区東陽4-11-28'
    >>> normalize("東陽四丁目").text
    '東陽4丁目'
    """
    source = prepare(raw)
    folded = fold_chars(source)
    tail = len(source)
    numerals = KANJI_NUMERAL_RUN.search(folded) is not None
    if len(folded) == tail:
        if not numerals:
            return Normalized(folded, list(range(tail + 1)), source)
        body = list(range(tail))
    else:  # spaces were removed
        body = [i for i, ch in enumerate(source) if ch not in _REMOVED]
    text = folded
    if numerals:
        text, body = _digitize(folded, body)
    body.append(tail)
    return Normalized(text, body, source)


def key(name: str) -> str:
    """The matching form of a name from the index (same folding as :func:`normalize`)."""
    folded = fold_chars(prepare(name))
    if not KANJI_NUMERAL_RUN.search(folded):
        return folded
    return KANJI_NUMERAL_RUN.sub(lambda m: str(kanji_to_int(m.group())), folded)


_BRACKETED = re.compile(f"(?:{_NOTE})+")
# What a bracketed note begins with, and every character a match of _LEADING_NOISE can begin
# with but a digit (\d, as str.isdecimal).
_OPENING = frozenset(_OPENING_BRACKETS)
_NOISE_FIRST = _OPENING | frozenset("Tt電〒郵住所地")


def skip_brackets(text: str, pos: int) -> int:
    """Position after bracketed notes at ``pos`` (東京都（本庁）千代田区, 江東区「地番」東陽)."""
    if text[pos:pos + 1] not in _OPENING:  # no note begins there: the pattern is not run
        return pos
    m = _BRACKETED.match(text, pos)
    return m.end() if m else pos


def skip_leading_noise(text: str, pos: int = 0) -> int:
    """Position after postal codes, bracketed notes and labels at ``pos``."""
    while True:
        first = text[pos:pos + 1]
        if first not in _NOISE_FIRST and not first.isdecimal():  # nothing the pattern takes begins there
            return pos
        m = _LEADING_NOISE.match(text, pos)
        if not m or m.end() == pos:
            return pos
        pos = m.end()
