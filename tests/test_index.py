"""The town index as loaded (geomap.geocoders.index): how the run side reads what the build wrote."""

import pandas as pd
import pytest

from geomap import gazetteer
from geomap.geocoders import index_build
from geomap.geocoders.index import _TOWN_BLOCK, PREFIX_BASE, SEPARATOR, TownIndex, load_tables, town_index

# 冠称 (千代田区), Kyoto, 条 (札幌市中央区), 小字 (八重瀬町), 郷 (壱岐市), 丁目 (江東区)
_CODES = ["13101", "26104", "01101", "47348", "42210", "13108"]


def _degrees(e6, value):
    """A point's coordinate as the build wrote it (whole microdegrees, or the float beside them)."""
    return value if e6 is None else e6 / 1e6


def _plain(x):
    """Floats made comparable (NaN equals NaN here), tuples and dictionaries through."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, tuple):
        return tuple(_plain(v) for v in x)
    return None if x != x else x


def test_town_key_text_is_every_key_of_the_municipality_without_its_character():
    index = town_index()
    for code in _CODES:
        city = index.city_towns(code)
        text = index.town_key_text(code)
        assert chr(PREFIX_BASE + index._ordinal[code]) not in text
        assert text.split(SEPARATOR) == sorted(set(city.exact) | set(city.chome)), code


def test_every_town_reads_as_the_tables_hold_it():
    """Towns cut from the names of their block, with their 小字, against the tables read value by value."""
    tables = load_tables()
    index = TownIndex(tables)
    towns, koaza = tables["index_towns"].to_pydict(), tables["index_koaza"].to_pydict()
    koaza_of: dict[int, dict] = {}
    for i, number in enumerate(koaza["town"]):
        lat, lon = _degrees(koaza["lat_e6"][i], koaza["lat"][i]), _degrees(koaza["lon_e6"][i], koaza["lon"][i])
        koaza_of.setdefault(number, {})[koaza["key"][i]] = (koaza["koaza"][i], lat, lon)
    n = len(towns["name"])
    # the first and last towns of every block, and a spread of the others
    block = _TOWN_BLOCK
    numbers = sorted({*range(0, n, 997), *range(block - 1, n, block), *range(block, n, block), n - 1})
    numbers += sorted(koaza_of)[::50]
    for number in numbers:
        town = index.town(number)
        lat = _degrees(towns["lat_e6"][number], towns["lat"][number])
        lon = _degrees(towns["lon_e6"][number], towns["lon"][number])
        assert (town.code, town.name) == (index._codes[towns["municipality"][number]], towns["name"][number])
        assert _plain((town.lat, town.lon)) == _plain((lat, lon)), number
        assert type(town.lat) is float and type(town.lon) is float
        expected = koaza_of.get(number, {})
        assert _plain(town.koaza) == _plain(expected), number
        assert town.koaza_maxlen == max(map(len, expected), default=0)


def test_the_build_keeps_the_municipalities_of_a_prefecture_together():
    """The loader reads a prefecture's town keys as one slice: the build refuses another order."""
    mun = gazetteer.municipalities()
    first = mun["pref"].iloc[0]
    split = pd.concat([mun.iloc[[0]], mun[mun["pref"] != first].iloc[[0]], mun[mun["pref"] == first].iloc[[1]]])
    with pytest.raises(ValueError, match="not together"):
        index_build.build_tables(gazetteer.towns().head(0), split, gazetteer.prefectures())
