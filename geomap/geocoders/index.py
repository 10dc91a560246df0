"""Lookup structures of the offline geocoder: defined and built at data-build time, loaded at run time.

Build side (``tools/build_data.py`` and the tests): :func:`build_city_towns` defines every
key a town is reached by — real names, aliases (字/大字 dropped, 町/郷 dropped, and the
keys of the families in :mod:`~geomap.geocoders.families`), names without their 冠称, 丁目 bases and the whole 町 standing for its 丁目 — and
:func:`build_tables` writes them for all of Japan, with the prefecture and municipality
keys, as the flat ``index_*.parquet`` tables listed in :data:`TABLES`.

Run side: :class:`TownIndex` reads those tables once per process (:func:`town_index`). No
key is computed and no municipality is built at run time: a prefecture's town keys, as
written by the build, are joined into one dictionary the first time an address reaches it,
a lookup is one probe of that dictionary, and a :class:`Town` object is made the first time
a match reaches it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..address.normalize import key
from ..provenance import data_path
from . import families

# 丁目 towns: "東陽4丁目" is reached from "東陽" followed by the number 4.
_CHOME_KEY = re.compile(r"^(.*?)(\d+)丁目$")
_CHOME_NAME = re.compile(r"[〇一二三四五六七八九十]+丁目$")
_AZA_PREFIX = re.compile(r"^(?:大字|字)")
KANMURI_MIN_TOWNS = 3  # towns sharing a prefix before it counts as a 冠称

# The tables written to geomap/data (as <name>.parquet) and what one row of each is.
TABLES = {
    "index_prefectures": "a prefecture: name, point, key, key without 都・府・県 ('' for 北海道)",
    "index_municipalities": "a municipality (row = its number in the other tables): code, names, point, longest town key",
    "index_municipality_keys": "a key a municipality is written by, in the order the matcher lists candidates",
    "index_towns": "a town a key leads to (row = town number): municipality, name, point; whole 町 entries included",
    "index_town_keys": "a town key of a municipality (row = key number): weak / alias flags, the whole 町 of a 丁目 base",
    "index_town_key_towns": "the towns of a key, in order: number -1 for the name itself, else the 丁目 number",
    "index_koaza": "a 小字 key of a town: the 小字 as written and its point",
}
NAME_ROW = -1  # index_town_key_towns.number of a town reached by its name (not by a 丁目 number)
MAX_CHOME = 2**15  # 丁目 numbers are below this (int16)
_SEPARATOR = "\n"  # joins keys and names while loading; the build checks that none contains it
_PREFIX_BASE = 0xE000  # municipality n is written chr(_PREFIX_BASE + n) before its town keys


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


# == Build side: what the keys are ==========================================================

def build_city_towns(code: str, names, koazas, lats, lons) -> CityTowns:
    """The town keys of one municipality, from its rows of the town index (in index order).

    ``names``, ``koazas``, ``lats``, ``lons`` are the ``town``, ``koaza``, ``lat``, ``lon``
    columns of :func:`geomap.gazetteer.towns` for the rows of ``code``.
    """
    exact: dict[str, list[Town]] = {}
    aliases: dict[str, list[Town]] = {}
    chome: dict[str, dict[int, list[Town]]] = {}
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
        for alias in _aliases(name, k, weak):
            aliases.setdefault(alias, []).append(town)
        m = _CHOME_KEY.match(k)
        if m:
            number = int(m.group(2))
            chome.setdefault(m.group(1), {}).setdefault(number, [town])
            base_names.setdefault(m.group(1), _CHOME_NAME.sub("", name))
            for base in _aliases(_CHOME_NAME.sub("", name), m.group(1), weak):
                alias_chome.setdefault(base, {}).setdefault(number, []).append(town)
                base_names.setdefault(base, _CHOME_NAME.sub("", name))
    _add_kanmuri_aliases(by_name, exact, aliases, alias_chome, base_names, weak)
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


def _aliases(name: str, k: str, weak: set[str]) -> set[str]:
    """Other ways a town is written.

    Without 大字/字 (字上原 → 上原), without a trailing 郷 (笛吹郷 → 笛吹) or 町
    (弥生町 → 弥生, 子安町 → 子安: lists drop it), and the other keys the families of
    :data:`geomap.geocoders.families.KEY_RULES` give (北1条西2丁目 → 北1西2, 4条通 → 4条).
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
        for rule in families.KEY_RULES:
            out.update(rule(form))
    out.discard(k)
    out.discard("")
    return out


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
    """Every lookup structure of the matcher for all of Japan, as the tables of :data:`TABLES`.

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
    ordinal = {code: i for i, code in enumerate(mun["code"])}
    city_keys = _city_key_rows(mun)

    town_rows: dict[str, list] = {"municipality": [], "name": [], "lat": [], "lon": []}
    key_rows: dict[str, list] = {"municipality": [], "key": [], "weak": [], "alias": [], "whole": []}
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
            for column, value in zip(
                ("municipality", "key", "weak", "alias", "whole"),
                (n, k, k in city.weak, k in city.alias_keys, -1 if whole is None else town_number(whole)),
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
            "weak": pa.array(key_rows["weak"], pa.bool_()),
            "alias": pa.array(key_rows["alias"], pa.bool_()),
            "whole": pa.array(key_rows["whole"], pa.int32()),
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
                pc.match_substring(table[column], _SEPARATOR)
            ).as_py():
                raise ValueError(f"{name}.{column}: a value contains a line break, which loading uses as separator")
    return tables


# == Run side: loading ======================================================================

# A town key's value in the dictionaries of TownIndex.town_probe: (key row << FLAG_BITS) | flags.
HAS_NAME = 1  # the key is a name (or an alias) of towns
HAS_CHOME = 2  # the key is the base of 丁目 towns (and has a whole 町)
WEAK = 4  # trusted only before a number or the end
ALIAS = 8  # another way of writing a name, not a name
FLAG_BITS = 4


def _strings(column) -> list[str]:
    """A string column as a list of str (joined and split in one piece: far faster than per value)."""
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(values) == 0:
        return []
    whole = pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), values)
    return pc.binary_join(whole, _SEPARATOR)[0].as_py().split(_SEPARATOR)


def _numbers(column) -> np.ndarray:
    return column.to_numpy()


def _coordinates(table: pa.Table, name: str) -> np.ndarray:
    """The degrees :func:`_coordinate_columns` split into two columns, as float64."""
    e6 = table[name + "_e6"].to_numpy()  # float64, NaN where null
    return np.where(np.isnan(e6), table[name].to_numpy(), e6 / 1e6)


def load_tables() -> dict[str, pa.Table]:
    """The tables of :data:`TABLES` as shipped in ``geomap/data``."""
    import pyarrow.parquet as pq

    tables = {}
    for name in TABLES:
        with data_path(name + ".parquet").open("rb") as f:
            tables[name] = pq.read_table(f)
    return tables


class TownIndex:
    """All lookup structures of the offline geocoder, read from the tables of :func:`build_tables`.

    Prefecture and municipality keys are read at once. Town keys become dictionaries one
    prefecture at a time, the first time an address reaches it (a list of one city reads one
    prefecture's keys); towns, 丁目 numbers and 小字 are read from the tables when a match
    reaches them. Nothing is computed: every key was made by the build.
    """

    def __init__(self, tables: Mapping[str, pa.Table]):
        p = tables["index_prefectures"]
        prefs = _strings(p["pref"])
        self.prefs: dict[str, tuple[float, float]] = dict(
            zip(prefs, zip(_numbers(p["lat"]).tolist(), _numbers(p["lon"]).tolist()))
        )
        self.pref_keys: dict[str, str] = dict(zip(_strings(p["key"]), prefs))
        self.pref_short: dict[str, str] = {k: pref for k, pref in zip(_strings(p["short_key"]), prefs) if k}

        m = tables["index_municipalities"]
        codes = self._codes = _strings(m["code"])
        mun_prefs = _strings(m["pref"])
        designated = _strings(m["designated"])
        self.municipalities: dict[str, Municipality] = {
            code: Municipality(code, pref, city, lat, lon, d)
            for code, pref, city, lat, lon, d in zip(
                codes, mun_prefs, _strings(m["city"]), _numbers(m["lat"]).tolist(), _numbers(m["lon"]).tolist(), designated
            )
        }
        self.designated: dict[tuple[str, str], list[str]] = {}
        for code, pref, d in zip(codes, mun_prefs, designated):
            if d:
                self.designated.setdefault((pref, d), []).append(code)
        self.city_keys: dict[str, dict[str, list[str]]] = {pref: {} for pref in self.prefs}
        self.city_keys_all: dict[str, list[str]] = {}
        ck = tables["index_municipality_keys"]
        city_key_list = _strings(ck["key"])
        for k, i in zip(city_key_list, _numbers(ck["municipality"]).tolist()):
            self.city_keys_all.setdefault(k, []).append(codes[i])
            self.city_keys[mun_prefs[i]].setdefault(k, []).append(codes[i])
        self.city_maxlen = max(map(len, city_key_list))

        # Town keys: rows _key_start[n] to _key_start[n + 1] are those of municipality n.
        self._ordinal = {code: i for i, code in enumerate(codes)}
        self._maxlen: list[int] = _numbers(m["maxlen"]).tolist()
        self._codes_of_pref: dict[str, list[str]] = {}
        for code, pref in zip(codes, mun_prefs):
            self._codes_of_pref.setdefault(pref, []).append(code)
        tk = tables["index_town_keys"]
        self._keys = tk["key"].combine_chunks()
        n_keys = len(self._keys)
        self._key_start: list[int] = np.searchsorted(
            _numbers(tk["municipality"]), np.arange(len(codes) + 1)
        ).tolist()
        links = tables["index_town_key_towns"]
        link_key = _numbers(links["key"])
        self._link_number = _numbers(links["number"])
        self._link_town = _numbers(links["town"])
        self._link_start = np.searchsorted(link_key, np.arange(n_keys + 1))
        flags = np.zeros(n_keys, dtype=np.int64)
        flags[link_key[self._link_number == NAME_ROW]] |= HAS_NAME
        flags[link_key[self._link_number != NAME_ROW]] |= HAS_CHOME
        flags[_numbers(tk["weak"])] |= WEAK
        flags[_numbers(tk["alias"])] |= ALIAS
        self._key_values = (np.arange(n_keys, dtype=np.int64) << FLAG_BITS) | flags
        self._whole = _numbers(tk["whole"])
        self._probes: dict[str, tuple[str, int, dict[str, int]]] = {}

        t = tables["index_towns"]
        self._town_municipality = _numbers(t["municipality"])
        self._town_names = t["name"].combine_chunks()
        self._town_lats = _coordinates(t, "lat")
        self._town_lons = _coordinates(t, "lon")
        self._towns: dict[int, Town] = {}
        self._town_lists: dict[tuple[int, int], list[Town]] = {}  # (key row, 丁目 number or NAME_ROW) → towns
        self._named: dict[int, list[Town]] = {}  # key row → the towns it names (the most frequent question)
        k = tables["index_koaza"]
        self._koaza_start = np.searchsorted(_numbers(k["town"]), np.arange(len(self._town_names) + 1))
        self._koaza_keys = k["key"].combine_chunks()
        self._koaza_names = k["koaza"].combine_chunks()
        self._koaza_lats = _coordinates(k, "lat")
        self._koaza_lons = _coordinates(k, "lon")

    def designated_point(self, pref: str, name: str) -> tuple[str, float, float]:
        """Code and a point inside a designated city (the point of its first ward)."""
        codes = sorted(self.designated[(pref, name)])
        first = self.municipalities[codes[0]]
        city_code = f"{int(codes[0]) // 10 * 10:05d}"
        return city_code, first.lat, first.lon

    # -- towns: what the matcher reads --------------------------------------------------
    def town_probe(self, code: str) -> tuple[str, int, dict[str, int]]:
        """What the matcher needs to look up a town of municipality ``code``.

        Returns the character its keys start with, its longest key, and the dictionary of
        its prefecture's town keys: ``character + key`` → ``(key row << FLAG_BITS) | flags``.
        """
        probe = self._probes.get(code)
        if probe is None:
            self._read_prefecture(self.municipalities[code].pref)
            probe = self._probes[code]
        return probe

    def _read_prefecture(self, pref: str) -> None:
        """The town keys of one prefecture as one dictionary (each key after its municipality's character)."""
        parts, values = [], []
        for code in self._codes_of_pref[pref]:
            n = self._ordinal[code]
            start, stop = self._key_start[n], self._key_start[n + 1]
            if stop > start:
                prefix = chr(_PREFIX_BASE + n)
                keys = pa.ListArray.from_arrays(pa.array([start, stop], pa.int32()), self._keys)
                parts.append(prefix + pc.binary_join(keys, _SEPARATOR + prefix)[0].as_py())
                values.append(self._key_values[start:stop])
        table = dict(zip(_SEPARATOR.join(parts).split(_SEPARATOR), np.concatenate(values).tolist())) if parts else {}
        for code in self._codes_of_pref[pref]:
            n = self._ordinal[code]
            self._probes[code] = (chr(_PREFIX_BASE + n), self._maxlen[n], table)

    def town(self, number: int) -> Town:
        """Town ``number`` of ``index_towns`` (made once, on first use)."""
        town = self._towns.get(number)
        if town is None:
            start, stop = int(self._koaza_start[number]), int(self._koaza_start[number + 1])
            koaza = {} if start == stop else dict(zip(
                self._koaza_keys.slice(start, stop - start).to_pylist(),
                zip(
                    self._koaza_names.slice(start, stop - start).to_pylist(),
                    self._koaza_lats[start:stop].tolist(),
                    self._koaza_lons[start:stop].tolist(),
                ),
            ))
            town = self._towns[number] = Town(
                self._codes[self._town_municipality[number]],
                self._town_names[number].as_py(),
                float(self._town_lats[number]),
                float(self._town_lons[number]),
                koaza,
                max(map(len, koaza), default=0),
            )
        return town

    def named_towns(self, key_row: int) -> list[Town]:
        """The towns a key names (flag :data:`HAS_NAME`), in the order the build gave them."""
        found = self._named.get(key_row)
        if found is None:
            found = self._named[key_row] = self.chome_towns(key_row, NAME_ROW)
        return found

    def chome_towns(self, key_row: int, number: int) -> list[Town]:
        """The towns of 丁目 ``number`` of a base key (flag :data:`HAS_CHOME`); empty if none."""
        if not NAME_ROW <= number < MAX_CHOME:
            return []
        found = self._town_lists.get((key_row, number))
        if found is None:
            start, stop = int(self._link_start[key_row]), int(self._link_start[key_row + 1])
            numbers, towns = self._link_number[start:stop], self._link_town[start:stop]
            found = self._town_lists[(key_row, number)] = [self.town(int(t)) for t in towns[numbers == number]]
        return found

    def whole_town(self, key_row: int) -> Town:
        """The whole 町 of a 丁目 base key (its 丁目 towns' mean point)."""
        return self.town(int(self._whole[key_row]))

    def city_towns(self, code: str) -> CityTowns:
        """All town keys of one municipality as dictionaries, assembled from the loaded tables.

        For inspection and tests (it should equal :func:`build_city_towns` of the
        municipality's rows); the matcher uses :meth:`town_probe`.
        """
        prefix, maxlen, table = self.town_probe(code)
        exact, chome, whole, weak, alias = {}, {}, {}, set(), set()
        for k, value in table.items():
            if k[0] != prefix:
                continue
            k, key_row, flags = k[1:], value >> FLAG_BITS, value & ((1 << FLAG_BITS) - 1)
            if flags & HAS_NAME:
                exact[k] = self.named_towns(key_row)
            if flags & HAS_CHOME:
                start, stop = int(self._link_start[key_row]), int(self._link_start[key_row + 1])
                numbers = sorted({int(n) for n in self._link_number[start:stop] if n != NAME_ROW})
                chome[k] = {n: self.chome_towns(key_row, n) for n in numbers}
                whole[k] = self.whole_town(key_row)
            if flags & WEAK:
                weak.add(k)
            if flags & ALIAS:
                alias.add(k)
        return CityTowns(exact, chome, whole, maxlen, frozenset(weak), frozenset(alias))


@lru_cache(maxsize=1)
def town_index() -> TownIndex:
    """The process-wide index (loaded from package data on first use)."""
    return TownIndex(load_tables())
