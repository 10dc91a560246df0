"""The geocoder adapter contract and the name → class table.

An adapter takes a sequence of addresses and returns a DataFrame with one row per input,
in the same order, with :data:`RESULT_COLUMNS`. A row never disappears: an address that
cannot be placed gets ``level`` 0 and NaN coordinates.

Levels: 0 nothing, 1 prefecture, 2 municipality (a ward of a designated city counts as a
municipality), 3 town (大字・町丁目), 4 小字 or finer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import UsageError

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
    "source",
]

LEVEL_NAMES = {
    "ja": {0: "未特定", 1: "都道府県", 2: "市区町村", 3: "町丁目・大字", 4: "小字・番地"},
    "en": {0: "not placed", 1: "prefecture", 2: "municipality", 3: "town", 4: "koaza or finer"},
}

GEOCODERS: dict[str, type["Geocoder"]] = {}


def register(cls: type["Geocoder"]) -> type["Geocoder"]:
    """Class decorator: add an adapter to :data:`GEOCODERS` under ``cls.name``."""
    GEOCODERS[cls.name] = cls
    return cls


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
            "source": [source] * n,
        },
        columns=RESULT_COLUMNS,
    )


def get_geocoder(name: str = "offline", **options) -> Geocoder:
    """The adapter registered under ``name`` (``offline`` is the default and sends nothing).

    Raises
    ------
    geomap.errors.UsageError
        If no adapter has that name; the message lists the names there are.
    """
    from . import offline  # noqa: F401  (registers the default adapter)

    try:
        cls = GEOCODERS[name]
    except KeyError:
        raise UsageError(
            f"unknown geocoder {name!r}; expected one of {sorted(GEOCODERS)}",
            key="unknown_geocoder",
            name=name,
            choices=", ".join(sorted(GEOCODERS)),
        ) from None
    return cls(**options)
