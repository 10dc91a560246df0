"""Self-contained HTML maps with folium.

The page needs nothing from the network: Leaflet and Leaflet.markercluster are inlined
from their XStatic wheels (:mod:`.assets`), folium's default CDN links (jQuery, Bootstrap,
Font Awesome …) are dropped, and the prefecture/municipality outlines around the data are
embedded, so the map never looks empty when tiles cannot be reached. Tiles are optional
base layers.

Text from the user's data is data, never code and never a template. folium and branca
render each element's output as a Jinja2 template a second time, so no such text goes into
an element: every value from the data is written once into a JSON block of the finished page
(:class:`Page`, :func:`safe_json`), where the scripts read it. Popups and tooltips are set
with ``textContent``; legends, notes, layer names and the title are escaped with
:func:`html.escape` (or the page template's autoescape).
"""

from __future__ import annotations

import json
import re
from html import escape
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import xyzservices
from branca.element import Figure, MacroElement
from folium.map import Layer
from jinja2 import Environment, PackageLoader, select_autoescape

from ..errors import UsageError
from ..io import atomic_path
from ..provenance import attribution_html
from . import _model, assets

CLUSTER_THRESHOLD = 1000
MAX_ZOOM = 18
COORD_DIGITS = 5  # about 1 m: finer than any geocoder result

# Only bundled templates: page.html is HTML (autoescaped); the *.js macros are scripts.
_ENV = Environment(loader=PackageLoader("geomap.maps", "templates"), autoescape=select_autoescape(["html"]))

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


def make_map(
    df: pd.DataFrame,
    *,
    by: str = "auto",
    value: str | None = None,
    agg: str = "count",
    category: str | None = None,
    name: str | None = None,
    address=None,
    title: str | None = None,
    tiles: str = "gsi",
    boundaries=None,
    boundary_key: str | None = None,
    boundary_name: str | None = None,
    min_count: int | None = None,
    points: bool = True,
    classification: str = "quantiles",
    k: int = 5,
    breaks=None,
    lang: str = "ja",
    unplaced=None,
    unit: str | None = None,
    cluster: bool | None = None,
    lat: str = "lat",
    lon: str = "lon",
) -> folium.Map:
    """Draw a table of located rows as a self-contained Leaflet map.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows with ``lat``/``lon`` (rows without are counted as not placed), usually the
        geocoder's output with ``level, pref, city, town, code`` as well.
    by : {"auto", "municipality", "town", "none"}
        Areas to aggregate to. ``"auto"``: points, plus a municipality choropleth when
        the points span more than one municipality. ``"town"``: approximate 大字・町丁目
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
        Areas with fewer points than this show 「k未満」 instead of their value and are not
        coloured by it.
    points : bool
        False hides individual points (and the addresses of rows not placed): only
        aggregates are written into the page.
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
    """
    _model._choice("tiles", tiles, _model.TILES)
    model = _model.build(
        df,
        by=by,
        value=value,
        agg=agg,
        category=category,
        name=name,
        address=address,
        title=title,
        boundaries=boundaries,
        boundary_key=boundary_key,
        boundary_name=boundary_name,
        min_count=min_count,
        points=points,
        classification=classification,
        k=k,
        breaks=breaks,
        lang=lang,
        unplaced=unplaced,
        unit=unit,
        lat=lat,
        lon=lon,
    )
    return render(model, tiles=tiles, cluster=cluster)


