"""Maps for memos and for the browser: self-contained HTML (folium) and PNG/PDF (matplotlib).

A map is decided once and drawn twice: :class:`MapOptions` (:mod:`.options`) says what to
show and checks itself; :func:`build` (:mod:`.model`) turns the rows and the options into a
:class:`MapModel`; :func:`.html.draw` and :func:`.static.draw` draw that model.
:func:`make_map` and :func:`save_image` do all of it in one call.

Error keys raised here and in :mod:`geomap.spatial` / :func:`geomap.boundaries.read_boundaries`
(``UsageError``/``InputError``/``OutputError``, see :mod:`geomap.errors`): ``bad_choice``,
``bad_k``, ``min_count_invalid``, ``breaks_required``, ``bad_breaks``, ``bad_dpi``,
``bad_image_format``, ``nothing_to_draw``, ``not_a_table``, ``no_points``,
``missing_columns``, ``value_required``, ``value_not_numeric``, ``value_overflow``,
``boundary_key_required``, ``boundary_not_found``, ``boundary_unreadable``,
``boundary_not_polygons``, ``not_offline``, ``output_unwritable``.

The names are imported on first use, so :mod:`.options` (the allowed values) can be read
without loading folium, matplotlib or geopandas.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "MapOptions": "options",
    "MapModel": "model",
    "build": "model",
    "GSI_PALE": "html",
    "GSI_STD": "html",
    "TILE_PROVIDERS": "html",
    "make_map": "html",
    "save_html": "html",
    "save_image": "static",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["GSI_PALE", "GSI_STD", "MapModel", "MapOptions", "TILE_PROVIDERS", "build", "make_map", "save_html",
           "save_image"]
