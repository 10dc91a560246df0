"""Texts the maps carry: titles, legends, notes and layer names (HTML, PNG and PDF).

Part of :mod:`geomap.messages`: {key: {"ja": ..., "en": ...}}, assembled there into one table.
Every key starts with ``map_``; :class:`geomap.maps.model.MapModel` reads them with
:func:`geomap.messages.message` in the map's language. The texts are plain: each renderer
escapes them for its medium.
"""

TEXTS: dict[str, dict[str, str]] = {
    "map_count": {"ja": "件数", "en": "Count"},
    "map_sum": {"ja": "{value}の合計", "en": "Sum of {value}"},
    "map_mean": {"ja": "{value}の平均", "en": "Mean of {value}"},
    "map_count_unit": {"ja": "件", "en": ""},
    "map_level_prefecture": {"ja": "都道府県別", "en": "by prefecture"},
    "map_level_municipality": {"ja": "市区町村別", "en": "by municipality"},
    "map_level_town": {"ja": "町丁目別", "en": "by town"},
    "map_level_user": {"ja": "区域別", "en": "by area"},
    "map_title_points": {"ja": "地点の分布", "en": "Locations"},
    "map_title_areas": {"ja": "{measure}（{level}）", "en": "{measure} ({level})"},
    "map_approximate": {
        "ja": "区域はおおよその範囲（町丁目の代表点から推定）",
        "en": "Areas are approximate (estimated from town centre points)",
    },
    "map_nodata": {"ja": "データなし", "en": "No data"},
    "map_context_municipality": {"ja": "一覧に行のない市区町村（線のみ）", "en": "Municipalities without rows (outline)"},
    "map_context_prefecture": {"ja": "一覧に行のない都道府県（線のみ）", "en": "Prefectures without rows (outline)"},
    "map_outside": {
        "ja": "この地図の範囲の外にある行: {n}件（全体は小さな地図に）",
        "en": "Rows outside this map: {n} (the inset shows them all)",
    },
    "map_zero": {"ja": "0", "en": "0"},
    "map_suppressed": {"ja": "{k}未満", "en": "fewer than {k}"},
    "map_suppressed_legend": {"ja": "{k}件未満（数を伏せています）", "en": "fewer than {k} (number hidden)"},
    "map_count_of": {"ja": "{n}件", "en": "{n} rows"},
    "map_points": {"ja": "地点", "en": "Locations"},
    "map_other": {"ja": "その他", "en": "Other"},
    "map_blank": {"ja": "（空欄）", "en": "(blank)"},
    "map_unplaced": {"ja": "地図に載せられなかった行: {n}件", "en": "Rows that could not be placed: {n}"},
    "map_unplaced_more": {"ja": "ほか{n}件（一覧は出力レポートを参照）", "en": "and {n} more (see the report)"},
    "map_unplaced_hidden": {
        "ja": "個々の住所は表示していません（一覧は出力レポートを参照）",
        "en": "Addresses are not listed (see the report)",
    },
    "map_unassigned": {"ja": "集計区域の外にあった地点: {n}件", "en": "Points outside every area: {n}"},
    "map_coarse": {
        "ja": "位置が粗く（都道府県・市区町村まで）集計から除いた行: {n}件",
        "en": "Rows located too coarsely (prefecture/municipality only), not counted: {n}",
    },
    "map_outlines": {"ja": "行政区域の境界", "en": "Administrative boundaries"},
    "map_areas": {"ja": "集計区域", "en": "Areas"},
    "map_tile_gsi": {"ja": "地理院タイル（標準地図）", "en": "GSI tiles (standard)"},
    "map_tile_gsi_pale": {"ja": "地理院タイル（淡色地図）", "en": "GSI tiles (pale)"},
    "map_tile_osm": {"ja": "OpenStreetMap", "en": "OpenStreetMap"},
    "map_source": {"ja": "出典: ", "en": "Sources: "},
    "map_popup_town": {"ja": "所在（町丁目まで）", "en": "Location (to the town)"},
    "map_popup_representative": {
        "ja": "位置は町丁目（字）の代表点で、建物の位置ではありません",
        "en": "Placed at the town's representative point, not at the building",
    },
    "map_warn_points_shown": {
        "ja": "{k}件未満の区域は数を伏せていますが、個々の地点は表示しています（地点を消すには --no-points）",
        "en": "Areas with fewer than {k} rows hide their number, but the individual points are still shown (--no-points hides them)",
    },
}