def render(model: _model.MapModel, *, tiles: str = "gsi", cluster: bool | None = None) -> folium.Map:
    """Draw a :class:`~geomap.maps._model.MapModel` with folium.

    folium and branca treat the output of every element as a Jinja2 template and render it
    a second time, so no text from the user's data goes into an element. The elements hold
    only constants, numbers and the names folium generates; every text from the data (and
    the shapes) goes into one JSON block that :class:`Page` writes into the finished
    document, where the scripts read it (``geomapData``).
    """
    text = model.text
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
        "attribution": _data_attribution(model.lang),
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
            data["layers"]["base"].append(escape(text[_TILE_TEXT[key]]))

    blank = tiles == "none"
    outline_parts = []
    if blank and model.land is not None and len(model.land):
        style = {"stroke": False, "fill": True, "fillColor": "#fbfaf6", "fillOpacity": 1}
        outline_parts.append(_shape_part(model.land, style=style))
    if model.municipality_lines is not None and len(model.municipality_lines):
        style = {"color": "#8a8a8a", "weight": 0.8, "dashArray": "3 3"}
        outline_parts.append(_shape_part(model.municipality_lines, style=style))
    if model.prefecture_lines is not None and len(model.prefecture_lines):
        style = {"color": "#555555", "weight": 1.6}
        outline_parts.append(_shape_part(model.prefecture_lines, style=style))
    data["shapes"]["outlines"] = outline_parts
    outline = Shapes("outlines")
    outline.add_to(m)
    overlays.append(outline)
    data["layers"]["overlays"].append(escape(text["outlines"]))

    if model.areas is not None:
        data["shapes"]["areas"] = [_area_part(model.areas)]
        areas = Shapes("areas")
        areas.add_to(m)
        overlays.append(areas)
        data["layers"]["overlays"].append(escape(model.area_title or text["areas"]))
        registry["areas"] = areas

    if model.points is not None and n_points:
        data["points"] = _point_data(model)
        layer = PointLayer(cluster=bool(cluster))
        layer.add_to(m)
        overlays.append(layer)
        data["layers"]["overlays"].append(escape(text["points"]))
        registry["pointsLayer"] = layer

    for slot, content, position in (("legend", _legend_html(model), "bottomright"), ("notes", _notes_html(model), "bottomleft")):
        if content:
            data["panels"][slot] = content
            Panel(slot, position=position, css_class=f"geomap-panel geomap-{slot}").add_to(m)
    Extras(base_layers=base_layers, overlays=overlays, registry=registry, blank=blank).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]], max_zoom=16, padding=(24, 24))
    return m


def save_html(m: folium.Map, path) -> Path:
    """Write the map as one HTML file, atomically (temporary file, then rename).

    Parameters
    ----------
    m : folium.Map
        A map from :func:`make_map`.
    path : str or os.PathLike
        The file to write (``.html``); its folder must exist.

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
        by :func:`make_map`, e.g. with extra folium plugins).

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
    with atomic_path(target) as tmp:
        tmp.write_bytes(page.encode("utf-8"))
    return target


_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_FETCH = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)|url\(\s*["']?([^"')\s]+)""", re.I)
# attributes that make a browser fetch at load (href only where it does: <link>, <base>, SVG)
_FETCH_ATTRS = {"src", "srcset", "poster", "data", "background", "href", "xlink:href"}
_NO_FETCH_HREF = {"a", "area"}


