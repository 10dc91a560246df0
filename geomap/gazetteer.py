"""The embedded town index (大字・町丁目・小字 of all Japan) and municipality/prefecture tables.

Loading is lazy and cached per process. The offline geocoder does not read these frames: its
lookup structures are built from them by ``tools/build_data.py`` and shipped as
``index_*.parquet`` (see :mod:`geomap.geocoders.index`).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .provenance import data_path

TOWN_COLUMNS = ["pref", "city", "code", "town", "koaza", "lat", "lon", "has_point"]


@lru_cache(maxsize=1)
def towns() -> pd.DataFrame:
    """Every town of the index: ``pref, city, code, town, koaza, lat, lon, has_point``.

    ``has_point`` is False (and lat/lon NaN) for the few towns the source has no point for.
    """
    with data_path("towns.parquet").open("rb") as f:
        return pd.read_parquet(f)


@lru_cache(maxsize=1)
def municipalities() -> pd.DataFrame:
    """One row per municipality code: ``code, city, pref, county, name, lat, lon, has_towns``.

    ``city`` is the name the town index and addresses use (``札幌市中央区``, ``虻田郡倶知安町``);
    ``lat``/``lon`` is a point inside the municipality. Geometry is left out: see
    :func:`geomap.boundaries.municipalities` for the polygons.
    """
    with data_path("municipalities.parquet").open("rb") as f:
        frame = pd.read_parquet(f, columns=["code", "city", "pref", "subpref", "county", "name", "lat", "lon", "has_towns"])
    return frame


@lru_cache(maxsize=1)
def prefectures() -> pd.DataFrame:
    """The 47 prefectures: ``code`` (2 digits), ``pref``, and a point inside each."""
    with data_path("prefectures.parquet").open("rb") as f:
        return pd.read_parquet(f, columns=["code", "pref", "lat", "lon"])
