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
from collections.abc import Iterator, Mapping
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


def _deletions_from(text: str, head: str) -> set[str]:
    """Those of :func:`_deletions` of ``text`` that begin with ``head`` (one character, or ``""`` for the empty one)."""
    found = set()
    if text[:1] == head:  # text itself and every deletion but that of its first character
        found.update((text, *(text[:i] + text[i + 1:] for i in range(1, len(text)))))
    if text[1:2] == head:
        found.add(text[1:])
    return found


def _lines_with_head(text: str, head: str) -> list[str]:
    """The lines of ``text`` (each after a newline) whose first or second character is ``head``.

    ``head`` is one character, or ``""``: the lines of at most one character.
    """
    if not head:
        return [line for line in text.split("\n")[1:] if len(line) <= 1]
    lines, find = [], text.find
    at = find(head) if head != "\n" else -1
    while at != -1:  # at >= 1: text begins with a newline
        end = find("\n", at)
        end = len(text) if end == -1 else end
        if text[at - 1] == "\n":
            lines.append(text[at:end])
        elif text[at - 2] == "\n":
            lines.append(text[at - 1:end])
        at = find(head, end)  # the next line: one that has it later only has it here too
    return lines


class Names:
    """Names to suggest (``shown``: key → name shown), indexed so a written part meets only names within one edit.

    Every name is filed under itself and each of its one-character deletions; a part of the
    address finds its candidates under its own (a substitution, an insertion, a deletion or
    two neighbours swapped all share one), and only those are measured with :func:`distance`.

    Filing is lazy, by the first character of what is filed: every string a part is looked
    up by begins with the part's first or second character, so the first part that asks
    files the names with that character among their first two, found in ``text`` (keys one
    a line; it may hold keys that are no name, and by default holds the keys of ``names``).
    """

    def __init__(self, names: Mapping[str, str], text: str | None = None):
        self.shown = dict(names) if text is None else names
        self.filed: dict[str, set[str]] = {}
        self.longest: dict[str, int] = {}  # a first character filed under → its longest name (0: none)
        self.longest_always = 0  # the longest name filed at once
        if text is None:
            keys = list(self.shown)
            if "\n" in "".join(keys):  # a key no line holds is filed at once, under all it is looked up by
                for k in (k for k in keys if "\n" in k):
                    self._put(k, _deletions(k))
                    self.longest_always = max(self.longest_always, len(k))
                keys = [k for k in keys if "\n" not in k]
            text = "\n".join(keys)
        self.text = "\n" + text

    def near(self, part: str) -> set[str]:
        """The names that share ``part`` or one of its one-character deletions (``part`` itself, if a name)."""
        for head in (part[:1], part[1:2]):  # what the strings of _deletions(part) begin with
            self._filed(head)
        return {k for d in _deletions(part) for k in self.filed.get(d, ())}

    def reach(self, written: str) -> int:
        """The length of the longest name a part of ``written`` of two characters or more can meet.

        Such a part is looked up by strings that begin with the first or second character of
        ``written``, so it meets only the names filed under those, and none shorter than itself by two.
        """
        return max([self.longest_always, *(self._filed(head) for head in written[:2])])

    def _filed(self, head: str) -> int:
        """The length of the longest name filed under ``head``; the names are filed the first time."""
        longest = self.longest.get(head)
        if longest is None:
            longest = self.longest[head] = self._file(head)
        return longest

    def _file(self, head: str) -> int:
        """File every name under those of its deletions that begin with ``head``; the longest name's length."""
        shown, longest = self.shown, 0
        for k in _lines_with_head(self.text, head):
            if k in shown:
                self._put(k, _deletions_from(k, head))
                longest = max(longest, len(k))
        return longest

    def _put(self, k: str, under: set[str]) -> None:
        """File name ``k`` under each string of ``under``."""
        filed = self.filed
        for d in under:
            found = filed.get(d)
            if found is None:
                filed[d] = {k}
            else:
                found.add(k)


