"""geomap: Japanese address lists to maps, offline.

The public API, for notebooks and scripts (the ``geomap`` command calls the same functions):

- :func:`read_table` — read a CSV / TSV / text / Excel list (encoding detected)
- :func:`write_table` — write a table atomically (CSV with BOM for Excel, .xlsx, .geojson, .gpkg)
- :func:`read_boundaries` — read your own areas (GeoJSON, GeoPackage, Shapefile incl. e-Stat 小地域)
- :func:`geocode` — addresses to points with the embedded index (no network)
- :func:`geocode_frame` — add the geocoding columns to a DataFrame, given the address column
- :func:`geocode_table` — the same, finding the address (or lat/lon) columns by their headers
- :func:`to_points`, :func:`aggregate` — GeoDataFrames of points and of areas with a measure
- :func:`make_map` — a self-contained :class:`folium.Map` (shown inline in Jupyter)
- :func:`save_html`, :func:`save_image` — write the map as HTML, or as PNG/PDF for memos
- :func:`render` — read a file and write its map, as ``geomap render`` does
- :func:`geocode_file` — read a file and write it with the geocoding columns, as ``geomap geocode`` does
- :func:`attribution`, :func:`sources`, :func:`info` — where the embedded data comes from

Examples
--------
>>> import geomap
>>> r = geomap.geocode(["東京都江東区東陽４－１１－２８"])
>>> r["level"].tolist(), r.loc[0, ["city", "town"]].tolist()
([3], ['江東区', '東陽四丁目'])
"""

import logging

from ._version import __version__  # noqa: F401

from .errors import GeomapError  # noqa: E402
from .geocoding import geocode, geocode_frame, geocode_table  # noqa: E402
from .provenance import attribution, info, sources  # noqa: E402

logging.getLogger(__name__).addHandler(logging.NullHandler())

# Maps and file handling pull in folium, matplotlib and geopandas: imported on first use,
# so ``import geomap`` stays quick for geocoding alone.
_LAZY = {
    "read_table": "io",
    "make_map": "maps",
    "save_html": "maps",
    "save_image": "maps",
    "render": "pipeline",
    "aggregate": "spatial",
    "read_boundaries": "boundaries",
    "geocode_file": "pipeline",
    "write_table": "output",
    "to_points": "spatial",
}


def __getattr__(name):
    import importlib

    if name == "dask":  # geomap.dask.geocode: the module imports dask itself only when it is called
        return importlib.import_module(".dask", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geomap' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "GeomapError",
    "__version__",
    "aggregate",
    "attribution",
    "geocode",
    "geocode_frame",
    "geocode_table",
    "info",
    "geocode_file",
    "make_map",
    "read_boundaries",
    "read_table",
    "render",
    "save_html",
    "save_image",
    "sources",
    "to_points",
    "write_table",
]
