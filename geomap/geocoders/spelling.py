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

- の/ノ/之 and ケ/ヶ/が between two kanji, written or left out: the index writes
  上賀茂烏帽子ケ垣内町 and 大字木上, lists write ``烏帽子垣内町`` and ``木ノ上`` (normalization
  has already made ノ/之 の and ヶ/が/ガ ケ). A name without them is a weak alias
  (:func:`no_ke_aliases`); one the list writes with them where the index has none is read
  at run time without them (:func:`without_no_ke`).

Keys made at data-build time (a change needs a rebuild: ``tools/build_data.py``).
Cases: ``okurigana``, ``variant_characters`` and ``no_ke_written_or_not`` in
``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..address.variants import LOOK_ALIKES
from .answer import NAME_STOPS, match_without

_DORI = re.compile(r"通(?!り)")
# A lot of the イロハ numbering at the end of a name (香取市 佐原ロ), written as the look-alike kanji
# (佐原口): the look-alikes normalization folds before a kanji (variants.LOOK_ALIKES), but not ニ: its
# kanji 二 would be read as the number 2.
KANJI_FOR_KANA = {kana: kanji for kana, kanji in LOOK_ALIKES.items() if kana != "ニ"}
_KANA_LOT = re.compile(rf"(?<=[\u3400-\u9fff])[{''.join(KANJI_FOR_KANA)}]$")
_DORI_RI = re.compile(r"通り")
# Pairs of characters written for one another in place names (each way round).
SWAPS = ("舟船", "斎斉", "磐盤")
_KANJI = "[\u3400-\u9fff々]"
_CHOME = re.compile(r"(.+?)(\d+)丁目")
NO_KE = re.compile(f"(?<={_KANJI})[のケ](?={_KANJI})")  # 烏帽子ケ垣内, 木の上
_NAME_PART = re.compile(rf"[^{NAME_STOPS}]*")  # the name part of a text, before its first number


def without_no_ke(form: str) -> str:
    """The key ``form`` without the の/ケ it has between two kanji ('' if none).

    Examples
    --------
    >>> without_no_ke("上賀茂烏帽子ケ垣内町"), without_no_ke("湯の上町"), without_no_ke("緑ケ丘3丁目"), without_no_ke("つつじケ丘")
    ('上賀茂烏帽子垣内町', '湯上町', '緑丘3丁目', '')
    """
    out = NO_KE.sub("", form)
    return out if out != form else ""


def no_ke_aliases(keys) -> Iterator[tuple[str, str, int | None, bool]]:
    """Weak aliases of one municipality's keys without their の/ケ between kanji (a
    :data:`geomap.geocoders.families.CITY_ALIASES` rule); a 丁目 town's alias is its base.

    Examples
    --------
    >>> sorted(no_ke_aliases(["上賀茂烏帽子ケ垣内町", "緑ケ丘3丁目", "本町"]))
    [('上賀茂烏帽子垣内町', '上賀茂烏帽子ケ垣内町', None, True), ('緑丘', '緑ケ丘3丁目', 3, True)]
    """
    for k in keys:
        chome = _CHOME.fullmatch(k)
        plain = without_no_ke(chome.group(1) if chome else k)
        if len(plain) >= 2:
            yield (plain, k, int(chome.group(2)), True) if chome else (plain, k, None, True)


def reread_without_no_ke(match_at: Callable, text: str, pos: int):
    """A の/ケ the list writes between two kanji of a name where the index has none (木ノ上 for 大字木上).

    ``match_at(other, at)`` is the matcher's town match in ``other`` at ``at``; the hit (or hits)
    is returned with its end in ``text``, or None. The name must run past the removed character.

    Examples
    --------
    >>> class Hit:
    ...     end = 2
    >>> seen = []
    >>> reread_without_no_ke(lambda other, at: seen.append(other) or Hit(), "木の上440", 0).end, seen
    (3, ['木上440'])
    """
    name = _NAME_PART.match(text, pos)
    marker = NO_KE.search(text, pos + 1, name.end())
    if marker is None:
        return None
    return match_without(match_at, text, pos, marker.start(), marker.end())


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


__all__ = ["NO_KE", "SWAPS", "no_ke_aliases", "other_spellings", "reread_without_no_ke", "without_no_ke"]
