"""Points, joins and aggregation to areas (geopandas).

Everything here is a pure function of its inputs and the embedded data: no files are
written and nothing leaves the machine.

The areas returned by :func:`aggregate` always carry the same columns, whatever the level:

``key``
    Identifier of the area (municipality code, ``code + town`` or the user's key column).
``name``
    Name to show (``江東区``, ``東京都江東区有明一丁目`` or the user's name column).
``count``
    Number of points in the area.
``value``
    The measure: the count, or the sum / mean of the value column (NaN if no rows).
``geometry``
    Polygon in EPSG:4326.
"""

from __future__ import annotations

import logging
import os

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .areas import municipal_areas, prefecture_areas, town_areas
from .errors import InputError, UsageError
from .maps.options import AGG, AREA_LEVELS, check_choice
from .shapes import WGS84

log = logging.getLogger(__name__)

# A point on a simplified coastline may fall just outside every polygon; within this
# distance (metres, Web Mercator, i.e. about 1.5 km in Japan) it goes to the nearest area.
NEAREST_MAX_DISTANCE = 2000.0
AREA_COLUMNS = ["key", "name", "count", "value", "geometry"]


def to_points(df: pd.DataFrame, lat: str = "lat", lon: str = "lon") -> gpd.GeoDataFrame:
    """Turn the rows of ``df`` that have coordinates into points (EPSG:4326).

    Parameters
    ----------
    df : pandas.DataFrame
        Any table with latitude and longitude columns, e.g. the geocoder's output.
    lat, lon : str
        Names of the latitude and longitude columns (decimal degrees, WGS 84 / JGD2011).

    Returns
    -------
    geopandas.GeoDataFrame
        The rows with valid coordinates, index and columns kept, plus ``geometry``.
        Rows with a missing, non-numeric or out-of-range coordinate are left out; use
        :func:`unplaced_rows` to get them.

    Raises
    ------
    InputError
        ``missing_columns`` if ``lat`` or ``lon`` is not a column of ``df``.

    Examples
    --------
    >>> import pandas as pd, geomap
    >>> table = pd.DataFrame({"name": ["A", "B"], "lat": [35.6727, None], "lon": [139.8171, None]})
    >>> points = geomap.to_points(table)  # B has no coordinates and is left out
    >>> points["name"].tolist(), points.crs.to_epsg()
    (['A'], 4326)
    >>> points.geometry.iloc[0].coords[0]  # x is the longitude
    (139.8171, 35.6727)
    """
    mask = placed_mask(df, lat=lat, lon=lon)
    placed = df.loc[mask]
    # Coordinate order changes here, and only here: tables say lat, lon; geometry is x=lon, y=lat.
    geometry = gpd.points_from_xy(
        pd.to_numeric(placed[lon], errors="coerce"),
        pd.to_numeric(placed[lat], errors="coerce"),
        crs=WGS84,
    )
    return gpd.GeoDataFrame(placed.copy(), geometry=geometry, crs=WGS84)


def placed_mask(df: pd.DataFrame, lat: str = "lat", lon: str = "lon") -> pd.Series:
    """Boolean Series: True for the rows of ``df`` that have usable coordinates."""
    missing = [c for c in (lat, lon) if c not in df.columns]
    if missing:
        raise InputError(
            f"columns {missing!r} not found; the table has {list(df.columns)!r}",
            key="missing_columns",
            columns=", ".join(missing),
            available=", ".join(map(str, df.columns)),
        )
    from .columns import has_point  # the one test of a usable point (issue 13)

    return has_point(df[lat], df[lon])


def unplaced_rows(df: pd.DataFrame, lat: str = "lat", lon: str = "lon") -> pd.DataFrame:
    """The rows of ``df`` that :func:`to_points` leaves out (no usable coordinates)."""
    return df.loc[~placed_mask(df, lat=lat, lon=lon)]


# --------------------------------------------------------------------------- joins


