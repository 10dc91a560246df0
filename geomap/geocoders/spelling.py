"""Other spellings of one name: 通 with its okurigana, and kanji that lists use for one another.

- 通 and 通り: the index writes 瑞穂通八丁目 and 本町通二丁目; lists add the okurigana,
  ``瑞穂通り8丁目``, ``本町通り二丁目``, or leave it out where the index has it.
- Kanji that are not variants of one another, but that place names and lists use for one
  another: 舟/船 (一之舟入町 written 一之船入町), 斎/斉 (南斎院町, 南斉院町), 磐/盤 (常磐町,
  常盤町). They cannot be folded everywhere, since both are common characters of different
  names; each name gets the other spelling as an alias, which never stands in for a name
  the municipality really has. The same for a lot of the イロハ numbering ending a name
  (佐原ロ), written with the kanji it looks like (佐原口). (Variants proper — 壺/壷, 彌/弥, 螢/蛍 … — are folded for
  every text by ``geomap/data/itaiji.tsv``; katakana written for a look-alike kanji, ニ日市
  for 二日市, is folded by :func:`geomap.address.variants.fold_chars`.)

Keys made at data-build time (a change needs a rebuild: ``tools/build_data.py``).
Cases: ``okurigana`` and ``variant_characters`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re

_DORI = re.compile(r"通(?!り)")
# A lot of the イロハ numbering at the end of a name (香取市 佐原ロ), written as the look-alike kanji
# (佐原口). Not ニ: its kanji 二 would be read as the number 2.
KANJI_FOR_KANA = {"ロ": "口", "エ": "工", "カ": "力", "タ": "夕"}
_KANA_LOT = re.compile(r"(?<=[\u3400-\u9fff])[ロエカタ]$")
_DORI_RI = re.compile(r"通り")
# Pairs of characters written for one another in place names (each way round).
SWAPS = ("舟船", "斎斉", "磐盤")


def other_spellings(form: str) -> set[str]:
    """Other keys of the town key ``form``: 通 ↔ 通り, and the characters of :data:`SWAPS` swapped.

    Examples
    --------
    >>> sorted(other_spellings("瑞穂通8丁目")), sorted(other_spellings("一之舟入町"))
    (['瑞穂通り8丁目'], ['一之船入町'])
    >>> sorted(other_spellings("本町通り")), other_spellings("東陽4丁目"), other_spellings("佐原ロ")
    (['本町通'], set(), {'佐原口'})
    """
    out = set()
    if "通" in form:
        out.add(_DORI.sub("通り", form) if _DORI.search(form) else _DORI_RI.sub("通", form))
    for a, b in SWAPS:
        swapped = form.translate(str.maketrans({a: b, b: a}))
        if swapped != form:
            out.add(swapped)
    if _KANA_LOT.search(form):
        out.add(_KANA_LOT.sub(lambda m: KANJI_FOR_KANA[m.group()], form))
    out.discard(form)
    return out


__all__ = ["SWAPS", "other_spellings"]
