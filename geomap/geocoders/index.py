"""Lookup structures of the offline geocoder: the tables the build writes, read at run time.

The tables (:data:`TABLES`, shipped as ``geomap/data/index_*.parquet``) are made at
data-build time by :mod:`geomap.geocoders.index_build`, where every key is defined.

:class:`TownIndex` reads them once per process (:func:`town_index`). No key is computed
and no municipality is built at run time: a prefecture's town keys, as written by the
build (each after its municipality's character), become one dictionary the first time an
address reaches it, a lookup is one probe of that dictionary, and a :class:`Town` object
is made the first time a match reaches it (its name cut from the names of its block of
towns, read as one string). A town key looked up in all of Japan (a town written without
its municipality) is found by bisect over the keys sorted at build time, reading only the
blocks of sorted keys the question falls in.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..provenance import read_data_table

# The tables written to geomap/data (as <name>.parquet) and what one row of each is.
TABLES = {
    "index_prefectures": "a prefecture: name, point, key, key without 都・府・県 ('' for 北海道)",
    "index_municipalities": "a municipality (row = its number; a prefecture's rows together): code, names, point, longest town key",
    "index_municipality_keys": "a key a municipality is written by, in the order the matcher lists candidates",
    "index_towns": "a town a key leads to (row = town number): municipality, name, point; whole 町 entries included",
    "index_town_keys": "a town key (row = key number) after its municipality's character: flags, the whole 町 of a 丁目 base",
    "index_town_key_order": "a town key row, in the order of the keys sorted without that character (a key's rows in municipality order)",
    "index_town_key_towns": "the towns of a key, in order: number -1 for the name itself, else the 丁目 number",
    "index_koaza": "a 小字 key of a town: the 小字 as written and its point",
}


class _NoKoaza(dict):
    """The one empty 小字 mapping the towns without 小字 share (read-only, and picklable)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("the shared empty 小字 mapping is read-only")

    __setitem__ = __delitem__ = setdefault = update = pop = popitem = clear = _refuse


_NO_KOAZA = _NoKoaza()
NAME_ROW = -1  # index_town_key_towns.number of a town reached by its name (not by a 丁目 number)
MAX_CHOME = 2**15  # 丁目 numbers are below this (int16)
SEPARATOR = "\n"  # joins keys and names while loading; the build checks that none contains it
PREFIX_BASE = 0xE000  # municipality n is written chr(PREFIX_BASE + n) before its town keys
_SORTED_BLOCK = 1024  # sorted town keys are read as Python strings this many at a time
_TOWN_BLOCK = 16384  # towns (their names, points and 小字) are read this many at a time


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
    """Town keys of one municipality (:func:`geomap.geocoders.index_build.build_city_towns`)."""

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


# A town key's value in the dictionaries of TownIndex.town_probe: (key row << FLAG_BITS) | flags
# (the flags as the build writes them in index_town_keys.flags).
HAS_NAME = 1  # the key is a name (or an alias) of towns
HAS_CHOME = 2  # the key is the base of 丁目 towns (and has a whole 町)
WEAK = 4  # trusted only before a number or the end
ALIAS = 8  # another way of writing a name, not a name
FLAG_BITS = 4


def _array(column) -> pa.Array:
    """A column as one Arrow array: its only chunk as it is (``combine_chunks`` would copy it)."""
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _text(column) -> str:
    """A string column as one str, its values joined by :data:`SEPARATOR`."""
    values = _array(column)
    if len(values) == 0:
        return ""
    whole = pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), values)
    return pc.binary_join(whole, SEPARATOR)[0].as_py()


def _strings(column) -> list[str]:
    """A string column as a list of str (joined and split in one piece: far faster than per value)."""
    return _text(column).split(SEPARATOR) if len(column) else []


