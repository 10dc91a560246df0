"""What a map shows, decided once for both renderers (HTML and PNG/PDF).

:func:`build` takes the rows and a checked :class:`~geomap.maps.options.MapOptions`, places
the points, aggregates them to areas, classifies the measure and writes every text the map
carries (title, legend, notes) in the chosen language, from the ``map_`` keys of
:mod:`geomap.messages`. The result, a :class:`MapModel`, is built once per map and drawn by
:func:`geomap.maps.html.draw` (folium) and :func:`geomap.maps.static.draw` (matplotlib);
they only draw it. Texts here are plain (unescaped): each renderer escapes for its medium.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import spatial
from ..errors import InputError
from ..messages import message
from ..shapes import clean_frame
from .options import AREA_LEVELS, PERSONAL_MIN_COUNT, MapOptions

log = logging.getLogger(__name__)

MAX_CATEGORIES = 10
MAX_UNPLACED_LISTED = 1000

# Sequential classes (ColorBrewer YlOrRd via matplotlib) and the special area styles
CLASS_CMAP = "YlOrRd"
ZERO_COLOR = "#ffffff"
NODATA_COLOR = "#d9d9d9"
SUPPRESSED_COLOR = "#9e9ac8"
CATEGORY_CMAP = "tab10"
POINT_COLOR = "#1f5fbf"

# Area states
CLASSED, ZERO, NODATA, SUPPRESSED = "classed", "zero", "nodata", "suppressed"
# Legend item of the municipalities (prefectures) without rows: outlines, no fill
CONTEXT = "context"


@dataclass
class LegendItem:
    """One swatch of a legend: colour, text and the kind of thing it stands for."""

    color: str
    label: str
    kind: str = CLASSED


@dataclass
class MapModel:
    """Everything a renderer draws, made by :func:`build`. Texts are plain, not escaped.

    ``options`` are the :class:`~geomap.maps.options.MapOptions` it was built with (the
    HTML renderer reads ``tiles`` and ``cluster`` there).
    """

    title: str
    options: MapOptions
    personal: list = field(default_factory=list)  # the headers that made the list look personal
    points: gpd.GeoDataFrame | None = None
    representative: np.ndarray | None = None  # per point: placed at a town's representative point
    point_colors: np.ndarray | None = None  # index into categories, per point
    categories: list = field(default_factory=list)  # LegendItem per category
    category_title: str | None = None
    popup_fields: list = field(default_factory=list)  # (label, column)
    areas: gpd.GeoDataFrame | None = None  # + state, color, label, tip
    area_title: str | None = None
    area_items: list = field(default_factory=list)
    approximate: bool = False
    unit: str = ""
    unplaced_count: int = 0
    unplaced_list: list = field(default_factory=list)
    unassigned: int = 0
    coarse: int = 0
    bounds: tuple | None = None  # (minx, miny, maxx, maxy) of what has data
    land: gpd.GeoDataFrame | None = None  # prefecture polygons around the data
    level: str | None = None  # prefecture, municipality, town, user (None: points only)
    places: gpd.GeoDataFrame | None = None  # municipalities (or prefectures) to name: name, rows
    focus: tuple | None = None  # (minx, miny, maxx, maxy) of most rows, when a few lie far away
    outside: int = 0  # rows outside focus
    located: np.ndarray | None = None  # (lon, lat) of every row placed, points shown or not
    overview: tuple | None = None  # (land, prefecture lines) beyond the focus' background, coarser
    prefecture_lines: gpd.GeoDataFrame | None = None
    municipality_lines: gpd.GeoDataFrame | None = None

    @property
    def lang(self) -> str:
        return self.options.lang

    @property
    def min_count(self) -> int | None:
        return self.options.min_count

    def text(self, key: str, **params) -> str:
        """The map text ``map_<key>`` of :mod:`geomap.messages` in the map's language."""
        return message(f"map_{key}", self.lang, **params)

    @property
    def notes(self) -> list[str]:
        """The short notes every map carries (unplaced rows, points outside areas).

        The count of rows not placed is always said, 0 included, so a reader knows it
        was checked.
        """
        out = [self.text("unplaced", n=f"{self.unplaced_count:,}")]
        if self.unassigned:
            out.append(self.text("unassigned", n=f"{self.unassigned:,}"))
        if self.coarse:
            out.append(self.text("coarse", n=f"{self.coarse:,}"))
        return out


