"""Notes of the offline geocoder: why a row was placed less precisely than it was written.

Part of :mod:`geomap.messages`: {key: {"ja": ..., "en": ...}}, assembled there into one table.
Every key starts with ``note_``. The matcher (:mod:`geomap.geocoders.matcher`) gives a note
as ``(key, params)``; :func:`geomap.messages.note_text` makes it the text of the result's
``note`` column, in the language the geocoder was asked for.
"""

TEXTS: dict[str, dict[str, str]] = {
    "note_no_town_point": {
        "ja": "町名は特定、位置情報が無いため市区町村の代表点",
        "en": "town found but it has no point: placed at the municipality",
    },
    "note_whole_town": {"ja": "丁目が無いため町全体の代表点", "en": "no chōme given: placed at the whole town"},
    "note_no_such_chome": {
        "ja": "{n}丁目はデータに無いため町全体の代表点",
        "en": "chōme {n} is not in the data: placed at the whole town",
    },
    "note_new_ward": {
        "ja": "区名「{ward}」はデータ（2021年）に無い。町名から{city}として特定",
        "en": "ward {ward} is not in the 2021 data; placed by its town in {city}",
    },
    "note_unknown_ward": {
        "ja": "区名「{ward}」はデータ（2021年）に無い（新設の区の可能性）",
        "en": "ward {ward} is not in the 2021 data (possibly a new ward)",
    },
    "note_unknown_municipality": {
        "ja": "市区町村名「{name}」はデータに無い（新設・改称の可能性）",
        "en": "municipality {name} is not in the data (possibly new or renamed)",
    },
    # -- issue 11: why a row stops at its municipality, and what was inferred or read -------
    "note_no_town_written": {
        "ja": "町名の記載が無いため市区町村の代表点",
        "en": "no town written: placed at the municipality",
    },
    "note_unknown_town": {
        "ja": "町名「{name}」はデータに無い（データより新しい町名・旧町名の可能性）",
        "en": "town {name} is not in the data (possibly newer than the data, or an old name)",
    },
    "note_chome_without_point": {
        "ja": "{n}丁目は位置情報が無いため町全体の代表点",
        "en": "chōme {n} has no point in the data: placed at the whole town",
    },
    "note_municipality_inferred": {
        "ja": "市区町村は町名から推定：{place}",
        "en": "municipality inferred from the town name: {place}",
    },
    "note_oaza_left_out": {
        "ja": "大字の記載なし。小字「{koaza}」から{oaza}と判断",
        "en": "no ōaza written: placed by its koaza {koaza} in {oaza}",
    },
    "note_typo_read": {
        "ja": "町名「{written}」は一文字違いの「{name}」と判断",
        "en": "town {written} read as {name} (one character off, the only fit)",
    },
    "note_unreadable_read": {
        "ja": "読めない文字を「{char}」と読んで特定（{name}）",
        "en": "unreadable character read as {char} ({name}, the only fit)",
    },
    "note_unreadable_unmatched": {
        "ja": "読めない文字があり町名を特定できない",
        "en": "an unreadable character in the name: town not identified",
    },
    # -- lists as they come (issue 16) ---------------------------------------------------
    "note_old_name": {"ja": "旧{old} → {new}", "en": "formerly {old}, now {new}"},
    "note_postal_only": {
        "ja": "郵便番号 {code} から配置（{place}）",
        "en": "placed by postal code {code} ({place})",
    },
    "note_postal_chose": {
        "ja": "郵便番号 {code} で候補から特定（{place}）",
        "en": "postal code {code} chose among the candidates ({place})",
    },
    "note_postal_town": {
        "ja": "町名は郵便番号 {code} から（{place}）",
        "en": "town taken from postal code {code} ({place})",
    },
    "note_postal_disagrees": {
        "ja": "郵便番号 {code} は{place}のもの（住所の市区町村を採用）",
        "en": "postal code {code} is of {place} (the address's municipality was used)",
    },
    "note_chome_dash": {
        "ja": "「{written}」を「{read}」と読んだ",
        "en": "read {written} as {read}",
    },
    "note_chome_not_read": {
        "ja": "「{written}」の丁目を読めないため町全体の代表点",
        "en": "the chōme in {written} could not be read: placed at the whole town",
    },
}