class _Texts:
    """A string column as one str and where each value starts in it: no str object made per value."""

    __slots__ = ("text", "starts")

    def __init__(self, column):
        values = _array(column)
        self.text = _text(values)
        self.starts = np.concatenate(([0], np.cumsum(pc.utf8_length(values).to_numpy() + 1)))

    def one(self, i: int) -> str:
        return self.text[self.starts.item(i):self.starts.item(i + 1) - 1]

    def rows(self, start: int, stop: int) -> list[str]:
        """Values ``start`` to ``stop`` (``stop > start``)."""
        return self.text[self.starts.item(start):self.starts.item(stop) - 1].split(SEPARATOR)


class _TownBlock(NamedTuple):
    """A block of :data:`_TOWN_BLOCK` towns and their 小字, as read once (names and points)."""

    names: _Texts
    lats: np.ndarray
    lons: np.ndarray
    koaza_first: int  # the row of the block's first 小字 in index_koaza
    koaza_keys: _Texts
    koaza_names: _Texts
    koaza_lats: np.ndarray
    koaza_lons: np.ndarray


def _numbers(column) -> np.ndarray:
    return column.to_numpy()


def _starts(numbers: np.ndarray, n: int) -> np.ndarray:
    """Where the rows of each of ``0 … n - 1`` start in ``numbers`` (sorted), and the end: n + 1 values."""
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(numbers, minlength=n), out=starts[1:])
    return starts


def _coordinates(table: pa.Table, name: str) -> np.ndarray:
    """Degrees as float64, from the two columns the build writes: ``<name>_e6`` (whole microdegrees) or ``<name>``."""
    degrees = table[name + "_e6"].to_numpy() / 1e6  # NaN where null
    rest = np.isnan(degrees)
    degrees[rest] = table[name].to_numpy()[rest]
    return degrees


def load_tables() -> dict[str, pa.Table]:
    """The tables of :data:`TABLES` as shipped in ``geomap/data``."""
    return {name: read_data_table(name + ".parquet") for name in TABLES}


