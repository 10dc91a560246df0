"""Families of addresses written their own way, and what each adds to the offline geocoder.

Most of Japan is read by the general rules: the keys of :mod:`geomap.geocoders.index_build`
(real names, 大字/字 and a dropped 町 or 郷, names without their 冠称, 丁目 bases and the
whole 町) and the matching of :mod:`geomap.geocoders.matcher` (longest match, 丁目 as the
first number, 小字). A family that is written differently has a module of its own,
listed here, and a table of cases in ``tests/test_geocode_cases.py``:

- :mod:`~geomap.geocoders.hokkaido`: grid towns, 北1条西2丁目 written 北1西2, 4条通 as 4条
  (keys, made at data-build time);
- :mod:`~geomap.geocoders.kyoto`: street, crossing and 上る/下る/東入/西入 before the town
  (where the town begins, at run time).

Adding a family means adding its module and cases, and its functions to one of these:
"""

from __future__ import annotations

from . import hokkaido, kyoto

#: ``rule(form) -> set[str]``: other keys of a town key ``form`` (the key, and the key
#: without 大字/字), applied by :func:`geomap.geocoders.index_build.build_city_towns` at
#: data-build time; a change needs a rebuild (``tools/build_data.py``).
KEY_RULES = (hokkaido.town_keys,)

#: ``starts(city, text, pos) -> tuple[int, ...]``: where a town of municipality ``city`` may
#: begin in the normalized ``text`` read from ``pos``, tried in order before ``pos`` itself
#: by :meth:`geomap.geocoders.matcher.Matcher.match_town`.
TOWN_STARTS = (kyoto.town_starts,)

__all__ = ["KEY_RULES", "TOWN_STARTS"]
