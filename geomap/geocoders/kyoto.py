"""Kyoto's street addresses: the crossing and the way to go, written before the town.

In the old centre of 京都市 an address names the street and the crossing, then the way
from it — 上る (north), 下る (south), 東入 (east), 西入 (west) — and only then the town:
``河原町通三条上る恵比須町``. The town's name follows the last of these words, so the matcher
tries it there first (:data:`geomap.geocoders.families.TOWN_STARTS`). Written without the
street (``中京区恵比須町``), the town is found where it usually is.

The words come in their written variants: 上る, 上ル, 上がる, 下ル, 東入, 東入ル, 入る …
Cases: ``kyoto_street_names`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re

CITY = "京都市"  # the wards of 京都市 (京都市中京区 …): the city names addresses use begin with it
DIRECTION = re.compile(r"(?:[上下]が?[るル]|[東西]入[るル]?|入[るル])")


def town_starts(city: str, text: str, pos: int) -> tuple[int, ...]:
    """Where the town may begin in ``text`` (normalized), read from ``pos``: after the last 上る/下る/東入/西入.

    ``city`` is the municipality's name as addresses use it; outside 京都市 there is none.

    Examples
    --------
    >>> text = "河原町通三条上る恵比須町"
    >>> [text[p:] for p in town_starts("京都市中京区", text, 0)]
    ['恵比須町']
    >>> town_starts("京都市中京区", "恵比須町", 0), town_starts("長岡京市", text, 0)
    ((), ())
    """
    if not city.startswith(CITY):
        return ()
    last = None
    for last in DIRECTION.finditer(text, pos):
        pass
    return () if last is None else (last.end(),)


__all__ = ["DIRECTION", "town_starts"]
