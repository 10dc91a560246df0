"""Adapters in a chain (``get_geocoder("offline+gsi")``): the least data leaves the machine.

The first adapter sees every address; each later one sees only the rows still below
``enough`` (town level by default), and its answer replaces the row only when it is better.
With ``offline+gsi``, an address the embedded index places at town level is never sent.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..errors import UsageError
from .base import ERROR_COLUMN, RESULT_COLUMNS, Geocoder


class CombinedGeocoder(Geocoder):
    """Several adapters, tried in order; see the module notes.

    Parameters
    ----------
    geocoders : sequence of Geocoder
        At least two adapters, in the order they are asked.
    enough : int
        A row at this level or finer is not passed on (3: town).

    Notes
    -----
    The result has :data:`~geomap.geocoders.base.RESULT_COLUMNS` and ``error`` (the later
    adapter's failure for a row, which then keeps the earlier answer). ``source`` names the
    adapter whose answer a row shows.
    """

    def __init__(self, geocoders: Sequence[Geocoder], *, enough: int = 3):
        geocoders = list(geocoders)
        if len(geocoders) < 2:
            raise UsageError("a combined geocoder needs at least two adapters", key="invalid_option",
                             option="geocoders", value=len(geocoders))
        self.geocoders = geocoders
        self.enough = int(enough)
        self.name = "+".join(g.name for g in geocoders)
        self.online = any(g.online for g in geocoders)
        self._first: tuple[tuple, pd.DataFrame] | None = None
        self._counts: dict[str, dict[str, int]] = {}

    def _first_result(self, values: list) -> pd.DataFrame:
        # count_to_send and then geocode on the same list run the first adapter once.
        # Online adapters are never remembered: their answers may change between the calls.
        memo_key = tuple(v if isinstance(v, str) else None for v in values)
        if self._first is not None and self._first[0] == memo_key:
            return self._first[1].copy()
        result = self.geocoders[0].geocode(values)
        if not self.geocoders[0].online:
            self._first = (memo_key, result.copy())
        return result

    def _pending(self, result: pd.DataFrame, values: list) -> list[int]:
        return [
            i for i, value in enumerate(values)
            if isinstance(value, str) and value.strip() and result.at[i, "level"] < self.enough
        ]

    def count_to_send(self, addresses: Sequence) -> dict[str, int]:
        """Addresses sent per online adapter; for a second online adapter, an upper bound."""
        values = list(addresses)
        counts: dict[str, int] = dict(self.geocoders[0].count_to_send(values))
        result = self._first_result(values)
        pending = self._pending(result, values)
        for geocoder in self.geocoders[1:]:
            counts.update(geocoder.count_to_send([values[i] for i in pending]))
        return counts

    def endpoints(self) -> dict[str, str]:
        """Name → URL of every online adapter in the chain."""
        out: dict[str, str] = {}
        for geocoder in self.geocoders:
            out.update(geocoder.endpoints())
        return out

    def service_counts(self) -> dict[str, dict[str, int]]:
        """Rows asked, answered and failed per online service in the last :meth:`geocode` call."""
        return {name: dict(counts) for name, counts in self._counts.items()}

    def geocode(self, addresses: Sequence) -> pd.DataFrame:
        values = list(addresses)
        self._counts = {}
        result = self._first_result(values).reset_index(drop=True)
        if self.geocoders[0].online:
            self._counts.update(self.geocoders[0].service_counts())
        if ERROR_COLUMN not in result.columns:
            result[ERROR_COLUMN] = ""
        for geocoder in self.geocoders[1:]:
            pending = self._pending(result, values)
            if not pending:
                break
            answer = geocoder.geocode([values[i] for i in pending])
            self._counts.update(geocoder.service_counts())
            for j, i in enumerate(pending):
                if ERROR_COLUMN in answer.columns and answer.at[j, ERROR_COLUMN]:
                    result.at[i, ERROR_COLUMN] = answer.at[j, ERROR_COLUMN]
                if answer.at[j, "level"] > result.at[i, "level"]:
                    for column in RESULT_COLUMNS:
                        result.at[i, column] = answer.at[j, column]
                    result.at[i, ERROR_COLUMN] = ""
        return result


__all__ = ["CombinedGeocoder"]
