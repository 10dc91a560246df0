"""Self-contained HTML maps with folium.

The page needs nothing from the network: Leaflet and Leaflet.markercluster are inlined
from their XStatic wheels (:mod:`.assets`), folium's default CDN links (jQuery, Bootstrap,
Font Awesome …) are dropped, and the prefecture/municipality outlines around the data are
embedded, so the map never looks empty when tiles cannot be reached. Tiles are optional
base layers.

Every value that comes from the user's data is escaped: popups are built in the browser
with ``textContent`` from a JSON array (embedded with ``<``, ``>`` and ``&`` as ``\\u``
escapes), and legends, tooltips, titles and notes are escaped with :func:`html.escape`.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import xyzservices
from branca.element import Element, MacroElement
from folium.map import Layer
from jinja2 import Environment, PackageLoader

from ..errors import UsageError
from ..io import atomic_path
from ..provenance import attribution_html
from . import _model, assets

CLUSTER_THRESHOLD = 1000
MAX_ZOOM = 18
COORD_DIGITS = 5  # about 1 m: finer than any geocoder result

_ENV = Environment(loader=PackageLoader("geomap.maps", "templates"), autoescape=False)

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
    """Draw a :class:`~geomap.maps._model.MapModel` with folium."""
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
    _add_assets(m, cluster=bool(cluster and n_points))
    figure = m.get_root()
    figure.title = escape(model.title)
    figure.html.add_child(Element(f'<div class="geomap-title">{escape(model.title)}</div>'), name="geomap_title")

    registry = {}
    if tiles != "none":
        order = [tiles] + [t for t in TILE_PROVIDERS if t != tiles]
        for key in order:
            folium.TileLayer(
                TILE_PROVIDERS[key], name=escape(text[_TILE_TEXT[key]]), show=key == tiles, max_zoom=MAX_ZOOM
            ).add_to(m)
    else:
        figure.header.add_child(
            Element(f"<style>#{m.get_name()} {{ background: #e8eef3; }}</style>"), name="geomap_blank"
        )

    blank = tiles == "none"
    outline = folium.FeatureGroup(name=escape(text["outlines"]), control=True)
    if blank and model.land is not None and len(model.land):
        style = {"stroke": False, "fill": True, "fillColor": "#fbfaf6", "fillOpacity": 1}
        folium.GeoJson(_features(model.land, style=style), interactive=False).add_to(outline)
    if model.municipality_lines is not None and len(model.municipality_lines):
        style = {"color": "#8a8a8a", "weight": 0.8, "dashArray": "3 3"}
        folium.GeoJson(_features(model.municipality_lines, style=style), interactive=False).add_to(outline)
    if model.prefecture_lines is not None and len(model.prefecture_lines):
        style = {"color": "#555555", "weight": 1.6}
        folium.GeoJson(_features(model.prefecture_lines, style=style), interactive=False).add_to(outline)
    outline.add_to(m)

    if model.areas is not None:
        areas = folium.GeoJson(
            _area_features(model.areas),
            name=escape(model.area_title or text["areas"]),
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
            className="geomap-area",
        )
        areas.add_to(m)
        registry["areas"] = areas

    if model.points is not None and n_points:
        layer = PointLayer(model, cluster=bool(cluster), name=escape(text["points"]))
        layer.add_to(m)
        registry["pointsLayer"] = layer

    legend = _legend_html(model)
    if legend:
        Panel(legend, position="bottomright", css_class="geomap-panel geomap-legend").add_to(m)
    notes = _notes_html(model)
    if notes:
        Panel(notes, position="bottomleft", css_class="geomap-panel geomap-notes").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    Extras(attribution=_data_attribution(model.lang), registry=registry).add_to(m)
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


def external_resources(page: str) -> list[str]:
    """URLs of scripts, stylesheets and images a rendered page would fetch at load."""
    import re

    pattern = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", re.I)
    found = pattern.findall(page)
    found += re.findall(r"""@import\s+(?:url\()?["']?((?:https?:)?//[^"')\s]+)""", page)
    return found


# --------------------------------------------------------------------------- elements


def _template(name: str):
    return _ENV.get_template(name)


class PointLayer(Layer):
    """All points as one JSON array; circle markers (clustered or not) built in the browser."""

    def __init__(self, model: _model.MapModel, *, cluster: bool, name: str, radius: int = 6):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "GeomapPoints"
        self._template = _template("points.js")
        self.cluster = cluster
        self.radius = radius
        self.data = safe_json(_point_data(model))


class Panel(MacroElement):
    """A Leaflet control holding HTML built (and escaped) in Python."""

    def __init__(self, content: str, *, position: str, css_class: str):
        super().__init__()
        self._name = "GeomapPanel"
        self._template = _template("control.js")
        # JSON for the script, with <, > and & as \u escapes so the HTML cannot end it
        self.content_js = safe_json(content)
        self.position_js = safe_json(position)
        self.css_class_js = safe_json(css_class)


class Extras(MacroElement):
    """Scale bar, data attribution and the ``window.__geomap`` handles tests use."""

    def __init__(self, *, attribution: str, registry: dict):
        super().__init__()
        self._name = "GeomapExtras"
        self._template = _template("extras.js")
        self.attribution_js = safe_json(attribution)
        self.registry = registry


def _add_assets(m: folium.Map, *, cluster: bool) -> None:
    header = m.get_root().header
    css = resources.files("geomap.maps").joinpath("templates", "page.css").read_text(encoding="utf-8")
    header.add_child(Element(f"<style>{assets.leaflet_css()}</style>"), name="leaflet_css")
    header.add_child(Element(f"<script>{assets.leaflet_js()}</script>"), name="leaflet_js")
    if cluster:
        header.add_child(Element(f"<style>{assets.markercluster_css()}</style>"), name="markercluster_css")
        header.add_child(Element(f"<script>{assets.markercluster_js()}</script>"), name="markercluster_js")
    header.add_child(Element(f"<style>{css}</style>"), name="geomap_css")


def safe_json(obj) -> str:
    """JSON that can sit inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


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


def _features(frame, *, style, properties=None) -> dict:
    import shapely

    feats = []
    geojson = shapely.to_geojson(frame.geometry.to_numpy())
    for i, g in enumerate(geojson):
        geom = json.loads(g)
        geom["coordinates"] = _round_coords(geom["coordinates"])
        props = {"style": style if properties is None else {**style, **properties[i].pop("style", {})}}
        if properties is not None:
            props.update(properties[i])
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def _area_features(areas) -> dict:
    props = []
    for row in areas.itertuples(index=False):
        style = {"fillColor": row.color, "fillOpacity": 0.75 if row.state != _model.NODATA else 0.45}
        if row.state == _model.NODATA:
            style["dashArray"] = "4 3"
        props.append({"tip": escape(row.tip), "style": style})
    base = {"color": "#555555", "weight": 0.8, "opacity": 0.9}
    return _features(areas, style=base, properties=props)


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
