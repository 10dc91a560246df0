"""Lists as they come: the offline adapter's readings of an address around the matcher.

:func:`match` is what :mod:`geomap.geocoders.offline` calls for each distinct address. It
runs the matcher (:class:`~geomap.geocoders.matcher.Matcher`) and then reads what the
matcher leaves, each time saying so in the note:

- 「栄ー丁目」: a 長音 (or a dash) typed where 一 was meant, between a town and 丁目, is read as
  一 (栄一丁目);
- a 小字 whose name is a number (十八) reached by digits the user typed as digits (末町18) is
  a block number, not that 小字: the row stays at the town;
- a 丁目 written but not read (「東陽丁目」) is said to be one, so the row is reported as placed
  coarser than written;
- no current municipality written: an old municipality name (:mod:`geomap.geocoders.oldnames`);
- a postal code in the address (:mod:`geomap.geocoders.postal`).

A current name is always tried first: an address the matcher places is never read otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..address.normalize import Normalized, normalize
from . import oldnames, postal
from .answer import notes_of, with_notes
from .matcher import Match, Matcher

# A 長音 or dash between a town's name and 丁目 (栄ー丁目): 一 was meant.
_DASH_CHOME = re.compile(r"(?<=[^\d０-９〇一二三四五六七八九十\s\-－ー‐])[ーｰ－―‐−](?=丁目)")
# What follows a whole town when a 丁目 was written but not read: 丁目, -丁目, #丁目.
_CHOME_WRITTEN = re.compile(r"[\-#]?\d*丁目")
_TRAILING_DIGITS = re.compile(r"\d+$")
_ARABIC = frozenset("0123456789０１２３４５６７８９")


def _dash_chome(norm: Normalized) -> tuple[Normalized, str]:
    """``栄ー丁目`` read as ``栄一丁目``: the reading and what was typed (``栄ー丁目``), or ``norm`` and ``""``."""
    if "丁目" not in norm.source:  # what the pattern's lookahead needs: most addresses are ruled out without it
        return norm, ""
    m = _DASH_CHOME.search(norm.source)
    if not m:
        return norm, ""
    source = norm.source[:m.start()] + "一" + norm.source[m.end():]
    read = normalize(source)
    if len(read.source) != len(norm.source):
        return norm, ""
    return read._replace(source=norm.source), norm.source[max(0, m.start() - 2):m.end() + 2]


def _block_not_koaza(matcher: Matcher, norm: Normalized, m: Match, pref: str, codes: Sequence[str]) -> Match:
    """A 小字 named by a number reached by digits typed as digits (末町18) is the town and block 18."""
    if m.level != 4:
        return m
    digits = _TRAILING_DIGITS.search(norm.text, 0, m.end)
    if digits is None or not all(norm.source[norm.origin[i]] in _ARABIC for i in range(digits.start(), digits.end())):
        return m
    start = digits.start()
    shorter = Normalized(norm.text[:start], norm.origin[:start + 1], norm.source)
    town = matcher.match(shorter, pref, codes)
    return town if town.level >= 3 else m


def _chome_not_read(norm: Normalized, m: Match) -> Match:
    """A whole town followed by a written 丁目 it could not read: note ``note_chome_not_read``."""
    if m.level != 3 or not m.note:
        return m
    notes = notes_of(m.note)
    if ("note_whole_town", {}) not in notes:
        return m
    after = _CHOME_WRITTEN.match(norm.text, m.end)
    if not after:
        return m
    written = norm.source[norm.origin[m.end]:norm.origin[after.end()]]
    m.note = tuple(n for n in notes if n != ("note_whole_town", {}))
    return with_notes(m, ("note_chome_not_read", {"written": m.town + written}))


def _old_name(matcher: Matcher, norm: Normalized, m: Match, pref: str, codes: Sequence[str]) -> Match:
    """The address read with an old municipality name, where no current one is written.

    Used when the matcher placed no municipality, or one it did not read at that place: the
    list's own (``codes``) only below town level, one it inferred from a town's name always
    (豊浜町大字大浜 is 呉市's, whatever 大浜 elsewhere says).
    """
    text = norm.text
    pos, written, start, current, _ = matcher.written_start(text)
    if not written:
        current = matcher.match_city_skipping(text, pos, matcher.index.city_keys_all)[0]
    if current:
        return m  # a current name is written there: it wins
    if m.level >= 3 and m.code in codes:
        return m  # the list's municipality (--city) and a town of it
    old = oldnames.match(matcher, text, start, written, pref)
    if old is None:
        return m
    if m.level <= 1 and (old.level > m.level or (old.ambiguous and not m.ambiguous)) or old.level >= max(m.level, 2):
        return _chome_not_read(norm, old)
    return m


def match(matcher: Matcher, norm: Normalized, pref: str = "", codes: Sequence[str] = ()) -> Match:
    """The answer for one normalized address, with the readings of this module after the matcher's."""
    norm, dash = _dash_chome(norm)
    m = matcher.match(norm, pref, codes)
    m = _block_not_koaza(matcher, norm, m, pref, codes)
    m = _chome_not_read(norm, m)
    text = norm.text
    m = _old_name(matcher, norm, m, pref, codes)
    code = postal.find(text)
    if code:
        m = postal.apply(matcher, code, text, m)
    if dash and m.level >= 3:
        written, read = dash, dash[:-3] + "一丁目"
        if m.town.endswith("一丁目"):  # the town's name as the index has it: 栄ー丁目 → 栄一丁目
            written, read = m.town[:-3] + dash[-3:], m.town
        m = with_notes(m, ("note_chome_dash", {"written": written, "read": read}), first=True)
    return m


__all__ = ["match"]
