"""Messages about options and data (errors raised by the library).

Part of :mod:`geomap.messages`: {key: {"ja": ..., "en": ...}}, assembled there into one table.
"""

TEXTS: dict[str, dict[str, str]] = {
    # -- options and data from the other modules --------------------------------------
    "bad_choice": {
        "ja": "{option} に「{value}」は指定できません。{choices} のどれかを指定してください。",
        "en": "{option} cannot be '{value}'. Use one of: {choices}.",
    },
    "invalid_option": {
        "ja": "{option} の値「{value}」は使えません。",
        "en": "The value '{value}' is not valid for {option}.",
    },
    "min_count_invalid": {
        "ja": "--min-count には 1 以上の整数を指定してください（指定値: {value}）。",
        "en": "--min-count must be a whole number of at least 1 (got {value}).",
    },
    "value_required": {
        "ja": "集計方法 {agg} には数値の列が必要です。--value で列名を指定してください。",
        "en": "--agg {agg} needs a numeric column: name it with --value.",
    },
    "value_not_numeric": {
        "ja": "列「{column}」に数値でない値が {count} 件あります（例: {examples}）。数値だけにするか、--agg count で件数を数えてください。",
        "en": "Column '{column}' has {count} values that are not numbers (e.g. {examples}). Make them numbers or count rows with --agg count.",
    },
    "value_overflow": {
        "ja": "列「{column}」を集計（--agg {agg}）すると値が大きすぎて計算できません。桁の誤りがないか確かめてください。",
        "en": "The {agg} of column '{column}' is too large to compute. Check the numbers in that column for wrong digits.",
    },
    "missing_columns": {
        "ja": "列「{columns}」がありません。ある列: {available}。",
        "en": "Column(s) '{columns}' not found. Columns: {available}.",
    },
    "unknown_pref": {
        "ja": "都道府県「{value}」が見つかりません。--pref には「東京都」のように都道府県名を指定してください。",
        "en": "Unknown prefecture '{value}'. Give --pref a prefecture name such as 東京都.",
    },
    "unknown_city": {
        "ja": "市区町村「{value}」が見つかりません。--city には「江東区」のように市区町村名を指定してください（同名があるときは --pref も）。",
        "en": "Unknown municipality '{value}'. Give --city a name such as 江東区 (and --pref when the name exists in several prefectures).",
    },
    "boundary_not_found": {
        "ja": "境界ファイル「{path}」が見つかりません。--boundaries のファイル名を確かめてください。",
        "en": "Boundary file '{path}' does not exist. Check the file given to --boundaries.",
    },
    "boundary_unreadable": {
        "ja": "境界ファイル「{path}」を読めません（{reason}）。シェープファイル (.shp と .dbf・.shx を同じ場所に)、GeoJSON、GeoPackage を指定してください。",
        "en": "Cannot read boundary file '{path}' ({reason}). Give a shapefile (with its .dbf and .shx beside it), GeoJSON or GeoPackage.",
    },
    "boundary_not_polygons": {
        "ja": "境界ファイル「{path}」に面（ポリゴン）がありません（{types}）。区域の境界のファイルを指定してください。",
        "en": "Boundary file '{path}' holds no polygons ({types}). Give a file of area boundaries.",
    },
    "boundary_key_required": {
        "ja": "--boundaries を使うときは、区域を示す列を --boundary-key で指定してください。ある列: {available}。",
        "en": "With --boundaries, name the column that identifies each area with --boundary-key. Columns: {available}.",
    },
    "unknown_geocoder": {
        "ja": "ジオコーダー「{name}」はありません。{choices} のどれかを指定してください。",
        "en": "There is no geocoder '{name}'. Use one of: {choices}.",
    },
    "duplicate_geocoder": {
        "ja": "ジオコーダー「{name}」に同じ名前が2回あります。",
        "en": "The geocoder '{name}' names the same adapter twice.",
    },
    "bad_geocoder_name": {
        "ja": "ジオコーダー名「{name}」は使えません。",
        "en": "'{name}' cannot be used as a geocoder name.",
    },
    "unknown_geocoder_option": {
        "ja": "ジオコーダー「{name}」には {option} の設定がありません。",
        "en": "The geocoder '{name}' has no option {option}.",
    },
    "invalid_url": {
        "ja": "URL「{url}」は使えません。http:// か https:// で始まる URL を指定してください。",
        "en": "The URL '{url}' cannot be used. Give one that starts with http:// or https://.",
    },
    "cache_not_deleted": {
        "ja": "ジオコーディングのキャッシュ「{path}」を削除できません（{reason}）。ほかのプログラムが開いていれば閉じて、もう一度実行してください。",
        "en": "Cannot delete the geocoding cache '{path}' ({reason}). Close any program that has it open and try again.",
    },
    "cache_skipped": {
        "ja": "注意: キャッシュ「{path}」は{reason}。キャッシュを使わずに続けます（今回の回答は保存しません）。",
        "en": "Note: the cache '{path}' {reason}; carrying on without it (this run's answers are not stored).",
    },
    "cache_problem_corrupt": {
        "ja": "壊れています（geomap cache clear で削除できます）",
        "en": "is damaged (geomap cache clear deletes it)",
    },
    "cache_problem_locked": {"ja": "ほかのプログラムが使用中です", "en": "is in use by another program"},
    "cache_problem_read_only": {"ja": "書き込めません（読み取り専用）", "en": "cannot be written (read-only)"},
    "cache_problem_not_a_file": {
        "ja": "ファイルではなくフォルダーです（geomap cache clear で削除できます）",
        "en": "is a folder, not a file (geomap cache clear deletes it)",
    },
    "cache_problem_unusable": {"ja": "開けません", "en": "cannot be opened"},
    "geocoder_timed_out": {
        "ja": "{service} が {timeout} 秒以内に応答しませんでした。時間をおいて再実行してください。",
        "en": "{service} did not answer within {timeout} s. Try again later.",
    },
    "geocoder_unavailable": {
        "ja": "{service} に接続できません。ネットワークを確かめるか、オフライン（--geocoder offline）で実行してください。",
        "en": "Cannot reach {service}. Check the network or run offline (--geocoder offline).",
    },
    "geocoder_rate_limited": {
        "ja": "{service} から送信が多すぎると言われました。時間をおいて再実行してください。",
        "en": "{service} says too many requests. Try again later.",
    },
    "geocoder_http_error": {
        "ja": "{service} がエラー（HTTP {status}）を返しました。",
        "en": "{service} answered with an error (HTTP {status}).",
    },
    "geocoder_bad_reply": {
        "ja": "{service} の応答を読めませんでした。",
        "en": "Could not read the answer of {service}.",
    },
    "geocoder_failed": {
        "ja": "{service} への問い合わせに失敗しました。",
        "en": "The request to {service} failed.",
    },
    "geocoder_not_sent": {
        "ja": "オンライン検索が続けて失敗したため送信しませんでした",
        "en": "not sent: the online service kept failing",
    },
    "geocoder_too_large": {
        "ja": "{service} の回答が大きすぎます（上限 {limit}）。",
        "en": "The answer of {service} is too large (limit {limit}).",
    },
    "geocoder_out_of_time": {
        "ja": "{service} への送信の時間の上限に達しました。",
        "en": "The time allowed for {service} is spent.",
    },
    "geocoder_giving_up": {
        "ja": "{service} が続けて失敗したため、残りの {count} 件の住所は送信しません（{detail}）。",
        "en": "{service} kept failing, so the remaining {count} addresses are not sent ({detail}).",
    },
    "geocoder_run_out_of_time": {
        "ja": "{service} への送信の時間の上限に達したため、残りの {count} 件の住所は送信しません。",
        "en": "The time allowed for {service} is spent, so the remaining {count} addresses are not sent.",
    },
    "online_none_answered": {
        "ja": "{service} は 1 行も回答しませんでした（{count} 行すべて失敗: {detail}）。結果は書き出しましたが、オンライン検索の分は入っていません。時間をおいて再実行してください。",
        "en": "{service} answered none of the {count} rows ({detail}). The results were written, but without the online search. Try again later.",
    },
    "data_missing": {
        "ja": "geomap の内蔵データが見つかりません。geomap を入れ直してください。",
        "en": "geomap's embedded data is missing. Reinstall geomap.",
    },
    "asset_missing": {
        "ja": "地図の部品（{package}）が見つかりません。geomap を入れ直してください。",
        "en": "A map component ({package}) is missing. Reinstall geomap.",
    },
    "personal_points": {
        "ja": "この一覧には個人の情報らしい列（{columns}）があるため、地点だけの地図（--by none）は作りません。"
              "個人の位置を地図に載せてよい場合は --points を付けてください。区域ごとの件数なら --by を外してください。",
        "en": "This list has columns that look personal ({columns}), so no map of points only (--by none) is made. "
              "Add --points if the persons may be shown on the map, or leave out --by for counts per area.",
    },
    "nothing_to_draw": {
        "ja": "--by none と --no-points を同時に指定すると、地図に描くものがありません。どちらかを外してください。",
        "en": "--by none with --no-points leaves nothing to draw. Leave out one of them.",
    },
    "bad_k": {"ja": "色の段階数は 2〜9 で指定してください（指定値: {value}）。", "en": "The number of classes must be 2 to 9 (got {value})."},
    "breaks_required": {"ja": "区切り値を指定してください。", "en": "Give the class breaks."},
    "bad_breaks": {
        "ja": "区切り値は 10,20,50 のように数値で指定してください（無限大 inf などは使えません。指定値: {value}）。",
        "en": "Class breaks must be numbers such as 10,20,50, not inf (got {value}).",
    },
    "not_a_table": {"ja": "表（DataFrame）を渡してください（渡されたもの: {type}）。", "en": "Expected a table (DataFrame), got {type}."},
    "no_points": {
        "ja": "{rows} 行のどれにも位置がないため、地図を作れません。",
        "en": "None of the {rows} rows has a location, so no map can be made.",
    },
    "not_offline": {
        "ja": "地図がネットワークから読み込むもの（{urls}）を含むため保存しませんでした。",
        "en": "The map would load {urls} from the network, so it was not saved.",
    },
    "bad_image_format": {
        "ja": "画像「{path}」の拡張子は {choices} のどれかにしてください。",
        "en": "The image '{path}' must end in one of {choices}.",
    },
    "bad_dpi": {"ja": "解像度 (dpi) は 200 以上の整数にしてください（指定値: {value}）。", "en": "dpi must be a whole number of at least 200 (got {value})."},
    "nothing_placed": {
        "ja": "{rows} 行のどれも地図に置けなかったため、地図は作りませんでした。理由は「{unmatched}」を見てください（住所の列が正しいか、--pref/--city が必要かを確かめてください）。",
        "en": "None of the {rows} rows could be placed, so no map was made. See '{unmatched}' for the reasons (check the address column, or whether --pref/--city is needed).",
    },
    "nothing_placed_no_file": {
        "ja": "{rows} 行のどれも地図に置けなかったため、地図は作りませんでした。",
        "en": "None of the {rows} rows could be placed, so no map was made.",
    },
    "cli_usage": {
        "ja": "コマンドの指定に誤りがあります: {detail}（使い方は geomap {command} --help）",
        "en": "{detail} (see geomap {command} --help)",
    },
    "bad_jobs": {
        "ja": "--jobs には 0 以上の整数（0 は CPU のコア数）か auto を指定してください（指定値: {value}）。",
        "en": "--jobs must be a whole number from 0 (0: one process per core) or auto (got {value}).",
    },
    "jobs_online": {
        "ja": "オンラインの住所検索は送信の間隔を守るため 1 つのプロセスで行います（--jobs {jobs} はオフラインの検索にだけ効きます）。",
        "en": "Online geocoding runs in one process to keep to the service's rate limit (--jobs {jobs} applies to offline geocoding only).",
    },
    "jobs_workers_failed": {
        "ja": "住所検索の作業プロセスが途中で止まりました（メモリ不足など）。--jobs 1 で実行し直してください。Python のスクリプトから jobs を使うときは、処理を if __name__ == \"__main__\": の下に書いてください。",
        "en": "A geocoding worker process stopped (out of memory, for example). Run again with --jobs 1. In a Python script that uses jobs, put the work under if __name__ == \"__main__\":.",
    },
    "interrupted": {
        "ja": "中断しました。途中のファイルは残していません。",
        "en": "Interrupted. No half-written file was left.",
    },
    "unexpected": {
        "ja": "予期しないエラーが起きました（{kind}: {detail}）。--debug を付けて再実行し、表示内容を担当者に伝えてください。",
        "en": "Unexpected error ({kind}: {detail}). Run again with --debug and send the output to the maintainers.",
    },
    "error_prefix": {"ja": "エラー: ", "en": "Error: "},
}
