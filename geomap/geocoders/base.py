"""The geocoder adapter contract: what every adapter takes, gives and promises.

An adapter takes a sequence of addresses and returns a DataFrame with one row per input,
in the same order, with :data:`RESULT_COLUMNS`. A row never disappears: an address that
cannot be placed gets ``level`` 0 and NaN coordinates.

Levels: 0 nothing, 1 prefecture, 2 municipality (a ward of a designated city counts as a
municipality), 3 town (大字・町丁目), 4 小字 or finer.

Online adapters (``online = True``) send addresses out of the machine; they derive from
:class:`geomap.geocoders.http.HTTPGeocoder`, which owns the transport. Their results carry
one more column, :data:`ERROR_COLUMN` (``error``): empty when the service answered (or the
row was not theirs to ask), else the message key of what went wrong for that row (the row
is then unplaced or keeps what an earlier adapter found). Nothing is sent unless an online
adapter is asked for by name; :meth:`Geocoder.count_to_send` says beforehand how many
addresses will go, and :meth:`Geocoder.service_counts` afterwards how many the service
answered and how many failed.

This module imports no adapter; the name table lives in :mod:`geomap.geocoders`.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
import pandas as pd

def context_keywords(pref, city, default_pref=None, default_city=None, *, stacklevel: int = 3):
    """``pref`` and ``city``, taking the keywords they replaced for one release (with a warning).

    The list's context is ``pref`` / ``city`` everywhere in the public API; ``default_pref``
    / ``default_city`` still work until the next release, with a :class:`DeprecationWarning`
    that points at the caller (``stacklevel`` counts from this function's caller's caller).
    """
    for old, new, value, given in (("default_pref", "pref", default_pref, pref),
                                   ("default_city", "city", default_city, city)):
        if value is not None:
            if given is not None:
                raise TypeError(f"give {new}=, not both {new}= and {old}=")
            warnings.warn(f"{old}= is deprecated; use {new}=", DeprecationWarning, stacklevel=stacklevel)
    return (pref if default_pref is None else default_pref, city if default_city is None else default_city)


RESULT_COLUMNS = [
    "lat",
    "lon",
    "level",
    "pref",
    "city",
    "town",
    "code",
    "matched",
    "rest",
    "ambiguous",
    "note",
    "source",
]

#: Extra column of online adapters: "" or the message key of the row's failure.
ERROR_COLUMN = "error"


class Geocoder(ABC):
    """Base of every adapter.

    Subclasses set ``name`` and ``online`` (True when addresses leave the machine)
    and implement :meth:`geocode`.
    """

    name: str = ""
    online: bool = False

    @abstractmethod
    def geocode(self, addresses: Sequence) -> pd.DataFrame:
        """Geocode ``addresses``; one row per input, same order, :data:`RESULT_COLUMNS`."""

    def count_to_send(self, addresses: Sequence) -> dict[str, int]:
        """How many addresses :meth:`geocode` would send out, per online service name.

        The CLI prints this in one line before geocoding. Offline adapters send nothing
        and answer ``{}``.
        """
        return {}

    def endpoints(self) -> dict[str, str]:
        """Where each online service of this adapter sends addresses (name → URL); ``{}`` offline."""
        return {}

    def service_counts(self) -> dict[str, dict[str, int]]:
        """What the last :meth:`geocode` call got from each online service, in rows.

        ``{name: {"asked": n, "answered": a, "failed": f}}``: rows handed to the service
        (blank ones excepted), rows it answered (a "no match" is an answer; answers from
        the cache count), rows it failed for (their ``error`` is set; not sent counts as
        failed). ``{}`` for offline adapters and before the first call.
        """
        return {}


def empty_result(n: int, source: str = "") -> pd.DataFrame:
    """A result frame of ``n`` unplaced rows (level 0), to be filled in by an adapter."""
    return pd.DataFrame(
        {
            "lat": np.full(n, np.nan),
            "lon": np.full(n, np.nan),
            "level": np.zeros(n, dtype="int8"),
            "pref": [""] * n,
            "city": [""] * n,
            "town": [""] * n,
            "code": [""] * n,
            "matched": [""] * n,
            "rest": [""] * n,
            "ambiguous": [""] * n,
            "note": [""] * n,
            "source": [source] * n,
        },
        columns=RESULT_COLUMNS,
    )


__all__ = ["ERROR_COLUMN", "RESULT_COLUMNS", "Geocoder", "empty_result"]
