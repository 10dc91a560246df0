"""Hokkaido's grid towns: 条 and 丁目 counted from the city's centre lines, and 線.

Planned towns of Hokkaido (札幌市, 帯広市, 旭川市, 名寄市 …) name a block by its 条 and 丁目:
the index says ``北一条西二丁目``, lists write it ``北1条西2丁目`` or, in 札幌市, just ``北1西2``.
旭川市 and a few others say ``四条通二十五丁目``, written ``4条25丁目`` as often as not; the
same 条通 names are found outside Hokkaido too (東根市, 堺市堺区 …), and the rule serves them alike.

Lists also write 条 and 丁目 as bare numbers: ``永山北3-8-1-5`` is 永山北三条八丁目 (旭川市),
``菊水2-2-1-5`` is 菊水二条二丁目 (札幌市白石区), ``東5-南1-1`` is 東五条南一丁目 (帯広市), and
帯広市's 線 is written without its word: ``稲田町西1-9`` is 稲田町西一線. These readings are
given only where nothing else in the municipality could be meant: no plain town and no 丁目
of the name before the numbers, not both 条 and 線 after one name (旭川市 東鷹栖二条 and
東鷹栖二線: ``東鷹栖2-7`` could be either), and a name always comes first (``1-1-5`` alone is no 条).

This module gives those other ways of writing a town as extra keys, made at data-build
time by :func:`geomap.geocoders.index_build.build_city_towns` (a change here needs a
rebuild: ``tools/build_data.py``). Reading them needs nothing special: the matcher's
general rule that a key ending in a digit never takes the first digit of a longer number
keeps ``北1西2`` from being read in ``北1西21``. The build also never lets a name reached by
a dropped 冠称 or 町 stand before a number where the municipality has numbered towns of that
name: ``拓北6-2-6`` (札幌市北区) is 拓北六条二丁目 or nothing, never 篠路町拓北.

線 and 号 written with their words (``東鷹栖一線十号``, ``東8線北18号``) need no rule:
normalization writes their numerals as digits, so the names match as they are.

Cases: ``hokkaido_numbered`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_JOU_DORI = re.compile(r"(\d+条)通")  # 4条通25丁目 → 4条25丁目
_JOU_CHOME = re.compile(r"^([東西南北]\d+)条([東西南北]\d+)丁目$")  # 北1条西2丁目 → 北1西2
_GRID = re.compile(r"^([東西南北]\d+)条([東西南北])(\d+)丁目$")  # 東5条南1丁目 → base 東5-南, 1
_NAMED_JOU = re.compile(r"^(.*\D)(\d+)条(\d+)丁目$")  # 永山北3条8丁目 → base 永山北3-, 8
_SEN = re.compile(r"^(.*\D)(\d+)線$")  # 稲田町西1線 → 稲田町西1
_CHOME = re.compile(r"^(.*?)\d+丁目$")


def town_keys(form: str) -> set[str]:
    """Other keys of the town key ``form``: 条 without 通, and 札幌's 北1西2 for 北1条西2丁目.

    Examples
    --------
    >>> sorted(town_keys("北1条西2丁目")), sorted(town_keys("4条通25丁目")), town_keys("東陽4丁目")
    (['北1西2'], ['4条25丁目'], set())
    """
    out = set()
    if "条通" in form:
        out.add(_JOU_DORI.sub(r"\1", form))
    short = _JOU_CHOME.match(form)
    if short:
        out.add("".join(short.groups()))
    return out


def bare_numbers(keys: Sequence[str]) -> Iterable[tuple[str, str, int | None, bool]]:
    """条・丁目 and 線 written as bare numbers, for the town keys of one municipality.

    Yields ``(alias, key, number, weak)`` like the other rules of
    :data:`geomap.geocoders.families.CITY_ALIASES`: a base that reaches town ``key`` when
    ``number`` follows it, or (``number`` None) another name of it.

    Examples
    --------
    >>> list(bare_numbers(["永山北3条8丁目", "東5条南1丁目", "稲田町西1線"]))
    [('永山北3-', '永山北3条8丁目', 8, False), ('東5-南', '東5条南1丁目', 1, False), ('稲田町西1', '稲田町西1線', None, False)]
    >>> list(bare_numbers(["菊水2条2丁目", "菊水1丁目"])), list(bare_numbers(["上帯広町東1線", "上帯広町東"]))
    ([], [])
    >>> list(bare_numbers(["東鷹栖2条7丁目", "東鷹栖2線"]))
    []
    """
    real = set(keys)
    chome_bases = {m.group(1) for k in keys if (m := _CHOME.match(k))}
    jou_bases = {m.group(1) for k in keys if (m := _NAMED_JOU.match(k))}
    sen_bases = {m.group(1) for k in keys if (m := _SEN.match(k))}

    def free(name: str) -> bool:  # nothing else of the municipality is written this way
        plain = {name, "大字" + name, "字" + name, name + "町"}
        return not plain & real and name not in chome_bases and not (name in jou_bases and name in sen_bases)

    for k in keys:
        if m := _NAMED_JOU.match(k):
            if free(m.group(1)):
                yield f"{m.group(1)}{m.group(2)}-", k, int(m.group(3)), False
        elif m := _GRID.match(k):
            yield f"{m.group(1)}-{m.group(2)}", k, int(m.group(3)), False
        elif (m := _SEN.match(k)) and free(m.group(1)):
            yield f"{m.group(1)}{m.group(2)}", k, None, False


__all__ = ["bare_numbers", "town_keys"]
