"""The offline geocoder: addresses to town-level points from the embedded index.

The adapter (:class:`OfflineGeocoder`, :func:`geocode_strings`): it resolves the pref/city
context, normalizes each distinct address once (:mod:`geomap.address.normalize`), matches
it (:class:`~geomap.geocoders.matcher.Matcher`, with the readings of
:mod:`geomap.geocoders.readings` after it: old municipality names, postal codes, 栄ー丁目)
and makes the result rows. This is where the
matcher's notes, keys, become text in the requested language
(:func:`geomap.messages.note_text`). Nothing leaves the machine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..address.normalize import Normalized, key, normalize
from ..messages import note_text
from .base import RESULT_COLUMNS, Geocoder, context_keywords
from . import readings
from .answer import notes_of
from .index import town_index
from .matcher import Match, Matcher

SOURCE = "offline"

_SEPARATORS = "-‐‑‒–—―−－ｰー,，、の"  # besides white space (\s, as str.isspace)
_LEADING_SEPARATORS = re.compile(rf"^[\s{re.escape(_SEPARATORS)}]+")


def _row(norm: Normalized | None, m: Match, lang: str = "ja") -> tuple:
    if norm is None:
        return (math.nan, math.nan, 0, "", "", "", "", "", "", "", "")
    if m.level == 0:
        matched, rest = "", norm.source.strip()
    else:
        source, origin = norm.source, norm.origin  # source_between(0, end) and source_from(end), inline
        cut = origin[m.end]
        matched = source[origin[0]:cut].strip()
        rest = source[cut:]
        if rest and (rest[0] in _SEPARATORS or rest[0].isspace()):  # else the pattern finds nothing to take
            rest = _LEADING_SEPARATORS.sub("", rest)
        rest = rest.strip()
    note = note_text(m.note, lang) if m.note else ""
    return (m.lat, m.lon, m.level, m.pref, m.city, m.town, m.code, matched, rest, m.ambiguous, note)


class Context:
    """Resolved ``pref`` / ``city`` for lists that omit the start."""

    def __init__(self, matcher: Matcher, default_pref: str | None, default_city: str | None):
        index = matcher.index
        self.pref = ""
        self.codes: list[str] = []
        if default_pref:
            norm = normalize(str(default_pref))
            pref, _ = matcher.match_pref(norm.text, 0)
            if not pref:
                pref = index.pref_short.get(norm.text, "") or index.pref_keys.get(norm.text, "")
            if not pref:
                from ..errors import UsageError

                raise UsageError(
                    f"unknown prefecture {default_pref!r}", key="unknown_pref", value=str(default_pref)
                )
            self.pref = pref
        if default_city:
            norm = normalize(str(default_city))
            m = matcher.match(norm, self.pref)
            if m.level < 2 or not m.code:
                from ..errors import UsageError

                raise UsageError(
                    f"unknown municipality {default_city!r}", key="unknown_city", value=str(default_city)
                )
            if m.code in index.municipalities:
                self.codes = [m.code]
            else:  # a designated city: all its wards
                self.codes = list(index.designated[(m.pref, m.city)])
            self.pref = self.pref or m.pref


def geocode_strings(
    addresses: Sequence,
    *,
    pref: str | None = None,
    city: str | None = None,
    lang: str = "ja",
) -> pd.DataFrame:
    """Geocode with the embedded index; see :func:`geomap.geocode`."""
    matcher = Matcher(town_index())
    context = Context(matcher, pref, city)
    values = list(addresses)
    cache: dict[str, int] = {}
    unique_rows: list[tuple] = []
    positions: list[int] = []
    empty = _row(None, Match())
    read, list_pref, list_codes = readings.match, context.pref, context.codes
    for value in values:
        if not isinstance(value, str) or not value or value.isspace():  # blank: what strip() leaves empty
            positions.append(-1)
            continue
        slot = cache.get(value)
        if slot is None:
            norm = normalize(value)
            slot = cache[value] = len(unique_rows)
            unique_rows.append(_row(norm, read(matcher, norm, list_pref, list_codes), lang))
        positions.append(slot)
    del cache
    unique_rows.append(empty)
    names = RESULT_COLUMNS[:-1]
    columns = dict(zip(names, (list(c) for c in zip(*unique_rows))))
    del unique_rows
    # The numbers as the arrays the frame would infer from them (floats, NaN for none; the
    # level as the int8 it is given as), made directly.
    columns["lat"] = np.array(columns["lat"], dtype=np.float64)
    columns["lon"] = np.array(columns["lon"], dtype=np.float64)
    columns["level"] = np.array(columns["level"], dtype=np.int8)
    table = pd.DataFrame(columns, columns=names)
    del columns
    if len(table) - 1 == len(positions) and positions == list(range(len(positions))):
        out = table.iloc[:-1]  # every address distinct and present: no reordering needed
    else:
        out = table.iloc[positions].reset_index(drop=True)
    return out.assign(source=SOURCE)


class OfflineGeocoder(Geocoder):
    """The default adapter: the embedded index, no network.

    Parameters
    ----------
    pref, city : str, optional
        Context for lists that omit the prefecture or municipality (``"東京都"``, ``"江東区"``).
        ``default_pref`` / ``default_city`` are the old names, accepted for one release.
    lang : {"ja", "en"}
        Language of the ``note`` column.
    """

    name = "offline"
    online = False

    def __init__(
        self,
        pref: str | None = None,
        city: str | None = None,
        lang: str = "ja",
        *,
        default_pref: str | None = None,
        default_city: str | None = None,
    ):
        self.pref, self.city = context_keywords(pref, city, default_pref, default_city)
        self.lang = lang

    def geocode(self, addresses: Sequence) -> pd.DataFrame:
        return geocode_strings(addresses, pref=self.pref, city=self.city, lang=self.lang)

    def apply_context(self, addresses: Sequence) -> list:
        """``addresses`` as they read with ``pref``/``city`` written out.

        An address that names neither its prefecture nor its municipality gets the context
        written before it (東陽4-11-28 of a 江東区 list: 東京都江東区東陽4-11-28; a designated
        city given without a ward by its name: 北海道札幌市北1条西2丁目). Other values, blanks
        and non-text included, come back as they are. Online adapters send this text, so a
        service does not match a bare address anywhere in Japan.

        Raises
        ------
        geomap.errors.UsageError
            ``unknown_pref`` / ``unknown_city`` when the context is not a known place.
        """
        values = list(addresses)
        if not (self.pref or self.city):
            return values
        index = town_index()
        matcher = Matcher(index)
        context = Context(matcher, self.pref, self.city)
        cities = {index.municipalities[c].city for c in context.codes}
        if len(cities) > 1:  # a designated city given without a ward: its name
            cities = {index.municipalities[c].designated for c in context.codes}
        prefix = context.pref + (next(iter(cities)) if len(cities) == 1 else "")
        texts = dict.fromkeys(v for v in values if isinstance(v, str) and v.strip())
        unplaced = {text for text in texts if not _names_its_place(matcher, normalize(text))}
        return [_with_context(prefix, context.pref, v) if isinstance(v, str) and v in unplaced else v for v in values]


def _names_its_place(matcher: Matcher, norm: Normalized) -> bool:
    """The address itself names where it is, read without a context: not nothing found, nothing
    read before a prefecture, or a municipality only inferred from a town's name (北1条西2丁目
    is a town of 旭川市 too, but a 札幌市 list means 札幌市)."""
    m = readings.match(matcher, norm)
    if m.level == 0 or (m.level == 1 and not norm.source_between(0, m.end).strip()):
        return False
    return not any(k == "note_municipality_inferred" for k, _ in notes_of(m.note))


def _with_context(prefix: str, pref: str, text: str) -> str:
    """``text`` with the context before it, less what the text writes itself: the prefecture,
    or the municipality (北区赤羽一丁目 of a 東京都北区 list gets only 東京都 before it)."""
    written = text.lstrip()
    if pref and written.startswith(pref):
        text = written = written[len(pref):]
    city = prefix[len(pref):]
    if city and written.startswith(city):
        return pref + written
    return prefix + text


__all__ = ["OfflineGeocoder", "geocode_strings", "key"]
