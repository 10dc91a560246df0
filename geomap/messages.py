"""Every user-facing message, in Japanese (the default) and English, by key.

Errors carry a key and their parameters (:class:`geomap.errors.GeomapError`); the CLI
turns them into one line with :func:`message`. A message says what is wrong and, where
the user can do something about it, what to do.
"""

from __future__ import annotations

import re
import string

LANGS = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # -- reading the input ------------------------------------------------------------
    "file_not_found": {
        "ja": "入力ファイル「{path}」が見つかりません。ファイル名と場所を確かめてください。",
        "en": "Input file '{path}' does not exist. Check the file name and folder.",
    },
    "not_a_file": {
        "ja": "「{path}」はファイルではありません（フォルダーです）。住所一覧のファイルを指定してください。",
        "en": "'{path}' is a folder, not a file. Give the file that holds the address list.",
    },
    "file_unreadable": {
        "ja": "入力ファイル「{path}」を読めません（{reason}）。Excel などで開いたままなら閉じてから実行してください。",
        "en": "Cannot read input file '{path}' ({reason}). If it is open in Excel, close it and try again.",
    },
    "file_empty": {
        "ja": "入力ファイル「{path}」は空です。住所の入った一覧を保存し直してください。",
        "en": "Input file '{path}' is empty. Save the list with its addresses again.",
    },
    "header_only": {
        "ja": "入力ファイル「{path}」には見出し行しかありません（データが0行）。住所の行を入れて保存してください。",
        "en": "Input file '{path}' has a header row but no data rows. Add the rows with addresses.",
    },
    "binary_file": {
        "ja": "「{path}」は表のファイルではありません（{kind}）。CSV・TSV・テキスト・Excel (.xlsx) のいずれかを指定してください。",
        "en": "'{path}' is not a table ({kind}). Give a CSV, TSV, text or Excel (.xlsx) file.",
    },
    "undecodable": {
        "ja": "「{path}」の文字コードを判別できません（{line}行目付近）。Excel で「CSV UTF-8（コンマ区切り）」として保存し直すか、--encoding cp932 のように指定してください。",
        "en": "Cannot tell the character encoding of '{path}' (near line {line}). Save it from Excel as 'CSV UTF-8 (comma delimited)' or name it, e.g. --encoding cp932.",
    },
    "bad_encoding": {
        "ja": "「{path}」は指定された文字コード {encoding} で読めません（{line}行目付近）。--encoding を外すか別の文字コードを指定してください。",
        "en": "'{path}' cannot be read as {encoding} (near line {line}). Leave out --encoding or name another encoding.",
    },
    "unknown_encoding": {
        "ja": "文字コード「{encoding}」は知りません。utf-8、cp932、euc-jp などを指定してください。",
        "en": "Unknown encoding '{encoding}'. Use utf-8, cp932, euc-jp or another Python codec name.",
    },
    "unusable_encoding": {
        "ja": "「{encoding}」は文字コードではないため使えません。--encoding には utf-8、cp932、euc-jp などを指定してください（--encoding を外すと自動で判別します）。",
        "en": "'{encoding}' is not a text encoding. Give --encoding a name such as utf-8, cp932 or euc-jp (or leave it out to detect the encoding).",
    },
    "csv_wide_row": {
        "ja": "「{path}」の {line} 行目は項目が {fields} 個あり、見出しの {expected} 個より多くなっています。住所や名称の中の「,」が区切りとして読まれています。その項目を「\"」で囲むか、「,」を消すか「、」に変えて保存し直してください（Excel で保存した CSV なら自動で囲まれます）。",
        "en": "Line {line} of '{path}' has {fields} fields but the header has {expected}: a comma inside an address or name is read as a separator. Put that field in double quotes, or remove the comma (or write 、), and save again; a CSV saved from Excel quotes it for you.",
    },
    "csv_wide_rows": {
        "ja": "「{path}」の {line} 行目は項目が {fields} 個あり、見出しの {expected} 個より多くなっています（ほかに {more} 行も同じです）。住所や名称の中の「,」が区切りとして読まれています。その項目を「\"」で囲むか、「,」を消すか「、」に変えて保存し直してください（Excel で保存した CSV なら自動で囲まれます）。",
        "en": "Line {line} of '{path}' has {fields} fields but the header has {expected} ({more} more lines too): a comma inside an address or name is read as a separator. Put that field in double quotes, or remove the comma (or write 、), and save again; a CSV saved from Excel quotes it for you.",
    },
    "csv_unclosed_quote": {
        "ja": "「{path}」の {line} 行目で始まる「\"」が閉じていないため、そこから先を表として読めません。その「\"」を対にするか消して保存し直してください。",
        "en": "In '{path}', the double quote that opens on line {line} is never closed, so the rest cannot be read as a table. Close or remove that quote and save again.",
    },
    "csv_field_too_long": {
        "ja": "「{path}」の {line} 行目から始まる項目が長すぎて読めません（13 万文字を超えています）。「\"」が閉じていないところがないか確かめてください。",
        "en": "A field starting on line {line} of '{path}' is too long to read (over 131,072 characters). Check for a double quote that is never closed.",
    },
    "csv_malformed": {
        "ja": "「{path}」を表として読めません（{reason}）。区切り文字や「\"」の対応を確かめるか、Excel で開いて保存し直してください。",
        "en": "Cannot read '{path}' as a table ({reason}). Check the delimiters and quotes, or open and save it again in Excel.",
    },
    "xlsx_invalid": {
        "ja": "「{path}」は Excel (.xlsx) ファイルとして読めません。壊れているか、拡張子だけ .xlsx になっています。Excel で開いて「Excel ブック (.xlsx)」として保存し直してください。",
        "en": "'{path}' cannot be read as an Excel (.xlsx) workbook: it is damaged or only named .xlsx. Open it in Excel and save it as 'Excel Workbook (.xlsx)'.",
    },
    "xlsx_too_large": {
        "ja": "「{path}」は展開すると {size} MB にもなるため読みませんでした（住所の一覧としては大きすぎます。壊れているか、細工されたファイルかもしれません）。一覧のシートだけを新しいブックにコピーして保存するか、CSV で保存し直してください。",
        "en": "'{path}' unpacks to {size} MB, far too much for an address list (it may be damaged or crafted), so it was not read. Copy the list's sheet into a new workbook, or save it as CSV.",
    },
    "xlsx_too_sparse": {
        "ja": "「{path}」のシート「{sheet}」は、値のあるセルが {cells} 個なのに {rows} 行 × {columns} 列に散らばっているため読みませんでした。一覧から離れたセルの値を消すか、一覧の部分だけを新しいブックにコピーしてください。",
        "en": "Sheet '{sheet}' of '{path}' has {cells} cells with values scattered over {rows} rows × {columns} columns, so it was not read. Clear the cells far from the list, or copy the list into a new workbook.",
    },
    "xlsx_encrypted": {
        "ja": "「{path}」はパスワードで保護されています。Excel でパスワードを外して保存し直してから実行してください。",
        "en": "'{path}' is password-protected. Remove the password in Excel, save, and try again.",
    },
    "xls_old_format": {
        "ja": "「{path}」は古い Excel 形式 (.xls) です。Excel で開いて「Excel ブック (.xlsx)」か CSV として保存し直してください。",
        "en": "'{path}' is an old Excel file (.xls). Open it in Excel and save it as 'Excel Workbook (.xlsx)' or CSV.",
    },
    "sheet_not_found": {
        "ja": "シート「{sheet}」がありません。あるシート: {sheets}。--sheet にはこのどれか（または 1 から始まる番号）を指定してください。",
        "en": "There is no sheet '{sheet}'. Sheets: {sheets}. Give one of them (or its number, from 1) to --sheet.",
    },
    "no_address_column": {
        "ja": "住所の列も緯度・経度の列も見つかりません。ある列: {columns}。住所の列名を --address-column で指定してください（例: --address-column \"{example}\"）。",
        "en": "No address column and no latitude/longitude columns found. Columns: {columns}. Name the address column with --address-column (e.g. --address-column \"{example}\").",
    },
    "no_address_column_row": {
        "ja": "住所の列も緯度・経度の列も見つかりません（{row} 行目を見出しとして読みました）。ある列: {columns}。住所の列名を --address-column で指定するか（例: --address-column \"{example}\"）、見出しが別の行なら --header-row でその行の番号を指定してください。",
        "en": "No address column and no latitude/longitude columns found (row {row} was read as the header). Columns: {columns}. Name the address column with --address-column (e.g. --address-column \"{example}\"), or give the header's row number with --header-row.",
    },
    "no_address_column_sheet": {
        "ja": "住所の列も緯度・経度の列も見つかりません（シート「{sheet}」の {row} 行目を見出しとして読みました）。ある列: {columns}。住所の列名を --address-column で（例: --address-column \"{example}\"）、見出しが別の行なら --header-row で、別のシートなら --sheet で指定してください。",
        "en": "No address column and no latitude/longitude columns found (row {row} of sheet '{sheet}' was read as the header). Columns: {columns}. Name the address column with --address-column (e.g. --address-column \"{example}\"), the header's row with --header-row, or another sheet with --sheet.",
    },
    "bad_header_row": {
        "ja": "--header-row には見出しの行の番号を 1 以上の整数で指定してください（指定値: {value}）。",
        "en": "--header-row must be the header's row number, a whole number from 1 (got {value}).",
    },
    "header_row_blank": {
        "ja": "--header-row {row} の行は空です。列名が書かれている行の番号を指定してください。",
        "en": "Row {row} given to --header-row is blank. Give the number of the row that holds the column names.",
    },
    "header_row_beyond": {
        "ja": "--header-row {row} は表の最後の行（{last} 行目）より後です。列名が書かれている行の番号を指定してください。",
        "en": "Row {row} given to --header-row is after the table's last row ({last}). Give the number of the row that holds the column names.",
    },
    "column_not_found": {
        "ja": "{option} に指定された列「{column}」がありません。ある列: {columns}。",
        "en": "The column '{column}' given to {option} does not exist. Columns: {columns}.",
    },
    # -- writing ----------------------------------------------------------------------
    "same_as_input": {
        "ja": "出力先「{path}」が入力ファイルと同じです。入力は上書きしません。-o で別のファイル名を指定してください。",
        "en": "The output '{path}' is the input file itself; geomap never overwrites its input. Give another name with -o.",
    },
    "output_dir_missing": {
        "ja": "出力先のフォルダー「{dir}」がありません。フォルダーを作るか、-o で別の場所を指定してください。",
        "en": "The output folder '{dir}' does not exist. Create it or give another place with -o.",
    },
    "output_is_directory": {
        "ja": "出力先「{path}」はフォルダーです。-o にはファイル名を指定してください（例: {example}）。",
        "en": "The output '{path}' is a folder. Give a file name to -o (e.g. {example}).",
    },
    "output_unwritable": {
        "ja": "「{path}」に書き込めません（{reason}）。Excel などで開いているなら閉じるか、-o で別の場所を指定してください。",
        "en": "Cannot write '{path}' ({reason}). Close it if it is open in Excel, or give another place with -o.",
    },
    "output_not_regular": {
        "ja": "出力先「{path}」は普通のファイルではありません（装置やパイプなど）。-o で別のファイル名を指定してください。",
        "en": "The output '{path}' is not a regular file (a device, a pipe …). Give another file name with -o.",
    },
    "output_parent_not_folder": {
        "ja": "出力先のフォルダー「{dir}」はフォルダーではなくファイルです。-o で別の場所を指定してください。",
        "en": "The output folder '{dir}' is a file, not a folder. Give another place with -o.",
    },
    "output_format_unknown": {
        "ja": "出力ファイル「{path}」の拡張子 {suffix} には対応していません。{choices} のどれかにしてください。",
        "en": "Output '{path}': the extension {suffix} is not supported. Use one of {choices}.",
    },
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
    "nothing_to_draw": {
        "ja": "--by none と --no-points を同時に指定すると、地図に描くものがありません。どちらかを外してください。",
        "en": "--by none with --no-points leaves nothing to draw. Leave out one of them.",
    },
    "bad_min_count": {
        "ja": "--min-count には 1 以上の整数を指定してください（指定値: {value}）。",
        "en": "--min-count must be a whole number of at least 1 (got {value}).",
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
    "interrupted": {
        "ja": "中断しました。途中のファイルは残していません。",
        "en": "Interrupted. No half-written file was left.",
    },
    "unexpected": {
        "ja": "予期しないエラーが起きました（{kind}: {detail}）。--debug を付けて再実行し、表示内容を担当者に伝えてください。",
        "en": "Unexpected error ({kind}: {detail}). Run again with --debug and send the output to the maintainers.",
    },
    "error_prefix": {"ja": "エラー: ", "en": "Error: "},
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
    "summary_renamed": {
        "ja": "列「{column}」は {format} では使えない名前のため「{new}」として書き出しました。",
        "en": "Column '{column}' is a name {format} keeps for itself, so it was written as '{new}'.",
    },
    "summary_all_placed": {"ja": "すべての行を置けました。", "en": "Every row was placed."},
    "summary_map": {"ja": "地図: {path}", "en": "Map: {path}"},
    "summary_image": {"ja": "画像: {path}", "en": "Image: {path}"},
    "large_map": {
        "ja": "注意: 地図のファイルが {size} MB あり、開くのに時間がかかります。--by municipality や --no-points で軽くできます。",
        "en": "Note: the map file is {size} MB and will be slow to open; --by municipality or --no-points make it lighter.",
    },
    "summary_table": {"ja": "結果: {path}", "en": "Result: {path}"},
    "sending": {
        "ja": "{count} 件の住所を {service} に送信します（外部のサービスです）。",
        "en": "Sending {count} addresses to {service} (an outside service).",
    },
    "sending_rest": {
        "ja": "{count} 件の住所（内蔵データで町丁目まで特定できなかったもの）を {service} に送信します（外部のサービスです）。",
        "en": "Sending {count} addresses (those the embedded data could not place at town level) to {service} (an outside service).",
    },
    "progress": {"ja": "ジオコーディング", "en": "Geocoding"},
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
}


