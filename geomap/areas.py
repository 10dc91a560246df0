"""The polygons rows are counted in: the embedded municipalities and prefectures, and the
approximate 大字・町丁目 areas made from the town index (Voronoi cells), in EPSG:4326.

Each has the columns ``key`` (municipality code, prefecture code or ``code:town``),
``name`` and ``geometry``; :func:`geomap.spatial.aggregate` counts points in them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .shapes import WGS84, clean_frame


def town_areas(codes) -> gpd.GeoDataFrame:
    """Approximate 大字・町丁目 areas for the given municipality codes.

    No town polygons are shipped, so a town's area is made of the Voronoi cells of its
    points in the embedded index (its representative point and those of its 小字),
    clipped to the municipality's land polygon and merged: the places nearer to one of
    the town's points than to any other town's. Borders are therefore approximate;
    maps must say so (「おおよその範囲」). A town with no point in the index gets no area
    (nor does a municipality without any).

    Returns
    -------
    geopandas.GeoDataFrame
        ``key`` (``code:town``), ``code``, ``town``, ``name``, ``geometry`` (EPSG:4326).
    """
    from .boundaries import municipalities
    from .gazetteer import towns

    codes = sorted({str(c) for c in codes if c is not None and not pd.isna(c)})
    munis = municipalities()
    munis = munis[munis["code"].isin(codes)]
    index = towns()
    index = index[index["code"].isin(codes) & index["lat"].notna()]
    # every point of a town: its own first, then its 小字; a place two towns share stays with the first
    index = index.assign(own=index["koaza"] == "").sort_values(["code", "own"], ascending=[True, False], kind="stable")
    pts = index[["code", "town", "lat", "lon"]].drop_duplicates(["code", "lat", "lon"])

    pieces = []
    for muni in munis.itertuples(index=False):
        poly = muni.geometry
        mine = pts[pts["code"] == muni.code]
        full_name = f"{muni.pref}{muni.city}"
        if not len(mine):
            continue
        if len(mine) == 1:
            cells_of = np.array([poly], dtype=object)  # one point: the whole municipality is its cell
            names = mine["town"].to_numpy()
        else:
            generators = shapely.points(mine["lon"].to_numpy(), mine["lat"].to_numpy())
            cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(generators), extend_to=poly))
            # match each cell to the point it contains (cell order is not guaranteed)
            tree = shapely.STRtree(cells)
            gen_idx, cell_idx = tree.query(generators, predicate="within")
            order = np.full(len(generators), -1)
            order[gen_idx] = cell_idx
            keep = order >= 0
            cells_of = shapely.intersection(cells[order[keep]], poly)
            names = mine["town"].to_numpy()[keep]
        frame = pd.DataFrame({"code": muni.code, "town": names, "name": [full_name + t for t in names],
                              "geometry": cells_of})
        pieces.append(frame[~shapely.is_empty(frame["geometry"].to_numpy())])
    if not pieces:
        return gpd.GeoDataFrame({"key": [], "code": [], "town": [], "name": []}, geometry=[], crs=WGS84)
    out = pd.concat(pieces, ignore_index=True)
    out.insert(0, "key", out["code"] + ":" + out["town"])
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)
    # clipping can leave GeometryCollections with slivers of lines; keep only polygons
    out = clean_frame(out, "polygon")
    return _merge_cells(out)[["key", "code", "town", "name", "geometry"]]


def _merge_cells(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per ``key``: the union of its cells (most towns have one, kept as it is).

    Only the unions are cleaned again (a union can leave slivers); the single cells are
    clean already, and cleaning is idempotent, so they are not cleaned a second time.
    """
    several = cells["key"].duplicated(keep=False).to_numpy()
    single = cells.loc[~several]
    if not several.any():
        return single.reset_index(drop=True)
    many = cells.loc[several]
    groups = many.groupby("key", sort=False)
    merged = gpd.GeoDataFrame(
        groups[["code", "town", "name"]].first().reset_index(),
        geometry=[shapely.union_all(g.geometry.to_numpy(), grid_size=None) for _, g in groups],
        crs=cells.crs,
    )
    return pd.concat([single, clean_frame(merged, "polygon")], ignore_index=True)


def town_area_count(codes) -> int:
    """How many approximate town areas :func:`town_areas` makes for the municipalities of ``codes``.

    Cheap (read from the town index, nothing is computed), so a caller can decide before
    the areas are made; ``codes`` may repeat and hold blanks.
    """
    from .gazetteer import towns

    wanted = {str(c) for c in pd.Series(codes).dropna().astype(str) if c}
    if not wanted:
        return 0
    index = towns()
    index = index[index["code"].isin(wanted) & index["lat"].notna()]
    return int(index[["code", "town"]].drop_duplicates().shape[0])


def municipal_areas() -> gpd.GeoDataFrame:
    """Every embedded municipality: ``key`` its code, ``name`` 都道府県+市区町村."""
    from .boundaries import municipalities

    munis = municipalities()
    return gpd.GeoDataFrame(
        {"key": munis["code"], "name": munis["pref"] + munis["city"]}, geometry=munis.geometry, crs=WGS84
    )


def prefecture_areas() -> gpd.GeoDataFrame:
    """Every embedded prefecture: ``key`` its 2-digit code, ``name`` its name."""
    from .boundaries import prefectures

    prefs = prefectures()
    return gpd.GeoDataFrame({"key": prefs["code"], "name": prefs["pref"]}, geometry=prefs.geometry, crs=WGS84)
