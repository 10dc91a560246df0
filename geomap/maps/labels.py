"""Names on the memo map: which areas are named, and where each name goes (matplotlib).

:func:`place_labels` sets each name inside its area where it overlaps no other name, no
point and no reserved corner (scale bar, north arrow, inset), the most important first; a
municipality with rows whose name fits nowhere inside is set beside it with a leader line.
"""

from __future__ import annotations

import numpy as np

MAX_AREA_LABELS = 40  # beyond this, names would cover the map a memo is for
LABEL_SIZE = 8  # points
#: Label spots tried per name: its polygon's inner point, then points of a grid over it.
LABEL_GRID = 9


def label_items(model, view) -> list[tuple[str, object, float]]:
    """``(text, polygon, priority)`` of what the memo names: never a value (counts may be hidden).

    Towns and the user's areas: the areas with rows. Otherwise the municipalities (or
    prefectures) the map shows, those with rows first.
    """
    import shapely

    items = []
    if model.areas is not None and model.level in ("town", "user"):
        named = model.areas[(model.areas["count"] > 0) & model.areas["name"].notna()]
        if model.level == "town":
            texts = named["key"].astype(str).str.split(":", n=1).str[1]
            texts = texts.where(texts != "", named["name"].astype(str))
        else:
            texts = named["name"].astype(str)
        items = [(t, g, float(c)) for t, g, c in zip(texts, named.geometry, named["count"])]
    elif model.places is not None:
        items = [(str(n), g, float(r)) for n, g, r in zip(model.places["name"], model.places.geometry,
                                                          model.places["rows"])]
    box = shapely.box(*view)
    shown = []
    for text, geom, rows in items:
        if geom is None or not geom.intersects(box):
            continue
        inside = geom.intersection(box)
        shown.append((text, inside, rows, inside.area))
    shown.sort(key=lambda t: (-t[2], -t[3]))
    return [(t, g, r) for t, g, r, _ in shown[: MAX_AREA_LABELS * 2]]


def _candidates(polygon) -> list:
    """Spots inside ``polygon`` for a label: its inner point first, then the nearest grid points."""
    import shapely

    first = polygon.representative_point()
    minx, miny, maxx, maxy = polygon.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, LABEL_GRID + 2)[1:-1], np.linspace(miny, maxy, LABEL_GRID + 2)[1:-1])
    grid = shapely.points(xs.ravel(), ys.ravel())
    grid = grid[shapely.contains(polygon, grid)]
    order = np.argsort(shapely.distance(grid, first))
    return [(first.x, first.y)] + [(p.x, p.y) for p in grid[order]]


#: Parts of the map kept free of names, in axes fractions (x0, y0, x1, y1): the scale bar
#: (lower left) and the north arrow (upper right).
RESERVED = ((0.0, 0.0, 0.2, 0.1), (0.93, 0.82, 1.0, 1.0))
#: Distances (in label heights) at which a name that fits nowhere inside its area is tried
#: around it, with a leader line.
LEADER_RINGS = (2.0, 3.0, 4.0, 5.0, 6.5, 8.0, 10.0, 12.0, 14.0)
LEADER_ANGLES = np.radians([90, 45, 135, 0, 180, -45, -135, -90, 67.5, 112.5, 22.5, 157.5, -22.5, -157.5,
                            -67.5, -112.5])
#: At most this many names are set beside their areas.
MAX_LEADERS = 8