class _Keep(dict):
    """Format mapping that leaves unknown ``{name}`` fields as they are."""

    def __missing__(self, key):
        return "{" + key + "}"


SERVICE_NAMES = {"gsi": {"ja": "国土地理院の住所検索 (gsi)", "en": "the GSI address search (gsi)"}}


def service_name(name: str, lang: str = "ja") -> str:
    """How messages name an online service (``gsi`` → 国土地理院の住所検索 (gsi))."""
    return SERVICE_NAMES.get(name, {}).get(lang, name)


def row_error(key: str, services, lang: str = "ja") -> str:
    """One online geocoder's failure for one row, as a short phrase (empty for no failure).

    ``services`` are the names of the online adapters that were asked (``["gsi"]``).
    """
    if not isinstance(key, str) or not key:
        return ""
    names = [service_name(s, lang) for s in services] or ["online"]
    who = ("、" if lang == "ja" else ", ").join(names)
    row_key = "row_" + key
    return message(row_key if row_key in MESSAGES else key, lang, service=who)


def message(key: str, lang: str = "ja", **params) -> str:
    """The text of ``key`` in ``lang`` (``"ja"`` or ``"en"``), with ``params`` filled in.

    A list parameter is joined with 「、」 (Japanese) or ", " (English). An unknown
    language falls back to Japanese; an unknown key gives the key and its parameters, so a message is never lost; a missing parameter stays as ``{name}``.

    Examples
    --------
    >>> message("reason_ambiguous", "en", candidates="A・B")
    'several candidates (A・B)'
    """
    texts = MESSAGES.get(key)
    if texts is None:
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{key}: {detail}" if detail else key
    text = texts.get(lang) or texts["ja"]
    sep = ", " if lang == "en" else "、"
    params = {k: sep.join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in params.items()}
    return string.Formatter().vformat(text, (), _Keep(params))


