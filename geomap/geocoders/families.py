"""Families of addresses written their own way, and what each adds to the offline geocoder.

Most of Japan is read by the general rules: the keys of :mod:`geomap.geocoders.index_build`
(real names, 大字/字 and a dropped 町 or 郷, names without their 冠称, 丁目 bases and the
whole 町) and the matching of :mod:`geomap.geocoders.matcher` (longest match, 丁目 as the
first number, 小字). A family that is written differently has a module of its own,
listed here, and a table of cases in ``tests/test_geocode_cases.py``:

- :mod:`~geomap.geocoders.hokkaido`: grid towns, 北1条西2丁目 written 北1西2, 4条通 as 4条,
  条・丁目 and 線 as bare numbers (永山北3-8, 稲田町西1-9) (keys, made at data-build time);
- :mod:`~geomap.geocoders.numbered`: 堺市's 「…町二丁」 read as 丁目, N番丁 / N番町 towns
  written with numbers (keys);
- :mod:`~geomap.geocoders.oaza`: 大字, 字 and 町 inside a name, written or left out, the old
  town alone for its 大字 of that name (keys, and a 字 the list adds, at run time);
- :mod:`~geomap.geocoders.spelling`: 通/通り, kanji lists write for one another, の/ケ
  between kanji written or left out (keys, and at run time);
- :mod:`~geomap.geocoders.koaza`: a 小字 written without its 大字 (長野市若松町 for 大字長野
  若松町) (keys, and the 小字 point at run time);
- :mod:`~geomap.geocoders.institution`: the 立 of 市立/町立 copied with a school's name
  (久喜市立中里 for 久喜市中里) (run time);
- :mod:`~geomap.geocoders.kyoto`: street, crossing and 上る/下る/東入/西入 before the town,
  the side of the street or a corner between them (where the town begins, at run time);
- :mod:`~geomap.geocoders.bare_town`: a town written without its municipality (run time);
- :mod:`~geomap.geocoders.unreadable`: one character lost in a broken conversion (run time);
- :mod:`~geomap.geocoders.typo`: one character of a town's name mistyped, where one town only
  is that close (run time, last).

Adding a family means adding its module and cases, and its functions to one of these:
"""

from __future__ import annotations

from . import bare_town, hokkaido, institution, koaza, kyoto, numbered, oaza, spelling, typo, unreadable

#: ``rule(form) -> set[str]``: other keys of a town key ``form`` (the key, and the key
#: without 大字/字), applied by :func:`geomap.geocoders.index_build.build_city_towns` at
#: data-build time; a change needs a rebuild (``tools/build_data.py``).
KEY_RULES = (hokkaido.town_keys, oaza.inner_aza, spelling.other_spellings)

#: ``rule(keys) -> {key: (base, number)}``: town keys of one municipality that are a base and
#: a number the way 東陽4丁目 is (堺市's 霞ケ丘町4丁), besides the general 丁目 rule; at
#: data-build time.
NUMBERED = (numbered.numbered,)

#: ``rule(keys) -> iterable of (alias, key, number, weak)``: other ways of writing the towns of
#: one municipality that need its other keys in view. ``alias`` reaches town ``key``; where
#: ``number`` is given, ``alias`` is a base that reaches it when that number follows (like a
#: 丁目 base). A ``weak`` alias is trusted only before a number, a 字 or the end. Aliases never
#: stand in for a real name; at data-build time.
CITY_ALIASES = (
    hokkaido.bare_numbers, numbered.written_as_numbers, oaza.inner_words, oaza.old_town_alone, spelling.no_ke_aliases,
)

#: ``rule(koazas, taken) -> iterable of (alias, key)``: 小字 keys of one municipality
#: (``koazas``: town key → its 小字 keys) that reach town ``key`` on their own, as weak aliases;
#: ``taken`` is every key the municipality already has. At data-build time.
KOAZA_ALIASES = (koaza.without_oaza,)

#: ``starts(city, text, pos) -> tuple[int, ...]``: where a town of municipality ``city`` may
#: begin in the normalized ``text`` read from ``pos``, tried in order before ``pos`` itself
#: by :meth:`geomap.geocoders.matcher.Matcher.match_town`.
TOWN_STARTS = (kyoto.town_starts,)

#: ``reread(match_at, text, pos) -> hit | None``: another reading of the text when no town was
#: found at ``pos`` (a 字 the list adds inside a name); ``match_at(other, at)`` is the matcher's
#: town match in another text of the same length but for what the reading took out.
TOWN_REREADS = (oaza.without_inner_aza, spelling.reread_without_no_ke, institution.after_ritsu)

#: ``scan(city, text, pos) -> positions``: where a town may begin when nothing was found at
#: ``pos``; the matcher takes the first town found there that runs to the end of the written
#: name (a number, a bracket or the end follows) (Kyoto: after the street, no way written).
TOWN_SCANS = (kyoto.town_scan,)

#: ``find(matcher, text, pos, pref) -> Match | None``: tried in order when no municipality is
#: found at ``pos`` (a town written without its municipality).
WITHOUT_MUNICIPALITY = (bare_town.find,)

#: ``read(matcher, norm, match, pref, codes) -> Match``: applied in order to every answer; each
#: returns it as it is unless its family is written in the address (an unreadable character).
#: ``matcher.answer(other, pref, codes)`` answers another normalized text in the same context.
READINGS = (unreadable.read, typo.read)

__all__ = [
    "CITY_ALIASES", "KEY_RULES", "KOAZA_ALIASES", "NUMBERED", "READINGS", "TOWN_REREADS", "TOWN_SCANS", "TOWN_STARTS", "WITHOUT_MUNICIPALITY",
]
