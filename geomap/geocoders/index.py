"""Lookup structures over the embedded town index, built once per process.

Prefecture and municipality keys are built eagerly (a few thousand entries); the town
keys of a municipality are built the first time an address reaches it, so a list from one
ward touches one ward's towns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import gazetteer
from ..address.normalize import key

# 丁目 towns: "東陽4丁目" is reached from "東陽" followed by the number 4.
_CHOME_KEY = re.compile(r"^(.*?)(\d+)丁目$")
_CHOME_NAME = re.compile(r"[〇一二三四五六七八九十]+丁目$")
_AZA_PREFIX = re.compile(r"^(?:大字|字)")
# 旭川市 "四条通二十五丁目" is written "4条25丁目" as often as not.
_JOU_DORI = re.compile(r"(\d+条)通")
KANMURI_MIN_TOWNS = 3  # towns sharing a prefix before it counts as a 冠称
_JOU_CHOME = re.compile(r"^([東西南北]\d+)条([東西南北]\d+)丁目$")


@dataclass(slots=True)
class Town:
    """One 大字・町丁目 (or a whole 町 standing for its 丁目) of one municipality."""

    code: str
    name: str
    lat: float
    lon: float
    koaza: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    koaza_maxlen: int = 0


@dataclass
class CityTowns:
    """Town keys of one municipality."""

    exact: dict[str, list[Town]]
    chome: dict[str, dict[int, list[Town]]]
    whole: dict[str, Town]  # base key of 丁目 towns → the whole 町 (mean point)
    maxlen: int
    # Keys that are a name with its 町 dropped (弥生町 → 弥生): trusted only when a
    # number or the end follows, never before more letters (烏丸 in 烏丸通).
    weak: frozenset = frozenset()
    # Keys that are only other ways of writing a name (字上原 → 上原): a town reached by a
    # real name wins over one reached by an alias when candidates compete.
    alias_keys: frozenset = frozenset()


@dataclass(frozen=True)
class Municipality:
    code: str
    pref: str
    city: str  # the name addresses use: 札幌市中央区, 虻田郡倶知安町
    lat: float
    lon: float
    designated: str = ""  # 札幌市 for 札幌市中央区


def _nan_mean(values) -> float:
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    return float(arr.mean()) if len(arr) else float("nan")


class TownIndex:
    """All lookup structures of the offline geocoder."""

    def __init__(self, towns: pd.DataFrame, municipalities: pd.DataFrame, prefectures: pd.DataFrame):
        self.prefs: dict[str, tuple[float, float]] = {
            p: (la, lo) for p, la, lo in zip(prefectures["pref"], prefectures["lat"], prefectures["lon"])
        }
        self.pref_keys: dict[str, str] = {}
        for p in self.prefs:
            self.pref_keys[key(p)] = p
        # Without 都・府・県 ("東京", "大阪", "神奈川"); 北海道 keeps its name.
        self.pref_short: dict[str, str] = {
            key(p[:-1]): p for p in self.prefs if p[-1] in "都府県" and len(p) > 2
        }
        self.municipalities: dict[str, Municipality] = {}
        self.city_keys: dict[str, dict[str, list[str]]] = {p: {} for p in self.prefs}
        self.city_keys_all: dict[str, list[str]] = {}
        self.designated: dict[tuple[str, str], list[str]] = {}
        self._build_cities(municipalities)
        self.city_maxlen = max(len(k) for keys in self.city_keys.values() for k in keys)
        # Plain lists: one municipality's towns are taken by position thousands of times,
        # and list indexing is far cheaper than slicing Arrow-backed columns.
        self._town_names = towns["town"].tolist()
        self._koaza_names = towns["koaza"].tolist()
        self._lats = towns["lat"].tolist()
        self._lons = towns["lon"].tolist()
        self._rows_by_code = {
            code: rows.tolist()
            for code, rows in towns.reset_index(drop=True).groupby("code", observed=True).indices.items()
        }
        self._city_towns: dict[str, CityTowns] = {}

    # -- municipalities -------------------------------------------------
    def _add_city_key(self, pref: str, name: str, code: str) -> None:
        k = key(name)
        if not k:
            return
        for table in (self.city_keys[pref], self.city_keys_all):
            codes = table.setdefault(k, [])
            if code not in codes:
                codes.append(code)

    def _build_cities(self, m: pd.DataFrame) -> None:
        for row in m.itertuples(index=False):
            designated = row.county if row.county.endswith("市") else ""
            self.municipalities[row.code] = Municipality(
                row.code, row.pref, row.city, float(row.lat), float(row.lon), designated
            )
            self._add_city_key(row.pref, row.city, row.code)
            self._add_city_key(row.pref, row.name, row.code)
            if row.county.endswith("郡"):
                self._add_city_key(row.pref, row.county + row.name, row.code)
            if row.county.endswith("支庁") or row.subpref:
                self._add_city_key(row.pref, (row.subpref or row.county) + row.name, row.code)
            if designated:
                self._add_city_key(row.pref, designated, row.code)
                self.designated.setdefault((row.pref, designated), []).append(row.code)

    def designated_point(self, pref: str, name: str) -> tuple[str, float, float]:
        """Code and a point inside a designated city (the point of its first ward)."""
        codes = sorted(self.designated[(pref, name)])
        first = self.municipalities[codes[0]]
        city_code = f"{int(codes[0]) // 10 * 10:05d}"
        return city_code, first.lat, first.lon

    # -- towns ------------------------------------------------------------
    def city_towns(self, code: str) -> CityTowns:
        cached = self._city_towns.get(code)
        if cached is None:
            cached = self._city_towns[code] = self._build_towns(code)
        return cached

    def _build_towns(self, code: str) -> CityTowns:
        rows = self._rows_by_code.get(code)
        exact: dict[str, list[Town]] = {}
        aliases: dict[str, list[Town]] = {}
        chome: dict[str, dict[int, list[Town]]] = {}
        if rows is None:
            return CityTowns({}, {}, {}, 0)
        names = [self._town_names[i] for i in rows]
        koazas = [self._koaza_names[i] for i in rows]
        lats = [self._lats[i] for i in rows]
        lons = [self._lons[i] for i in rows]
        by_name: dict[str, Town] = {}
        pending_koaza: dict[str, list[tuple[str, float, float]]] = {}
        for name, koaza, lat, lon in zip(names, koazas, lats, lons):
            if koaza:
                pending_koaza.setdefault(name, []).append((koaza, lat, lon))
            elif name not in by_name:
                by_name[name] = Town(code, name, lat, lon)
        for name, entries in pending_koaza.items():
            town = by_name.get(name)
            if town is None:
                town = by_name[name] = Town(code, name, _nan_mean([e[1] for e in entries]), _nan_mean([e[2] for e in entries]))
            for koaza, lat, lon in entries:
                for k in {key(koaza), key(_AZA_PREFIX.sub("", koaza))}:
                    if k:
                        town.koaza.setdefault(k, (koaza, lat, lon))
            town.koaza_maxlen = max((len(k) for k in town.koaza), default=0)

        weak: set[str] = set()
        alias_chome: dict[str, dict[int, list[Town]]] = {}
        bases: dict[str, list[Town]] = {}
        base_names: dict[str, str] = {}
        for name, town in by_name.items():
            k = key(name)
            # Two spellings of one town in the index (燈籠本町/燈篭本町, 上之段/上の段) fold to
            # one key: they are one place, and the first spelling stands for both.
            exact.setdefault(k, [town])
            for alias in self._aliases(name, k, weak):
                aliases.setdefault(alias, []).append(town)
            m = _CHOME_KEY.match(k)
            if m:
                number = int(m.group(2))
                chome.setdefault(m.group(1), {}).setdefault(number, [town])
                base_names.setdefault(m.group(1), _CHOME_NAME.sub("", name))
                for base in self._aliases(_CHOME_NAME.sub("", name), m.group(1), weak):
                    alias_chome.setdefault(base, {}).setdefault(number, []).append(town)
                    base_names.setdefault(base, _CHOME_NAME.sub("", name))
        self._add_kanmuri_aliases(by_name, exact, aliases, alias_chome, base_names, weak)
        # Aliases never stand in for a real name: 大杉 (of 大杉町二丁目) gives way to 大杉二丁目.
        alias_keys = set()
        for alias, towns in aliases.items():
            if alias not in exact:
                exact[alias] = towns
                alias_keys.add(alias)
        for base, by_number in alias_chome.items():
            if base not in chome and base not in exact:
                chome[base] = by_number
                alias_keys.add(base)
        for base, by_number in chome.items():
            bases[base] = [t for towns in by_number.values() for t in towns]
        whole = {}
        for base, towns in bases.items():
            whole[base] = Town(
                code, base_names[base], _nan_mean([t.lat for t in towns]), _nan_mean([t.lon for t in towns])
            )
        maxlen = max([len(k) for k in exact] + [len(k) for k in chome] + [0])
        real = {key(name) for name in by_name}
        return CityTowns(exact, chome, whole, maxlen, frozenset(weak - real), frozenset(alias_keys))

    @staticmethod
    def _add_kanmuri_aliases(by_name, exact, aliases, alias_chome, base_names, weak) -> None:
        """Names without their 冠称: 神田猿楽町 written 猿楽町, 日本橋蛎殻町 written 蛎殻町.

        A 冠称 is a prefix that at least three towns of the municipality share (神田,
        日本橋, 一乗寺 …). The shortened names are weak aliases: trusted only before a
        number or the end, and never over a real name.
        """
        base_of = {}
        for name in by_name:
            k = _AZA_PREFIX.sub("", key(name))  # 大字/字 are not 冠称: they have aliases of their own
            m = _CHOME_KEY.match(k)
            base_of[name] = (k, m.group(1) if m else k, int(m.group(2)) if m else None)
        counts: dict[str, set[str]] = {}
        for _, base, _ in base_of.values():
            for length in (2, 3, 4):
                if len(base) - length >= 2:
                    counts.setdefault(base[:length], set()).add(base)
        kanmuri = {p for p, members in counts.items() if len(members) >= KANMURI_MIN_TOWNS and not p[-1].isdigit()}
        if not kanmuri:
            return
        taken = set(aliases) | set(alias_chome)  # stronger ways of writing (字上原 → 上原) win
        for name, (k, base, number) in base_of.items():
            prefix = max((p for p in kanmuri if base.startswith(p)), key=len, default=None)
            if prefix is None:
                continue
            short = base[len(prefix):]
            if short in taken:
                continue
            weak.add(short)
            town = exact[key(name)][0]  # one town for the index's two spellings of it
            targets = aliases.setdefault(short, []) if number is None else (
                alias_chome.setdefault(short, {}).setdefault(number, [])
            )
            if town not in targets:
                targets.append(town)
            if number is not None:
                base_names.setdefault(short, _CHOME_NAME.sub("", name))

    @staticmethod
    def _aliases(name: str, k: str, weak: set[str]) -> set[str]:
        """Other ways a town is written.

        Without 大字/字 (字上原 → 上原), without a trailing 郷 (笛吹郷 → 笛吹) or 町
        (弥生町 → 弥生, 子安町 → 子安: lists drop it), 条 without 通 (4条通 → 4条).
        Aliases never replace a real name of the same municipality.
        """
        out = set()
        stripped = _AZA_PREFIX.sub("", k)
        if stripped != k and stripped:
            out.add(stripped)
        for form in (k, stripped):
            if form.endswith(("郷", "町")) and len(form) > 2 and not form[-2].isdigit():
                out.add(form[:-1])
                if form.endswith("町"):
                    weak.add(form[:-1])
            if "条通" in form:
                out.add(_JOU_DORI.sub(r"\1", form))
            short = _JOU_CHOME.match(form)
            if short:  # 札幌 "北1西2" for 北一条西二丁目
                out.add("".join(short.groups()))
        out.discard(k)
        out.discard("")
        return out


@lru_cache(maxsize=1)
def town_index() -> TownIndex:
    """The process-wide index (loaded from package data on first use)."""
    return TownIndex(gazetteer.towns(), gazetteer.municipalities(), gazetteer.prefectures())
