"""The offline geocoder's matcher: a normalized address against the town index.

Matching runs prefecture → municipality (an island, 支庁 or 郡 name written before it is
skipped) → town (longest match first; 丁目 as the first number; 大字/字 written or not; the
whole 町 when the 丁目 is left out or unknown) → 小字. Where two places fit, the answer says
so and stops at what is certain; nothing is guessed. What the data lacks is given as a
note, ``(key, params)`` of :mod:`geomap.messages.notes`, turned into text by the adapter
(:mod:`geomap.geocoders.offline`) with :func:`geomap.messages.note_text`.

Every key was made at data-build time (:mod:`geomap.geocoders.index_build`); families of
addresses written their own way add their part through :mod:`geomap.geocoders.families`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence

from ..address.normalize import Normalized, key, skip_brackets, skip_leading_noise
from . import families, koaza, reasons
from .answer import NAME_END as _NAME_END
from .answer import Match, TownHit, best_explained, is_valid_point
from .index import ALIAS, FLAG_BITS, HAS_CHOME, HAS_NAME, WEAK, Town, TownIndex

# After a town's base name, a number that is its 丁目: "東陽4-", "東陽4丁目", "東陽4の", "東陽4" (end).
_CHOME_NUMBER = re.compile(r"(\d+)(丁目|丁(?!目)|町目|(?=-|の|#|$))")
_ISLAND_PREFIX = re.compile(r".{1,6}?(?:島|支庁|総合振興局|振興局|郡)")
_UNKNOWN_WARD = re.compile(r"[^\d\-#]{1,4}?区")
_UNKNOWN_MUNICIPALITY = re.compile(r"[^\d\-#]{1,6}?[市区町村](?![市区町村場]|役所)")
_BARE_NUMBER = re.compile(r"[\d#]+")
_NUMBER_ONLY = re.compile(r"[\d#]*(?:[\-の](?=\d)|号|番(?![町丁])|$)")  # a block number follows: no finer town past it

_NUMBERED_NAME = re.compile(r"(.+?)(\d+)丁目?")  # a 丁目 town's name as written in full: base and number
_AFTER_WEAK = re.compile(r"[\d\-の番丁#字]|[甲乙丙丁](?=\d)")  # a number, 字, or a lot 甲乙丙 with its number
_DIGIT = re.compile(r"\d")
# A number that belongs to a longer name (4条, 8線, 5番町, 18号): never a 丁目 or 番地 of a shorter one.
_OTHER_NUMBER = re.compile(r"\d+(?:条|線|号|番[丁町]|町目|区|地割)")
# After a name that ends in a number: the text goes on as a block number (1894, 38-26, 36番, 3の1).
_BLOCK_NUMBER_GOES_ON = re.compile(r"[\d\-番号の]")
FLAG_MASK = (1 << FLAG_BITS) - 1


def _names_aza(hit: "TownHit | list[TownHit] | None") -> bool:
    """The hit is a town whose own name begins with 大字/字 (and was matched with it)."""
    hits = hit if isinstance(hit, list) else [hit] if hit is not None else []
    return any(h.town.name.startswith(("大字", "字")) and not h.alias for h in hits)


def _end(hit: "TownHit | list[TownHit]") -> int:
    return max(h.end for h in hit) if isinstance(hit, list) else hit.end


def _block_number_goes_on(text: str, end: int) -> bool:
    """A name ending at ``end`` in a number (十八, 三番) is only the start of a block number (1894, 3番地)."""
    if end >= len(text) or end < 2:
        return False
    if text[end - 1].isdigit():
        return _BLOCK_NUMBER_GOES_ON.match(text, end) is not None
    return text[end - 1] == "番" and text[end - 2].isdigit() and text[end] == "地"


# How each municipality is written a second time (Matcher._written_again), per index: made once
# per municipality and process, not once per Matcher (a list is geocoded in chunks, each with its own).
_AGAIN: weakref.WeakKeyDictionary[TownIndex, dict[str, tuple[str, ...]]] = weakref.WeakKeyDictionary()


class Matcher:
    """Match normalized addresses against a :class:`TownIndex`."""

    def __init__(self, index: TownIndex):
        self.index = index
        self._again: dict[str, tuple[str, ...]] = _AGAIN.setdefault(index, {})
        self._written_start: tuple[str, tuple] = ("", ())

    def _written_again(self, code: str) -> tuple[str, ...]:
        """How the municipality ``code`` is written a second time before its town (its name, without
        its county or city, with its prefecture), as normalized text; made once per municipality."""
        forms = self._again.get(code)
        if forms is None:
            mun = self.index.municipalities[code]
            names = {mun.city, mun.city.split("郡")[-1], mun.city.split("市")[-1], mun.pref + mun.city}
            forms = self._again[code] = tuple(k for k in map(key, names) if k)
        return forms

    def written_start(self, text: str) -> tuple[int, str, int, list[str], int]:
        """What ``text`` writes first: where it starts (noise skipped), the prefecture written
        there and where it ends, and the municipalities written after it (islands, 支庁 or
        郡 names skipped) and where they end: ``(start, pref, pref_end, codes, codes_end)``,
        ``pref`` "" and ``codes`` empty when none is written.

        The matcher reads this first, and the old-name reading asks the same question
        again: the answer for the last text asked is kept.
        """
        last_text, last = self._written_start
        if last_text == text and last:
            return last
        start = skip_leading_noise(text)
        pref, pref_end = self.match_pref(text, start)
        codes, codes_end = self.match_city_skipping(text, pref_end, self.index.city_keys[pref]) if pref else ([], start)
        found = (start, pref, pref_end, codes, codes_end)
        self._written_start = (text, found)
        return found

    # -- prefecture -------------------------------------------------------
    def match_pref(self, text: str, pos: int) -> tuple[str, int]:
        """The prefecture written at ``pos`` (a key of 4 characters, then of 3) and where it ends."""
        pref_keys = self.index.pref_keys
        candidate = text[pos:pos + 4]
        pref = pref_keys.get(candidate)
        if not pref:
            candidate = text[pos:pos + 3]
            pref = pref_keys.get(candidate)
        if pref:
            return pref, pos + len(candidate)
        return "", pos

    def match_pref_short(self, text: str, pos: int) -> list[tuple[str, int]]:
        """Prefectures written without 都・府・県 (only trusted if a municipality follows)."""
        out = []
        for length in (3, 2):
            candidate = text[pos:pos + length]
            pref = self.index.pref_short.get(candidate)
            if pref:
                out.append((pref, pos + len(candidate)))
        return out

    # -- municipality -----------------------------------------------------
    def match_city(self, text: str, pos: int, table: dict[str, list[str]]) -> tuple[list[str], int]:
        """The longest municipality key of ``table`` (a part of ``index.city_keys_all``) at ``pos``."""
        rest = len(text) - pos
        for length in self.index.city_key_lengths.get(text[pos:pos + 1], ()):  # only lengths a key there has
            if length <= rest:
                codes = table.get(text[pos:pos + length])
                if codes:
                    return codes, pos + length
        return [], pos

    def match_city_skipping(self, text: str, pos: int, table: dict[str, list[str]]) -> tuple[list[str], int]:
        """Municipality, also after an island, 支庁 or 郡 name written before it (八丈島八丈町)."""
        pos = skip_brackets(text, pos)
        codes, end = self.match_city(text, pos, table)
        if codes:
            return codes, end
        for m in _ISLAND_PREFIX.finditer(text[pos:pos + 12]):
            codes, end = self.match_city(text, pos + m.end(), table)
            if codes:
                return codes, end
        return [], pos

    # -- town -------------------------------------------------------------
    def match_town(self, code: str, text: str, pos: int) -> TownHit | list[TownHit] | None:
        city = self.index.municipalities[code].city
        for starts in families.TOWN_STARTS:  # families written their own way (Kyoto: after 上る/下る/東入/西入)
            for start in starts(city, text, pos):
                hit = self._match_town_at(code, text, start)
                if hit is not None:
                    return hit
        hit = self._match_town_at(code, text, pos)
        if text.startswith(("大字", "字"), pos) and not (_names_aza(hit) and _NUMBER_ONLY.match(text, _end(hit))):
            # 大字遠東 where the index says 遠東: the town without the 大字 is taken when it
            # explains as much as a match that read the 大字 as something else (a town named
            # 大, the 小字 of （大字なし）). A written 字 that is part of the index's own name
            # (字仲間, not 仲間二丁目 for 字仲間2-2) is kept, unless the town without it explains
            # more than a bare number: 大字永興二丁目 is 永興二丁目 where the index has both.
            stripped = self._match_town_at(code, text, pos + (2 if text.startswith("大字", pos) else 1))
            if stripped is not None and (
                hit is None
                or (not _names_aza(hit) and _end(stripped) >= _end(hit))
                or (_end(stripped) > _end(hit) and not _BARE_NUMBER.fullmatch(text, _end(hit), _end(stripped)))
            ):
                hit = stripped
        for reread in families.TOWN_REREADS if hit is None else ():  # a 字 the index lacks (藤岡町大字赤麻)
            hit = reread(lambda other, at: self._match_town_at(code, other, at), text, pos)
            if hit is not None:
                break
        if hit is None:
            for scan in families.TOWN_SCANS:  # Kyoto: a town after the street, no way written
                for start in scan(city, text, pos):
                    found = self._match_town_at(code, text, start)
                    if found is not None and _NAME_END.match(text, _end(found)):
                        return found
        return hit

    def _match_town_at(self, code: str, text: str, pos: int) -> TownHit | list[TownHit] | None:
        index = self.index
        prefix, maxlen, keys = index.town_probe(code)
        limit = min(maxlen, len(text) - pos)
        probe = prefix + text[pos:pos + limit]  # a key of this municipality: prefix + name
        for length in range(limit, 0, -1):
            value = keys.get(probe[:length + 1])
            if value is None:
                continue
            key_id, flags = value >> FLAG_BITS, value & FLAG_MASK
            end = pos + length
            alias = bool(flags & ALIAS)
            if flags & HAS_CHOME:
                m = _CHOME_NUMBER.match(text, end)
                if m is None and text.startswith("町", end):
                    # 能ヶ谷町7-24 for 能ヶ谷七丁目: the 町 dropped from the name is still written.
                    m = _CHOME_NUMBER.match(text, end + 1)
                if m:
                    found = index.chome_towns(key_id, int(m.group(1)))
                    if found:
                        if found[0].lat != found[0].lat:  # no point (NaN): the whole 町 may have one
                            instead = self._pointless(found, key_id, flags, m.group(1), m.end(), alias)
                            if instead is not None:
                                return instead
                        return self._hits(found, text, m.end(), alias)
            if flags & HAS_NAME:
                if flags & WEAK and end < len(text) and not _AFTER_WEAK.match(text, end):
                    # 古城山ノ城 for 古城町 and its 小字 山ノ城: the 小字 explains what follows.
                    hit = self._hits(index.named_towns(key_id), text, end, alias)
                    if isinstance(hit, TownHit) and hit.level == 4:
                        return hit
                    continue
                if text[end - 1].isdigit() and end < len(text) and text[end].isdigit():
                    continue  # 北1西2 is not the start of 北1西21
                if text.startswith("地", end) and text[end - 1] == "番" and text[end - 2].isdigit():
                    continue  # 字大門3番地 is 字大門 and 3番地, not the town 字大門三番 (issue 16 item 4)
                found = index.named_towns(key_id)
                numbered = found[0].lat != found[0].lat and _NUMBERED_NAME.fullmatch(text, pos, end)
                if numbered:  # 中央三丁目 written in full, the index has no point for it
                    base = keys.get(prefix + numbered.group(1))
                    if base is not None and base & HAS_CHOME:
                        instead = self._pointless(found, base >> FLAG_BITS, base & FLAG_MASK, numbered.group(2), end, alias)
                        if instead is not None:
                            return instead
                if alias and len(found) == 1 and found[0].koaza:  # 若松町 for 大字長野 若松町
                    at_koaza = koaza.as_koaza(found[0], text, pos, end)
                    if at_koaza is not None:
                        return at_koaza
                return self._hits(found, text, end, alias)
            if (
                flags & HAS_CHOME
                and (end == len(text) or _AFTER_WEAK.match(text, end))
                and not (alias and _OTHER_NUMBER.match(text, end))
            ):
                # The whole 町 only when a number or nothing follows: 中央 must not take 中央区,
                # and 永山 (永山町 …丁目 written without 町) must not take 永山3条22丁目.
                whole = index.whole_town(key_id)
                m = _CHOME_NUMBER.match(text, end)
                note = ("note_no_such_chome", {"n": m.group(1)}) if m else ("note_whole_town", {})
                return TownHit(whole, end, whole.name, whole.lat, whole.lon, 3, note, alias)
        value = keys.get(prefix)
        if value is None:
            return None
        # Towns named by their 丁目 alone (仙台市若林区六丁目, 下田市四丁目): "若林区6-1-28".
        if value & HAS_CHOME:
            m = _CHOME_NUMBER.match(text, pos)
            if m:
                found = index.chome_towns(value >> FLAG_BITS, int(m.group(1)))
                if found:
                    return self._hits(found, text, m.end())
        # The index's town for addresses without a 大字 (（大字なし）): a number straight after
        # the municipality (岡谷市2413-1), or one of its 小字 (南箕輪村中込123).
        if value & HAS_NAME:
            hit = self._hits(index.named_towns(value >> FLAG_BITS), text, pos)
            if isinstance(hit, TownHit) and (hit.level == 4 or _DIGIT.match(text, pos)):
                return hit
        return None

    def _pointless(self, found: list[Town], key_id: int, flags: int, number: str, end: int, alias: bool) -> TownHit | None:
        """For a 丁目 the index knows without a point (a new 丁目): the whole 町, from its other
        丁目 or from the town of that name the 丁目 were made from (海老名市 社家), if it has a point."""
        if any(is_valid_point(t.lat, t.lon) for t in found):
            return None
        wholes = [self.index.whole_town(key_id)]
        if flags & HAS_NAME:
            wholes += self.index.named_towns(key_id)
        for whole in wholes:
            if is_valid_point(whole.lat, whole.lon):
                note = ("note_chome_without_point", {"n": number})
                return TownHit(whole, end, whole.name, whole.lat, whole.lon, 3, note, alias)
        return None

    def _hits(self, found: list[Town], text: str, end: int, alias: bool = False) -> TownHit | list[TownHit]:
        if len(found) == 1:  # most keys lead to one town, most towns have no 小字
            town = found[0]
            if not town.koaza:
                return TownHit(town, end, town.name, town.lat, town.lon, 3, (), alias)
            hit = self._with_koaza(town, text, end)
            hit.alias = alias
            return hit
        hits = [self._with_koaza(t, text, end) for t in found]
        for hit in hits:
            hit.alias = alias
        return hits[0] if len(hits) == 1 else hits

    @staticmethod
    def _with_koaza(town: Town, text: str, end: int) -> TownHit:
        if town.koaza:
            pos = end
            if text.startswith("大字", pos):
                pos += 2
            elif text.startswith("字", pos):
                pos += 1
            for length in range(min(town.koaza_maxlen, len(text) - pos), 0, -1):
                found = town.koaza.get(text[pos:pos + length])
                if found and _block_number_goes_on(text, pos + length):
                    continue  # 末町1894番地 is 末町 and 番地 1894, not the 小字 十八 (issue 16 item 4)
                if found:
                    koaza, lat, lon = found
                    if is_valid_point(lat, lon):
                        return TownHit(town, pos + length, town.name + koaza, lat, lon, 4)
                    break
        return TownHit(town, end, town.name, town.lat, town.lon, 3)

    # -- whole address ----------------------------------------------------
    def match(self, norm: Normalized, default_pref: str = "", default_codes: Sequence[str] = ()) -> Match:
        """The answer for one normalized address (``default_pref``/``default_codes``: the list's context)."""
        m = self.answer(norm, default_pref, default_codes)
        for read in families.READINGS:  # an unreadable character
            m = read(self, norm, m, default_pref, default_codes)
        if m.level == 2 and not (m.town or m.ambiguous or m.note):
            m.note = reasons.why_no_town(norm, m.end)
        return m

    def answer(self, norm: Normalized, default_pref: str = "", default_codes: Sequence[str] = ()) -> Match:
        """The matcher's own answer, before the readings of :data:`families.READINGS` and the notes of rows that stop early."""
        text = norm.text
        pos, pref, pos_after_pref, codes, pos_city = self.written_start(text)
        if not pref:
            for short_pref, end in self.match_pref_short(text, pos):
                codes, pos_city = self.match_city(text, end, self.index.city_keys[short_pref])
                if codes:
                    pref, pos_after_pref = short_pref, end
                    break
            if not codes:
                if default_pref:
                    codes, pos_city = self.match_city_skipping(text, pos, self.index.city_keys[default_pref])
                if not codes:
                    # Without a prefecture, no island or 郡 name is skipped: 桜島白浜町 is not 白浜町.
                    codes, pos_city = self.match_city(text, skip_brackets(text, pos), self.index.city_keys_all)
                    if default_pref and codes:
                        in_default = [c for c in codes if self.index.municipalities[c].pref == default_pref]
                        codes = in_default or codes
                pos_after_pref = pos
        if not codes and default_codes:
            usable = [c for c in default_codes if not pref or self.index.municipalities[c].pref == pref]
            if usable:
                codes, pos_city = list(usable), pos_after_pref
        if not codes:
            # A town written without its municipality (紀尾井町1-3): one town of that name.
            for find in families.WITHOUT_MUNICIPALITY:
                alone = find(self, text, skip_brackets(text, pos_after_pref), pref or default_pref)
                if alone is not None:
                    return alone
            if pref:
                lat, lon = self.index.prefs[pref]
                unknown = _UNKNOWN_MUNICIPALITY.match(text, pos_after_pref)
                note = ("note_unknown_municipality", {"name": unknown.group()}) if unknown else ()
                return Match(1, pref, lat=lat, lon=lon, end=pos_after_pref, note=note)
            return Match(0, end=pos)
        result = self._resolve(text, codes, pos_city, pref)
        if result.level < 3 and default_codes and not pref and codes != list(default_codes):
            # A list of one ward whose town begins like some other municipality's name:
            # the context wins when it explains the address down to a town.
            in_context = self._resolve(text, list(default_codes), pos, "")
            if in_context.level >= 3:
                return in_context
        return result

    def _resolve(self, text: str, codes: list[str], pos: int, pref: str) -> Match:
        index = self.index
        pos = skip_brackets(text, pos)  # 江東区（旧深川区）東陽
        # A ward written after a designated city that the data does not know (new wards):
        # match the towns of the whole city rather than a neighbour.
        hits: list[tuple[str, TownHit]] = []
        for code in codes:
            hit = self.match_town(code, text, pos)
            # The municipality written twice (港区港区南青山), or with its prefecture
            # (大阪府大阪市北区大阪府大阪市北区梅田). A town of that name was tried first, and wins
            # unless the address read past the name explains more: 神津島村神津島村35-17 is the
            # town 神津島村, 大分市大分市萩原三丁目 is 萩原三丁目, not 大字大分.
            again_forms = self._again.get(code) or self._written_again(code)
            for again in again_forms if text.startswith(again_forms, pos) else ():
                if text.startswith(again, pos):
                    past = self.match_town(code, text, pos + len(again))
                    if past is not None and (hit is None or _end(past) > _end(hit)):
                        hit = past
                        break
            if isinstance(hit, list):
                hits.extend((code, h) for h in hit)
            elif hit is not None:
                hits.append((code, hit))
        if len(hits) > 1:
            hits = best_explained(hits, text)
        if not hits and len(codes) > 1:
            ward = self._unknown_ward(text, codes, pos)
            if ward is not None:
                return ward
        if len(hits) == 1:
            code, hit = hits[0]
            mun = index.municipalities[code]
            if is_valid_point(hit.lat, hit.lon):
                note = hit.note
                if not note and len(codes) > 1 and self._one_designated_city(set(codes), require_all=True) is None:
                    # 北区小山西元町: of the municipalities of that name, the one with that town.
                    note = ("note_municipality_inferred", {"place": f"{mun.pref}{mun.city}"})
                return Match(hit.level, mun.pref, mun.city, hit.name, code, hit.lat, hit.lon, hit.end, note=note, start=pos)
            # A town the index knows but has no point for: say the town, place at the municipality.
            return Match(2, mun.pref, mun.city, hit.name, code, mun.lat, mun.lon, hit.end, note=("note_no_town_point", {}), start=pos)
        if len(hits) > 1 and len({c for c, _ in hits}) == 1:
            # Two towns of one municipality fit (猿楽町 of 神田 and of another 冠称): the
            # municipality is certain, the town is not.
            code = hits[0][0]
            mun = index.municipalities[code]
            labels = "・".join(dict.fromkeys(f"{mun.city}{h.name}（{mun.pref}）" for _, h in hits))
            return Match(2, mun.pref, mun.city, "", code, mun.lat, mun.lon, pos, ambiguous=labels)
        if len(hits) > 1:
            match = self.ambiguous([(c, h.name) for c, h in hits], pos, pref, max(h.end for _, h in hits))
            designated = self._one_designated_city({c for c, _ in hits}, require_all=False)
            if designated is not None:
                # 横浜市吉田町: in 中区 and 戸塚区. The city is certain, the ward is not.
                dpref, dname = designated
                code, lat, lon = index.designated_point(dpref, dname)
                return Match(2, dpref, dname, "", code, lat, lon, pos, ambiguous=match.ambiguous)
            return match
        if len(codes) == 1:
            mun = index.municipalities[codes[0]]
            return Match(2, mun.pref, mun.city, "", mun.code, mun.lat, mun.lon, pos)
        designated = self._one_designated_city(set(codes), require_all=True)
        if designated is not None:
            dpref, dname = designated
            code, lat, lon = index.designated_point(dpref, dname)
            return Match(2, dpref, dname, "", code, lat, lon, pos)
        return self.ambiguous([(c, "") for c in codes], pos, pref, pos)

    def _one_designated_city(self, codes: set[str], *, require_all: bool) -> tuple[str, str] | None:
        """The designated city all ``codes`` are wards of (all its wards, if ``require_all``)."""
        index = self.index
        cities = {(index.municipalities[c].pref, index.municipalities[c].designated) for c in codes}
        if len(cities) != 1:
            return None
        dpref, dname = next(iter(cities))
        if not dname or (require_all and codes != set(index.designated[(dpref, dname)])):
            return None
        return dpref, dname

    def _unknown_ward(self, text: str, codes: list[str], pos: int) -> Match | None:
        """A ward the data does not know, written after its designated city (浜松市中央区).

        The towns of the whole city are searched after the ward's name; the town's 2021 ward
        is returned with a note, never a neighbouring ward chosen by its name.
        """
        index = self.index
        designated = self._one_designated_city(set(codes), require_all=True)
        if designated is None:
            return None
        pref, city = designated
        m = _UNKNOWN_WARD.match(text, pos)
        if not m:
            return None
        ward = m.group()
        hits = []
        for code in codes:
            hit = self.match_town(code, text, m.end())
            if isinstance(hit, TownHit):
                hits.append((code, hit))
        if len(hits) == 1 and is_valid_point(hits[0][1].lat, hits[0][1].lon):
            code, hit = hits[0]
            mun = index.municipalities[code]
            note = ("note_new_ward", {"ward": ward, "city": mun.city})
            return Match(hit.level, mun.pref, mun.city, hit.name, code, hit.lat, hit.lon, hit.end, note=note)
        code, lat, lon = index.designated_point(pref, city)
        return Match(2, pref, city, "", code, lat, lon, m.end(), note=("note_unknown_ward", {"ward": ward}))

    def ambiguous(self, candidates: list[tuple[str, str]], pos: int, pref: str, end: int) -> Match:
        index = self.index
        labels = []
        for code, town in candidates:
            mun = index.municipalities[code]
            label = f"{mun.city}{town}（{mun.pref}）"
            if label not in labels:
                labels.append(label)
        prefs = {index.municipalities[c].pref for c, _ in candidates}
        if len(prefs) == 1:
            only = next(iter(prefs))
            lat, lon = index.prefs[only]
            return Match(1, only, lat=lat, lon=lon, end=pos, ambiguous="・".join(labels))
        if pref:
            lat, lon = index.prefs[pref]
            return Match(1, pref, lat=lat, lon=lon, end=pos, ambiguous="・".join(labels))
        return Match(0, end=pos, ambiguous="・".join(labels))


__all__ = ["Match", "Matcher", "TownHit"]
