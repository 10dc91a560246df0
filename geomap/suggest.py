"""Suggestions for the rows that could not be placed: the name that was probably meant.

A row left at its municipality (the town not found) is compared with the town names of that
municipality; a row left at its prefecture, with the municipality names of the prefecture;
a row with nothing found, with every municipality and prefecture name. The comparison is an
edit distance in which a character typed for one that sounds or looks the same (東洋 for 東陽,
山下街 for 山下町, 大坂市 for 大阪市, 札幌氏 for 札幌市, ー for 一: :data:`CONFUSABLE`) counts
half. A suggestion is written beside the row (the 候補 column of ``<stem>_unmatched.csv`` and the
summary), never used to place it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from .address.normalize import key

#: Characters typed for one another: the same reading picked wrongly from the IME's list, or a
#: look-alike. Substituting one for the other costs half an edit.
CONFUSABLE = [
    "陽洋揚", "町街", "阪坂", "市氏師", "一ー－", "埼崎", "郡群", "谷屋", "原腹", "島嶋", "沢澤", "辺邊", "条條",
    "戸門", "宮官", "塚坂", "関閑", "野埜", "富冨", "藤籐", "恵惠", "岡丘", "崎碕", "浜濱", "栄榮", "洲州", "瀬勢",
]
_PAIRS = {(a, b) for group in CONFUSABLE for a in key(group) for b in key(group) if a != b}
_NUMBERS = re.compile(r"\d")
_CHOME = re.compile(r"[〇一二三四五六七八九十]+丁目$")
MAX_SHOWN = 3


def distance(a: str, b: str, limit: float = 2.0) -> float:
    """Edit distance of ``a`` and ``b`` (insert, delete, swap of neighbours: 1; a :data:`CONFUSABLE` pair: ½).

    Examples
    --------
    >>> distance("東洋", "東陽"), distance("札幌氏", "札幌市"), distance("東洋", "東雲")
    (0.5, 0.5, 1.0)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[float] = []
    previous = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        row = [float(i)] + [0.0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0.0 if ca == cb else 0.5 if (ca, cb) in _PAIRS else 1.0
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _allowed(name: str) -> float:
    """The distance accepted for a name of this length: 2 characters, only a confusable one; more, one edit."""
    return 0.5 if len(name) <= 2 else 1.0


def _deletions(text: str) -> set[str]:
    """``text`` and every string one character shorter: two strings within one edit share one of these."""
    return {text, *(text[:i] + text[i + 1:] for i in range(len(text)))}


class Names:
    """Names to suggest (``{key: shown}``), indexed so a written part meets only names within one edit.

    Every name is filed under itself and each of its one-character deletions; a part of the
    address finds its candidates under its own (a substitution, an insertion, a deletion or
    two neighbours swapped all share one), and only those are measured with :func:`distance`.
    """

    def __init__(self, names: dict[str, str]):
        self.shown = dict(names)
        self.filed: dict[str, set[str]] = {}
        filed, get = self.filed, self.filed.get
        for k in self.shown:  # each set gets its names in the order of ``names``
            for d in _deletions(k):  # the same strings near() looks a part up by
                found = get(d)
                if found is None:
                    filed[d] = {k}
                else:
                    found.add(k)
        self.maxlen = max(map(len, self.shown), default=0)

    def near(self, part: str) -> set[str]:
        return {k for d in _deletions(part) for k in self.filed.get(d, ())}


def best(written: str, names: "Names | dict[str, str]") -> list[tuple[str, str]]:
    """The names closest to the start of ``written`` (a key), as (what was written, name).

    A name is compared with the part of ``written`` of about its length; the nearest within
    :func:`_allowed`, longest first, are returned (at most :data:`MAX_SHOWN`). An exact
    match gives nothing: that name was not the problem.
    """
    if not isinstance(names, Names):
        names = Names(names)
    found: dict[str, tuple[float, int, str]] = {}
    for n in range(2, min(len(written), names.maxlen + 1) + 1):
        part = written[:n]
        if part in names.shown:
            return []
        for k in sorted(names.near(part)):  # in one order: a tie goes the same way in every process
            allowed = _allowed(k)
            d = distance(part, k, allowed)
            if d > allowed:
                continue
            shown = names.shown[k]
            # on a tie, the part as long as the name
            rank = (d, abs(len(part) - len(k)))
            if shown not in found or rank < (found[shown][0], abs(len(found[shown][2]) - len(k))):
                found[shown] = (d, -len(k), part)
    if not found:
        return []
    lowest = min(d for d, _, _ in found.values())
    near = sorted((length, shown) for shown, (d, length, _) in found.items() if d == lowest)
    # 大阪市北区 says all 大阪市 says: the shorter name is left out.
    near = [(n, shown) for n, shown in near if not any(o != shown and o.startswith(shown) for _, o in near)]
    return [(found[shown][2], shown) for _, shown in near[:MAX_SHOWN]]


# -- what a row is compared with --------------------------------------------------------


@lru_cache(maxsize=256)
def town_names(code: str) -> Names:
    """The town names of municipality ``code`` (丁目 towns by their base, 東陽), as :class:`Names`.

    Read straight from the index's tables: a name key (not an alias, no digit) gives the
    first town it names, a 丁目 base (not an alias) its whole 町 without the 丁目. Only
    the names are read; no :class:`~geomap.geocoders.index.Town` is made, so a list with
    rows left in many municipalities does not pay for every town and 丁目 of each.
    """
    from .geocoders.index import town_index

    index = town_index()
    if code not in index.municipalities:
        return Names({})
    names = {}
    for k, name in _town_name_items(index, code):
        names[k] = name
    return Names(names)


def _town_name_items(index, code: str) -> list[tuple[str, str]]:
    """(key, name shown) of municipality ``code``: name keys in key order, then 丁目 bases in key order.

    The same pairs, in the same order, as reading
    :meth:`~geomap.geocoders.index.TownIndex.city_towns` (``exact`` then ``whole``),
    without assembling it.
    """
    from .geocoders.index import ALIAS, FLAG_BITS, HAS_CHOME, HAS_NAME, NAME_ROW

    prefix, _, table = index.town_probe(code)
    n = index._ordinal[code]
    start, stop = index._key_start[n], index._key_start[n + 1]
    if stop <= start:
        return []
    keys = list(dict.fromkeys(index.town_key_text(code).split("\n")))  # a key once, as a dictionary has it
    values = np.array([table[prefix + k] for k in keys], dtype=np.int64)
    rows, flags = values >> FLAG_BITS, values & ((1 << FLAG_BITS) - 1)
    # the first town each key names: links of the keys in [start, stop) whose number is NAME_ROW
    first, last = int(index._link_start[start]), int(index._link_start[stop])
    link_rows = np.repeat(np.arange(start, stop), np.diff(index._link_start[start:stop + 1]))
    named = index._link_number[first:last] == NAME_ROW
    named_rows, at = np.unique(link_rows[named], return_index=True)
    named_town = dict(zip(named_rows.tolist(), index._link_town[first:last][named][at].tolist()))
    wanted_named = [(k, r) for k, r, f in zip(keys, rows.tolist(), flags.tolist())
                    if f & HAS_NAME and not f & ALIAS and r in named_town and not _NUMBERS.search(k)]
    wanted_whole = [(k, r) for k, r, f in zip(keys, rows.tolist(), flags.tolist()) if f & HAS_CHOME and not f & ALIAS]
    towns = [named_town[r] for _, r in wanted_named] + [int(index._whole[r]) for _, r in wanted_whole]
    shown = index._town_names.take(np.array(towns, dtype=np.int64)).to_pylist() if towns else []
    items = [(k, name) for (k, _), name in zip(wanted_named, shown)]
    items += [(k, _CHOME.sub("", name)) for (k, _), name in zip(wanted_whole, shown[len(wanted_named):])]
    return items


@lru_cache(maxsize=64)
def municipality_names(pref: str = "") -> Names:
    """Municipality names of ``pref``, or of all Japan with the prefectures' names, as :class:`Names`."""
    from .geocoders.index import town_index

    index = town_index()
    names = {}
    for mun in index.municipalities.values():
        if pref and mun.pref != pref:
            continue
        names.setdefault(key(mun.city), mun.city)
        if "郡" in mun.city[:-1]:
            names.setdefault(key(mun.city.split("郡", 1)[1]), mun.city)
        if mun.designated:
            names.setdefault(key(mun.designated), mun.designated)
    if not pref:
        for p in index.prefs:
            names.setdefault(key(p), p)
    return Names(names)


def suggest(level: int, pref: str, code: str, rest: str) -> str:
    """The suggestion for one row not placed (``level``, ``pref``, ``code`` and ``rest`` as the geocoder gave them).

    ``rest`` is what followed the part of the address that was found (the whole address
    when nothing was). Returns ``"東洋 → 東陽"`` (several names joined by 「・」), or ``""``.

    Examples
    --------
    >>> suggest(2, "東京都", "13108", "東洋4-11-28")
    '東洋 → 東陽'
    """
    if not isinstance(rest, str) or not rest.strip():
        return ""
    written = key(rest)
    if level == 2 and code:
        names = town_names(code)
    elif level == 1 and pref:
        names = municipality_names(pref)
    elif level == 0:
        names = municipality_names()
    else:
        return ""
    found = best(written, names)
    if not found:
        return ""
    part = found[0][0]
    shown = _source_part(rest, len(part))
    return f"{shown} → {'・'.join(name for _, name in found)}"


def _source_part(rest: str, n: int) -> str:
    """About the first ``n`` characters of the user's ``rest`` (as written), for showing."""
    for end in range(1, len(rest) + 1):
        if len(key(rest[:end])) >= n:
            return rest[:end].strip()
    return rest.strip()


def suggestions(frame: pd.DataFrame) -> pd.Series:
    """:func:`suggest` for every row of a geocoded ``frame`` (``""`` where there is none)."""
    if "level" not in frame.columns or "rest" not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    out = [""] * len(frame)
    # Only rows below level 3 can have one: those are read one by one (a few hundred of a
    # national list), not every row of the table's text columns.
    level = frame["level"]
    if pd.api.types.is_numeric_dtype(level.dtype) and not pd.api.types.is_bool_dtype(level.dtype):
        rows = np.flatnonzero(~(level.to_numpy(dtype=float, na_value=np.nan) >= 3))
        part = frame.iloc[rows]
    else:
        rows, part = range(len(frame)), frame
    cache: dict[tuple, str] = {}
    for i, level, pref, code, rest, ambiguous in zip(rows, part["level"], part["pref"].fillna(""),
                                                     part["code"].fillna(""), part["rest"].fillna(""),
                                                     part["ambiguous"].fillna("")):
        if ambiguous or level >= 3:
            continue
        k = (int(level), str(pref), str(code), str(rest))
        if k not in cache:
            cache[k] = suggest(*k)
        out[i] = cache[k]
    return pd.Series(out, index=frame.index, dtype=object)


__all__ = ["CONFUSABLE", "Names", "best", "distance", "suggest", "suggestions"]