def assign_municipality(points: gpd.GeoDataFrame, code: str = "code") -> pd.Series:
    """The 5-digit municipality code of every point (``None`` where none applies).

    A row whose ``code`` column already holds a known 5-digit municipality code keeps it
    (the geocoder knows better than a simplified polygon); every other row is joined
    spatially to the embedded boundaries, and a point just off a simplified coast goes to
    the nearest municipality within about 1.5 km.
    """
    from .boundaries import municipalities

    munis = municipalities()[["code", "geometry"]]
    result = pd.Series([None] * len(points), index=points.index, dtype=object)
    if code in points.columns:
        known = points[code].astype("string").str.strip()
        ok = known.str.fullmatch(r"\d{5}").fillna(False) & known.isin(set(munis["code"]))
        result[ok.to_numpy()] = known[ok].to_numpy(dtype=object)
    todo = points.loc[result.isna().to_numpy()]
    if len(todo):
        result.loc[todo.index] = _join_codes(todo, munis, "code").to_numpy(dtype=object)
    return result


def _join_codes(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, key: str) -> pd.Series:
    """``areas[key]`` of the polygon containing each point (nearest within a margin)."""
    pts = gpd.GeoDataFrame(geometry=points.geometry.reset_index(drop=True), crs=points.crs)
    if pts.crs is None:
        pts = pts.set_crs(WGS84)
    pts = pts.to_crs(areas.crs)
    joined = gpd.sjoin(pts, areas[[key, "geometry"]], how="left", predicate="within")
    # a point on a shared border lies in two polygons: keep the first
    joined = joined[~joined.index.duplicated(keep="first")]
    out = joined[key].astype(object)
    lost = out.isna().to_numpy()
    if lost.any():
        merc = areas[[key, "geometry"]].to_crs("EPSG:3857")
        near = gpd.sjoin_nearest(
            pts.loc[lost].to_crs("EPSG:3857"), merc, how="left", max_distance=NEAREST_MAX_DISTANCE
        )
        near = near[~near.index.duplicated(keep="first")]
        out.loc[near.index] = near[key].astype(object)
    out = out.where(out.notna(), None)
    return pd.Series(out.to_numpy(dtype=object), index=points.index)


# --------------------------------------------------------------------------- aggregation


