"""PNG and PDF maps for memos, drawn with matplotlib (no network, no tiles).

The background is the embedded prefecture and municipality boundaries; the map is drawn
in the UTM zone of its centre so that distances, and so the scale bar, are true. Japanese
text uses the IPAex Gothic font that ``matplotlib-fontja`` ships. The figure is A4
(landscape by default) at 200 dpi or more; pyplot is not used, so nothing depends on the
interactive backend.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..output import atomic_path
from ..provenance import attribution
from .classes import CONTEXT, NODATA, NODATA_COLOR
from .labels import RESERVED, place_labels
from .model import MapModel, build
from .options import MapOptions, check_choice, map_options, option_keywords
from .wrap import wrap

A4_INCHES = (11.69, 8.27)
FORMATS = {".png": "png", ".pdf": "pdf"}
ORIENTATIONS = ("landscape", "portrait")
FONT = "IPAexGothic"


@option_keywords
def save_image(
    df: pd.DataFrame | MapModel,
    path,
    options: MapOptions | None = None,
    *,
    dpi: int = 200,
    orientation: str = "landscape",
    unplaced=None,
    **keywords,
) -> Path:
    """Draw the map as a PNG or PDF (chosen by the file extension), for memos.

    Takes the rows and the options of :func:`geomap.maps.make_map` (as keywords, as a
    :class:`~geomap.maps.MapOptions`, or both), or a map already decided by
    :func:`geomap.maps.build`, which is then drawn as it is. A memo map never fetches
    tiles and draws every point, so ``tiles`` and ``cluster`` change nothing here.

    Parameters
    ----------
    df : pandas.DataFrame or geomap.maps.MapModel
        The rows, as for :func:`geomap.maps.make_map`; or a model from
        :func:`geomap.maps.build` (then no option and no ``unplaced`` may be given).
    path : str or os.PathLike
        ``.png`` or ``.pdf``. Written atomically (temporary file, then rename).
    options : geomap.maps.MapOptions, optional
        The map's options at once; keywords replace its values.
    dpi : int
        Resolution, at least 200 (A4 landscape at 200 dpi is 2338 × 1654 pixels).
    orientation : {"landscape", "portrait"}
        A4 orientation.
    unplaced : pandas.DataFrame or sequence of str, optional
        As for :func:`geomap.maps.make_map`.
    **keywords
        Every option of :func:`geomap.maps.make_map` (``by``, ``value``, ``agg``,
        ``category``, ``title``, ``min_count``, ``points``, ``lang`` …).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    UsageError
        ``bad_image_format`` (``path``, ``choices``), ``bad_choice`` for ``orientation``,
        ``bad_dpi`` (``value``); and those of ``make_map``.
    OutputError
        ``output_unwritable`` (``path``, ``reason``).

    Examples
    --------
    >>> import geomap
    >>> wards = geomap.geocode_table(geomap.read_table("sample_data/tokyo_wards_facilities.csv"))
    >>> geomap.save_image(wards, "wards.png", by="municipality", title="区ごとの施設数").name
    'wards.png'
    >>> geomap.save_image(wards, "wards.pdf", by="municipality", orientation="portrait").suffix
    '.pdf'

    One model drawn twice, its areas computed once:

    >>> from geomap.maps import MapOptions, build
    >>> model = build(wards, MapOptions(by="municipality", points=False))
    >>> [geomap.save_image(model, f"model.{kind}").name for kind in ("png", "pdf")]
    ['model.png', 'model.pdf']
    """
    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"image must end in .png or .pdf, got {str(target)!r}",
            key="bad_image_format",
            path=str(target),
            choices=", ".join(FORMATS),
        )
    check_choice("orientation", orientation, ORIENTATIONS)
    if not isinstance(dpi, (int, np.integer)) or dpi < 200:
        raise UsageError(f"dpi must be an integer of at least 200, got {dpi!r}", key="bad_dpi", value=str(dpi))
    if isinstance(df, MapModel):
        if options is not None or keywords or unplaced is not None:
            raise TypeError("a MapModel is drawn as it was built: give its options and unplaced rows to build()")
        model = df
    else:
        model = build(df, map_options(options, **keywords), unplaced=unplaced)
    figure = draw(model, orientation=orientation)
    _atomic_savefig(figure, target, fmt=fmt, dpi=int(dpi))
    return target


def _rc():
    # text.parse_math: every text on the map is shown as written; a name or title holding
    # "$", "\\", "_" or "^" is not mathtext
    return {"font.family": FONT, "pdf.fonttype": 42, "axes.unicode_minus": False, "text.parse_math": False,
            "text.usetex": False}


def draw(model: MapModel, *, orientation: str = "landscape"):
    """Draw a :class:`~geomap.maps.model.MapModel` on a new A4 ``Figure`` (not shown)."""
    import matplotlib
    import matplotlib_fontja  # noqa: F401  (registers the IPAex Gothic font)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    size = A4_INCHES if orientation == "landscape" else A4_INCHES[::-1]
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=size)
        FigureCanvasAgg(fig)  # Agg, whatever the session's backend; also measures the legends
        _draw(fig, model, landscape=orientation == "landscape")
    return fig


def _utm(bounds) -> str:
    lon = (bounds[0] + bounds[2]) / 2
    lat = (bounds[1] + bounds[3]) / 2
    zone = int(math.floor((lon + 180) / 6)) + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def _draw(fig, model, *, landscape: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib_scalebar.scalebar import ScaleBar

    text = model.text
    view_lonlat = model.focus or model.bounds
    crs = _utm(view_lonlat)
    if landscape:
        ax = fig.add_axes([0.02, 0.09, 0.72, 0.82])
        legend_anchor = (0.76, 0.91)
    else:
        ax = fig.add_axes([0.04, 0.24, 0.92, 0.68])
        legend_anchor = (0.06, 0.225)
    _frame(ax)
    _layers(ax, model, crs)
    points_xy = _draw_points(ax, model, crs)

    # view: what has data (or where most rows are), with a margin, in the axes' aspect
    (x0, y0), (x1, y1) = _project_array(np.array(view_lonlat, dtype=float).reshape(2, 2), crs).tolist()
    _fit(ax, fig, x0, y0, x1, y1)
    ax.apply_aspect()
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    view = _view_lonlat(xlim, ylim, crs)

    outside, reserved = 0, list(RESERVED)
    if model.focus is not None and model.located is not None:
        xy = _project_array(model.located, crs)  # every row placed, once: for the count and the inset
        inside = (xy[:, 0] >= xlim[0]) & (xy[:, 0] <= xlim[1]) & (xy[:, 1] >= ylim[0]) & (xy[:, 1] <= ylim[1])
        outside = int((~inside).sum())
        if outside:
            x, y, w, h = _inset(ax, fig, model, crs, xlim, ylim, points_xy, xy)
            reserved.append((x, y, x + w, y + h))
    place_labels(ax, model, crs, view, points_xy, reserved=reserved)

    ax.add_artist(
        ScaleBar(1, "m", location="lower left", box_alpha=0.85, font_properties={"family": _rc()["font.family"], "size": 9})
    )
    ax.annotate(
        "N", xy=(0.965, 0.95), xytext=(0.965, 0.87), xycoords="axes fraction", ha="center", va="center",
        fontsize=11, arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.2},
    )
    fig.suptitle(model.title, fontsize=16, y=0.965 if landscape else 0.97)

    # legends, stacked from the top of the legend column
    legends = []
    if model.areas is not None and model.area_items:
        handles = [_area_handle(item) for item in model.area_items]
        title = model.area_title
        if model.approximate:  # said in the legend itself: the areas are approximate
            title += "\n" + wrap(text("approximate"), TITLE_WIDTH if landscape else NOTE_WIDTH_PORTRAIT)
        legends.append((title, handles))
    n = 0 if model.points is None else len(model.points)
    if n and (len(model.categories) > 1 or model.category_title):
        handles = [
            Line2D([], [], marker="o", linestyle="", markerfacecolor=item.color, markeredgecolor="white", markersize=8, label=item.label)
            for item in model.categories
        ]
        legends.append((model.category_title or text("points"), handles))
    y = legend_anchor[1]
    renderer = fig.canvas.get_renderer()
    for title, handles in legends:
        leg = fig.legend(
            handles=handles, title=title, loc="upper left", bbox_to_anchor=(legend_anchor[0], y),
            frameon=False, fontsize=9, title_fontsize=10, alignment="left",
            ncols=1 if landscape else 2,
        )
        y -= _legend_height(fig, leg, renderer) + 0.02

    notes = list(model.notes)
    if outside:
        notes.append(text("outside", n=f"{outside:,}"))
    if notes:
        width = NOTE_WIDTH if landscape else NOTE_WIDTH_PORTRAIT
        wrapped = "\n".join(wrap(s, width) for s in notes)
        fig.text(legend_anchor[0] + 0.005, y, wrapped, va="top", ha="left", fontsize=8.5, color="#333333",
                 gid="geomap-notes")

    source = text("source") + attribution(model.lang)
    fig.text(0.02, 0.06, wrap(source, 240 if landscape else 170), va="top", ha="left", fontsize=6.5, color="#444444")


#: Width of the notes beside the map, in half-width columns (a kanji takes two).
NOTE_WIDTH, NOTE_WIDTH_PORTRAIT = 44, 120
#: The same for a legend's title, set larger (10 pt against 8.5).
TITLE_WIDTH = 36


def _frame(ax) -> None:
    ax.set_facecolor("#e8eef3")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)


def _layers(ax, model, crs, *, lines: bool = True) -> None:
    """Land, areas (by their state), municipal and prefectural lines."""
    if model.land is not None and len(model.land):
        model.land.to_crs(crs).plot(ax=ax, color="#fbfaf6", edgecolor="none", zorder=1)
    if model.areas is not None and len(model.areas):
        areas = model.areas.to_crs(crs)
        hatched = (areas["state"] == NODATA).to_numpy()
        if (~hatched).any():
            areas[~hatched].plot(ax=ax, color=areas.loc[~hatched, "color"].tolist(), edgecolor="#555555",
                                 linewidth=0.4, zorder=2)
        if hatched.any():
            areas[hatched].plot(ax=ax, facecolor=NODATA_COLOR, edgecolor="#777777", hatch="///", linewidth=0.4,
                                zorder=2)
    if lines and model.municipality_lines is not None and len(model.municipality_lines):
        model.municipality_lines.to_crs(crs).plot(ax=ax, color=CONTEXT_LINE, linewidth=0.5, linestyle="--", zorder=3)
    if model.prefecture_lines is not None and len(model.prefecture_lines):
        model.prefecture_lines.to_crs(crs).plot(ax=ax, color="#555555", linewidth=0.9 if lines else 0.4, zorder=3)
    ax.set_xlabel("")  # geopandas labels projected axes; a memo map needs no coordinates
    ax.set_ylabel("")


CONTEXT_LINE = "#7a7a7a"


def _area_handle(item):
    from matplotlib.patches import Patch

    if item.kind == CONTEXT:
        return Patch(facecolor="none", edgecolor=CONTEXT_LINE, linestyle="--", linewidth=0.8, label=item.label)
    return Patch(facecolor=item.color, edgecolor="#555555", hatch="///" if item.kind == NODATA else None,
                 label=item.label, linewidth=0.5)


def _draw_points(ax, model, crs) -> np.ndarray:
    """The points (projected); returns their coordinates, for the labels to keep off."""
    n = 0 if model.points is None else len(model.points)
    if not n:
        return np.empty((0, 2))
    pts = model.points.to_crs(crs)
    xy = np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()])
    palette = np.array([item.color for item in model.categories])
    ax.scatter(
        xy[:, 0], xy[:, 1],
        s=16 if n <= 1000 else 6 if n <= 10000 else 2,
        c=palette[model.point_colors],
        edgecolors="white" if n <= 1000 else "none",
        linewidths=0.4,
        alpha=0.9 if n <= 10000 else 0.6,
        zorder=4,
    )
    return xy


def _view_lonlat(xlim, ylim, crs) -> tuple:
    from pyproj import Transformer

    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xs = [xlim[0], xlim[1], xlim[0], xlim[1]]
    ys = [ylim[0], ylim[0], ylim[1], ylim[1]]
    lon, lat = t.transform(xs, ys)
    return min(lon), min(lat), max(lon), max(lat)


INSET_SIZE = 0.26  # of the map's width


def _inset(ax, fig, model, crs, xlim, ylim, points_xy, located_xy) -> tuple:
    """A small map of every row's extent, in the corner of the map with the fewest points,
    with the main map's view outlined: for a memo zoomed to where most rows are.

    ``located_xy``: every row placed, projected (:func:`_project_array` of ``model.located``).
    Returns its place in the map, in axes fractions ``(x, y, width, height)``.
    """
    from matplotlib.patches import Rectangle

    pos = ax.get_position(original=True)
    aspect_fig = fig.get_figwidth() * pos.width / (fig.get_figheight() * pos.height)
    (bx0, by0), (bx1, by1) = _project_array(np.array(model.bounds, dtype=float).reshape(2, 2), crs).tolist()
    bx0, bx1 = min(bx0, xlim[0]), max(bx1, xlim[1])
    by0, by1 = min(by0, ylim[0]), max(by1, ylim[1])
    w = INSET_SIZE
    h = min(w * aspect_fig * max(by1 - by0, 1) / max(bx1 - bx0, 1), 0.45)
    corners = {"upper left": (0.015, 0.985 - h), "lower right": (0.985 - w, 0.07)}
    shown = points_xy
    if len(shown):
        fx = (shown[:, 0] - xlim[0]) / (xlim[1] - xlim[0])
        fy = (shown[:, 1] - ylim[0]) / (ylim[1] - ylim[0])
        crowd = {k: int(((fx >= x) & (fx <= x + w) & (fy >= y) & (fy <= y + h)).sum()) for k, (x, y) in corners.items()}
        corner = min(crowd, key=crowd.get)
    else:
        corner = "upper left"
    x, y = corners[corner]
    inset = ax.inset_axes([x, y, w, h], zorder=7)
    _frame(inset)
    for land, lines in [model.overview or (None, None)]:
        if land is not None and len(land):
            land.to_crs(crs).plot(ax=inset, color="#fbfaf6", edgecolor="none", zorder=1)
        if lines is not None and len(lines):
            lines.to_crs(crs).plot(ax=inset, color="#555555", linewidth=0.4, zorder=3)
    _layers(inset, model, crs, lines=False)
    if len(located_xy):
        inset.scatter(located_xy[:, 0], located_xy[:, 1], s=3, c="#333333", edgecolors="none", zorder=4)
    inset.add_patch(Rectangle((xlim[0], ylim[0]), xlim[1] - xlim[0], ylim[1] - ylim[0], fill=False,
                              edgecolor="#d62728", linewidth=1.0, zorder=5))
    _fit(inset, fig, bx0, by0, bx1, by1, margin=0.06, aspect=aspect_fig * w / h)
    inset.set_gid("geomap-inset")
    return x, y, w, h


def _project_array(lonlat: np.ndarray, crs) -> np.ndarray:
    """``(lon, lat)`` rows projected to ``crs`` as an ``(n, 2)`` array, in one call (no Python loop over the rows)."""
    from pyproj import Transformer

    if not len(lonlat):
        return np.empty((0, 2))
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = t.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def _fit(ax, fig, x0, y0, x1, y1, margin=0.08, aspect=None):
    w, h = max(x1 - x0, 500.0), max(y1 - y0, 500.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
    if aspect is None:  # width over height of the axes as laid out (not as a plot has shrunk it)
        pos = ax.get_position(original=True)
        aspect = (pos.width * fig.get_figwidth()) / (pos.height * fig.get_figheight())
    if w / h > aspect:
        h = w / aspect
    else:
        w = h * aspect
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box")


def _legend_height(fig, legend, renderer) -> float:
    box = legend.get_window_extent(renderer)
    return box.height / fig.bbox.height


def _atomic_savefig(fig, target: Path, *, fmt: str, dpi: int) -> None:
    import matplotlib

    with atomic_path(target) as tmp, matplotlib.rc_context(_rc()):
        fig.savefig(tmp, format=fmt, dpi=dpi, facecolor="white", metadata=_metadata(fmt))


def _metadata(fmt: str) -> dict:
    from .._version import __version__

    return {"Software": f"geomap {__version__}"} if fmt == "png" else {"Creator": f"geomap {__version__}"}