# What a terminal acts on rather than prints: escape sequences (OSC \x1b]0;title\x07 sets the
# window title, CSI \x1b[2J clears the screen), other C0 and C1 controls, DEL, and the bidi
# controls that reorder what is shown. A whole 7-bit OSC/DCS/CSI sequence goes, its text too;
# anything else goes one character at a time (a lone introducer is harmless without it).
_TERMINAL_CONTROLS = re.compile(
    "\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)"  # OSC … BEL or ST
    "|\x1b[P^_X][^\x1b]*\x1b\\\\"  # DCS, PM, APC, SOS … ST
    "|\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI
    "|\x1b[ -/]*[0-~]"  # other escapes (ESC c, ESC ( B …)
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def terminal_text(text, *, keep_lines: bool = False) -> str:
    r"""``text`` safe to print on a terminal: control characters and escape sequences removed.

    User text (a header, a sheet name, a file name) reaches messages and the summary; an
    escape sequence in it would act on the terminal (set its title, clear it, hide text),
    also when the output is piped into a log that is shown later. Tabs and line breaks
    become spaces, so a message stays one line, unless ``keep_lines`` (line breaks kept).

    Examples
    --------
    >>> terminal_text("住所\x1b]0;pwned\x07\x1b[31m赤\x1b[0m\r\n")
    '住所赤 '
    """
    lines = str(text).replace("\r\n", "\n").split("\n")
    cleaned = [_TERMINAL_CONTROLS.sub("", line.replace("\t", " ")) for line in lines]
    return ("\n" if keep_lines else " ").join(cleaned)


def error_message(error: BaseException, lang: str = "ja") -> str:
    """One line for ``error``: its message key translated, or its own text."""
    key = getattr(error, "key", None)
    if key and key in MESSAGES:
        return message(key, lang, **getattr(error, "params", {}))
    return str(error)


__all__ = ["LANGS", "MESSAGES", "error_message", "message", "terminal_text"]