def build(df: pd.DataFrame, options: MapOptions | None = None, *, unplaced=None) -> MapModel:
    """Decide what the map shows: the model both renderers draw.

    Parameters
    ----------
    df : pandas.DataFrame
        The rows, with coordinates (see :func:`geomap.maps.make_map`).
    options : MapOptions, optional
        What to show; ``MapOptions()`` (the defaults) when omitted.
    unplaced : pandas.DataFrame or sequence of str, optional
        The rows that could not be placed, for the note on the map. Defaults to the rows
        of ``df`` without coordinates.

    Returns
    -------
    MapModel

    Raises
    ------
    InputError
        ``not_a_table``, ``missing_columns``, ``no_points`` and the data errors of
        :func:`geomap.aggregate`. The options were checked when ``options`` was made.
    """
    options = MapOptions() if options is None else options
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a DataFrame, got {type(df).__name__}", key="not_a_table", type=type(df).__name__)
    name, category, address_cols = options.name, options.category, options.address_columns
    if name is None or category is None or not address_cols:
        # Columns not named are found by their headers, as `geomap render` finds them
        # (名称/name, 種別/category, 住所/address …), so popups say what a point is.
        from ..columns import find_columns

        found = find_columns(df)
        name = name if name is not None else found.name
        category = category if category is not None else found.category
        if not address_cols:
            address_cols = [found.address] if found.address else list(found.parts)
    for column in [category, name, *address_cols]:
        if column is not None and column not in df.columns:
            raise spatial.missing_column(column, df)

    options, personal = decide(options, df.columns)
    by, value, agg, points = options.by, options.value, options.agg, options.points
    placed = spatial.to_points(df, lat=options.lat, lon=options.lon)
    if len(placed) == 0:
        raise InputError("no row has coordinates; nothing can be mapped", key="no_points", rows=len(df))
    model = MapModel(title="", options=options, personal=personal)

    # rows that could not be placed: the caller's list, else the rows of df without coordinates
    # (their addresses are listed on a map with points; for a list of persons only when full
    # addresses were asked for)
    listed = points and (not personal or options.popup_address == "full")
    model.unplaced_count, model.unplaced_list = _unplaced(
        df, placed, unplaced, address_cols, listed=listed, lat=options.lat, lon=options.lon
    )

    # areas
    level = None
    boundaries = options.boundaries
    codes = spatial.assign_municipality(placed)
    if boundaries is not None and by != "none":
        level = "user"
    elif by in AREA_LEVELS:
        level = by
    elif by == "auto":
        if codes.dropna().str[:2].nunique() >= AUTO_PREFECTURES:
            level = "prefecture"  # a list over the country: municipalities would be specks
        elif codes.dropna().nunique() > 1:
            level = "municipality"
        elif not points:
            level = "town"  # one municipality and no points: its towns say where the rows are
    if level is None and not points:
        level = "municipality"
    model.level = level
    if level is not None:
        areas = spatial.aggregate(
            placed,
            by=level if level in AREA_LEVELS else "municipality",
            value=value,
            agg=agg,
            boundaries=boundaries if level == "user" else None,
            key=options.boundary_key,
            name=options.boundary_name,
        )
        model.unassigned = int(areas.attrs.get("unassigned", 0))
        model.coarse = int(areas.attrs.get("coarse", 0))
        model.approximate = bool(areas.attrs.get("approximate", False))
        if level in ("prefecture", "municipality"):
            # a municipality (prefecture) without rows is not in the list: context, drawn as
            # an outline, not as a 0 (towns and the user's areas keep their zeros)
            areas = areas[areas["count"] > 0]
        _classify(model, areas)
        if level in ("prefecture", "municipality"):
            model.area_items.append(LegendItem("none", model.text(f"context_{level}"), CONTEXT))
        model.area_title = _measure(model, model.unit)
        with_data = model.areas[model.areas["count"] > 0]
        if len(with_data):
            model.bounds = tuple(with_data.total_bounds)
    elif value is not None or agg != "count":
        spatial.measure_values(placed, value, agg)  # still report a bad value column

    if points:
        model.points, model.popup_fields = _popups(placed, name, category, address_cols, model)
        model.representative = _representative(placed)
        model.point_colors, model.categories = _categories(placed, category, model)
        model.category_title = str(category) if category is not None else None
        if options.min_count is not None and model.areas is not None:
            log.warning(message("map_warn_points_shown", model.lang, k=options.min_count))
    if model.bounds is None:
        model.bounds = tuple(placed.total_bounds)

    title = options.title
    if title is None:
        if model.areas is not None:
            title = model.text("title_areas", measure=_measure(model, ""), level=model.text(f"level_{level}"))
        else:
            title = model.text("title_points")
    model.title = str(title)
    model.focus, model.outside = focus(placed)
    # the background in detail where the memo map looks (where most rows are), and coarser
    # around it, as far as every row, for the inset and the page
    model.land, model.prefecture_lines, model.municipality_lines = outlines(model.focus or model.bounds)
    if model.focus is not None:
        land, lines, _ = outlines(model.bounds, hole=spatial.context_box(model.focus))
        model.overview = (land, lines)
    model.places = _places(model, codes)
    model.located = np.column_stack([placed.geometry.x.to_numpy(), placed.geometry.y.to_numpy()])
    normalise_shapes(model)
    return model