class TownIndex:
    """All lookup structures of the offline geocoder, read from the tables of :data:`TABLES`.

    The tables are written by :func:`geomap.geocoders.index_build.build_tables`. Prefecture and municipality keys are read at once. Town keys become dictionaries one
    prefecture at a time, the first time an address reaches it (a list of one city reads one
    prefecture's keys); towns and their 小字 are read a block of towns at a time, 丁目 numbers
    when a match reaches them. Nothing is computed: every key was made by the build.
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
        # First character of a municipality key → the lengths keys starting with it have, longest first.
        lengths: dict[str, set[int]] = {}
        for k in city_key_list:
            if k:
                lengths.setdefault(k[0], set()).add(len(k))
        self.city_key_lengths: dict[str, tuple[int, ...]] = {c: tuple(sorted(n, reverse=True)) for c, n in lengths.items()}

        # Town keys: rows _key_start[n] to _key_start[n + 1] are those of municipality n, each
        # key after chr(PREFIX_BASE + n); a prefecture's municipalities are together.
        self._ordinal = {code: i for i, code in enumerate(codes)}
        self._maxlen: list[int] = _numbers(m["maxlen"]).tolist()
        self._codes_of_pref: dict[str, list[str]] = {}
        for code, pref in zip(codes, mun_prefs):
            self._codes_of_pref.setdefault(pref, []).append(code)
        tk = tables["index_town_keys"]
        self._keys = _array(tk["key"])
        n_keys = len(self._keys)
        self._key_municipality = _numbers(tk["municipality"])
        self._key_start: list[int] = np.searchsorted(self._key_municipality, np.arange(len(codes) + 1)).tolist()
        self._key_order = _numbers(tables["index_town_key_order"]["key"])
        self._sorted_heads: list[str] | None = None  # the first key of each block of the sorted keys
        self._sorted_blocks: dict[int, list[str]] = {}
        links = tables["index_town_key_towns"]
        link_key = _numbers(links["key"])
        self._link_number = _numbers(links["number"])
        self._link_town = _numbers(links["town"])
        self._link_start = _starts(link_key, n_keys)
        self._key_values = np.arange(n_keys, dtype=np.int64)
        self._key_values <<= FLAG_BITS
        self._key_values |= _numbers(tk["flags"])
        self._whole = _numbers(tk["whole"])
        self._probes: dict[str, tuple[str, int, dict[str, int]]] = {}

        t = self._town_table = tables["index_towns"]
        self._town_municipality = _numbers(t["municipality"])
        self._town_names = _array(t["name"])
        self._towns: dict[int, Town] = {}
        self._town_blocks: dict[int, _TownBlock] = {}
        # (key row << 16) + 丁目 number (or NAME_ROW) + 1 → the towns: one int a key, not a tuple,
        # since a national list of a million rows asks for some 250,000 of them.
        self._town_lists: dict[int, list[Town]] = {}
        k = self._koaza_table = tables["index_koaza"]
        self._koaza_start = _starts(_numbers(k["town"]), len(self._town_names))
        self._koaza_keys = _array(k["key"])

    # -- all of Japan at once: rare questions (a town without its municipality, an unreadable character)
    @property
    def max_town_key_length(self) -> int:
        return max(self._maxlen)

    def municipalities_with_key(self, k: str) -> list[str]:
        """The municipalities that have the town key ``k`` (real, alias or 丁目 base), in table order.

        A bisect of the keys sorted by the build (``index_town_key_order``); only the blocks
        of sorted keys a question falls in are read.
        """
        start, stop = self._sorted_position(k, bisect_left), self._sorted_position(k, bisect_right)
        if start == stop:
            return []
        return [self._codes[n] for n in self._key_municipality[self._key_order[start:stop]].tolist()]

    def _sorted_position(self, k: str, side) -> int:
        """Where ``k`` goes among all town keys sorted (``side``: bisect_left or bisect_right)."""
        if self._sorted_heads is None:
            self._sorted_heads = self._sorted_keys(self._key_order[::_SORTED_BLOCK])
        block = side(self._sorted_heads, k) - 1
        if block < 0:
            return 0
        keys = self._sorted_blocks.get(block)
        if keys is None:
            rows = self._key_order[block * _SORTED_BLOCK:(block + 1) * _SORTED_BLOCK]
            keys = self._sorted_blocks[block] = self._sorted_keys(rows)
        return block * _SORTED_BLOCK + side(keys, k)

    def _sorted_keys(self, rows: np.ndarray) -> list[str]:
        """The town keys of ``rows``, without their municipality's character."""
        return _strings(pc.utf8_slice_codeunits(self._keys.take(rows), 1))

    def city_key_text(self) -> str:
        """Every municipality key, one a line (to find the characters names have between neighbours)."""
        return SEPARATOR.join(self.city_keys_all)

    def town_key_text(self, code: str) -> str:
        """Every town key of municipality ``code``, one a line."""
        n = self._ordinal[code]
        start, stop = self._key_start[n], self._key_start[n + 1]
        text = _text(self._keys.slice(start, stop - start))  # each line after the municipality's character
        return text[1:].replace(SEPARATOR + chr(PREFIX_BASE + n), SEPARATOR)

    def koaza_key_text(self, code: str) -> str:
        """Every 小字 key of the towns of municipality ``code``, one a line."""
        towns = np.flatnonzero(self._town_municipality == self._ordinal[code])
        parts = []
        for number in towns.tolist():
            start, stop = int(self._koaza_start[number]), int(self._koaza_start[number + 1])
            if stop > start:
                parts.append(SEPARATOR.join(_strings(self._koaza_keys.slice(start, stop - start))))
        return SEPARATOR.join(parts)

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
        """The town keys of one prefecture as one dictionary (each key after its municipality's character, as built)."""
        codes = self._codes_of_pref[pref]
        start, stop = self._key_start[self._ordinal[codes[0]]], self._key_start[self._ordinal[codes[-1]] + 1]
        table = dict(zip(_strings(self._keys.slice(start, stop - start)), self._key_values[start:stop].tolist()))
        for code in codes:
            n = self._ordinal[code]
            self._probes[code] = (chr(PREFIX_BASE + n), self._maxlen[n], table)

    def town(self, number: int) -> Town:
        """Town ``number`` of ``index_towns`` (made once, on first use)."""
        town = self._towns.get(number)
        if town is None:
            block, i = divmod(number, _TOWN_BLOCK)
            names, lats, lons, k0, koaza_keys, koaza_names, koaza_lats, koaza_lons = (
                self._town_blocks.get(block) or self._read_towns(block)
            )
            code = self._codes[self._town_municipality.item(number)]
            name, lat, lon = names.one(i), lats.item(i), lons.item(i)
            start, stop = self._koaza_start.item(number) - k0, self._koaza_start.item(number + 1) - k0
            if start == stop:  # most towns have no 小字: they share one empty, read-only mapping
                town = Town(code, name, lat, lon, _NO_KOAZA)
            else:
                keys = koaza_keys.rows(start, stop)
                lats_lons = koaza_lats[start:stop].tolist(), koaza_lons[start:stop].tolist()
                places = zip(koaza_names.rows(start, stop), *lats_lons)
                town = Town(code, name, lat, lon, dict(zip(keys, places)), max(map(len, keys)))
            self._towns[number] = town
        return town

    def _read_towns(self, block: int) -> _TownBlock:
        """Towns ``block * _TOWN_BLOCK`` on and their 小字: names and points (read once)."""
        first = block * _TOWN_BLOCK
        last = min(first + _TOWN_BLOCK, len(self._town_names))
        k0, k1 = self._koaza_start.item(first), self._koaza_start.item(last)
        towns, koaza = self._town_table.slice(first, last - first), self._koaza_table.slice(k0, k1 - k0)
        read = self._town_blocks[block] = _TownBlock(
            _Texts(towns["name"]), _coordinates(towns, "lat"), _coordinates(towns, "lon"),
            k0, _Texts(koaza["key"]), _Texts(koaza["koaza"]), _coordinates(koaza, "lat"), _coordinates(koaza, "lon"),
        )
        return read

    def named_towns(self, key_row: int) -> list[Town]:
        """The towns a key names (flag :data:`HAS_NAME`), in the order the build gave them."""
        found = self._town_lists.get(key_row << 16)  # NAME_ROW + 1 == 0
        if found is None:
            found = self.chome_towns(key_row, NAME_ROW)
        return found

    def chome_towns(self, key_row: int, number: int) -> list[Town]:
        """The towns of 丁目 ``number`` of a base key (flag :data:`HAS_CHOME`); empty if none."""
        if not NAME_ROW <= number < MAX_CHOME:
            return []
        slot = (key_row << 16) + number + 1
        found = self._town_lists.get(slot)
        if found is None:
            start, stop = self._link_start.item(key_row), self._link_start.item(key_row + 1)
            if stop - start == 1:  # most keys lead to one town: no slices of the link columns
                found = [self.town(self._link_town.item(start))] if self._link_number.item(start) == number else []
            else:
                links = zip(self._link_number[start:stop].tolist(), self._link_town[start:stop].tolist())
                found = [self.town(t) for n, t in links if n == number]
            self._town_lists[slot] = found
        return found

    def whole_town(self, key_row: int) -> Town:
        """The whole 町 of a 丁目 base key (its 丁目 towns' mean point)."""
        return self.town(int(self._whole[key_row]))

    def city_towns(self, code: str) -> CityTowns:
        """All town keys of one municipality as dictionaries, assembled from the loaded tables.

        For inspection and tests (it should equal
        :func:`~geomap.geocoders.index_build.build_city_towns` of the municipality's rows);
        the matcher uses :meth:`town_probe`.
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
