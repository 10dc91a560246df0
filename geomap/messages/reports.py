"""Reasons in <stem>_unmatched.csv, the summary the CLI prints, ``geomap cache`` and ``geomap info``.

Part of :mod:`geomap.messages`: {key: {"ja": ..., "en": ...}}, assembled there into one table.
"""

TEXTS: dict[str, dict[str, str]] = {
    # -- reasons in <stem>_unmatched.csv ----------------------------------------------
    "reason_empty": {"ja": "住所が空", "en": "address is empty"},
    "reason_no_match": {
        "ja": "都道府県・市区町村が見つからない",
        "en": "no prefecture or municipality found",
    },
    "reason_ambiguous": {
        "ja": "候補が複数（{candidates}）",
        "en": "several candidates ({candidates})",
    },
    "reason_pref_only": {
        "ja": "市区町村が見つからない(都道府県までは特定)",
        "en": "municipality not found (prefecture only)",
    },
    "reason_town_not_found": {
        "ja": "町名が見つからない(市区町村までは特定)",
        "en": "town not found (municipality only)",
    },
    "reason_bad_latlon": {"ja": "緯度経度が不正", "en": "latitude/longitude not valid"},
    "reason_latlon_swapped": {
        "ja": "緯度経度が不正（緯度と経度が逆かもしれません）",
        "en": "latitude/longitude not valid (swapped?)",
    },
    "reason_latlon_empty": {"ja": "緯度経度が空", "en": "latitude/longitude empty"},
    "reason_service_error": {"ja": "オンライン検索の失敗: {detail}", "en": "online search failed: {detail}"},
    # what went wrong for one row with an online geocoder (the error column of a result)
    "row_geocoder_timed_out": {"ja": "{service} が時間内に応答しなかった", "en": "{service} did not answer in time"},
    "row_geocoder_unavailable": {"ja": "{service} に接続できなかった", "en": "could not reach {service}"},
    "row_geocoder_rate_limited": {"ja": "{service} から送信が多すぎると言われた", "en": "{service} said too many requests"},
    "row_geocoder_http_error": {"ja": "{service} がエラーを返した", "en": "{service} answered with an error"},
    "row_geocoder_bad_reply": {"ja": "{service} の回答を読めなかった", "en": "could not read the answer of {service}"},
    "row_geocoder_failed": {"ja": "{service} への問い合わせが失敗した", "en": "the request to {service} failed"},
    "row_geocoder_not_sent": {"ja": "送らなかった（{service} が失敗し続けたため）", "en": "not sent ({service} kept failing)"},
    "row_geocoder_too_large": {"ja": "{service} の回答が大きすぎた", "en": "the answer of {service} was too large"},
    "row_geocoder_out_of_time": {
        "ja": "送らなかった（{service} への送信の時間の上限に達したため）",
        "en": "not sent (the time allowed for {service} was spent)",
    },
    "reason_column": {"ja": "理由", "en": "reason"},
    "suggestion_column": {"ja": "候補", "en": "suggestion"},
    # a row on the map at a whole town although a 丁目 was written (listed too, to be checked)
    "level_coarse": {"ja": "町名まで（丁目はデータに無い）", "en": "town only (the chōme is not in the data)"},
    # -- reports ----------------------------------------------------------------------
    "level_0": {"ja": "特定できず", "en": "not placed"},
    "summary_online_failed": {
        "ja": "オンライン検索に失敗した行: {count}（{detail}）",
        "en": "Rows the online search failed for: {count} ({detail})",
    },
    "level_1": {"ja": "都道府県まで", "en": "prefecture only"},
    "level_2": {"ja": "市区町村まで", "en": "municipality only"},
    "level_3": {"ja": "町丁目・大字まで", "en": "town"},
    "level_4": {"ja": "小字・番地まで", "en": "koaza or finer"},
    "level_input": {"ja": "緯度経度の列から", "en": "from latitude/longitude columns"},
    "summary_read": {"ja": "読み込み: {rows} 行（{path}）", "en": "Read {rows} rows ({path})"},
    "summary_sheet": {
        "ja": "シート: 「{sheet}」（ブックのシート {count} 枚のうち。別のシートは --sheet で指定できます）",
        "en": "Sheet: '{sheet}' (of {count} in the workbook; choose another with --sheet)",
    },
    "summary_header_row": {
        "ja": "見出し: {row} 行目（上の行は題名などとして読み飛ばしました。違うときは --header-row で指定できます）",
        "en": "Header: row {row} (the rows above were skipped as titles; give another with --header-row)",
    },
    "summary_columns": {"ja": "使った列: {columns}", "en": "Columns used: {columns}"},
    "summary_level": {"ja": "  {label}: {count} 行", "en": "  {label}: {count}"},
    "summary_placed": {
        "ja": "地図に置いた行: {placed} / {rows}",
        "en": "Placed on the map: {placed} of {rows}",
    },
    "summary_placed_table": {
        "ja": "町丁目まで特定できた行: {placed} / {rows}",
        "en": "Placed at town level or finer: {placed} of {rows}",
    },
    "summary_unplaced": {
        "ja": "置けなかった行: {count} → {path}（理由の列つき）",
        "en": "Not placed: {count} rows → {path} (with a reason column)",
    },
    "summary_coarse": {
        "ja": "町名までの行: {count} → {path}（地図には置きました。確認用に理由の列つきで書き出しました）",
        "en": "Placed at the town only: {count} rows → {path} (on the map; listed with a reason to be checked)",
    },
    "summary_suggestions": {
        "ja": "候補のある行: {count}（例: {example}）。{path} の「候補」の列を見て、元の一覧を直してください",
        "en": "Rows with a suggestion: {count} (e.g. {example}); see the suggestion column of {path} and fix the list",
    },
    "summary_renamed": {
        "ja": "列「{column}」は {format} では使えない名前のため「{new}」として書き出しました。",
        "en": "Column '{column}' is a name {format} keeps for itself, so it was written as '{new}'.",
    },
    "summary_xlsx_cleaned": {
        "ja": "Excel に書けない制御文字を {count} 個のセルから取り除きました（CSV で出力すれば元のまま残ります）。",
        "en": "Removed control characters Excel cannot hold from {count} cells (write CSV to keep them as they are).",
    },
    "summary_all_placed": {"ja": "すべての行を置けました。", "en": "Every row was placed."},
    "summary_map": {"ja": "地図: {path}", "en": "Map: {path}"},
    "summary_image": {"ja": "画像: {path}", "en": "Image: {path}"},
    "large_map": {
        "ja": "注意: 地図のファイルが {size} MB あり、開くのに時間がかかります。--by municipality や --no-points で軽くできます。",
        "en": "Note: the map file is {size} MB and will be slow to open; --by municipality or --no-points make it lighter.",
    },
    "summary_table": {"ja": "結果: {path}", "en": "Result: {path}"},
    # a list whose headers look personal (geomap.columns.personal_columns): one line each
    "summary_personal": {
        "ja": "個人の情報らしい列（{columns}）があるため、地点と住所は載せず、{k}件未満の区域は数を伏せました"
              "（地点を載せるには --points、伏せる件数を変えるには --min-count N）。",
        "en": "Columns look personal ({columns}): no points or addresses on the map, and areas with fewer than {k} rows "
              "hide their number (--points shows the points, --min-count N changes the number).",
    },
    "summary_personal_points": {
        "ja": "個人の情報らしい列（{columns}）があるため、地点と住所は載せませんでした（載せるには --points）。",
        "en": "Columns look personal ({columns}): no points or addresses on the map (--points shows them).",
    },
    "summary_personal_min_count": {
        "ja": "個人の情報らしい列（{columns}）があるため、{k}件未満の区域は数を伏せました（変えるには --min-count N）。",
        "en": "Columns look personal ({columns}): areas with fewer than {k} rows hide their number "
              "(--min-count N changes it).",
    },
    "sending": {
        "ja": "{count} 件の住所を {service} に送信します（外部のサービスです）。",
        "en": "Sending {count} addresses to {service} (an outside service).",
    },
    "sending_rest": {
        "ja": "{count} 件の住所（内蔵データで町丁目まで特定できなかったもの）を {service} に送信します（外部のサービスです）。",
        "en": "Sending {count} addresses (those the embedded data could not place at town level) to {service} (an outside service).",
    },
    "progress_unit": {"ja": "件", "en": "rows"},  # the progress bar's unit: 1200/5000 件
    # progress lines of geomap render's long steps (pipeline.Steps): 「地図を描いています… 12 秒」
    "step_geocoding": {"ja": "住所を検索しています", "en": "Geocoding"},
    "step_areas": {"ja": "区域ごとに集計しています", "en": "Counting per area"},
    "step_drawing": {"ja": "地図を描いています", "en": "Drawing the map"},
    "step_image": {"ja": "画像を描いています", "en": "Drawing the image"},
    "step_seconds": {"ja": "{seconds} 秒", "en": "{seconds} s"},
    "step_done": {"ja": "完了（{seconds} 秒）", "en": "done ({seconds} s)"},
    # -- geomap cache (geomap/cli_cache.py) -------------------------------------------
    "cache_path": {"ja": "キャッシュの場所: {path}", "en": "Cache: {path}"},
    "cache_none": {"ja": "キャッシュはありません。", "en": "There is no cache."},
    "cache_count": {"ja": "保存された回答: {count} 件", "en": "Stored answers: {count}"},
    "cache_size": {"ja": "大きさ: {size}", "en": "Size: {size}"},
    "cache_unreadable": {
        "ja": "キャッシュを読めません: {reason}。",
        "en": "The cache cannot be read: it {reason}.",
    },
    "cache_cleared_unreadable": {
        "ja": "読めなかったキャッシュを削除しました（{path}）。",
        "en": "Deleted the cache, which could not be read ({path}).",
    },
    "cache_cleared": {
        "ja": "キャッシュの回答 {count} 件を削除しました（{path}）。",
        "en": "Deleted {count} cached answers ({path}).",
    },
    # -- geomap info (geomap/cli.py) --------------------------------------------------
    "info_towns": {"ja": "町丁目・大字・小字: {count}", "en": "towns (大字・町丁目・小字): {count}"},
    "info_municipalities": {"ja": "市区町村: {count}", "en": "municipalities: {count}"},
    "info_prefectures": {"ja": "都道府県: {count}", "en": "prefectures: {count}"},
    "info_sources": {"ja": "出典:", "en": "sources:"},
    "info_old_names": {"ja": "旧市町村名: {count}", "en": "old municipality names: {count}"},
    "info_postal": {"ja": "郵便番号: {count}（{release}）", "en": "postal codes: {count} ({release})"},
}
