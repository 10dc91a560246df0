"""Messages about the files geomap reads and writes.

Part of :mod:`geomap.messages`: {key: {"ja": ..., "en": ...}}, assembled there into one table.
"""

TEXTS: dict[str, dict[str, str]] = {
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
    "map_too_large": {
        "ja": "地図のファイルが約 {size} MB になり、ブラウザで開くのに時間がかかるため書き出しませんでした（上限 {limit} MB）。"
              "--by municipality（市区町村ごと）や --no-points（地点を載せない）で軽くできます。"
              "このまま作るには --force を付けてください。",
        "en": "The map file would be about {size} MB, too slow to open in a browser, so it was not written "
              "(limit {limit} MB). --by municipality (per municipality) or --no-points (no points) make it lighter; "
              "add --force to write it anyway.",
    },
    "output_unwritable": {
        "ja": "「{path}」に書き込めません（{reason}）。Excel などで開いているなら閉じるか、-o で別の場所を指定してください。",
        "en": "Cannot write '{path}' ({reason}). Close it if it is open in Excel, or give another place with -o.",
    },
    "cell_unencodable": {
        "ja": "列「{column}」の {row} 行目に、住所として読めない文字 {char}（対になっていないサロゲート）があります。その文字を直してください。",
        "en": "Column '{column}', row {row} holds {char} (a lone surrogate), which cannot be read as text. Fix that character.",
    },
    "output_unencodable": {
        "ja": "「{path}」に書き込めません: 列「{column}」の {row} 行目に、ファイルに書けない文字 {char}（対になっていないサロゲート）があります。"
              "その文字を直してから、もう一度実行してください。",
        "en": "Cannot write '{path}': column '{column}', row {row} holds {char} (a lone surrogate), which no file can "
              "hold. Fix that character and run again.",
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
}