def place_labels(ax, model, crs, view, point_xy, reserved=RESERVED) -> list:
    """Name what the map shows, each label where it overlaps no other label and no point.

    Labels are tried in order of importance (rows, then the area shown) at spots inside
    their area; a municipality with rows that fits nowhere inside is set beside its area
    with a thin leader line (at most :data:`MAX_LEADERS`); any other name that fits nowhere
    is left out rather than drawn over something (towns and the user's areas are many,
    prefectures known: no leader lines). Names with rows are dark, the others grey. Returns the labels drawn
    (matplotlib ``Text``, gid ``geomap-label``).
    """
    import geopandas as gpd
    import matplotlib.patheffects as pe

    items = label_items(model, view)
    if not items:
        return []
    shapes = gpd.GeoSeries([g for _, g, _ in items], crs=spatial_crs()).to_crs(crs)
    renderer = ax.figure.canvas.get_renderer()
    to_display = ax.transData.transform
    frame = ax.get_window_extent(renderer)
    boxes = [(frame.x0 + a * frame.width, frame.y0 + b * frame.height, frame.x0 + c * frame.width,
              frame.y0 + d * frame.height) for a, b, c, d in reserved]
    pad = 2.0
    marker = 3.5 * ax.figure.dpi / 72  # a point's radius (and its white edge) in pixels
    pts = to_display(point_xy) if len(point_xy) else np.empty((0, 2))
    halo = [pe.withStroke(linewidth=2.5, foreground="white")]

    def free(cx, cy, w, h):
        x0, y0, x1, y1 = cx - w, cy - h, cx + w, cy + h
        if x0 < frame.x0 or y0 < frame.y0 or x1 > frame.x1 or y1 > frame.y1:
            return None
        if any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in boxes):
            return None
        if len(pts) and ((pts[:, 0] > x0 - marker) & (pts[:, 0] < x1 + marker)
                         & (pts[:, 1] > y0 - marker) & (pts[:, 1] < y1 + marker)).any():
            return None
        return x0, y0, x1, y1

    placed, missed = [], []

    def inside(text, rows, shape) -> bool:
        label = ax.text(0, 0, text, ha="center", va="center", fontsize=LABEL_SIZE if rows else LABEL_SIZE - 0.5,
                        color="#222222" if rows else "#666666", path_effects=halo, zorder=6, gid="geomap-label")
        extent = label.get_window_extent(renderer)
        w, h = extent.width / 2 + pad, extent.height / 2 + pad
        for x, y in _candidates(shape):
            box = free(*to_display((x, y)), w, h)
            if box is not None:
                label.set_position((x, y))
                boxes.append(box)
                placed.append(label)
                return True
        label.remove()
        if rows and model.level not in ("town", "user") and model.places.attrs.get("kind") == "municipality":
            missed.append((text, shape, w, h))  # towns and prefectures: many, or known; no leaders
        return False

    def beside(text, shape, w, h) -> None:
        anchor = shape.representative_point()
        ax_, ay_ = to_display((anchor.x, anchor.y))
        for ring in LEADER_RINGS:
            for angle in LEADER_ANGLES:
                cx = ax_ + np.cos(angle) * ring * 2 * h + np.sign(np.cos(angle).round(6)) * w
                cy = ay_ + np.sin(angle) * ring * 2 * h
                box = free(cx, cy, w, h)
                if box is None:
                    continue
                x, y = to_data((cx, cy))
                label = ax.annotate(text, xy=(anchor.x, anchor.y), xytext=(x, y), ha="center", va="center",
                                    fontsize=LABEL_SIZE, color="#222222", path_effects=halo, zorder=6,
                                    arrowprops={"arrowstyle": "-", "color": "#444444", "lw": 0.6,
                                                "shrinkA": 0, "shrinkB": 0})
                label.set_gid("geomap-label")
                boxes.append(box)
                placed.append(label)
                return

    # the names with rows first, inside their areas, then beside them with a leader line
    # (at most MAX_LEADERS), then the others inside theirs, while there is room
    to_data = ax.transData.inverted().transform
    listed = [(t, r, g) for (t, _, r), g in zip(items, shapes)]
    for text, rows, shape in [i for i in listed if i[1]]:
        if len(placed) < MAX_AREA_LABELS:
            inside(text, rows, shape)
    for text, shape, w, h in missed[:MAX_LEADERS]:
        if len(placed) < MAX_AREA_LABELS:
            beside(text, shape, w, h)
    for text, rows, shape in [i for i in listed if not i[1]]:
        if len(placed) < MAX_AREA_LABELS:
            inside(text, rows, shape)
    return placed


def spatial_crs() -> str:
    from ..shapes import WGS84

    return WGS84

