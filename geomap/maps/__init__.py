"""Maps for memos and for the browser: self-contained HTML (folium) and PNG/PDF (matplotlib).

Error keys raised here and in :mod:`geomap.spatial` / :func:`geomap.boundaries.read_boundaries`
(``UsageError``/``InputError``/``OutputError``, see :mod:`geomap.errors`): ``bad_choice``,
``bad_k``, ``bad_min_count``, ``breaks_required``, ``bad_breaks``, ``bad_dpi``,
``bad_image_format``, ``nothing_to_draw``, ``not_a_table``, ``no_points``,
``missing_columns``, ``value_required``, ``value_not_numeric``, ``value_overflow``,
``boundary_key_required``, ``boundary_not_found``, ``boundary_unreadable``,
``boundary_not_polygons``, ``not_offline``, ``output_unwritable``.
"""

from .html import GSI_PALE, GSI_STD, TILE_PROVIDERS, make_map, save_html
from .static import save_image

__all__ = ["GSI_PALE", "GSI_STD", "TILE_PROVIDERS", "make_map", "save_html", "save_image"]