class _FetchFinder(HTMLParser):
    """The page's structure as a browser reads it: tags, their attributes, and the text of
    ``<style>`` elements. Text and script contents (where the user's data sits, escaped)
    are not sources."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            if not value:
                continue
            if name == "style":
                self._css(value)
            elif name in _FETCH_ATTRS and not (name in ("href", "xlink:href") and tag in _NO_FETCH_HREF):
                urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
                self.found += [u.strip() for u in urls if _REMOTE.match(u)]

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data)

    def _css(self, css: str) -> None:
        for match in _CSS_FETCH.finditer(_CSS_COMMENT.sub("", css)):
            url = match.group(1) or match.group(2)
            if _REMOTE.match(url):
                self.found.append(url)


def external_resources(page: str) -> list[str]:
    """URLs of scripts, stylesheets and images a rendered page would fetch at load.

    Read from the page's structure — ``src``/``href``-like attributes, ``style``
    attributes and ``<style>`` elements (``@import``, ``url()``) — never from its text or
    its scripts' data, so a cell reading ``@import url(//x)`` is just text.
    """
    finder = _FetchFinder()
    finder.feed(page)
    finder.close()
    return finder.found


# --------------------------------------------------------------------------- elements


class Page(Figure):
    """The HTML document: branca's ``Figure`` drawn with geomap's fixed ``page.html``.

    The page is where text from the user's data enters the document, as values of a
    template that is never parsed again: the title (escaped) and ``data``, written as one
    JSON block (:func:`safe_json`) that the map's scripts read as ``geomapData``. Leaflet
    and the stylesheets are inlined the same way, as values. ``data`` is read when the
    page is rendered, so the map's layers can fill it after the page is made.
    """

    def __init__(self, *, title: str, lang: str, data: dict, cluster: bool):
        super().__init__()
        self._template = _ENV.get_template("page.html")
        self.page_title = title
        self.lang = lang
        self.data = data
        self.styles = [assets.leaflet_css()]
        self.scripts = [assets.leaflet_js()]
        if cluster:
            self.styles.append(assets.markercluster_css())
            self.scripts.append(assets.markercluster_js())
        self.styles.append(resources.files("geomap.maps").joinpath("templates", "page.css").read_text(encoding="utf-8"))

    @property
    def data_json(self) -> str:
        return safe_json(self.data)


class PointLayer(Layer):
    """All points as one JSON array (``geomapData.points``); circle markers (clustered or not) built in the browser."""

    def __init__(self, *, cluster: bool, radius: int = 6):
        super().__init__(name="points", overlay=True, control=True, show=True)
        self._name = "GeomapPoints"
        self._template = _ENV.get_template("points.js")
        self.cluster = cluster
        self.radius = radius


class Shapes(Layer):
    """GeoJSON layers drawn from ``geomapData.shapes[slot]``: a list of parts, each with its
    features, style, class and whether its features carry tooltips (as text)."""

    def __init__(self, slot: str):
        super().__init__(name=slot, overlay=True, control=True, show=True)
        self._name = "GeomapShapes"
        self._template = _ENV.get_template("shapes.js")
        self.slot = slot


class Panel(MacroElement):
    """A Leaflet control showing ``geomapData.panels[slot]``: HTML built (and escaped) in Python."""

    def __init__(self, slot: str, *, position: str, css_class: str):
        super().__init__()
        self._name = "GeomapPanel"
        self._template = _ENV.get_template("control.js")
        self.slot = slot
        self.position = position
        self.css_class = css_class


class Extras(MacroElement):
    """Scale bar, data attribution, the layer switcher and the ``window.__geomap`` handles tests use."""

    def __init__(self, *, base_layers: list, overlays: list, registry: dict, blank: bool):
        super().__init__()
        self._name = "GeomapExtras"
        self._template = _ENV.get_template("extras.js")
        self.base_layers = base_layers
        self.overlays = overlays
        self.registry = registry
        self.blank = blank


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_INERT = str.maketrans({"{": "\\u007b", "}": "\\u007d", "%": "\\u0025", "#": "\\u0023"})


def safe_json(obj) -> str:
    """JSON that can sit inside ``<script>`` and can never be read as a template.

    ``<``, ``>``, ``&`` and the line separators are written as ``\\u`` escapes, so the HTML
    cannot end the script; inside strings, ``{``, ``}``, ``%`` and ``#`` are too, so the text
    holds no Jinja2 delimiter. JSON and JavaScript read the escapes as the same text.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return _JSON_STRING.sub(lambda s: s.group(0).translate(_INERT), text)


def _point_data(model: _model.MapModel) -> dict:
    pts = model.points
    data = {
        "lat": np.round(pts.geometry.y.to_numpy(), COORD_DIGITS).tolist(),
        "lon": np.round(pts.geometry.x.to_numpy(), COORD_DIGITS).tolist(),
        "colors": [item.color for item in model.categories],
        "fields": [],
    }
    if len(model.categories) > 1:
        data["c"] = model.point_colors.tolist()
    for label, column in model.popup_fields:
        values = pts[column].astype("string").fillna("")
        codes, uniques = pd.factorize(values)
        if len(uniques) * 2 < len(values):  # repeated values: send each once
            data["fields"].append({"label": str(label), "u": [str(u) for u in uniques], "i": codes.tolist()})
        else:
            data["fields"].append({"label": str(label), "v": values.tolist()})
    return data