#: ``by="auto"`` colours prefectures when the rows lie in this many prefectures or more.
AUTO_PREFECTURES = 6
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


def _places(model: MapModel, codes: pd.Series) -> gpd.GeoDataFrame:
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
        geometry=frame.geometry.to_numpy(), crs=spatial.WGS84,
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


def normalise_shapes(model: MapModel) -> None:
    """Make every shape of ``model`` drawable: the one place this is done, before any drawing.

    Clipping, simplifying and dissolving can leave GeometryCollections, points, empties,
    slivers and invalid rings (a municipal border clipped at a corner gives a line and a
    point); the renderers expect polygons (areas, land) and lines (outlines). See
    :func:`geomap.shapes.clean_geometries`. Shapes left with nothing are dropped.
    """
    if model.areas is not None:
        model.areas = clean_frame(model.areas, "polygon")
    if model.land is not None:
        model.land = clean_frame(model.land, "polygon")
    if model.overview is not None:
        model.overview = (clean_frame(model.overview[0], "polygon"),
                          clean_frame(model.overview[1], "line"))
    for name in ("prefecture_lines", "municipality_lines"):
        frame = getattr(model, name)
        if frame is not None:
            setattr(model, name, clean_frame(frame, "line"))


# --------------------------------------------------------------------------- pieces


def decide(options: MapOptions, columns) -> tuple[MapOptions, list[str]]:
    """``options`` with ``points`` and ``min_count`` decided for a table with these ``columns``.

    A list whose headers look like data about persons (:func:`geomap.columns.personal_columns`)
    gets no points and :data:`~geomap.maps.options.PERSONAL_MIN_COUNT` unless they were
    given; any other list gets points and no minimum. Returns the options and the
    personal-looking headers (empty for other lists).

    Raises
    ------
    UsageError
        ``personal_points`` for ``by="none"`` on a list of persons without ``points=True``:
        a map of points only would put every person on it.
    """
    from ..columns import personal_columns
    from ..errors import UsageError

    personal = personal_columns([str(c) for c in columns])
    changes = {}
    if options.points is None:
        if personal and options.by == "none":
            raise UsageError("this list looks personal: by='none' needs points=True",
                             key="personal_points", columns="、".join(personal))
        changes["points"] = not personal
    if options.min_count is None and personal:
        changes["min_count"] = PERSONAL_MIN_COUNT
    return options.replace(**changes), personal


TOWN_TEXT = "__geomap_town__"  # the column of the popups' address down to the town


def _popups(placed, name, category, address_cols, model):
    """The points and their popup fields ``(label, column)``: name, category, then the address.

    The address is the one written (``popup_address="full"``) or, by default, only down to
    the town the row was placed at (都道府県・市区町村・町域 of the geocoder's result): a
    popup never shows a 番地 unless asked to.
    """
    fields = [(str(c), c) for c in (name, category) if c is not None]
    if model.options.popup_address == "full":
        return placed, fields + [(str(c), c) for c in address_cols if c is not None]
    parts = [c for c in ("pref", "city", "town") if c in placed.columns]
    if not parts or not address_cols:
        return placed, fields
    placed = placed.copy()
    placed[TOWN_TEXT] = placed[parts].astype("string").fillna("").agg("".join, axis=1)
    return placed, fields + [(model.text("popup_town"), TOWN_TEXT)]