def aggregate(
    points: gpd.GeoDataFrame,
    by: str = "municipality",
    value: str | None = None,
    agg: str = "count",
    boundaries: gpd.GeoDataFrame | None = None,
    key: str | None = None,
    *,
    name: str | None = None,
    code: str = "code",
    level: str = "level",
    extent: str = "data",
) -> gpd.GeoDataFrame:
    """Count points per area, or sum / average a value column per area.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Points from :func:`to_points`.
    by : {"prefecture", "municipality", "town"}
        Area level. ``"prefecture"`` and ``"municipality"`` use the embedded boundaries;
        ``"town"`` uses approximate 大字・町丁目 areas (see :func:`geomap.areas.town_areas`) unless
        ``boundaries`` is given.
    value : str, optional
        Numeric column to sum or average; required for ``agg="sum"`` and ``"mean"``.
    agg : {"count", "sum", "mean"}
        The measure.
    boundaries : geopandas.GeoDataFrame or path-like, optional
        The user's own areas, or the path of a GeoJSON / GeoPackage / Shapefile to read
        with :func:`geomap.read_boundaries`; points
        are joined to them spatially. Any CRS; the result is EPSG:4326.
    key : str, optional
        Column of ``boundaries`` that identifies an area; required with ``boundaries``.
        Polygons sharing a key are merged.
    name : str, optional
        Column of ``boundaries`` with the area names to show (default: the key).
    code : str
        Column of ``points`` holding a geocoder's municipality code, used when present.
    level : str
        Column of ``points`` with the geocoder's match level, used when present: rows
        not located at all (level 0) are left out of prefecture counts, rows
        located only to their prefecture (level 1) out of municipality counts, and
        rows located only to their municipality (level ≤ 2) out of town and user-area
        counts, since their point is a representative point, not where they are.
    extent : {"data", "all"}
        ``"data"``: the areas that contain points plus the areas around them (those
        crossing :func:`context_box` of the data; for towns, every town of the
        municipalities with data);
        ``"all"``: every area of ``boundaries`` (or of Japan, for municipalities).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``key, name, count, value, geometry`` (see the module docstring), EPSG:4326.
        ``attrs["unassigned"]`` is the number of points that fell in no area;
        ``attrs["coarse"]`` the number left out because their level is too coarse.

    Raises
    ------
    UsageError
        ``bad_choice`` for an unknown ``by``/``agg``/``extent``; ``value_required`` if
        ``agg`` needs a value column; ``boundary_key_required`` if ``boundaries`` has no
        ``key``.
    InputError
        ``missing_columns`` if ``value``, ``key`` or ``name`` is not a column;
        ``value_not_numeric`` if the value column holds text that is not a number (or
        infinity); ``value_overflow`` if a sum or mean is too large for a float.

    Examples
    --------
    >>> import geomap
    >>> wards = geomap.geocode_table(geomap.read_table("sample_data/tokyo_wards_facilities.csv"))
    >>> areas = geomap.aggregate(geomap.to_points(wards), by="municipality")
    >>> top = areas[areas["count"] > 0].sort_values("count", ascending=False)
    >>> top[["name", "count"]].head(2).values.tolist()
    [['東京都江東区', 45], ['東京都江戸川区', 35]]

    Sum of a numeric column per approximate 大字・町丁目 area:

    >>> koto = geomap.geocode_table(geomap.read_table("sample_data/koto_facilities.csv"))
    >>> towns = geomap.aggregate(geomap.to_points(koto), by="town", value="定員", agg="sum")
    >>> int(towns["count"].sum()), towns.attrs["approximate"]
    (120, True)
    """
    check_choice("by", by, AREA_LEVELS)
    check_choice("agg", agg, AGG)
    check_choice("extent", extent, ("data", "all"))
    values = measure_values(points, value, agg)

    if isinstance(boundaries, (str, os.PathLike)):
        from .boundaries import read_boundaries

        boundaries = read_boundaries(boundaries)
    if boundaries is not None:
        areas, assigned = _user_areas(points, boundaries, key, name)
    elif by == "municipality":
        assigned = assign_municipality(points, code=code)
        areas = municipal_areas()
    elif by == "prefecture":
        areas = prefecture_areas()
        assigned = assign_municipality(points, code=code).map(lambda c: None if c is None else str(c)[:2])
        lost = assigned.isna().to_numpy()
        if lost.any():  # off every municipality (a far island): the prefecture polygon it is in
            assigned.loc[points.index[lost]] = _join_codes(points.loc[lost], areas, "key").to_numpy(dtype=object)
    else:
        munis = assign_municipality(points, code=code)
        areas = town_areas(munis.dropna().unique())
        assigned = _join_codes(points, areas, "key") if len(areas) else pd.Series(
            [None] * len(points), index=points.index, dtype=object
        )

    # a row the geocoder placed only at its prefecture's (or municipality's) representative
    # point says nothing about which municipality (or town) it is in: leave it out
    coarse = np.zeros(len(points), dtype=bool)
    if level in points.columns:
        need = 3 if boundaries is not None else {"prefecture": 1, "municipality": 2}.get(by, 3)
        coarse = (pd.to_numeric(points[level], errors="coerce") < need).to_numpy(dtype=bool)
    keys = assigned.to_numpy(dtype=object).copy()
    keys[coarse] = None
    frame = pd.DataFrame({"key": keys, "v": values})
    grouped = frame.dropna(subset=["key"]).groupby("key")
    counts = grouped.size()
    if agg == "count":
        measure = counts.astype(float)
    elif agg == "sum":
        measure = grouped["v"].sum(min_count=1)
    else:
        measure = grouped["v"].mean()
    if np.isinf(measure.to_numpy(dtype=float)).any():
        raise InputError(
            f"the {agg} of column {value!r} is too large to compute",
            key="value_overflow",
            column=value,
            agg=agg,
        )

    if extent == "data" and len(areas):
        areas = _near_data(areas, set(counts.index), points, by if boundaries is None else "user")
    areas = areas.copy()
    areas["count"] = areas["key"].map(counts).fillna(0).astype(int)
    areas["value"] = areas["key"].map(measure).astype(float)
    if agg == "count":
        areas["value"] = areas["value"].fillna(0.0)
    areas = gpd.GeoDataFrame(areas[AREA_COLUMNS], geometry="geometry", crs=WGS84).reset_index(drop=True)
    areas.attrs["unassigned"] = int(frame["key"].isna().sum()) - int(coarse.sum())
    areas.attrs["coarse"] = int(coarse.sum())
    areas.attrs["agg"] = agg
    areas.attrs["value"] = value
    areas.attrs["approximate"] = boundaries is None and by == "town"
    return areas


