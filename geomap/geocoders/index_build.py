"""The keys of the offline geocoder, defined and built at data-build time.

:func:`build_city_towns` defines every key a town is reached by — real names, aliases
(字/大字 dropped, 町/郷 dropped, and the keys of the families in
:mod:`~geomap.geocoders.families`), names without their 冠称, 丁目 bases and the whole 町
standing for its 丁目 — and :func:`build_tables` writes them for all of Japan, with the
prefecture and municipality keys, as the flat tables of :data:`geomap.geocoders.index.TABLES`
(called by ``tools/build_data.py``; the tests build a sample of municipalities to compare).
A change here, or to normalization, needs a rebuild. Nothing here runs when addresses are
geocoded: :class:`geomap.geocoders.index.TownIndex` reads what was built.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..address.normalize import key
from ..address.variants import KANJI_DIGITS
from . import families
from .index import ALIAS, HAS_CHOME, HAS_NAME, MAX_CHOME, NAME_ROW, PREFIX_BASE, SEPARATOR, WEAK, CityTowns, Town

# 丁目 towns: "東陽4丁目" is reached from "東陽" followed by the number 4.
_CHOME_KEY = re.compile(r"^(.*?)(\d+)丁目$")
# The number at the end of a numbered town's name (東陽四丁目, 霞ヶ丘町四丁), for its whole 町's name.
_CHOME_NAME = re.compile(r"[〇一二三四五六七八九十]+丁目?$")
_AZA_PREFIX = re.compile(r"^(?:大字|字)")
KANMURI_MIN_TOWNS = 3  # towns sharing a prefix before it counts as a 冠称
# The index's town for addresses written without a 大字 (村 + 番地): reached by the empty key.
NO_OAZA = "（大字なし）"
_SERIES = re.compile(r"\d+(?:条|線|号|区|地割|番)")  # a numbered series of towns (4条, 8線, 18号, 3番)


def _nan_mean(values) -> float:
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    return float(arr.mean()) if len(arr) else float("nan")


class _Aliases:
    """Other ways of writing the towns of one municipality; for each, the best way is kept.

    A way reached by a strong rule (大字 dropped) replaces the towns reached by a weak one
    (町 dropped, 冠称 dropped): 川守田 is 大字川守田, not 大字川守田町. Towns reached alike
    are all kept, and the matcher reports them as candidates.
    """

    def __init__(self):
        self.names: dict[str, tuple[bool, list[Town]]] = {}
        self.bases: dict[str, tuple[bool, dict[int, list[Town]]]] = {}

    def add_name(self, alias: str, town: Town, weak: bool) -> None:
        old = self.names.get(alias)
        if old is None or (old[0] and not weak):
            self.names[alias] = (weak, [town])
        elif old[0] == weak and not any(t is town for t in old[1]):
            old[1].append(town)

    def add_base(self, base: str, number: int, town: Town, weak: bool) -> None:
        old = self.bases.get(base)
        if old is None or (old[0] and not weak):
            old = self.bases[base] = (weak, {})
        if old[0] == weak:
            towns = old[1].setdefault(number, [])
            if not any(t is town for t in towns):
                towns.append(town)


def build_city_towns(code: str, names, koazas, lats, lons) -> CityTowns:
    """The town keys of one municipality, from its rows of the town index (in index order).

    ``names``, ``koazas``, ``lats``, ``lons`` are the ``town``, ``koaza``, ``lat``, ``lon``
    columns of :func:`geomap.gazetteer.towns` for the rows of ``code``.
    """
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

    # Two spellings of one town in the index (燈籠本町/燈篭本町, 上之段/上の段) fold to one
    # key: they are one place, and the first spelling stands for both.
    real: dict[str, Town] = {}
    for name, town in by_name.items():
        real.setdefault(key(name), town)
    numbered: dict[str, tuple[str, int]] = {}
    for k in real:
        m = _CHOME_KEY.match(k)
        if m:
            numbered[k] = (m.group(1), int(m.group(2)))
    for rule in families.NUMBERED:
        for k, parts in rule(list(real)).items():
            numbered.setdefault(k, parts)

    exact: dict[str, list[Town]] = {k: [town] for k, town in real.items()}
    if NO_OAZA in by_name:
        exact[""] = [by_name[NO_OAZA]]
    chome: dict[str, dict[int, list[Town]]] = {}
    base_names: dict[str, str] = {}
    aliases = _Aliases()
    for k, town in real.items():
        for alias, weak in _aliases(k):
            aliases.add_name(alias, town, weak)
        if k in numbered:
            base, number = numbered[k]
            chome.setdefault(base, {}).setdefault(number, [town])
            base_name = _CHOME_NAME.sub("", town.name)
            base_names.setdefault(base, base_name)
            for alias, weak in _aliases(base, numbered=True):
                aliases.add_base(alias, number, town, weak)
                base_names.setdefault(alias, base_name)
    for rule in families.CITY_ALIASES:
        for alias, k, number, weak in rule(list(real)):
            if number is None:
                aliases.add_name(alias, real[k], weak)
            else:
                aliases.add_base(alias, number, real[k], weak)
    _add_kanmuri_aliases(real, numbered, aliases, base_names)
    taken = set(exact) | set(chome) | set(aliases.names) | set(aliases.bases)
    for rule in families.KOAZA_ALIASES:  # a 小字 written without its 大字: the weakest way of all
        for alias, k in rule({k: list(town.koaza) for k, town in real.items() if town.koaza}, taken):
            aliases.add_name(alias, real[k], True)

    # Aliases never stand in for a real name: 大杉 (of 大杉町二丁目) gives way to 大杉二丁目.
    alias_keys, weak_keys = set(), set()
    for alias, (weak, towns) in aliases.names.items():
        if alias not in exact:
            exact[alias] = towns
            alias_keys.add(alias)
            if weak:
                weak_keys.add(alias)
    # A base may share its key with another town's alias (町屋 of 町屋町 and of 町屋町一丁目):
    # the matcher reads a 丁目 number first.
    for base, (_, by_number) in aliases.bases.items():
        if base not in chome and base not in real:
            chome[base] = by_number
            alias_keys.add(base)
    # A weak name is never read before a number where the municipality has towns of that name
    # numbered otherwise than by 丁目: 拓北 (篠路町拓北 without its 冠称) must not take 拓北6-2-6
    # (拓北六条二丁目). Before a number that is no 丁目 of it, 駒生 still reads 駒生町.
    # A number that is part of a name (岡部町三輪, 河野町一色) is read with it, the longer key first:
    # only a numbered series (条, 線, 号, 区, 地割, 番) is written otherwise.
    before_digit = {
        k[:i] for k in real for i in range(1, len(k))
        if k[i].isdigit() and not k[i - 1].isdigit() and _SERIES.match(k, i)
    }
    for alias in weak_keys & before_digit:
        del exact[alias]
        if alias not in chome:
            alias_keys.discard(alias)
    weak_keys -= before_digit

    whole = {}
    for base, by_number in chome.items():
        towns = [t for ts in by_number.values() for t in ts]
        # A base a family made (永山北3- for 永山北三条八丁目): its towns' common name (永山北三条).
        name = base_names.get(base) or os.path.commonprefix([t.name for t in towns]).rstrip(KANJI_DIGITS + "十")
        whole[base] = Town(code, name, _nan_mean([t.lat for t in towns]), _nan_mean([t.lon for t in towns]))
    maxlen = max([len(k) for k in exact] + [len(k) for k in chome] + [0])
    return CityTowns(exact, chome, whole, maxlen, frozenset(weak_keys), frozenset(alias_keys - set(real)))


def _add_kanmuri_aliases(real: dict[str, Town], numbered: dict, aliases: _Aliases, base_names: dict) -> None:
    """Names without their 冠称: 神田猿楽町 written 猿楽町, 日本橋蛎殻町 written 蛎殻町.

    A 冠称 is a prefix that at least three towns of the municipality share (神田,
    日本橋, 一乗寺 …). The shortened names are weak aliases: trusted only before a
    number or the end, and never over a real name or a stronger way of writing.
    """
    base_of = {}
    for k in real:
        base, number = numbered.get(k, (k, None))
        base_of[k] = (_AZA_PREFIX.sub("", base), number)  # 大字/字 are not 冠称: they have aliases of their own
    counts: dict[str, set[str]] = {}
    for base, _ in base_of.values():
        for length in (2, 3, 4):
            if len(base) - length >= 2:
                counts.setdefault(base[:length], set()).add(base)
    kanmuri = {p for p, members in counts.items() if len(members) >= KANMURI_MIN_TOWNS and not p[-1].isdigit()}
    if not kanmuri:
        return
    taken = set(aliases.names) | set(aliases.bases)  # stronger ways of writing (字上原 → 上原) win
    for k, (base, number) in base_of.items():
        prefix = max((p for p in kanmuri if base.startswith(p)), key=len, default=None)
        if prefix is None:
            continue
        short = base[len(prefix):]
        if short in ("", "町", "村") or short in taken:  # 北新 is not written "", 革堂町 not 町
            continue
        town = real[k]
        if number is None:
            aliases.add_name(short, town, True)
        else:
            aliases.add_base(short, number, town, True)
            base_names.setdefault(short, _CHOME_NAME.sub("", town.name))


def _aliases(k: str, numbered: bool = False) -> list[tuple[str, bool]]:
    """Other ways a town key is written, each with whether it is weak.

    Without 大字/字 (字上原 → 上原), without a trailing 郷 (笛吹郷 → 笛吹) or 町
    (弥生町 → 弥生, 子安町 → 子安: lists drop it; weak, trusted only before a number, a 字
    or the end), and the other keys the families of
    :data:`geomap.geocoders.families.KEY_RULES` give (北1条西2丁目 → 北1西2, 4条通 → 4条,
    門田町大字面川 → 門田町面川, 瑞穂通 → 瑞穂通り). Aliases never replace a real name of the
    same municipality. A 丁目 base (``numbered``), always followed by its number, may lose its
    町 down to one character (旭町三丁目 written 旭3-20-6); a name may not.
    """
    out: dict[str, bool] = {}
    shortest = 2 if numbered else 3
    stripped = _AZA_PREFIX.sub("", k)
    forms = [k, stripped] if stripped != k and stripped else [k]
    for form in forms:
        for rule in families.KEY_RULES:
            for other in rule(form):
                if other not in forms:
                    forms.append(other)
    for form in forms:
        out.setdefault(form, False)
    for form in forms:
        if form.endswith(("郷", "町")) and len(form) >= shortest and not form[-2].isdigit():
            out.setdefault(form[:-1], form.endswith("町"))
    out.pop(k, None)
    out.pop("", None)
    return list(out.items())


def _city_key_rows(municipalities: pd.DataFrame) -> list[tuple[str, int]]:
    """(key, municipality row) for every way a municipality is written, first seen first.

    The matcher lists the candidates of a key in this order (it orders ambiguity labels).
    """
    rows: dict[tuple[str, int], None] = {}
    for i, row in enumerate(municipalities.itertuples(index=False)):
        designated = row.county if row.county.endswith("市") else ""
        names = [row.city, row.name]
        if row.county.endswith("郡"):
            names.append(row.county + row.name)
        if row.county.endswith("支庁") or row.subpref:
            names.append((row.subpref or row.county) + row.name)
        if designated:
            names.append(designated)
        for name in names:
            k = key(name)
            if k:
                rows.setdefault((k, i), None)
    return list(rows)


def _coordinate_columns(name: str, values) -> dict[str, pa.Array]:
    """Degrees in two columns: ``<name>_e6``, whole microdegrees, where that gives the value back
    exactly (every point of the source, rounded to 6 decimals), and ``<name>``, float64, for the
    rest (means of points, NaN). Each is null where the other holds the value."""
    x = np.asarray(values, dtype=np.float64)
    e6 = np.rint(x * 1e6)
    finite = np.isfinite(x) & (np.abs(e6) < 2**31)
    on_grid = np.zeros(len(x), dtype=bool)
    on_grid[finite] = e6[finite] / 1e6 == x[finite]
    return {
        name + "_e6": pa.array(np.where(on_grid, e6, 0).astype(np.int32), mask=~on_grid),
        name: pa.array(np.where(on_grid, 0.0, x), pa.float64(), mask=on_grid),
    }


def build_tables(towns: pd.DataFrame, municipalities: pd.DataFrame, prefectures: pd.DataFrame) -> dict[str, pa.Table]:
    """Every lookup structure of the matcher for all of Japan, as the tables of :data:`~geomap.geocoders.index.TABLES`.

    Takes the frames :mod:`geomap.gazetteer` returns (``towns``, ``municipalities``,
    ``prefectures``); the result depends only on them and on :func:`key`.
    """
    prefs = list(prefectures["pref"])
    pref_table = pa.table({
        "pref": pa.array(prefs, pa.string()),
        "lat": pa.array(prefectures["lat"], pa.float64()),
        "lon": pa.array(prefectures["lon"], pa.float64()),
        "key": pa.array([key(p) for p in prefs], pa.string()),
        # Without 都・府・県 ("東京", "大阪", "神奈川"); 北海道 keeps its name.
        "short_key": pa.array([key(p[:-1]) if p[-1] in "都府県" and len(p) > 2 else "" for p in prefs], pa.string()),
    })

    mun = municipalities.reset_index(drop=True)
    if len(mun) >= 0x1900:  # private-use characters available as municipality prefixes
        raise ValueError("too many municipalities for the key prefix")
    prefs_in_order = mun["pref"].astype(str).tolist()
    runs = [p for i, p in enumerate(prefs_in_order) if i == 0 or prefs_in_order[i - 1] != p]
    if len(runs) != len(set(runs)):  # the loader reads a prefecture's town keys as one slice
        raise ValueError("the municipalities of a prefecture are not together")
    ordinal = {code: i for i, code in enumerate(mun["code"])}
    city_keys = _city_key_rows(mun)

    town_rows: dict[str, list] = {"municipality": [], "name": [], "lat": [], "lon": []}
    key_rows: dict[str, list] = {"municipality": [], "key": [], "flags": [], "whole": []}
    link_rows: dict[str, list] = {"key": [], "number": [], "town": []}
    koaza_rows: dict[str, list] = {"town": [], "key": [], "koaza": [], "lat": [], "lon": []}
    maxlen = [0] * len(mun)

    frame = towns.reset_index(drop=True)
    names, koazas = frame["town"].tolist(), frame["koaza"].tolist()
    lats, lons = frame["lat"].tolist(), frame["lon"].tolist()
    rows_by_code = frame.groupby("code", observed=True).indices
    for code in sorted(rows_by_code, key=ordinal.__getitem__):
        rows = rows_by_code[code]
        city = build_city_towns(
            code, [names[i] for i in rows], [koazas[i] for i in rows], [lats[i] for i in rows], [lons[i] for i in rows]
        )
        n = ordinal[code]
        maxlen[n] = city.maxlen
        prefix = chr(PREFIX_BASE + n)
        numbers: dict[int, int] = {}  # id(Town) → town number

        def town_number(town: Town) -> int:
            number = numbers.get(id(town))
            if number is None:
                number = numbers[id(town)] = len(town_rows["name"])
                for column, value in zip(("municipality", "name", "lat", "lon"), (n, town.name, town.lat, town.lon)):
                    town_rows[column].append(value)
                for k, (koaza, lat, lon) in sorted(town.koaza.items()):
                    for column, value in zip(("town", "key", "koaza", "lat", "lon"), (number, k, koaza, lat, lon)):
                        koaza_rows[column].append(value)
            return number

        # Sorted: the build's dictionaries are filled from sets, whose order changes from run to run.
        for k in sorted(set(city.exact) | set(city.chome)):
            row = len(key_rows["key"])
            links = [(NAME_ROW, t) for t in city.exact.get(k, [])]
            links += [(number, t) for number in sorted(city.chome.get(k, {})) for t in city.chome[k][number]]
            for number, town in links:
                link_rows["key"].append(row)
                link_rows["number"].append(number)
                link_rows["town"].append(town_number(town))
            whole = city.whole.get(k)
            flags = (
                (HAS_NAME if any(number == NAME_ROW for number, _ in links) else 0)
                | (HAS_CHOME if any(number != NAME_ROW for number, _ in links) else 0)
                | (WEAK if k in city.weak else 0)
                | (ALIAS if k in city.alias_keys else 0)
            )
            for column, value in zip(
                ("municipality", "key", "flags", "whole"),
                (n, prefix + k, flags, -1 if whole is None else town_number(whole)),
            ):
                key_rows[column].append(value)
    if link_rows["number"] and not NAME_ROW <= min(link_rows["number"]) <= max(link_rows["number"]) < MAX_CHOME:
        raise ValueError("a 丁目 number does not fit the table")

    mun_table = pa.table({
        "code": pa.array(mun["code"], pa.string()),
        "pref": pa.array(mun["pref"].astype(str), pa.string()),
        "city": pa.array(mun["city"], pa.string()),
        "designated": pa.array([c if c.endswith("市") else "" for c in mun["county"]], pa.string()),
        "lat": pa.array(mun["lat"], pa.float64()),
        "lon": pa.array(mun["lon"], pa.float64()),
        "maxlen": pa.array(maxlen, pa.int16()),
    })
    tables = {
        "index_prefectures": pref_table,
        "index_municipalities": mun_table,
        "index_municipality_keys": pa.table({
            "key": pa.array([k for k, _ in city_keys], pa.string()),
            "municipality": pa.array([i for _, i in city_keys], pa.int16()),
        }),
        "index_towns": pa.table({
            "municipality": pa.array(town_rows["municipality"], pa.int16()),
            "name": pa.array(town_rows["name"], pa.string()),
            **_coordinate_columns("lat", town_rows["lat"]),
            **_coordinate_columns("lon", town_rows["lon"]),
        }),
        "index_town_keys": pa.table({
            "municipality": pa.array(key_rows["municipality"], pa.int16()),
            "key": pa.array(key_rows["key"], pa.string()),
            "flags": pa.array(key_rows["flags"], pa.int8()),
            "whole": pa.array(key_rows["whole"], pa.int32()),
        }),
        # Key rows sorted by key without its prefix (stable: a key's rows stay in municipality
        # order), searched by bisect for a town written without its municipality.
        "index_town_key_order": pa.table({
            "key": pa.array(sorted(range(len(key_rows["key"])), key=lambda row: key_rows["key"][row][1:]), pa.int32()),
        }),
        "index_town_key_towns": pa.table({
            "key": pa.array(link_rows["key"], pa.int32()),
            "number": pa.array(link_rows["number"], pa.int16()),
            "town": pa.array(link_rows["town"], pa.int32()),
        }),
        "index_koaza": pa.table({
            "town": pa.array(koaza_rows["town"], pa.int32()),
            "key": pa.array(koaza_rows["key"], pa.string()),
            "koaza": pa.array(koaza_rows["koaza"], pa.string()),
            **_coordinate_columns("lat", koaza_rows["lat"]),
            **_coordinate_columns("lon", koaza_rows["lon"]),
        }),
    }
    for name, table in tables.items():
        for column in table.column_names:
            if pa.types.is_string(table.schema.field(column).type) and pc.any(
                pc.match_substring(table[column], SEPARATOR)
            ).as_py():
                raise ValueError(f"{name}.{column}: a value contains a line break, which loading uses as separator")
    return tables


__all__ = ["build_city_towns", "build_tables"]