def best(written: str, names: "Names | dict[str, str]") -> list[tuple[str, str]]:
    """The names closest to the start of ``written`` (a key), as (what was written, name).

    A name is compared with the part of ``written`` of about its length; the nearest within
    :func:`_allowed`, longest first, are returned (at most :data:`MAX_SHOWN`). An exact
    match gives nothing: that name was not the problem.
    """
    if not isinstance(names, Names):
        names = Names(names)
    if len(written) < 2:
        return []
    found: dict[str, tuple[float, int, str]] = {}
    for n in range(2, min(len(written), names.reach(written) + 1) + 1):
        part = written[:n]
        candidates = names.near(part)
        if part in candidates:  # a name itself (filed under itself)
            return []
        for k in sorted(candidates):  # in one order: a tie goes the same way in every process
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

    Only the municipality's keys are read at once (one string); whether a key is a name, and
    the name it shows, are read from the index for the keys a written part meets
    (:class:`TownNames`), so a list with rows left in many municipalities pays for neither
    every town of each nor the filing of every name.
    """
    from .geocoders.index import town_index

    index = town_index()
    if code not in index.municipalities:
        return Names({})
    shown = TownNames(index, code)
    return Names(shown, text=shown.text)


class TownNames(Mapping):
    """The town names of one municipality by key, each read from the index the first time it is asked for.

    A name key (it names towns, is no alias and holds no digit) shows the first town it
    names; a 丁目 base (no alias) its whole 町 without the 丁目, and that wins where a key
    is both. Iterated, the name keys come in key order, then the other 丁目 bases in key order.
    """

    def __init__(self, index, code: str):
        from .geocoders.index import ALIAS, FLAG_BITS, HAS_CHOME, HAS_NAME

        self.index = index
        self.prefix, _, self.table = index.town_probe(code)
        self.text = index.town_key_text(code)  # every key, one a line: names and not
        self.read: dict[str, str] = {}
        self.flag_bits, self.name_flag, self.base_flag, self.alias_flag = FLAG_BITS, HAS_NAME, HAS_CHOME, ALIAS

    def __getitem__(self, k: str) -> str:
        name = self.read.get(k)
        if name is None:
            name = self.read[k] = self._read(k)
        return name

    def __contains__(self, k: object) -> bool:
        return isinstance(k, str) and self._shows(k) != ""

    def __iter__(self) -> Iterator[str]:
        keys = [k for k in dict.fromkeys(self.text.split("\n")) if k in self]
        return iter([k for k in keys if self._is_name_key(k)] + [k for k in keys if not self._is_name_key(k)])

    def __len__(self) -> int:
        return sum(1 for k in dict.fromkeys(self.text.split("\n")) if k in self)

    def _shows(self, k: str) -> str:
        """What key ``k`` shows: ``"whole"`` (a 丁目 base), ``"named"`` (a name key only) or ``""`` (no name)."""
        value = self.table.get(self.prefix + k, 0)
        if value & self.alias_flag:
            return ""
        if value & self.base_flag:
            return "whole"
        return "named" if value & self.name_flag and not _NUMBERS.search(k) else ""

    def _is_name_key(self, k: str) -> bool:
        """Whether ``k`` names towns (flag ``HAS_NAME``: the index has a town it names), is no alias and holds no digit."""
        value = self.table.get(self.prefix + k, 0)
        return bool(value & self.name_flag) and not value & self.alias_flag and not _NUMBERS.search(k)

    def _read(self, k: str) -> str:
        """The name ``k`` shows, read from the index."""
        from .geocoders.index import NAME_ROW

        shows = self._shows(k) if isinstance(k, str) else ""
        if not shows:
            raise KeyError(k)
        index, row = self.index, self.table[self.prefix + k] >> self.flag_bits
        if shows == "whole":
            return _CHOME.sub("", index._town_names[int(index._whole[row])].as_py())
        start, stop = int(index._link_start[row]), int(index._link_start[row + 1])
        first = start + int(np.flatnonzero(index._link_number[start:stop] == NAME_ROW)[0])  # the first town it names
        return index._town_names[int(index._link_town[first])].as_py()


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
