"""The choropleth's classes and every legend item, for both renderers.

:func:`classify` gives each area a state (classed, zero, no data, suppressed below
``min_count``), a colour and a label, and makes the areas' legend (its items and its title);
:func:`category_items` colours the points by category and makes their legend items. The
colours and states are constants here; :mod:`.html` and :mod:`.static` only draw them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_CATEGORIES = 10

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


def measure_text(model, unit):
    """The measure's name (件数, 定員の合計 …), with its unit when given."""
    options = model.options
    label = model.text("count") if options.agg == "count" else model.text(options.agg, value=options.value)
    if not unit:
        return label
    return f"{label}（{unit}）" if model.lang == "ja" else f"{label} ({unit})"


def category_items(placed, category, model):
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


def classify(model, areas):
    """Give every area a state (classed, zero, no data, suppressed), a colour and a label;
    set ``model.areas``, its legend items (``area_items``, with the outline-only item of the
    municipalities or prefectures without rows) and its title (``area_title``)."""
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
    if model.level in ("prefecture", "municipality"):
        model.area_items.append(LegendItem("none", text(f"context_{model.level}"), CONTEXT))
    model.area_title = measure_text(model, model.unit)
