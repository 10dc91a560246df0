"""One unreadable character: 「?」 or U+FFFD left by a broken conversion (大字?生, 小千?市).

A character the list could not encode is written ``?`` (or ``？``, or U+FFFD). Where one such
character stands in a municipality's or a town's name, each character that some name of the
index has between the same neighbours is tried in its place; when exactly one place fits
(one that reads the whole name, if any does), the row is placed there and its note says
which character was read. When several fit, they are listed and none is chosen; when none
fits, the row stays where the readable part leads, and never at a town whose name merely
stops before the unreadable character (松之山 for 松之山天?島): the note says the name could
not be read.

Cases: ``unreadable_character`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..address.normalize import Normalized
from .answer import Match
from .index import SEPARATOR


UNREADABLE = "?\ufffd"  # ？ is folded to ? by normalization
_NUMBER = re.compile(r"\d")
_NAME_END = re.compile(r"[\d\-#(（]|$")
MAX_TRIED = 40  # more characters than this fit the neighbours: too little context to try them


def position(text: str) -> int:
    """Where the one unreadable character of ``text`` is, or -1 (none, or more than one).

    Examples
    --------
    >>> position("小千谷市大字?生乙914"), position("小千谷市大字\ufffd生"), position("??"), position("東陽4")
    (6, 6, -1, -1)
    """
    if "?" not in text and "\ufffd" not in text:
        return -1
    found = [i for i, ch in enumerate(text) if ch in UNREADABLE]
    return found[0] if len(found) == 1 else -1


def read(matcher, norm: Normalized, m: Match, pref: str = "", codes: Sequence[str] = ()) -> Match:
    """``m`` (the matcher's answer for ``norm``) with the unreadable character read, if one place fits.

    ``pref``/``codes`` are the row's context, for the matcher's answers to the texts tried.
    """
    q = position(norm.text)
    if q < 0 or q < m.end or _NUMBER.search(norm.text, m.end, q):
        return m  # none, or the match explains it, or it is in the block number or building
    index = matcher.index
    if m.level < 2:
        names = index.city_key_text()
    elif m.code in index.municipalities:
        names = index.town_key_text(m.code) + SEPARATOR + index.koaza_key_text(m.code)
    else:
        return m
    text = norm.text
    if q and text[q - 1] in "がガ":  # 茜が? for 茜が丘: the が before a kanji is written ケ, as the index's is
        text = text[: q - 1] + "ケ" + text[q:]
    ends = "$" if _NAME_END.match(text, q + 1) else ""  # the name ends after it: so must the index's
    tried: set[str] = set()
    places: dict[tuple[str, str], tuple[str, Match]] = {}
    whole: dict[tuple[str, str], tuple[str, Match]] = {}  # those that read the whole name
    # The most context first: the characters names have between both neighbours, then fewer.
    for before, after in ((2, 2), (2, 1), (1, 2), (1, 1), (2, 0), (0, 2)):
        left, right = text[max(0, q - before):q], text[q + 1:q + 1 + after]
        if len(left) < before or len(right) < after or _NUMBER.search(left + right):
            continue
        pattern = re.escape(left) + r"([^\n])" + re.escape(right) + (ends if after == 0 else "")
        found = {f.group(1) for f in re.finditer(pattern, names, re.MULTILINE)} - tried
        if len(found) > MAX_TRIED:
            continue  # too little context to choose among so many
        tried |= found
        for ch in sorted(found):
            answer = matcher.answer(Normalized(text[:q] + ch + text[q + 1:], norm.origin, norm.source), pref, codes)
            if (answer.level >= 3 or answer.level > m.level) and answer.end > q and not answer.ambiguous:
                places.setdefault((answer.code, answer.town), (ch, answer))
                if _NAME_END.match(text, answer.end):
                    whole.setdefault((answer.code, answer.town), (ch, answer))
        if places:
            break
    if len(whole) == 1 or (not whole and len(places) == 1):
        ch, answer = next(iter((whole or places).values()))
        answer.note = ("note_unreadable_read", {"char": ch, "name": answer.city + answer.town})
        return answer
    if len(whole or places) > 1:  # several places fit: they are listed, none is chosen
        found = [answer for _, answer in (whole or places).values()]
        listed = matcher.ambiguous([(a.code, a.town) for a in found], m.start if m.level >= 3 else m.end, m.pref, m.end)
        if len({a.code for a in found}) == 1 and m.level >= 2:  # one municipality: it is certain
            mun = index.municipalities[found[0].code]
            start = m.start if m.level >= 3 else m.end
            listed = Match(2, mun.pref, mun.city, "", mun.code, mun.lat, mun.lon, start, ambiguous=listed.ambiguous)
        listed.note = ("note_unreadable_unmatched", {})
        return listed
    written = text[m.start:q]
    if m.level >= 3 and re.search("^" + re.escape(written), index.town_key_text(m.code), re.MULTILINE):
        # A longer name of the municipality begins like the written one: the town matched
        # (松之山) may be only the start of the one meant (松之山天?島). It was not read.
        mun = index.municipalities[m.code]
        return Match(2, mun.pref, mun.city, "", mun.code, mun.lat, mun.lon, m.start, note=("note_unreadable_unmatched", {}))
    if not m.note:
        m.note = ("note_unreadable_unmatched", {})
    return m


__all__ = ["UNREADABLE", "position", "read"]