def _round_coords(obj, digits=5):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(v, digits) for v in obj]
        return [_round_coords(o, digits) for o in obj]
    return obj


def _features(frame, properties=None) -> dict:
    import shapely

    feats = []
    geojson = shapely.to_geojson(frame.geometry.to_numpy())
    for i, g in enumerate(geojson):
        geom = json.loads(g)
        geom["coordinates"] = _round_coords(geom["coordinates"])
        feats.append({"type": "Feature", "geometry": geom, "properties": {} if properties is None else properties[i]})
    return {"type": "FeatureCollection", "features": feats}


def _shape_part(frame, *, style) -> dict:
    """Outlines for :class:`Shapes`: one style, no interaction."""
    return {"data": _features(frame), "style": style, "interactive": False}


def _area_part(areas) -> dict:
    """Areas for :class:`Shapes`: a fill per area and its tooltip, as plain text (set with ``textContent``)."""
    props = []
    for row in areas.itertuples(index=False):
        style = {"fillColor": row.color, "fillOpacity": 0.75 if row.state != _model.NODATA else 0.45}
        if row.state == _model.NODATA:
            style["dashArray"] = "4 3"
        props.append({"tip": str(row.tip), "style": style})
    base = {"color": "#555555", "weight": 0.8, "opacity": 0.9}
    return {"data": _features(areas, props), "style": base, "interactive": True, "className": "geomap-area", "tips": True}


def _legend_html(model: _model.MapModel) -> str:
    parts = []
    if model.areas is not None and model.area_items:
        parts.append(f"<h4>{escape(model.area_title)}</h4><ul>")
        for item in model.area_items:
            cls = "geomap-swatch nodata" if item.kind == _model.NODATA else "geomap-swatch"
            parts.append(f'<li><span class="{cls}" style="background:{item.color}"></span>{escape(item.label)}</li>')
        parts.append("</ul>")
        if model.approximate:
            parts.append(f'<div class="geomap-note">{escape(model.text["approximate"])}</div>')
    if model.points is not None and (len(model.categories) > 1 or model.category_title):
        head = model.category_title or model.text["points"]
        parts.append(f"<h4>{escape(head)}</h4><ul>")
        for item in model.categories:
            parts.append(
                f'<li><span class="geomap-swatch point" style="background:{item.color}"></span>{escape(item.label)}</li>'
            )
        parts.append("</ul>")
    return "".join(parts)


def _notes_html(model: _model.MapModel) -> str:
    text = model.text
    parts = []
    if model.unplaced_count:
        summary = escape(text["unplaced"].format(n=f"{model.unplaced_count:,}"))
        if model.unplaced_list:
            shown = model.unplaced_list[: _model.MAX_UNPLACED_LISTED]
            items = "".join(f"<li>{escape(t)}</li>" for t in shown)
            more = len(model.unplaced_list) - len(shown)
            tail = f'<div class="geomap-note">{escape(text["unplaced_more"].format(n=f"{more:,}"))}</div>' if more else ""
            parts.append(f"<details><summary>{summary}</summary><ol>{items}</ol>{tail}</details>")
        else:
            parts.append(f'<div>{summary}</div><div class="geomap-note">{escape(text["unplaced_hidden"])}</div>')
    if model.unassigned:
        parts.append(f"<div>{escape(text['unassigned'].format(n=f'{model.unassigned:,}'))}</div>")
    if model.coarse:
        parts.append(f"<div>{escape(text['coarse'].format(n=f'{model.coarse:,}'))}</div>")
    return "".join(parts)


def _data_attribution(lang: str) -> str:
    return attribution_html(lang)
