"""Hokkaido's grid towns: 条 and 丁目 counted from the city's centre lines.

Planned towns of Hokkaido (札幌市, 帯広市, 旭川市, 名寄市 …) name a block by its 条 and 丁目:
the index says ``北一条西二丁目``, lists write it ``北1条西2丁目`` or, in 札幌市, just ``北1西2``.
旭川市 and a few others say ``四条通二十五丁目``, written ``4条25丁目`` as often as not; the
same 条通 names are found outside Hokkaido too (東根市, 堺市堺区 …), and the rule serves them alike.

This module gives those other ways of writing a town as extra keys, made at data-build
time by :func:`geomap.geocoders.index_build.build_city_towns` (a change here needs a
rebuild: ``tools/build_data.py``). Reading them needs nothing special: the matcher's
general rule that a key ending in a digit never takes the first digit of a longer number
keeps ``北1西2`` from being read in ``北1西21``.

線 and 号 (``東鷹栖一線十号``, ``東8線北18号``) need no rule either: normalization writes
their numerals as digits, so the names match as they are.

Cases: ``hokkaido_numbered`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re

_JOU_DORI = re.compile(r"(\d+条)通")  # 4条通25丁目 → 4条25丁目
_JOU_CHOME = re.compile(r"^([東西南北]\d+)条([東西南北]\d+)丁目$")  # 北1条西2丁目 → 北1西2


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


__all__ = ["town_keys"]
