"""Towns numbered in a series other than 丁目: 堺市's 「…町二丁」 and the N番丁 / N番町 towns.

**…N丁.** Every ward of 堺市 names its blocks 「霞ヶ丘町四丁」, 丁 without 目 (a few towns of 八幡市
do too). Lists write it as 丁目 is written: 「霞ヶ丘町4丁1-9」, 「霞ヶ丘町４－１－９」. A name
ending in 「N丁」 is read as a base and a 丁目 number (:func:`numbered`) when it belongs to a
series: its base has at least two such towns, or its municipality has many. Elsewhere 「八丁」
is a place name (岩田八丁, 上八丁, 大竹市八丁) and stays one.

**N番丁 / N番町.** 和歌山市 (十番丁), 丸亀市 (九番丁) and others name towns by a number and
番丁; lists write 「10番丁」, 「十番丁」 (the same key once numerals are digits) or 「10番町」
(:func:`written_as_numbers` gives the other of 番丁/番町). Where the numbered towns follow a
name (名張市 「桔梗が丘五番町」, 新潟市 「古町通七番町」), lists write the number alone,
「桔梗が丘５－１１」: that base followed by a number reaches the N番町 town, but only when the
index has no plain town of that name (大門, 大字大門, 大門町) and no 丁目 of it. A bare 「12-45」 never reaches
「十二番丁」: without a name before it, 番丁 or 番町 must be written.

Both are keys made at data-build time (:mod:`geomap.geocoders.index_build`; a change needs a
rebuild). Cases: ``numbered_cho`` and ``bancho`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_CHO = re.compile(r"^(.*?)(\d+)丁$")  # 霞ケ丘町4丁 (a key: numerals are digits)
_BANCHO = re.compile(r"^(.*?)(\d+)番([丁町])$")  # 10番丁, 桔梗ケ丘5番町
_CHOME = re.compile(r"^(.*?)\d+丁目$")
SERIES_IN_MUNICIPALITY = 10  # a municipality with this many …N丁 towns numbers them all so


def numbered(keys: Sequence[str]) -> dict[str, tuple[str, int]]:
    """Town keys of one municipality that are a base and a 丁 number: ``{key: (base, number)}``.

    Examples
    --------
    >>> numbered(["霞ケ丘町1丁", "霞ケ丘町4丁", "岩田8丁", "東陽4丁目"])
    {'霞ケ丘町1丁': ('霞ケ丘町', 1), '霞ケ丘町4丁': ('霞ケ丘町', 4)}
    """
    found = {k: m for k in keys if (m := _CHO.match(k)) and m.group(1)}
    per_base = Counter(m.group(1) for m in found.values())
    many = len(found) >= SERIES_IN_MUNICIPALITY
    return {k: (m.group(1), int(m.group(2))) for k, m in found.items() if many or per_base[m.group(1)] >= 2}


def written_as_numbers(keys: Sequence[str]) -> Iterable[tuple[str, str, int | None, bool]]:
    """Other ways lists write the N番丁 / N番町 towns of one municipality.

    Yields ``(alias, key, number, weak)``: ``alias`` is a name of town ``key``, or, where
    ``number`` is given, a base that reaches it when followed by that number.

    Examples
    --------
    >>> sorted(written_as_numbers(["10番丁", "桔梗ケ丘5番町", "桔梗ケ丘6番町"]))[:3]
    [('10番町', '10番丁', None, False), ('桔梗ケ丘', '桔梗ケ丘5番町', 5, False), ('桔梗ケ丘', '桔梗ケ丘6番町', 6, False)]
    >>> list(written_as_numbers(["東陽5番町", "東陽6番町", "東陽1丁目"]))[-1]
    ('東陽6番丁', '東陽6番町', None, False)
    """
    found = {k: m for k in keys if (m := _BANCHO.match(k))}
    real = set(keys)
    chome_bases = {m.group(1) for k in keys if (m := _CHOME.match(k))}
    per_base = Counter(m.group(1) for m in found.values())
    for k, m in found.items():
        base, number, kind = m.group(1), int(m.group(2)), m.group(3)
        yield f"{base}{number}番{'町' if kind == '丁' else '丁'}", k, None, False
        plain = {base, "大字" + base, "字" + base, base + "町"} & real  # a town of that name: 大門 is 大字大門
        if base and per_base[base] >= 2 and not plain and base not in chome_bases:
            yield base, k, number, False


__all__ = ["numbered", "written_as_numbers"]
