"""A 小字 written without its 大字: 「長野市若松町1028」 for 長野市大字長野 小字 若松町.

In many towns the 大字 is left out in everyday addresses and the 小字 (or the old 町 name
kept as a 小字) is written straight after the municipality: 長野市's 若松町, 北石堂町 and
上千田 (大字長野, 大字南長野, 大字稲葉), 日田市's 銭渕町 (大字高瀬), 女川町's 女川 (女川浜).
Such a 小字 reaches its 大字 when it is the 小字 of one town only in the municipality and no
town, alias or 丁目 base of the municipality is written that way or begins its name; the
answer is the 小字's point (level 4), and the note says which 大字 was taken.

- :func:`without_oaza` (a rule over a municipality's towns, at data-build time): the 小字
  keys that may stand alone, as weak aliases of their town (trusted only before a number,
  a 字 or the end, like every name with something left out).
- :func:`as_koaza` (at run time): the hit of such an alias, at the 小字.

Keys are made at data-build time (a change needs a rebuild: ``tools/build_data.py``).
Cases: ``koaza_without_oaza`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping

from .answer import TownHit, is_valid_point
from .index import Town

MIN_LENGTH = 2  # a one-character 小字 (東, 中) says too little to stand alone
_NUMBER = re.compile(r"\d|^[〇一二三四五六七八九十百千]+$")  # 2号, 十八: block numbers, not names


def without_oaza(koazas: Mapping[str, Iterator[str]], taken: set[str]) -> Iterator[tuple[str, str]]:
    """``(alias, town key)``: the 小字 keys of one municipality that may be written without their 大字.

    ``koazas`` maps each town key to its 小字 keys; ``taken`` is every key the municipality
    already has (names, aliases, 丁目 bases). A 小字 key qualifies when exactly one town has it,
    it is no taken key, no taken key of two or more characters begins it, and it holds no number.

    Examples
    --------
    >>> sorted(without_oaza({"大字長野": ["若松町", "東"], "大字稲葉": ["上千田", "東"]}, {"大字長野", "長野"}))
    [('上千田', '大字稲葉'), ('若松町', '大字長野')]
    >>> list(without_oaza({"大字長野": ["長野東", "十八"]}, {"大字長野", "長野"}))  # 長野 begins it; a number
    []
    """
    counts = Counter(k for keys in koazas.values() for k in set(keys))
    for town_key, keys in koazas.items():
        for k in sorted(set(keys)):
            if counts[k] != 1 or len(k) < MIN_LENGTH or k in taken or _NUMBER.search(k):
                continue
            if any(k[:i] in taken for i in range(MIN_LENGTH, len(k))):
                continue
            yield k, town_key


def as_koaza(town: Town, text: str, pos: int, end: int) -> TownHit | None:
    """The hit at the 小字 when ``text[pos:end]`` (an alias of ``town``) is one of its 小字, else None.

    A 小字 spelled like the town's own name (大字X 字X) is read as the town, as before. The hit
    was reached by an alias, and says so (``alias``).
    """
    written = text[pos:end]
    found = town.koaza.get(written)
    if found is None or written in town.name:
        return None
    koaza, lat, lon = found
    note = ("note_oaza_left_out", {"oaza": town.name, "koaza": koaza})
    if is_valid_point(lat, lon):
        return TownHit(town, end, town.name + koaza, lat, lon, 4, note, True)
    return TownHit(town, end, town.name, town.lat, town.lon, 3, note, True)


__all__ = ["as_koaza", "without_oaza"]