def _representative(placed) -> np.ndarray:
    """True for the points the geocoder put at a town's (or 小字's) representative point.

    Rows whose coordinates came from the table (``source`` ``input``) and tables that were
    not geocoded (no ``level`` column) are where they were said to be.
    """
    from ..geocoding import INPUT_SOURCE

    if "level" not in placed.columns:
        return np.zeros(len(placed), dtype=bool)
    rep = pd.to_numeric(placed["level"], errors="coerce").between(1, 4).to_numpy(dtype=bool).copy()
    if "source" in placed.columns:
        rep &= (placed["source"].astype("string") != INPUT_SOURCE).fillna(True).to_numpy(dtype=bool)
    return rep


def _measure(model, unit):
    """The measure's name (件数, 定員の合計 …), with its unit when given."""
    options = model.options
    label = model.text("count") if options.agg == "count" else model.text(options.agg, value=options.value)
    if not unit:
        return label
    return f"{label}（{unit}）" if model.lang == "ja" else f"{label} ({unit})"


def _unplaced(df, placed, unplaced, address_cols, listed, lat, lon):
    if unplaced is None:
        rows = spatial.unplaced_rows(df, lat=lat, lon=lon)
        count = len(rows)
        texts = _row_texts(rows, address_cols)
    elif isinstance(unplaced, pd.DataFrame):
        count = len(unplaced)
        texts = _row_texts(unplaced, address_cols)
    else:
        items = list(unplaced)
        count = len(items)
        texts = ["" if v is None else str(v) for v in items]
    return count, texts if listed else []


def _row_texts(rows, address_cols):
    if not len(rows):
        return []
    cols = [c for c in address_cols if c in rows.columns]
    if not cols:
        cols = [c for c in rows.columns if str(c).lower() in ("address", "住所", "input", "query")]
    if not cols:
        cols = [c for c in rows.columns if rows[c].dtype == object or pd.api.types.is_string_dtype(rows[c])][:1]
    if not cols:
        return [str(i) for i in rows.index]
    frame = rows[cols].astype("string").fillna("")
    return frame.agg(" ".join, axis=1).str.strip().tolist()


def _categories(placed, category, model):
    """Index per point into the legend items; the rarest categories beyond ten become その他."""
    from matplotlib import colormaps, colors

    if category is None:
        return np.zeros(len(placed), dtype=int), [LegendItem(POINT_COLOR, model.text("points"), "point")]
    labels = placed[category].astype("string").fillna("").str.strip()
    labels = labels.mask(labels == "", model.text("blank"))
    order = labels.value_counts(sort=True)
    names = list(order.index)
    if len(names) > MAX_CATEGORIES:
        keep = names[: MAX_CATEGORIES - 1]
        other = model.text("other")
        labels = labels.where(labels.isin(keep), other)
        names = keep + [other]
    cmap = colormaps[CATEGORY_CMAP]
    items = [LegendItem(colors.to_hex(cmap(i % cmap.N)), str(n), "point") for i, n in enumerate(names)]
    index = pd.Categorical(labels, categories=names).codes.astype(int)
    return index, items


def _fmt(v: float, integer: bool, scale: float | None = None) -> str:
    if integer:
        return f"{int(round(v)):,}"
    a = abs(v) if scale is None else scale
    digits = 0 if a >= 100 else 1 if a >= 10 else 2
    return f"{v:,.{digits}f}"


