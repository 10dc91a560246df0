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
}
