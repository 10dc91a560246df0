"""Shapes a renderer can draw: geometries cleaned to polygons or lines (shapely, geopandas).

Clipping, simplifying and dissolving leave GeometryCollections, points, empties, slivers
and invalid rings; :func:`clean_geometries` (and :func:`clean_frame`, for a GeoDataFrame)
turns every shape into one Polygon/MultiPolygon or LineString/MultiLineString, or None.
Every shape of the package is in :data:`WGS84`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from .maps.options import check_choice

WGS84 = "EPSG:4326"

#: What :func:`clean_geometries` keeps: the single-part types of each kind.
_KEEP = {"polygon": ("Polygon",), "line": ("LineString", "LinearRing")}
#: Polygon parts smaller than this (square degrees, about 1 m²) are clipping slivers.
SLIVER_AREA = 1e-10


def clean_geometries(geoms, kind: str) -> np.ndarray:
    """Every geometry as one drawable shape of ``kind``, or None when nothing of it is left.

    Clipping, simplifying and dissolving can give GeometryCollections (a line and a point
    where a border touches the clipping box), empty geometries, points, slivers and invalid
    rings; a renderer expects polygons (``kind="polygon"``) or lines (``kind="line"``).
    Each geometry is made valid, split into its single parts (collections inside
    collections too), and only the parts of ``kind`` are kept (polygons of some area,
    lines of some length), joined again as one Polygon/MultiPolygon or
    LineString/MultiLineString.

    >>> import shapely
    >>> mixed = shapely.GeometryCollection([shapely.LineString([(0, 0), (1, 0)]), shapely.Point(2, 2)])
    >>> [g.wkt if g is not None else None for g in clean_geometries([mixed, shapely.Point(0, 0)], "line")]
    ['LINESTRING (0 0, 1 0)', None]
    """
    check_choice("kind", kind, tuple(_KEEP))
    geoms = np.asarray(geoms, dtype=object).ravel()
    out = np.full(len(geoms), None, dtype=object)
    present = np.array([g is not None for g in geoms], dtype=bool)
    if not present.any():
        return out
    valid = shapely.make_valid(geoms[present].astype(object))
    keep = _KEEP[kind]
    for i, geom in zip(np.flatnonzero(present), valid):
        parts = _single_parts(geom)
        if kind == "polygon":
            parts = [p for p in parts if p.geom_type in keep and p.area > SLIVER_AREA]
            if parts:
                out[i] = parts[0] if len(parts) == 1 else shapely.make_valid(shapely.multipolygons(parts))
                if out[i].geom_type not in ("Polygon", "MultiPolygon"):  # rare: parts touching along a line
                    out[i] = shapely.union_all(parts)
        else:
            parts = [shapely.LineString(p.coords) if p.geom_type == "LinearRing" else p
                     for p in parts if p.geom_type in keep and p.length > 0]
            if parts:
                out[i] = parts[0] if len(parts) == 1 else shapely.multilinestrings(parts)
    return out


def _single_parts(geom) -> list:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type.startswith("Multi") or geom.geom_type == "GeometryCollection":
        return [p for part in shapely.get_parts(geom) for p in _single_parts(part)]
    return [geom]


def clean_frame(frame: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """``frame`` with :func:`clean_geometries` applied, rows left with nothing dropped."""
    geoms = clean_geometries(frame.geometry.to_numpy(), kind)
    keep = np.array([g is not None for g in geoms], dtype=bool)
    out = frame.loc[keep].copy()
    out[frame.geometry.name] = gpd.GeoSeries(geoms[keep], index=out.index, crs=frame.crs)
    return out