def _classify(model, areas):
    """Give every area a state (classed, zero, no data, suppressed), a colour and a label."""
    import mapclassify
    from matplotlib import colormaps, colors

    options, text = model.options, model.text
    agg, classification, k, breaks = options.agg, options.classification, options.k, options.breaks
    unit = options.unit
    model.unit = unit if unit is not None else text("count_unit") if agg == "count" else ""
    u = model.unit if model.lang == "ja" else (f" {model.unit}" if model.unit else "")
    areas = areas.copy()
    state = np.full(len(areas), CLASSED, dtype=object)
    if agg == "count":
        state[(areas["count"] == 0).to_numpy()] = ZERO
    state[areas["value"].isna().to_numpy()] = NODATA
    if model.min_count is not None:
        # "fewer than K" is about rows that exist: an area with none is 0 (or no data), told apart
        small = (areas["count"] > 0) & (areas["count"] < model.min_count)
        state[small.to_numpy()] = SUPPRESSED
    classed = state == CLASSED
    y = areas["value"].to_numpy(dtype=float)[classed]
    integer = agg == "count" or (len(y) > 0 and bool(np.all(np.isclose(y, np.round(y)))) and agg == "sum")

    bins = np.array([])
    if len(y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mapclassify warns when there are fewer values than classes
            if classification == "user":
                bins = np.asarray(mapclassify.UserDefined(y, bins=list(breaks)).bins, dtype=float)
            else:
                unique = np.unique(y)
                kk = min(k, len(unique))
                if kk < 2:
                    bins = unique[-1:].astype(float)
                else:
                    cls = {
                        "quantiles": mapclassify.Quantiles,
                        "natural_breaks": mapclassify.NaturalBreaks,
                        "equal_interval": mapclassify.EqualInterval,
                    }[classification]
                    bins = np.asarray(cls(y, k=kk).bins, dtype=float)
        bins = np.unique(bins)
    n = len(bins)
    cmap = colormaps[CLASS_CMAP]
    palette = [colors.to_hex(cmap(x)) for x in (np.linspace(0.15, 0.9, n) if n > 1 else [0.6] * n)]
    cls_index = np.full(len(areas), -1)
    if len(y):
        cls_index[classed] = np.minimum(np.searchsorted(bins, y, side="left"), n - 1)

    items = []
    lo = float(np.min(y)) if len(y) else 0.0
    # one number format for the whole legend, from the largest bound
    legend_integer = integer or (len(bins) > 0 and bool(np.all(np.isclose(bins, np.round(bins)))) and lo == round(lo))
    scale = float(np.max(np.abs(bins))) if len(bins) else 0.0
    for i, hi in enumerate(bins):
        if i > 0:
            lo = bins[i - 1] + 1 if integer else bins[i - 1]
        if not (cls_index == i).any():
            continue
        a, b = _fmt(lo, legend_integer, scale), _fmt(hi, legend_integer, scale)
        items.append(LegendItem(palette[i], a if a == b else f"{a} – {b}"))

    color = np.array([palette[i] if i >= 0 else "" for i in cls_index], dtype=object)
    color[state == ZERO] = ZERO_COLOR
    color[state == NODATA] = NODATA_COLOR
    color[state == SUPPRESSED] = SUPPRESSED_COLOR
    if (state == ZERO).any():
        items.insert(0, LegendItem(ZERO_COLOR, text("zero"), ZERO))
    if (state == SUPPRESSED).any():
        items.append(LegendItem(SUPPRESSED_COLOR, text("suppressed_legend", k=model.min_count), SUPPRESSED))
    if (state == NODATA).any():
        items.append(LegendItem(NODATA_COLOR, text("nodata"), NODATA))

    labels = []
    for s, v, c in zip(state, areas["value"], areas["count"]):
        if s == SUPPRESSED:
            labels.append(text("suppressed", k=model.min_count))
        elif s == NODATA:
            labels.append(text("nodata"))
        else:
            shown = f"{_fmt(v, integer)}{u}"
            if agg != "count":
                shown += f" ({text('count_of', n=f'{c:,}')})"
            labels.append(shown)
    areas["state"] = state
    areas["color"] = color
    areas["label"] = labels
    areas["tip"] = [f"{nm}: {lb}" for nm, lb in zip(areas["name"], labels)]
    model.areas = areas
    model.area_items = items


# --------------------------------------------------------------------------- outlines


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
        out = gpd.GeoDataFrame(frame[columns].reset_index(drop=True), geometry=geoms, crs=spatial.WGS84)
        return out[~out.geometry.is_empty]

    prefs = prefectures()
    land = clip(prefs, ["code", "pref"], lines=False)
    pref_lines = clip(prefs, ["code", "pref"], lines=True)
    muni_lines = None
    if diag < 4 and hole is None:
        muni_lines = clip(municipalities(), ["code", "pref", "city"], lines=True)
    return land, pref_lines, muni_lines
