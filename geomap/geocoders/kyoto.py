"""Kyoto's street addresses: the crossing and the way to go, written before the town.

In the old centre of 京都市 an address names the street and the crossing, then the way
from it — 上る (north), 下る (south), 東入 (east), 西入 (west) — and only then the town:
``河原町通三条上る恵比須町``. The town's name follows the last of these words, so the matcher
tries it there first (:data:`geomap.geocoders.families.TOWN_STARTS`). Written without the
street (``中京区恵比須町``), the town is found where it usually is.

Between the way and the town, lists write the side of the street (``下る西側染殿町``) or a
position along it (``上る2丁目下天神町``, also ``5町目``): the town after them wins, the
fewest words skipped first, and the way's own position is tried last (上京区 has towns named
五町目 and 五町目町, 中京区 one named 東側町). Where no way is written,
the crossing's corner or a short cut is (``三条通柳馬場角中之町``, ``油小路通御池押油小路町``):
:func:`town_scan` offers the positions after them, and the matcher takes a town found there
only if it runs to the end of the written name (a number or the end follows), so a town
inside a street's name is never taken.

The words come in their written variants: 上る, 上ル, 上がる, 下ル, 東入, 東入ル, 入る …
Cases: ``kyoto_street_names`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re

CITY = "京都市"  # the wards of 京都市 (京都市中京区 …): the city names addresses use begin with it
DIRECTION = re.compile(r"(?:[上下]が?[るル]|[東西]入[るル]?|入[るル])")
# After the way: the side of the street, a position along it (2丁目, 5町目), then the town.
_BETWEEN = re.compile(r"[東西南北]側|\d+[丁町]目")
_STREET = re.compile(r"通り?")
_CORNER = re.compile(r"[角押]")
_NAME_END = re.compile(r"\d+(?![\d条])|[\-#(（]|$")  # a number (not a street's 三条), a bracket, the end


def town_starts(city: str, text: str, pos: int) -> tuple[int, ...]:
    """Where the town may begin in ``text`` (normalized), read from ``pos``: after the last 上る/下る/東入/西入.

    ``city`` is the municipality's name as addresses use it; outside 京都市 there is none.

    Examples
    --------
    >>> text = "河原町通三条上る恵比須町"
    >>> [text[p:] for p in town_starts("京都市中京区", text, 0)]
    ['恵比須町']
    >>> text = "堀川通寺之内上ル2丁目下天神町650"
    >>> [text[p:] for p in town_starts("京都市上京区", text, 0)]
    ['下天神町650', '2丁目下天神町650']
    >>> text = "寺町通三条上る東側7町目143"
    >>> [text[p:] for p in town_starts("京都市中京区", text, 0)]
    ['7町目143', '143', '東側7町目143']
    >>> town_starts("京都市中京区", "恵比須町", 0), town_starts("長岡京市", text, 0)
    ((), ())
    """
    if not city.startswith(CITY):
        return ()
    last = None
    for last in DIRECTION.finditer(text, pos):
        pass
    if last is None:
        return ()
    starts, end = [], last.end()
    while between := _BETWEEN.match(text, end):  # the fewest words skipped first
        end = between.end()
        starts.append(end)
    return (*starts, last.end())


def town_scan(city: str, text: str, pos: int) -> tuple[int, ...]:
    """Where the town may begin when no way is written: after a corner (角) or a short cut (押).

    The matcher takes a town found at one of them only if it runs to the end of the name.
    押 is also the first character of towns (押油小路町), so the town is tried with it first.

    Examples
    --------
    >>> text = "三条通柳馬場角中之町"
    >>> [text[p:] for p in town_scan("京都市中京区", text, 0)]
    ['角中之町', '中之町']
    >>> text = "油小路通御池押油小路町238"
    >>> [text[p:] for p in town_scan("京都市中京区", text, 0)]
    ['押油小路町238', '油小路町238']
    >>> town_scan("京都市中京区", "中之町", 0), town_scan("京都市中京区", "烏丸通三条上る角町", 0)
    ((), ())
    """
    street = _STREET.search(text, pos) if city.startswith(CITY) else None
    if street is None or DIRECTION.search(text, street.end()):
        return ()
    end = _NAME_END.search(text, street.end()).start()
    out: list[int] = []
    for m in _CORNER.finditer(text, street.end(), end):  # the crossing's first: a town may have 角 too (太秦下角田町)
        out += [m.start(), m.end()]
    return tuple(out)


__all__ = ["DIRECTION", "town_scan", "town_starts"]
