"""What the HTML map's one JSON block holds: the points, the shapes and the panels.

Every value from the user's data reaches the page here, as data: the points with their
popup fields, the outlines and areas as GeoJSON features with their tooltips (plain text,
set with ``textContent`` by the page's scripts), the legend and the notes as HTML built
with every text escaped. :func:`geomap.maps.html.draw` puts them into the ``geomapData``
block that :class:`~geomap.maps.page.Page` writes into the finished page; no element or
template ever holds them.
"""

from __future__ import annotations

import json
from html import escape

import numpy as np
import pandas as pd

from ..provenance import attribution_html
from .classes import CONTEXT, NODATA
from .model import MAX_UNPLACED_LISTED, MapModel

COORD_DIGITS = 5  # about 1 m: finer than any geocoder result


def point_data(model: MapModel) -> dict:
    pts = model.points
    data = {
        "lat": np.round(pts.geometry.y.to_numpy(), COORD_DIGITS).tolist(),
        "lon": np.round(pts.geometry.x.to_numpy(), COORD_DIGITS).tolist(),
        "colors": [item.color for item in model.categories],
        "fields": [],
    }
    if len(model.categories) > 1:
        data["c"] = model.point_colors.tolist()
    rep = model.representative
    if rep is not None and rep.any():
        # the popups say the position is a town's representative point (not the building)
        data["note"] = model.text("popup_representative")
        if not rep.all():
            data["rep"] = rep.astype(int).tolist()
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


def shape_part(frame, *, style) -> dict:
    """Outlines for :class:`Shapes`: one style, no interaction."""
    return {"data": _features(frame), "style": style, "interactive": False}


def area_part(areas) -> dict:
    """Areas for :class:`Shapes`: a fill per area and its tooltip, as plain text (set with ``textContent``)."""
    props = []
    for row in areas.itertuples(index=False):
        style = {"fillColor": row.color, "fillOpacity": 0.75 if row.state != NODATA else 0.45}
        if row.state == NODATA:
            style["dashArray"] = "4 3"
        props.append({"tip": str(row.tip), "style": style})
    base = {"color": "#555555", "weight": 0.8, "opacity": 0.9}
    return {"data": _features(areas, props), "style": base, "interactive": True, "className": "geomap-area", "tips": True}


def legend_html(model: MapModel) -> str:
    parts = []
    if model.areas is not None and model.area_items:
        parts.append(f"<h4>{escape(model.area_title)}</h4><ul>")
        for item in model.area_items:
            cls = {NODATA: "geomap-swatch nodata", CONTEXT: "geomap-swatch context"}.get(item.kind, "geomap-swatch")
            parts.append(f'<li><span class="{cls}" style="background:{item.color}"></span>{escape(item.label)}</li>')
        parts.append("</ul>")
        if model.approximate:
            parts.append(f'<div class="geomap-note">{escape(model.text("approximate"))}</div>')
    if model.points is not None and (len(model.categories) > 1 or model.category_title):
        head = model.category_title or model.text("points")
        parts.append(f"<h4>{escape(head)}</h4><ul>")
        for item in model.categories:
            parts.append(
                f'<li><span class="geomap-swatch point" style="background:{item.color}"></span>{escape(item.label)}</li>'
            )
        parts.append("</ul>")
    return "".join(parts)


def notes_html(model: MapModel) -> str:
    text = model.text
    parts = []
    summary = escape(text("unplaced", n=f"{model.unplaced_count:,}"))
    if not model.unplaced_count:
        parts.append(f"<div>{summary}</div>")  # 0 too: the reader knows it was checked
    else:
        if model.unplaced_list:
            shown = model.unplaced_list[:MAX_UNPLACED_LISTED]
            items = "".join(f"<li>{escape(t)}</li>" for t in shown)
            more = len(model.unplaced_list) - len(shown)
            tail = f'<div class="geomap-note">{escape(text("unplaced_more", n=f"{more:,}"))}</div>' if more else ""
            parts.append(f"<details><summary>{summary}</summary><ol>{items}</ol>{tail}</details>")
        else:
            parts.append(f'<div>{summary}</div><div class="geomap-note">{escape(text("unplaced_hidden"))}</div>')
    if model.unassigned:
        parts.append(f"<div>{escape(text('unassigned', n=f'{model.unassigned:,}'))}</div>")
    if model.coarse:
        parts.append(f"<div>{escape(text('coarse', n=f'{model.coarse:,}'))}</div>")
    return "".join(parts)


def data_attribution(lang: str) -> str:
    return attribution_html(lang)
