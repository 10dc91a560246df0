"""Where a map looks and what surrounds its data: the focus, the background, the places to name.

:func:`focus` finds where most rows are when a few lie far away (a memo map zooms there
and shows the whole in an inset); :func:`outlines` clips the embedded prefecture land and
prefecture/municipality lines around a box; :func:`places` lists the municipalities (or
prefectures) around the data, named as a memo writes them.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import spatial
from ..shapes import WGS84

#: A memo map zooms to where most rows are when the rows' box is this many times larger
#: (in area) than the box of all but the farthest few.
FOCUS_RATIO = 16
#: The share of rows that may lie outside the zoomed view, at most.
FOCUS_OUTSIDE = 0.1


#: A gap: the nearest of the far rows is this many times farther from the middle than the
#: farthest of the others.
FOCUS_GAP = 3.0


def focus(points) -> tuple[tuple | None, int]:
    """Where most rows are, when a few lie far away: ``(bounds, rows outside)`` or ``(None, 0)``.

    Rows are ordered by their distance from the median point; the few far ones (at most
    :data:`FOCUS_OUTSIDE` of the rows) are those beyond a gap, where the next row is
    :data:`FOCUS_GAP` times farther than all before it. The box of the others is the focus
    when the box of all rows is at least :data:`FOCUS_RATIO` times larger in area. A list
    of one city with a few rows in other regions gets a memo map of the city and an inset
    of the whole; a list spread evenly has no gap and no focus.
    """
    if points is None or len(points) < 10:
        return None, 0
    x = points.geometry.x.to_numpy()
    y = points.geometry.y.to_numpy()
    cx, cy = np.median(x), np.median(y)
    distance = np.hypot((x - cx) * math.cos(math.radians(cy)), y - cy)
    order = np.argsort(distance, kind="stable")
    ranked = distance[order]
    n = len(x)
    core = None
    for i in range(n - 1, n - 1 - int(FOCUS_OUTSIDE * n), -1):  # the largest core with a gap after it
        if ranked[i] > FOCUS_GAP * max(ranked[i - 1], 0.01):
            core = order[:i]
            break
    if core is None:
        return None, 0
    x0, x1, y0, y1 = x[core].min(), x[core].max(), y[core].min(), y[core].max()
    full = max(np.ptp(x), 0.01) * max(np.ptp(y), 0.01)
    if full < FOCUS_RATIO * max(x1 - x0, 0.01) * max(y1 - y0, 0.01):
        return None, 0
    return (float(x0), float(y0), float(x1), float(y1)), n - len(core)


def places(model, codes: pd.Series) -> gpd.GeoDataFrame:
    """The municipalities (prefectures, on a map of a large region) around the data, to name.

    ``name`` as a memo says it (the prefecture left out when all are in one, the
    designated city left out of its wards when all are in one), ``rows`` placed in each,
    ``geometry`` (EPSG:4326). The PNG names those it shows, the ones with rows first.
    """
    from ..boundaries import municipalities, prefectures

    shown = model.focus or model.bounds  # what the memo map shows
    minx, miny, maxx, maxy = shown
    box = spatial.context_box(shown)
    wide = math.hypot(maxx - minx, maxy - miny) >= 4 or model.level == "prefecture"
    known = codes.dropna().astype(str)
    if wide:
        frame = prefectures()
        frame = frame[frame.geometry.intersects(box)]
        rows = known.str[:2].value_counts()
        names = frame["pref"].astype(str)
    else:
        frame = municipalities()
        frame = frame[frame.geometry.intersects(box)]
        rows = known.value_counts()
        names = _memo_names(frame["pref"].astype(str), frame["city"].astype(str), frame["code"].isin(rows.index))
    out = gpd.GeoDataFrame(
        {"name": names.to_numpy(), "rows": frame["code"].map(rows).fillna(0).astype(int).to_numpy()},
        geometry=frame.geometry.to_numpy(), crs=WGS84,
    )
    out.attrs["kind"] = "prefecture" if wide else "municipality"
    return out


def _memo_names(prefs: pd.Series, cities: pd.Series, listed: pd.Series) -> pd.Series:
    """Municipality names as a memo writes them: 江東区, not 東京都江東区; 北区 on a map of 京都市.

    The prefecture is written only when the municipalities with rows lie in more than one;
    a designated city's name is left out of its wards' when all the wards with rows are its.
    """
    with_rows = listed.to_numpy(dtype=bool)
    names = cities.copy()
    if prefs[with_rows].nunique() > 1:
        names = prefs + cities
    city = cities.str.extract(r"^(.+?市)(.+区)$")
    cities_with_rows = city[0][with_rows]
    if cities_with_rows.notna().all() and cities_with_rows.nunique() == 1:
        mine = (city[0] == cities_with_rows.iloc[0]).to_numpy()
        names[mine] = city[1][mine]
        if prefs[with_rows].nunique() > 1:
            names[mine] = (prefs + city[1])[mine]
    return names


def outlines(bounds, pad: float = 1.0, *, hole=None):
    """Prefecture land and prefecture/municipality lines around ``bounds``, simplified.

    The background that is always there, with or without tiles. Polygons are clipped to
    a box well beyond the data (``pad`` times its size, at least half a degree), and lines
    are drawn from the polygons' boundaries, so the clipping edges never show as borders.
    Municipal lines are only drawn for areas up to a few degrees across. ``hole``: a
    box left out (where a more detailed background is drawn), with no municipal lines.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``(land, prefecture_lines, municipality_lines)``; the last is None for large areas.
    """
    from ..boundaries import municipalities, prefectures

    minx, miny, maxx, maxy = bounds
    box = spatial.context_box(bounds, pad)
    diag = math.hypot(maxx - minx, maxy - miny)
    tolerance = min(max(diag / 2000, 0.0001), 0.01)

    def clip(frame, columns, lines):
        frame = frame[frame.geometry.intersects(box)]
        geoms = frame.geometry.to_numpy()
        if lines:
            geoms = shapely.boundary(geoms)
        geoms = shapely.simplify(shapely.intersection(geoms, box), tolerance, preserve_topology=not lines)
        if hole is not None:
            geoms = shapely.difference(geoms, hole)
        out = gpd.GeoDataFrame(frame[columns].reset_index(drop=True), geometry=geoms, crs=WGS84)
        return out[~out.geometry.is_empty]

    prefs = prefectures()
    land = clip(prefs, ["code", "pref"], lines=False)
    pref_lines = clip(prefs, ["code", "pref"], lines=True)
    muni_lines = None
    if diag < 4 and hole is None:
        muni_lines = clip(municipalities(), ["code", "pref", "city"], lines=True)
    return land, pref_lines, muni_lines
