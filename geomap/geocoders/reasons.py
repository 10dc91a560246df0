"""Why an answer stops at its municipality: no town written, or a town the data lacks.

Every row the matcher leaves at level 2 without a town, a candidate list or another note gets
one of these notes (:meth:`geomap.geocoders.matcher.Matcher.match`): ``note_no_town_written``
when the address goes from the municipality straight to a number (岡谷市2413 where the index
has no town for it, 品川区 alone), ``note_unknown_town`` with the name written when it is a
name the index does not have (a town newer than the data, or an old name).
"""

from __future__ import annotations

import re

from ..address.normalize import Normalized, skip_brackets
from .answer import NAME_STOPS

_WRITTEN_NAME = re.compile(rf"[^{NAME_STOPS}]{{1,12}}")


def why_no_town(norm: Normalized, end: int) -> tuple:
    """The note of an answer that stops at the municipality, whose part ends at ``end``.

    Examples
    --------
    >>> from geomap.address.normalize import normalize
    >>> why_no_town(normalize("東京都品川区"), 6), why_no_town(normalize("東京都北区稲付町５丁目"), 5)
    (('note_no_town_written', {}), ('note_unknown_town', {'name': '稲付町'}))
    """
    text = norm.text
    pos = skip_brackets(text, end)
    name = _WRITTEN_NAME.match(text, pos)
    if name is None:
        return ("note_no_town_written", {})
    return ("note_unknown_town", {"name": norm.source_between(name.start(), name.end()).strip()})


__all__ = ["why_no_town"]
