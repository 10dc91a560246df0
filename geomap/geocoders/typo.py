"""One character of a town's name mistyped for a look-alike: 「新殻町」 for 新穀町, 「坂東」 for 板東.

Lists are typed by hand, and a town's name is sometimes written with one character swapped
for one that looks like it: 殻/穀, 殊/珠, 坂/板, 萩/荻, 栗/粟, 網/綱, 鳥/烏 … (:data:`LOOK_ALIKE`,
pairs of characters known to be mistaken for one another), or writes the kanji where the index
has it in kana (交ぜ書き: 美津島町け知 for 鶏知). When an address reaches its
municipality and no town, the written name is compared with every name (and alias, and 丁目
base) of that municipality of the same length: if exactly one town differs by one such pair,
the row is placed there and its note says what was read. Any other difference is no typo:
the town may simply be missing from the data (日田市 藤山町 is not 亀山町), and a wrong town
that looks right is worse than an honest municipality.

Run at the end, on rows no other reading placed (:data:`geomap.geocoders.families.READINGS`).
Cases: ``one_character_off`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..address.normalize import Normalized
from .answer import NAME_STOPS, Match
from .index import SEPARATOR, TownIndex

MIN_LENGTH = 2
# Pairs of characters mistaken for one another in writing place names (each way round). Variants
# proper (狹/狭, 鎚/槌, 祗/祇 …) are folded for every text by geomap/data/itaiji.tsv instead.
LOOK_ALIKE_PAIRS = (
    "殻穀", "殊珠", "坂板", "萩荻", "栗粟", "網綱", "鳥烏", "幣弊", "合台", "奏秦", "采釆", "択拓", "鍛鍜",
    "未末", "土士", "己已", "壁璧", "候侯", "微徴", "鳩鴻", "柿杮", "竪堅", "刺剌", "暑署",
)
LOOK_ALIKE = frozenset(LOOK_ALIKE_PAIRS) | frozenset(b + a for a, b in LOOK_ALIKE_PAIRS)
# The index writes in kana a kanji its character set lacks (交ぜ書き: 美津島町け知 for 鶏知); a list
# writes the kanji. Read so only in a name of three characters or more.
_KANJI_FOR_KANA = re.compile("[\u3400-\u9fff](?<![町村])[\u3041-\u3096]")
MAZEGAKI_LENGTH = 3
_NAME = re.compile(rf"[^{NAME_STOPS}]+")
_LOT = re.compile(r"(?<=.)[甲乙丙丁]$")  # a lot 甲乙丙 before its number is no part of the name


@lru_cache(maxsize=512)
def _keys(index: TownIndex, code: str, length: int) -> tuple[str, ...]:
    """The town keys of municipality ``code`` that are ``length`` characters long."""
    keys = index.town_key_text(code).split(SEPARATOR)
    return tuple(k for k in keys if len(k) == length)


def one_off(written: str, k: str) -> bool:
    """``k`` differs from ``written`` (of the same length) in one character, by a :data:`LOOK_ALIKE` pair.

    Examples
    --------
    >>> one_off("新殻町", "新穀町"), one_off("藤山町", "亀山町"), one_off("東町", "西町"), one_off("上萩", "上荻")
    (True, False, False, True)
    >>> one_off("美津島町鶏知", "美津島町け知"), one_off("鶏知", "け知")  # the index's 交ぜ書き
    (True, False)
    """
    differ = [a + b for a, b in zip(written, k) if a != b]
    if len(differ) != 1:
        return False
    return differ[0] in LOOK_ALIKE or (len(k) >= MAZEGAKI_LENGTH and _KANJI_FOR_KANA.fullmatch(differ[0]) is not None)


def written_name(text: str, pos: int) -> tuple[int, int]:
    """Where the town's name written at ``pos`` ends: before the number, a 字 inside it, a lot 甲乙丙.

    Examples
    --------
    >>> text = "美津島町鶏知乙588-3"; text[:written_name(text, 0)[1]]
    '美津島町鶏知'
    >>> text = "大麻町坂東字宝蔵60"; text[:written_name(text, 0)[1]]
    '大麻町坂東'
    >>> text = "大字那知合4"; text[:written_name(text, 0)[1]]
    '大字那知合'
    """
    m = _NAME.match(text, pos)
    if m is None:
        return pos, pos
    end = m.end()
    lead = 2 if text.startswith("大字", pos) else 1 if text.startswith("字", pos) else 0
    inner = text.find("字", pos + lead + 1, end)
    if inner > pos:
        end = inner
    if _LOT.search(text, pos, end):
        end -= 1
    return pos, end


def read(matcher, norm: Normalized, m: Match, pref: str = "", codes: Sequence[str] = ()) -> Match:
    """``m`` placed at the one town whose name is one character away from the written one, if there is one."""
    index = matcher.index
    if m.level != 2 or m.town or m.ambiguous or m.note or m.code not in index.municipalities:
        return m
    text = norm.text
    start, end = written_name(text, m.end)
    written = text[start:end]
    if len(written) < MIN_LENGTH:
        return m
    places: dict[tuple[str, str], Match] = {}
    for k in _keys(index, m.code, len(written)):
        if not one_off(written, k):
            continue
        answer = matcher.answer(Normalized(text[:start] + k + text[end:], norm.origin, norm.source), pref, codes)
        if answer.level >= 3 and answer.code == m.code and not answer.ambiguous and answer.end >= end:
            places.setdefault((answer.code, answer.town), answer)
    if len(places) != 1:
        return m
    answer = next(iter(places.values()))
    answer.note = ("note_typo_read", {"written": norm.source_between(start, end), "name": answer.town})
    return answer


__all__ = ["LOOK_ALIKE", "MIN_LENGTH", "one_off", "read", "written_name"]