def measure_values(points: pd.DataFrame, value: str | None, agg: str) -> np.ndarray:
    """The numbers to aggregate: the value column as floats (NaN where blank)."""
    if agg == "count":
        if value is not None and value not in points.columns:
            raise missing_column(value, points)
        return np.ones(len(points))
    if value is None:
        raise UsageError(f"agg={agg!r} needs a value column", key="value_required", agg=agg)
    if value not in points.columns:
        raise missing_column(value, points)
    raw = points[value]
    if pd.api.types.is_numeric_dtype(raw):
        nums = raw.astype(float)
        text = raw.astype("string")
        bad = np.isinf(nums)  # inf cannot be summed, averaged or coloured
    else:
        # full-width digits, signs and separators (１２, －３, １，０００) are numbers too
        text = raw.astype("string").str.normalize("NFKC").str.replace("\u2212", "-", regex=False).str.strip()
        nums = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").astype(float)
        bad = (nums.isna() & text.notna() & (text != "")) | np.isinf(nums)
    if bad.any():
        examples = list(dict.fromkeys(text[bad].astype(str)))[:3]
        raise InputError(
            f"column {value!r} has values that are not numbers: {examples!r}",
            key="value_not_numeric",
            column=value,
            examples=", ".join(examples),
            count=int(bad.sum()),
        )
    return nums.astype(float).to_numpy()


def _user_areas(points, boundaries, key, name):
    if key is None:
        raise UsageError(
            "a boundary file needs a key column that names each area",
            key="boundary_key_required",
            available=", ".join(map(str, boundaries.columns.drop("geometry", errors="ignore"))),
        )
    for column in (key, name):
        if column is not None and column not in boundaries.columns:
            raise missing_column(column, boundaries)
    b = boundaries if boundaries.crs is not None else boundaries.set_crs(WGS84)
    b = b.to_crs(WGS84)
    b = b[b.geometry.notna() & ~b.geometry.is_empty]
    keys = b[key].astype(str)
    names = b[name].astype("string") if name is not None else keys
    names = names.where(names.notna() & (names.str.strip() != ""), keys).astype(str)  # e-Stat's water areas
    b = gpd.GeoDataFrame({"key": keys, "name": names}, geometry=b.geometry.make_valid(), crs=WGS84)
    b = b.dissolve(by="key", as_index=False, aggfunc="first")
    assigned = _join_codes(points, b, "key")
    return b, assigned


def context_box(bounds, pad: float = 1.0):
    """The box around ``bounds`` (minx, miny, maxx, maxy) that a map shows context in.

    ``pad`` times the data's size on every side, and at least half a degree: the same
    box for the outlines of a map and for the areas drawn around its data, so areas never
    stop where the outlines of the same municipality go on.
    """
    minx, miny, maxx, maxy = bounds
    w = max((maxx - minx) * pad, 0.5)
    h = max((maxy - miny) * pad, 0.5)
    return shapely.box(minx - w, miny - h, maxx + w, maxy + h)


def _near_data(areas, with_data, points, level):
    """The areas with data and the areas around them, for context on the map.

    Towns: every town of the municipalities with data, whole (a municipality's towns do
    not stop at the edge of the data). Other areas: those crossing :func:`context_box`.
    """
    has = areas["key"].isin(with_data)
    if not has.any():
        return areas.iloc[0:0]
    if level == "town":
        # towns of municipalities with no data would only be clutter
        codes = {k.split(":", 1)[0] for k in with_data}
        return areas.loc[has | areas["key"].str.split(":", n=1).str[0].isin(codes)]
    minx, miny, maxx, maxy = areas.loc[has].total_bounds
    if len(points):
        pminx, pminy, pmaxx, pmaxy = points.to_crs(WGS84).total_bounds
        minx, miny, maxx, maxy = min(minx, pminx), min(miny, pminy), max(maxx, pmaxx), max(maxy, pmaxy)
    near = areas.geometry.intersects(context_box((minx, miny, maxx, maxy)))
    return areas.loc[has | near]


def missing_column(column, frame) -> InputError:
    """The error for a ``column`` that ``frame`` lacks (``missing_columns``), naming those it has."""
    return InputError(
        f"column {column!r} not found; the table has {list(frame.columns)!r}",
        key="missing_columns",
        columns=str(column),
        available=", ".join(map(str, frame.columns)),
    )
