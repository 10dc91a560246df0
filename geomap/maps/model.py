"""What a map shows, decided once for both renderers (HTML and PNG/PDF).

:func:`build` takes the rows and a checked :class:`~geomap.maps.options.MapOptions`, places
the points, aggregates them to areas, classifies the measure and writes every text the map
carries (title, legend, notes) in the chosen language, from the ``map_`` keys of
:mod:`geomap.messages`; the classes and legend items are made in :mod:`.classes`, the focus
and the background around the data in :mod:`.extent`. The result, a :class:`MapModel`, is built once per map and drawn by
:func:`geomap.maps.html.draw` (folium) and :func:`geomap.maps.static.draw` (matplotlib);
they only draw it. Texts here are plain (unescaped): each renderer escapes for its medium.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import spatial
from ..errors import InputError
from ..messages import message
from ..shapes import clean_frame
from .classes import category_items, classify, measure_text
from .extent import focus, outlines, places
from .options import AREA_LEVELS, PERSONAL_MIN_COUNT, MapOptions

log = logging.getLogger(__name__)

MAX_UNPLACED_LISTED = 1000


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
        classify(model, areas)  # states, colours, labels and the areas' legend
        with_data = model.areas[model.areas["count"] > 0]
        if len(with_data):
            model.bounds = tuple(with_data.total_bounds)
    elif value is not None or agg != "count":
        spatial.measure_values(placed, value, agg)  # still report a bad value column

    if points:
        model.points, model.popup_fields = _popups(placed, name, category, address_cols, model)
        model.representative = _representative(placed)
        model.point_colors, model.categories = category_items(placed, category, model)
        model.category_title = str(category) if category is not None else None
        if options.min_count is not None and model.areas is not None:
            log.warning(message("map_warn_points_shown", model.lang, k=options.min_count))
    if model.bounds is None:
        model.bounds = tuple(placed.total_bounds)

    title = options.title
    if title is None:
        if model.areas is not None:
            title = model.text("title_areas", measure=measure_text(model, ""), level=model.text(f"level_{level}"))
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
    model.places = places(model, codes)
    model.located = np.column_stack([placed.geometry.x.to_numpy(), placed.geometry.y.to_numpy()])
    normalise_shapes(model)
    return model


#: ``by="auto"`` colours prefectures when the rows lie in this many prefectures or more.
AUTO_PREFECTURES = 6


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
    # column by column, not row by row (.agg("".join, axis=1) took ~18 s for 200,000 rows)
    texts = placed[parts].astype("string").fillna("")
    joined = texts[parts[0]]
    for part in parts[1:]:
        joined = joined + texts[part]
    placed[TOWN_TEXT] = joined.to_numpy(dtype=object)
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



def _unplaced(df, placed, unplaced, address_cols, listed, lat, lon):
    """The count of rows not placed and, when they are ``listed``, their texts (else none are made)."""
    if unplaced is None:
        rows = spatial.unplaced_rows(df, lat=lat, lon=lon)
        count = len(rows)
        texts = _row_texts(rows, address_cols) if listed else []
    elif isinstance(unplaced, pd.DataFrame):
        count = len(unplaced)
        texts = _row_texts(unplaced, address_cols) if listed else []
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
    joined = frame[cols[0]]
    for col in cols[1:]:  # column by column: a row-wise .agg(" ".join, axis=1) is slow on many rows
        joined = joined + " " + frame[col]
    return joined.str.strip().tolist()
