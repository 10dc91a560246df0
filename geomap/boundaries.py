"""Embedded municipal and prefectural polygons (EPSG:4326) as GeoDataFrames."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd

from .provenance import data_path


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


# --------------------------------------------------------------------------- user files

BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")


def read_boundaries(path, *, layer=None, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read the user's area polygons (GeoJSON, GeoPackage or Shapefile) in EPSG:4326.

    Meant for e.g. e-Stat 小地域 (町丁・字等) boundary shapefiles, whose attribute table
    is in Shift_JIS and usually comes without a ``.cpg`` file: when ``encoding`` is not
    given, the ``.dbf`` is sniffed (UTF-8, else CP932), in the zip as downloaded too, so
    names such as ``S_NAME`` read correctly.

    Parameters
    ----------
    path : str or os.PathLike
        ``.geojson``/``.json``, ``.gpkg``, ``.shp`` (with its ``.dbf``/``.shx``), or a
        ``.zip`` holding a shapefile.
    layer : str or int, optional
        Layer of a multi-layer GeoPackage.
    encoding : str, optional
        Encoding of the attributes (``"cp932"``, ``"utf-8"``); sniffed when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        The attributes and polygons, reprojected to EPSG:4326 (a file without a CRS is
        taken to be in longitude/latitude).

    Raises
    ------
    InputError
        ``boundary_not_found`` (param ``path``), ``boundary_unreadable`` (``path``,
        ``reason``), ``boundary_not_polygons`` (``path``, ``types``).
    """
    from pathlib import Path

    import pyogrio

    from .errors import InputError

    p = Path(path)
    if not p.exists():
        raise InputError(f"boundary file {str(p)!r} does not exist", key="boundary_not_found", path=str(p))
    if encoding is None and p.suffix.lower() == ".shp" and not p.with_suffix(".cpg").exists():
        encoding = _sniff_dbf_encoding(p.with_suffix(".dbf"))
    elif encoding is None and p.suffix.lower() == ".zip":
        encoding = _sniff_zipped_dbf(p)  # e-Stat ships its shapefiles zipped, in Shift_JIS
    kwargs = {"encoding": encoding} if encoding else {}
    try:
        frame = pyogrio.read_dataframe(p, layer=layer, **kwargs)
    except Exception as exc:  # pyogrio raises several DataSource/Field errors; all mean the same here
        raise InputError(
            f"cannot read boundary file {str(p)!r}: {exc}",
            key="boundary_unreadable",
            path=str(p),
            reason=str(exc),
        ) from exc
    types = set(frame.geometry.dropna().geom_type)
    if not types or not types <= {"Polygon", "MultiPolygon"}:
        raise InputError(
            f"boundary file {str(p)!r} must hold polygons; it has {sorted(types)!r}",
            key="boundary_not_polygons",
            path=str(p),
            types=", ".join(sorted(types)) or "-",
        )
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    return frame.to_crs("EPSG:4326")


def _sniff_zipped_dbf(path) -> str | None:
    """The encoding of the first shapefile's ``.dbf`` in a zip (None with a ``.cpg`` or when unsure)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            shp = next((n for n in names if n.lower().endswith(".shp")), None)
            if shp is None:
                return None
            stem = shp[:-4]
            if any(n.lower() == (stem + ".cpg").lower() for n in names):
                return None
            dbf = next((n for n in names if n.lower() == (stem + ".dbf").lower()), None)
            return _sniff_dbf_encoding(z.read(dbf)) if dbf else None
    except (OSError, zipfile.BadZipFile, KeyError):
        return None


def _sniff_dbf_encoding(dbf) -> str | None:
    """``"utf-8"`` or ``"cp932"`` from the bytes of a ``.dbf``'s records (a path or the bytes); None if unsure."""
    try:
        raw = dbf if isinstance(dbf, bytes) else dbf.read_bytes()
    except OSError:
        return None
    if len(raw) < 32:
        return None
    header_length = int.from_bytes(raw[8:10], "little")
    records = raw[header_length:]
    if all(b < 0x80 for b in records):
        return None  # plain ASCII: any encoding reads it
    for candidate in ("utf-8", "cp932"):
        try:
            records.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return None
