"""One unreadable character: 「?」 or U+FFFD left by a broken conversion (大字?生, 小千?市).

A character the list could not encode is written ``?`` (or ``？``, or U+FFFD). Where one such
character stands in a municipality's or a town's name, each character that some name of the
index has between the same neighbours is tried in its place; when exactly one place fits
(one that reads the whole name, if any does), the row is placed there and its note says
which character was read. When several fit, they are listed and none is chosen; when none
fits, the row stays where the readable part leads, and never at a town whose name merely
stops before the unreadable character (松之山 for 松之山天?島): the note says the name could
not be read. The neighbours are those of the name only (the municipality's name before it is
no context), and a numeral of the name after it (大?十王) is context, not a lot number.

Cases: ``unreadable_character`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..address.normalize import Normalized, normalize
from ..address.variants import LOOK_ALIKES
from .answer import NAME_END, Match
from .index import SEPARATOR


UNREADABLE = "?\ufffd"  # ？ is folded to ? by normalization
_NUMBER = re.compile(r"\d")
# A number the name goes on after (a numeral of the name: 十王 in 大字十王, 七区, 三条, 二丁目),
# not a lot number (123番地, 12-3, 5号, 2の3).
_NAME_GOES_ON = re.compile(r"\d+(?!番|号|地割|[のノ]\d|\d)[^\W\d_]")
_BEFORE_KANJI = {"が": "ケ", "ガ": "ケ", **LOOK_ALIKES}  # what normalization folds before a kanji
_KATAKANA_OF = {kanji: kana for kana, kanji in LOOK_ALIKES.items()}
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


def _ends(text: str, pos: int) -> bool:
    """The written name ends at ``pos``: a lot number, a bracket or the end follows, not a numeral of the name."""
    return bool(NAME_END.match(text, pos)) and not _NAME_GOES_ON.match(text, pos)


def _context(chars: str) -> str:
    """A pattern for the neighbours of the unreadable character, as the index may write them.

    What normalization folds only before a kanji, it has not folded before the unreadable
    character, and the index has it folded or not depending on the character lost: が and ガ
    before a kanji are ケ (茜が? for 茜ケ丘, かが? for かがやき), a katakana typed for a
    look-alike kanji is the kanji (:data:`~geomap.address.variants.LOOK_ALIKES`: 市右エ? for
    市右工門島), and a kanji after it may be such a katakana (ウ?口 for ウトロ高原).
    """
    out = []
    for ch in chars:
        other = _BEFORE_KANJI.get(ch) or _KATAKANA_OF.get(ch)
        out.append(f"[{ch}{other}]" if other else re.escape(ch))
    return "".join(out)


def _with_char(norm: Normalized, text: str, q: int, ch: str) -> Normalized:
    """The address with its unreadable character (at ``q`` of ``text``) read as ``ch``.

    Normalized again from the user's text, so that what depends on the character is folded
    as it would have been (エ before a kanji is 工, が before one is ケ); the text tried as it
    is where normalizing again would move positions (a numeral next to it).
    """
    source = norm.source[: norm.origin[q]] + ch + norm.source[norm.origin[q] + 1:]
    again = normalize(source)
    if len(again.text) == len(text):
        return again
    return Normalized(text[:q] + ch + text[q + 1:], norm.origin, norm.source)


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
    ends = "$" if _ends(text, q + 1) else ""  # the name ends after it: so must the index's
    tried: set[str] = set()
    places: dict[tuple[str, str], tuple[str, Match]] = {}
    whole: dict[tuple[str, str], tuple[str, Match]] = {}  # those that read the whole name
    # The most context first: the characters names have between both neighbours, then fewer.
    # The name begins where the matched part ends (the municipality's name is no context:
    # 富山市?町 is not 富山市新町 because a key of 富山市 has 山市新町 in it); a context that
    # reaches back to there is the name's beginning, and so must the index's be.
    begins = m.start if m.level >= 3 else m.end
    numeral = bool(_NAME_GOES_ON.match(text, q + 1))  # a numeral of the name follows (久美浜?三原): it is context
    for before, after in ((2, 2), (2, 1), (1, 2), (1, 1), (2, 0), (0, 2)):
        first = q - before < begins
        left, right = text[max(begins, q - before):q], text[q + 1:q + 1 + after]
        if (len(left) < before and not first) or len(right) < after or not left + right:
            continue  # a neighbour of the name is needed: ?3条 fits every one-character name
        if _NUMBER.search(right) and not numeral:
            continue  # a lot number is no context
        pattern = ("^" if first else "") + _context(left) + r"([^\n])" + _context(right) + (ends if after == 0 else "")
        found = {f.group(1) for f in re.finditer(pattern, names, re.MULTILINE)} - tried
        if len(found) > MAX_TRIED:
            continue  # too little context to choose among so many
        tried |= found
        for ch in sorted(found):
            answer = matcher.answer(_with_char(norm, text, q, ch), pref, codes)
            if _NAME_GOES_ON.match(text, answer.end):
                continue  # 東?7条 is not 東山 followed by a 7条 it lacks, 大?十王 not 大瀬 and 10王
            if (answer.level >= 3 or answer.level > m.level) and answer.end > q and not answer.ambiguous:
                places.setdefault((answer.code, answer.town), (ch, answer))
                if _ends(text, answer.end):
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
