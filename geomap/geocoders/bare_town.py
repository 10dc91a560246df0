"""A town written without its municipality: 「紀尾井町1-3」, 「東京都紀尾井町1-3」.

Lists of one city often leave the municipality out, and the prefecture with it. When no
municipality is found at the start, the written name is looked for among the towns of all
Japan (or of the prefecture written): if it is the name of one town only, the row is placed
there (level 3) and its note names the municipality inferred; if it is the name of a few
towns, the answer lists them and stays at the prefecture or at nothing. Every way of
reading the name counts: 「本町1-2」 is 本町一丁目 of many towns as well as 札幌市東区's
本町一条二丁目, so it is nobody's. But a town whose own name is exactly what is written
beats readings of other towns that needed a change (an alias, a 町 dropped or added, the
whole 町 of a 丁目 base): 「永山町五丁目」 is 旭川市's, not 多摩市's 永山五丁目
(:func:`exact_names`). The whole written
name must be the town's (a number, a bracket or the end follows it), so a name inside a
longer one (清水 in 清水市…) is never taken.

Cases: ``bare_town`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re

from ..address.normalize import key
from .answer import NAME_END, Match, TownHit, best_explained, is_valid_point


_LETTER = re.compile(r"[^\d\-#]")
MIN_LENGTH = 2  # a one-character name (東, 堀) is no town of its own
MAX_LISTED = 10  # more candidates than this: the name says nothing (本町1-2), nothing is listed


def find(matcher, text: str, pos: int, pref: str = "") -> Match | None:
    """The town that ``text`` read from ``pos`` names, in ``pref`` or anywhere; None if none.

    The answer is a :class:`~geomap.geocoders.matcher.Match`: level 3 (or 4) with note
    ``note_municipality_inferred`` when one town fits, the candidates when a few do.

    Examples
    --------
    >>> from geomap.geocoders.index import town_index
    >>> from geomap.geocoders.matcher import Matcher
    >>> m = find(Matcher(town_index()), "紀尾井町1-3", 0)
    >>> m.city, m.town, m.note
    ('千代田区', '紀尾井町', ('note_municipality_inferred', {'place': '東京都千代田区'}))
    >>> find(Matcher(town_index()), "本町1-2", 0) is None  # a name of too many towns
    True
    >>> find(Matcher(town_index()), "99", 0) is None  # digits alone name no town (九十九 is one)
    True
    """
    index = matcher.index
    hits: list[tuple[str, TownHit]] = []
    for length in range(min(index.max_town_key_length, len(text) - pos), MIN_LENGTH - 1, -1):
        if not _LETTER.search(text, pos, pos + length):
            continue  # 九十九 is a town's name, 99 written alone is no name
        codes = index.municipalities_with_key(text[pos:pos + length])
        if pref:
            codes = [c for c in codes if index.municipalities[c].pref == pref]
        for code in codes:
            hit = matcher.match_town(code, text, pos)
            for h in hit if isinstance(hit, list) else [hit] if hit is not None else []:
                if NAME_END.match(text, h.end) and not any(c == code and o.name == h.name for c, o in hits):
                    hits.append((code, h))
    hits = best_explained(hits, text)  # 伏見一丁目 is not 伏見 followed by an unexplained 1丁目
    if len(hits) > 1:
        exacts = exact_names(hits, text, pos)
        if len(exacts) == 1:  # one town is named exactly as written: the other readings needed a change
            hits = exacts
    if len(hits) == 1:
        code, hit = hits[0]
        mun = index.municipalities[code]
        if is_valid_point(hit.lat, hit.lon):
            note = ("note_municipality_inferred", {"place": f"{mun.pref}{mun.city}"})
            return Match(hit.level, mun.pref, mun.city, hit.name, code, hit.lat, hit.lon, hit.end, note=note)
        return Match(2, mun.pref, mun.city, hit.name, code, mun.lat, mun.lon, hit.end, note=("note_no_town_point", {}))
    if 1 < len(hits) <= MAX_LISTED:
        return matcher.ambiguous([(c, h.name) for c, h in hits], pos, pref, max(h.end for _, h in hits))
    return None


def exact(hit: TownHit, text: str, pos: int) -> bool:
    """``hit`` is a town whose own name is what ``text`` writes from ``pos`` to the hit's end.

    Not one reached by a change: an alias (大字 or 町 dropped, another spelling), a 丁目 base
    read with a 町 written after it (多摩市 永山 for 永山町五丁目), 丁目 written as a number
    (本町1 for 本町一丁目) or the whole 町 of a 丁目 base (恵庭市 白樺町 for 白樺町N丁目).
    """
    return not hit.alias and not hit.note and text[pos:hit.end] == key(hit.name)


def exact_names(hits: list[tuple[str, TownHit]], text: str, pos: int) -> list[tuple[str, TownHit]]:
    """The hits whose town is named exactly as written, when they read furthest; else none.

    When a town's own name is what is written, a reading of another municipality that
    needed a change is a weaker reading: 「永山町五丁目」 is 旭川市's 永山町五丁目, not
    多摩市's 永山五丁目 with a 町 added. Of exact names, the longest wins over a shorter
    one followed by a number (北見市 中央三輪一丁目, not a 中央 followed by 3輪; 上富良野町
    東一線北二十三号, not 長沼町's 東一線北 followed by 23号). No exact name is chosen
    when another reading explains more of the text (「本町1-2」: 本町一丁目 with its 丁目
    written as the first number reads further than a town named 本町). When several exact
    names read as far, :func:`find` lists every candidate, as without this rule.

    Examples
    --------
    >>> from geomap.geocoders.index import town_index
    >>> from geomap.geocoders.matcher import Matcher
    >>> m = find(Matcher(town_index()), "永山町5丁目45番地", 0)
    >>> m.city, m.town
    ('旭川市', '永山町五丁目')
    >>> find(Matcher(town_index()), "中央3輪1丁目1866番地", 0).town
    '中央三輪一丁目'
    """
    ends = [h.end for _, h in hits]
    exacts = [(c, h) for c, h in hits if exact(h, text, pos)]
    furthest = max(ends)
    if not exacts or max(h.end for _, h in exacts) < furthest:
        return []
    return [(c, h) for c, h in exacts if h.end == furthest]


__all__ = ["exact", "exact_names", "find"]
