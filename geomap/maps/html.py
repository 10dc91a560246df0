"""Self-contained HTML maps with folium.

The page needs nothing from the network: Leaflet and Leaflet.markercluster are inlined
from their XStatic wheels (:mod:`.assets`), folium's default CDN links (jQuery, Bootstrap,
Font Awesome …) are dropped, and the prefecture/municipality outlines around the data are
embedded, so the map never looks empty when tiles cannot be reached. Tiles are optional
base layers.

Text from the user's data is data, never code and never a template. folium and branca
render each element's output as a Jinja2 template a second time, so no such text goes into
an element: every value from the data (built by :mod:`.page_data`) is written once into a
JSON block of the finished page (:class:`~geomap.maps.page.Page`,
:func:`~geomap.maps.page.safe_json`), where the scripts read it. Popups and tooltips are
set with ``textContent``; legends, notes, layer names and the title are escaped with
:func:`html.escape` (or the page template's autoescape).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import folium
import pandas as pd
import xyzservices
from branca.element import MacroElement
from folium.map import Layer

from ..errors import UsageError
from ..output import atomic_path
from .model import MapModel, build
from .options import MapOptions, map_options, option_keywords
from .page import ENV, Page, external_resources
from .page_data import area_part, data_attribution, legend_html, notes_html, point_data, shape_part

CLUSTER_THRESHOLD = 1000
MAX_ZOOM = 18

GSI_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank" rel="noopener">地理院タイル</a>'

def _gsi_tiles(name: str, layer: str) -> xyzservices.TileProvider:
    """A 国土地理院 tile layer (xyzservices has none); 「地理院タイル」 is its required credit."""
    return xyzservices.TileProvider(
        name=name,
        url=f"https://cyberjapandata.gsi.go.jp/xyz/{layer}/{{z}}/{{x}}/{{y}}.png",
        attribution="地理院タイル",
        html_attribution=GSI_ATTRIBUTION,
        min_zoom=2,
        max_zoom=18,
    )


GSI_STD = _gsi_tiles("GSI.Std", "std")
"""国土地理院 standard map tiles (標準地図)."""

GSI_PALE = _gsi_tiles("GSI.Pale", "pale")
"""国土地理院 pale map tiles (淡色地図)."""

TILE_PROVIDERS = {
    "gsi": GSI_STD,
    "gsi-pale": GSI_PALE,
    "osm": xyzservices.providers.OpenStreetMap.Mapnik,
}
_TILE_TEXT = {"gsi": "tile_gsi", "gsi-pale": "tile_gsi_pale", "osm": "tile_osm"}


@option_keywords
def make_map(df: pd.DataFrame, options: MapOptions | None = None, *, unplaced=None, **keywords) -> folium.Map:
    """Draw a table of located rows as a self-contained Leaflet map.

    The options are given as keywords, as a :class:`~geomap.maps.MapOptions`, or both
    (the keywords then replace the values of ``options``).

    Parameters
    ----------
    df : pandas.DataFrame
        Rows with ``lat``/``lon`` (rows without are counted as not placed), usually the
        geocoder's output with ``level, pref, city, town, code`` as well.
    options : geomap.maps.MapOptions, optional
        All the options below at once, e.g. the same for several maps.
    by : {"auto", "prefecture", "municipality", "town", "none"}
        Areas to aggregate to. ``"auto"``: points, plus a choropleth of prefectures when
        the points lie in six or more, of municipalities when they span more than one
        (of towns, for a list of persons in one). Municipalities (prefectures) without
        rows are drawn as outlines, not as 0. ``"town"``: approximate 大字・町丁目
        areas, or the areas of ``boundaries``. ``"none"``: points only.
    value : str, optional
        Numeric column for ``agg="sum"``/``"mean"``.
    agg : {"count", "sum", "mean"}
        The measure shown per area.
    category : str, optional
        Column whose values colour the points (the ten most frequent; the rest are その他).
    name : str, optional
        Column shown first in popups.
    address : str or list of str, optional
        Address column(s), shown in popups and in the list of rows not placed.
    title : str, optional
        Map title; a title is made from the measure when omitted.
    tiles : {"gsi", "gsi-pale", "osm", "none"}
        Base layer shown first; the others can be switched to. ``"none"``: no tiles at
        all, only the embedded outlines (nothing is requested from the network).
    boundaries : geopandas.GeoDataFrame, optional
        The user's own areas (see :func:`geomap.boundaries.read_boundaries`).
    boundary_key, boundary_name : str, optional
        Key column (required with ``boundaries``) and name column of ``boundaries``.
    min_count : int, optional
        Areas with 1 to k-1 points show 「k未満」 instead of their value and get a colour
        of their own (an area with none stays 0). Default: 3 for a list whose headers look
        personal (:func:`geomap.columns.personal_columns`), else none.
    points : bool, optional
        False hides individual points (and the addresses of rows not placed): only
        aggregates are written into the page. Default: True, except for a list whose
        headers look personal.
    popup_address : {"town", "full"}
        The address in a point's popup: down to the town the row was placed at (the
        geocoder's ``pref``, ``city``, ``town``; the default), or as written, with 番地.
    classification : {"quantiles", "natural_breaks", "equal_interval", "user"}
        How values are put into classes (mapclassify); ``breaks`` implies ``"user"``.
    k : int
        Number of classes (2–9).
    breaks : sequence of float, optional
        Upper bounds of the classes.
    lang : {"ja", "en"}
        Language of legends and notes.
    unplaced : pandas.DataFrame or sequence of str, optional
        The rows that could not be placed, for the note on the map. Defaults to the rows
        of ``df`` without coordinates.
    unit : str, optional
        Unit of the measure for the legend (default 件 for counts).
    cluster : bool, optional
        Cluster the points; by default when there are more than 1,000.
    lat, lon : str
        Coordinate columns.

    Returns
    -------
    folium.Map
        Save it with :func:`save_html`; in a notebook it displays inline.

    Raises
    ------
    UsageError, InputError
        See the keys listed in :mod:`geomap.maps`.

    Examples
    --------
    >>> import geomap
    >>> result = geomap.geocode_table(geomap.read_table("sample_data/koto_facilities.csv"))
    >>> m = geomap.make_map(result, category="種別", name="名称", address="住所", title="江東区の施設")
    >>> type(m).__name__
    'Map'

    Counts per (approximate) town only, with counts below 3 hidden and no row written into the page:

    >>> private = geomap.make_map(result, by="town", min_count=3, points=False)

    The same options for several maps, as one :class:`~geomap.maps.MapOptions`:

    >>> from geomap.maps import MapOptions
    >>> towns = MapOptions(by="town", min_count=3, lang="en")
    >>> english = geomap.make_map(result, towns, title="Facilities per town")
    """
    return draw(build(df, map_options(options, **keywords), unplaced=unplaced))


def draw(model: MapModel) -> folium.Map:
    """Draw a :class:`~geomap.maps.model.MapModel` with folium, with its ``tiles`` and ``cluster`` options.

    folium and branca treat the output of every element as a Jinja2 template and render it
    a second time, so no text from the user's data goes into an element. The elements hold
    only constants, numbers and the names folium generates; every text from the data (and
    the shapes) goes into one JSON block that :class:`Page` writes into the finished
    document, where the scripts read it (``geomapData``).
    """
    text, tiles, cluster = model.text, model.options.tiles, model.options.cluster
    minx, miny, maxx, maxy = model.bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=False,
    )
    # folium passes max_zoom/min_zoom only to its default tile layer; the map needs them too,
    # above all with no tiles (else Leaflet has no zoom limit). Japan fits in zoom 5, and
    # every zoom level costs the cluster layer time.
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=5)
    # folium's defaults load jQuery, Bootstrap, Font Awesome … from CDNs; nothing we draw needs them
    m.default_js = []
    m.default_css = []
    n_points = 0 if model.points is None else len(model.points)
    if cluster is None:
        cluster = n_points > CLUSTER_THRESHOLD
    data = {
        "attribution": data_attribution(model.lang),
        "layers": {"base": [], "overlays": []},  # names for the layer switcher, as HTML
        "shapes": {},
        "panels": {},
    }
    Page(title=model.title, lang=model.lang, data=data, cluster=bool(cluster and n_points)).add_child(m)

    base_layers, overlays, registry = [], [], {}
    if tiles != "none":
        order = [tiles] + [t for t in TILE_PROVIDERS if t != tiles]
        for key in order:
            layer = folium.TileLayer(TILE_PROVIDERS[key], name=key, show=key == tiles, max_zoom=MAX_ZOOM)
            layer.add_to(m)
            base_layers.append(layer)
            data["layers"]["base"].append(escape(text(_TILE_TEXT[key])))

    blank = tiles == "none"
    outline_parts = []
    # the background around the few rows far from the others (coarser), then the detailed one
    lands = [model.land] + ([model.overview[0]] if model.overview is not None else [])
    pref_lines = [model.prefecture_lines] + ([model.overview[1]] if model.overview is not None else [])
    for land in lands:
        if blank and land is not None and len(land):
            style = {"stroke": False, "fill": True, "fillColor": "#fbfaf6", "fillOpacity": 1}
            outline_parts.append(shape_part(land, style=style))
    if model.municipality_lines is not None and len(model.municipality_lines):
        style = {"color": "#8a8a8a", "weight": 0.8, "dashArray": "3 3"}
        outline_parts.append(shape_part(model.municipality_lines, style=style))
    for lines in pref_lines:
        if lines is not None and len(lines):
            style = {"color": "#555555", "weight": 1.6}
            outline_parts.append(shape_part(lines, style=style))
    data["shapes"]["outlines"] = outline_parts
    outline = Shapes("outlines")
    outline.add_to(m)
    overlays.append(outline)
    data["layers"]["overlays"].append(escape(text("outlines")))

    if model.areas is not None:
        data["shapes"]["areas"] = [area_part(model.areas)]
        areas = Shapes("areas")
        areas.add_to(m)
        overlays.append(areas)
        data["layers"]["overlays"].append(escape(model.area_title or text("areas")))
        registry["areas"] = areas

    if model.points is not None and n_points:
        data["points"] = point_data(model)
        layer = PointLayer(cluster=bool(cluster))
        layer.add_to(m)
        overlays.append(layer)
        data["layers"]["overlays"].append(escape(text("points")))
        registry["pointsLayer"] = layer

    for slot, content, position in (("legend", legend_html(model), "bottomright"), ("notes", notes_html(model), "bottomleft")):
        if content:
            data["panels"][slot] = content
            Panel(slot, position=position, css_class=f"geomap-panel geomap-{slot}").add_to(m)
    Extras(base_layers=base_layers, overlays=overlays, registry=registry, blank=blank).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]], max_zoom=16, padding=(24, 24))
    return m


def save_html(m: folium.Map, path, *, max_bytes: int | None = None) -> Path:
    """Write the map as one HTML file, atomically (temporary file, then rename).

    Parameters
    ----------
    m : folium.Map
        A map from :func:`make_map`.
    path : str or os.PathLike
        The file to write (``.html``); its folder must exist.
    max_bytes : int, optional
        Refuse (``map_too_large``) a page larger than this, before writing it; e.g.
        :data:`MAX_HTML_BYTES`, the size above which a browser takes long to open it.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OutputError
        ``output_unwritable`` (params ``path``, ``reason``) if the file cannot be written.
    UsageError
        ``not_offline`` if the page would load anything from the network (a map not made
        by :func:`make_map`, e.g. with extra folium plugins); ``map_too_large`` (params
        ``size``, ``limit`` in MB) if the page is larger than ``max_bytes``.

    Examples
    --------
    >>> import geomap
    >>> result = geomap.geocode_table(geomap.read_table("sample_data/koto_facilities.csv"))
    >>> geomap.save_html(geomap.make_map(result), "施設.html").name
    '施設.html'
    """
    target = Path(path)
    page = m.get_root().render()
    remote = external_resources(page)
    if remote:
        raise UsageError(
            f"the page would load {remote[:3]!r} from the network",
            key="not_offline",
            urls=", ".join(remote[:3]),
        )
    data = page.encode("utf-8")
    if max_bytes is not None:
        check_size(len(data), max_bytes)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


#: Above this size a page takes long to open (a 90 MB page of all Japan's town areas
#: took 27 s): ``geomap render`` refuses it unless ``--force`` is given.
MAX_HTML_BYTES = 30 * 2**20
#: Bytes a page holds besides its data (Leaflet, markercluster, styles, scripts).
PAGE_BYTES = 250_000
#: Bytes per coordinate pair of a shape in the page ("139.12345,35.12345],[").
COORD_BYTES = 21
#: Bytes per area besides its coordinates (tooltip, style), and per point besides its fields.
AREA_BYTES, POINT_BYTES = 150, 20
#: Bytes per approximate town area, all told (3,000 rows over Japan: 163,000 areas, 50 MB).
TOWN_AREA_BYTES = 330


def estimate_bytes(model: MapModel) -> int:
    """About how large the page of ``model`` will be, without drawing it.

    Counted from what goes into its data block: the coordinates of every shape, a
    tooltip and style per area, and each point with its popup fields. Within a few per
    cent of the page written for large maps, where it matters.
    """
    import shapely

    total = PAGE_BYTES
    for frame in (model.areas, model.land, model.prefecture_lines, model.municipality_lines,
                  *(model.overview or ())):
        if frame is not None and len(frame):
            total += int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum()) * COORD_BYTES
    if model.areas is not None:
        tips = model.areas["tip"].astype(str).str.len().sum() if "tip" in model.areas else 0
        total += len(model.areas) * AREA_BYTES + int(tips) * 2
    if model.points is not None and len(model.points):
        total += len(model.points) * POINT_BYTES
        for _, column in model.popup_fields:  # as page_data.point_data writes them
            values = model.points[column].astype("string").fillna("")
            unique = pd.Series(values.unique(), dtype="string")
            if len(unique) * 2 < len(values):
                total += _utf8_bytes(unique) + 3 * len(unique) + len(values) * (len(str(len(unique))) + 1)
            else:
                total += _utf8_bytes(values) + 3 * len(values)
    return total


def _utf8_bytes(values: pd.Series) -> int:
    return int(values.str.encode("utf-8").str.len().sum())


def check_size(nbytes: int, limit: int, *, estimated: bool = False) -> None:
    """Refuse a page of ``nbytes`` above ``limit`` (``map_too_large``, sizes in MB)."""
    if nbytes <= limit:
        return
    size = f"{nbytes / 2**20:,.0f}"
    raise UsageError(
        f"the map would be {'about ' if estimated else ''}{size} MB, more than {limit / 2**20:,.0f} MB",
        key="map_too_large",
        size=size,
        limit=f"{limit / 2**20:,.0f}",
    )


# --------------------------------------------------------------------------- elements


class PointLayer(Layer):
    """All points as one JSON array (``geomapData.points``); circle markers (clustered or not) built in the browser."""

    def __init__(self, *, cluster: bool, radius: int = 6):
        super().__init__(name="points", overlay=True, control=True, show=True)
        self._name = "GeomapPoints"
        self._template = ENV.get_template("points.js")
        self.cluster = cluster
        self.radius = radius


class Shapes(Layer):
    """GeoJSON layers drawn from ``geomapData.shapes[slot]``: a list of parts, each with its
    features, style, class and whether its features carry tooltips (as text)."""

    def __init__(self, slot: str):
        super().__init__(name=slot, overlay=True, control=True, show=True)
        self._name = "GeomapShapes"
        self._template = ENV.get_template("shapes.js")
        self.slot = slot


class Panel(MacroElement):
    """A Leaflet control showing ``geomapData.panels[slot]``: HTML built (and escaped) in Python."""

    def __init__(self, slot: str, *, position: str, css_class: str):
        super().__init__()
        self._name = "GeomapPanel"
        self._template = ENV.get_template("control.js")
        self.slot = slot
        self.position = position
        self.css_class = css_class


class Extras(MacroElement):
    """Scale bar, data attribution, the layer switcher and the ``window.__geomap`` handles tests use."""

    def __init__(self, *, base_layers: list, overlays: list, registry: dict, blank: bool):
        super().__init__()
        self._name = "GeomapExtras"
        self._template = ENV.get_template("extras.js")
        self.base_layers = base_layers
        self.overlays = overlays
        self.registry = registry
        self.blank = blank
