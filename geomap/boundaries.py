"""Embedded municipal and prefectural polygons (EPSG:4326) as GeoDataFrames."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd

from .sources import data_path


@lru_cache(maxsize=1)
def _municipalities() -> gpd.GeoDataFrame:
    with data_path("municipalities.parquet").open("rb") as f:
        return gpd.read_parquet(f)


@lru_cache(maxsize=1)
def _prefectures() -> gpd.GeoDataFrame:
    with data_path("prefectures.parquet").open("rb") as f:
        return gpd.read_parquet(f)


def municipalities() -> gpd.GeoDataFrame:
    """Municipal boundaries: ``code, city, pref, subpref, county, name, lat, lon, has_towns, geometry``.

    One row per 5-digit code (wards of designated cities and Tokyo's special wards are
    municipalities here). Boundaries as of 2021-01-01, simplified. A copy: callers may modify it.
    """
    return _municipalities().copy()


def prefectures() -> gpd.GeoDataFrame:
    """Prefecture polygons: ``code`` (2 digits), ``pref``, ``lat``, ``lon``, ``geometry``."""
    return _prefectures().copy()
