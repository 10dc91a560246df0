"""The 立 of 「○○市立」: a school's or a hall's name copied with its address.

Lists of schools and public buildings are often made from their names, and the 立 of
市立/町立/村立 stays behind after the municipality: 「久喜市立中里1044-1」 for 久喜市中里,
「中土佐町立大野見吉野219番地」 for 中土佐町大野見吉野. When no town of the municipality begins
with the 立, the town is read after it.

Cases: ``institution_leftover`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

from collections.abc import Callable


def after_ritsu(match_at: Callable, text: str, pos: int):
    """The town after a 立 left at ``pos`` (a :data:`geomap.geocoders.families.TOWN_REREADS` reading).

    Examples
    --------
    >>> after_ritsu(lambda other, at: (other[at:], at), "立中里1044-1", 0)
    ('中里1044-1', 1)
    >>> after_ritsu(lambda other, at: (other[at:], at), "中里1044-1", 0) is None
    True
    """
    if not text.startswith("立", pos) or len(text) <= pos + 1 or text[pos + 1].isdigit():
        return None
    return match_at(text, pos + 1)


__all__ = ["after_ritsu"]
