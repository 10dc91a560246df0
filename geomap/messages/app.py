"""Messages of the local page (``geomap app``) and of its command.

Part of :mod:`geomap.messages`: {key: {"ja": ..., "en": ...}}, assembled there into one table.
Every key starts with ``app_``; the page receives the whole table (both languages) as JSON
and switches its language without a reload. Errors about the list itself are the CLI's own
messages (files, options, reports), not repeated here.
"""

TEXTS: dict[str, dict[str, str]] = {
    # -- the command ------------------------------------------------------------------
    "app_started": {
        "ja": "geomap の画面をブラウザで開きます: {url}",
        "en": "Opening the geomap page in your browser: {url}",
    },
    "app_started_no_browser": {
        "ja": "geomap の画面の準備ができました。このアドレスをブラウザで開いてください: {url}",
        "en": "The geomap page is ready. Open this address in your browser: {url}",
    },
    "app_how_to_stop": {
        "ja": "ブラウザが開かないときは、上のアドレスをブラウザに貼り付けてください。終わるときは、画面の「終了」ボタンを押すか、ここで Ctrl+C を押します。",
        "en": "If no browser opens, paste the address above into one. To stop, press the page's Quit button, or Ctrl+C here.",
    },
    "app_browser_failed": {
        "ja": "ブラウザを開けませんでした。上のアドレスをブラウザに貼り付けてください。",
        "en": "Could not open a browser. Paste the address above into one.",
    },
    "app_stopped": {
        "ja": "geomap の画面を終了しました（読み込んだ一覧と作った地図の一時ファイルは消しました）。",
        "en": "The geomap page has stopped (the temporary copies of lists and maps were deleted).",
    },
    "app_host_warning": {
        "ja": "注意: 127.0.0.1 ではなく {host} で待ち受けます。この PC の外からこの画面に届くかもしれません。住民の個人情報を含む一覧では使わないでください。",
        "en": "Warning: listening on {host}, not 127.0.0.1. The page may be reachable from outside this PC. Do not use it with lists holding residents' personal data.",
    },
    "app_host_wildcard": {
        "ja": "--host {host} は使えません（すべてのネットワークで待ち受けることになります）。この PC の決まったアドレス（例: 192.168.1.10）を指定するか、--host を外してください。",
        "en": "--host {host} cannot be used (it would listen on every network). Give one address of this PC (e.g. 192.168.1.10), or leave out --host.",
    },
    "app_host_invalid": {
        "ja": "--host {host} で待ち受けられません（{reason}）。--host を外すと 127.0.0.1 で待ち受けます。",
        "en": "Cannot listen on --host {host} ({reason}). Leave out --host to listen on 127.0.0.1.",
    },
    "app_port_busy": {
        "ja": "ポート {port} は使えません（{reason}）。--port を外すと空いているポートを使います。",
        "en": "Port {port} cannot be used ({reason}). Leave out --port to use a free one.",
    },
    "app_bad_port": {
        "ja": "--port は 1〜65535 の番号で指定してください（{value} は使えません）。--port を外すと空いているポートを使います。",
        "en": "--port must be a number from 1 to 65535, not {value}. Leave it out to use a free port.",
    },
    "app_bad_max_upload": {
        "ja": "--max-upload は 0 より大きい MB の数で指定してください（{value} は使えません）。",
        "en": "--max-upload must be a number of MB above 0, not {value}.",
    },
    "app_missing": {
        "ja": "画面版 (geomap app) に必要な部品 ({module}) が入っていません。pip install \"geomap[app]\" で入れてください（README の「ターミナルを使わずに」）。",
        "en": "The page (geomap app) needs a package that is not installed ({module}). Install it with pip install \"geomap[app]\" (README: \"Without a terminal\").",
    },
    # -- refusals (shown as plain text, both languages) --------------------------------
    "app_forbidden": {
        "ja": "このページは、geomap app が表示したアドレス（?token= の付いたもの）から開いてください。",
        "en": "Open this page from the address geomap app printed (the one with ?token=).",
    },
    "app_forbidden_host": {
        "ja": "このアドレスでは開けません。geomap app が表示したアドレスを使ってください。",
        "en": "This page cannot be opened under this address. Use the address geomap app printed.",
    },
    "app_forbidden_origin": {
        "ja": "別のページからの要求は受け付けません。",
        "en": "Requests from other pages are refused.",
    },
    "app_not_found": {
        "ja": "見つかりません。",
        "en": "Not found.",
    },
    "app_bad_request": {
        "ja": "要求の形が正しくありません。ページを読み込み直してください。",
        "en": "The request is malformed. Reload the page.",
    },
    # -- errors on the page -----------------------------------------------------------
    "app_upload_too_large": {
        "ja": "ファイルが大きすぎます（上限 {limit} MB）。一覧のシートだけを保存し直すか、CSV にしてください。上限は geomap app --max-upload で変えられます。",
        "en": "The file is too large (the limit is {limit} MB). Save only the list's sheet, or save it as CSV. geomap app --max-upload changes the limit.",
    },
    "app_no_file": {
        "ja": "ファイルが届きませんでした。もう一度ファイルを選んでください。",
        "en": "No file arrived. Choose the file again.",
    },
    "app_job_gone": {
        "ja": "この一覧は閉じられています（しばらく使われなかったため）。ファイルをもう一度選んでください。",
        "en": "This list has been closed (it was not used for a while). Choose the file again.",
    },
    "app_busy": {
        "ja": "この一覧の地図を作っているところです。終わるまでお待ちください。",
        "en": "The map of this list is being made. Wait until it is done.",
    },
    "app_connection": {
        "ja": "geomap と通信できません。geomap app が終了していないか確かめてください。",
        "en": "Cannot reach geomap. Check that geomap app is still running.",
    },
    # -- the page ---------------------------------------------------------------------
    "app_page_title": {
        "ja": "geomap — 住所の一覧を地図に",
        "en": "geomap — address lists to maps",
    },
    "app_lead": {
        "ja": "Excel や CSV の住所の一覧から、この PC の中だけで地図を作ります。一覧はどこにも送りません。",
        "en": "Make a map from an Excel or CSV list of addresses, on this PC only. The list is sent nowhere.",
    },
    "app_language": {"ja": "表示の言語", "en": "Language"},
    "app_lang_ja": {"ja": "日本語", "en": "日本語 (Japanese)"},
    "app_lang_en": {"ja": "English（英語）", "en": "English"},
    "app_quit": {"ja": "終了", "en": "Quit"},
    "app_quit_done": {
        "ja": "geomap を終了しました。このタブは閉じてかまいません。",
        "en": "geomap has stopped. You can close this tab.",
    },
    "app_step_file": {"ja": "1. 一覧のファイル", "en": "1. The list"},
    "app_drop": {
        "ja": "ここに一覧のファイル（Excel .xlsx・CSV・TSV・テキスト）をドロップするか、",
        "en": "Drop the list here (Excel .xlsx, CSV, TSV or text), or",
    },
    "app_pick": {"ja": "ファイルを選ぶ", "en": "choose a file"},
    "app_reading": {"ja": "読み込んでいます…", "en": "Reading…"},
    "app_file_info": {"ja": "{name}（{rows} 行）", "en": "{name} ({rows} rows)"},
    "app_sheet": {"ja": "シート", "en": "Sheet"},
    "app_header_row": {"ja": "見出し（列名）の行", "en": "Header row"},
    "app_header_auto": {"ja": "自動（{row} 行目）", "en": "automatic (row {row})"},
    "app_header_auto_none": {"ja": "自動", "en": "automatic"},
    "app_header_row_n": {"ja": "{row} 行目", "en": "row {row}"},
    "app_encoding": {"ja": "文字コード", "en": "Encoding"},
    "app_encoding_auto": {"ja": "自動", "en": "automatic"},
    "app_preview": {"ja": "先頭の {count} 行", "en": "The first {count} rows"},
    "app_step_columns": {"ja": "2. 使う列", "en": "2. Columns"},
    "app_address_column": {"ja": "住所の列", "en": "Address column"},
    "app_name_column": {"ja": "名前の列（点をクリックすると表示）", "en": "Name column (shown when a point is clicked)"},
    "app_category_column": {"ja": "種別の列（点の色分け）", "en": "Category column (point colours)"},
    "app_value_column": {"ja": "値の列（合計・平均するとき）", "en": "Value column (for a sum or mean)"},
    "app_auto_column": {"ja": "自動（{column}）", "en": "automatic ({column})"},
    "app_auto_parts": {"ja": "自動（{columns} をつなげる）", "en": "automatic (joining {columns})"},
    "app_auto_latlon": {"ja": "自動（緯度・経度の列 {lat}・{lon}）", "en": "automatic (latitude/longitude columns {lat}, {lon})"},
    "app_auto_missing": {"ja": "見つかりません。列を選んでください", "en": "not found: choose a column"},
    "app_none": {"ja": "（なし）", "en": "(none)"},
    "app_step_options": {"ja": "3. 地図の作り方", "en": "3. How to draw the map"},
    "app_context": {
        "ja": "一覧の住所に都道府県・市区町村が書かれていないときは、ここに書きます",
        "en": "When the addresses leave out the prefecture or municipality, give them here",
    },
    "app_pref": {"ja": "都道府県（例: 東京都）", "en": "Prefecture (e.g. 東京都)"},
    "app_city": {"ja": "市区町村（例: 江東区）", "en": "Municipality (e.g. 江東区)"},
    "app_areas": {"ja": "色分けする区域", "en": "Areas to colour"},
    "app_by_auto": {
        "ja": "自動（複数の市区町村にまたがれば市区町村ごと）",
        "en": "automatic (municipalities when the list spans several)",
    },
    "app_by_municipality": {"ja": "市区町村ごと", "en": "per municipality"},
    "app_by_town": {"ja": "町丁目ごと", "en": "per town (町丁目)"},
    "app_by_none": {"ja": "色分けしない", "en": "none"},
    "app_measure": {"ja": "区域の色が表すもの", "en": "What the colours show"},
    "app_agg_count": {"ja": "件数", "en": "count of rows"},
    "app_agg_sum": {"ja": "値の列の合計", "en": "sum of the value column"},
    "app_agg_mean": {"ja": "値の列の平均", "en": "mean of the value column"},
    "app_min_count": {
        "ja": "少ない件数を伏せる（個人が特定されないように）: この件数未満の区域は「○未満」と表示",
        "en": "Hide small counts (so no one can be identified): areas below this count show \"fewer than …\"",
    },
    "app_personal_note": {
        "ja": "見出しに個人の情報らしい列（{columns}）があるため、少ない件数を伏せ、点を出さない設定にしています。",
        "en": "Some headers look like personal data ({columns}), so small counts are hidden and points are off.",
    },
    "app_points": {
        "ja": "点を表示する（1 行ごとの位置・名前・住所が地図に入ります）",
        "en": "Show points (each row's place, name and address go into the map)",
    },
    "app_title": {"ja": "題名", "en": "Title"},
    "app_make": {"ja": "地図を作る", "en": "Make the map"},
    "app_state_queued": {"ja": "順番を待っています…", "en": "Waiting for the job before it…"},
    "app_state_reading": {"ja": "一覧を読み込んでいます…", "en": "Reading the list…"},
    "app_state_geocoding": {
        "ja": "住所から位置を求めています: {done} / {total} 行",
        "en": "Finding the places of the addresses: {done} / {total} rows",
    },
    "app_state_drawing": {"ja": "地図と画像を作っています…", "en": "Drawing the map and the image…"},
    "app_state_done": {"ja": "地図ができました。", "en": "The map is ready."},
    "app_step_result": {"ja": "4. できた地図", "en": "4. The map"},
    "app_map_frame": {"ja": "できた地図", "en": "The map"},
    "app_downloads": {"ja": "ダウンロード", "en": "Downloads"},
    "app_download_html": {"ja": "地図（HTML、ブラウザで開く）", "en": "Map (HTML, opens in a browser)"},
    "app_download_png": {"ja": "資料用の画像（PNG、Word に貼る）", "en": "Image for memos (PNG, for Word)"},
    "app_download_csv": {"ja": "位置を付けた一覧（CSV、Excel で開く）", "en": "The list with places (CSV, opens in Excel)"},
    "app_download_unmatched": {"ja": "置けなかった行と理由（CSV）", "en": "Rows not placed, with reasons (CSV)"},
    "app_unmatched_title": {"ja": "地図に置けなかった行", "en": "Rows not on the map"},
    "app_unmatched_more": {
        "ja": "ほかに {count} 行あります（CSV をダウンロードしてください）。",
        "en": "{count} more rows: download the CSV.",
    },
}
