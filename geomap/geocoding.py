"""The public geocoding functions (offline by default)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .geocoders.base import RESULT_COLUMNS
from .geocoders.offline import geocode_strings


def geocode(
    addresses: Sequence,
    *,
    default_pref: str | None = None,
    default_city: str | None = None,
    lang: str = "ja",
) -> pd.DataFrame:
    """Geocode Japanese addresses with the embedded index (no network).

    Parameters
    ----------
    addresses : sequence of str
        One address per item, in any common notation. Empty, NaN and non-string items give level 0.
    default_pref, default_city : str, optional
        Context for lists that omit the start, e.g. ``default_city="江東区"`` for rows like
        ``"東陽4-11-28"``. A prefecture or municipality written in the address wins.
    lang : {"ja", "en"}
        Language of the ``note`` column.

    Returns
    -------
    pandas.DataFrame
        One row per input, in input order, with the columns ``lat, lon, level, pref, city,
        town, code, matched, rest, ambiguous, note, source``. ``level`` is 0 (not placed),
        1 (prefecture), 2 (municipality), 3 (大字・町丁目) or 4 (小字). ``code`` is the
        5-digit municipality code; ``rest`` is what followed the match (block numbers,
        building) exactly as written; ``ambiguous`` lists the candidates when the address
        fits more than one place and was therefore not placed there; ``note`` says why a
        row was placed less precisely than it was written (a ward newer than the data, a
        丁目 the data lacks, a town without a point).

    Examples
    --------
    >>> import geomap
    >>> r = geomap.geocode(["東京都江東区東陽４－１１－２８"])
    >>> r["level"].tolist()
    [3]
    >>> r.loc[0, ["city", "town", "rest"]].tolist()
    ['江東区', '東陽四丁目', '１１－２８']
    """
    return geocode_strings(addresses, default_pref=default_pref, default_city=default_city, lang=lang)


def geocode_frame(
    df: pd.DataFrame,
    column: str,
    *,
    default_pref: str | None = None,
    default_city: str | None = None,
    lang: str = "ja",
) -> pd.DataFrame:
    """Return ``df`` with the geocoding columns added after its own.

    Existing columns of the same name are replaced. The index of ``df`` is kept, so the
    function can run unchanged in ``dask.dataframe.map_partitions``.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table.
    column : str
        The column of ``df`` holding the addresses (see :func:`geomap.geocode_table` to
        find it, or split address columns, by their headers).
    default_pref, default_city, lang
        As for :func:`geocode`.

    Returns
    -------
    pandas.DataFrame
        The columns of ``df``, then the columns :func:`geocode` returns.

    Examples
    --------
    >>> import pandas as pd, geomap
    >>> df = pd.DataFrame({"住所": ["東京都千代田区麹町2-8"]})
    >>> geomap.geocode_frame(df, "住所")[["住所", "city", "town"]].iloc[0].tolist()
    ['東京都千代田区麹町2-8', '千代田区', '麹町二丁目']
    """
    result = geocode(df[column].tolist(), default_pref=default_pref, default_city=default_city, lang=lang)
    result.index = df.index
    kept = df.drop(columns=[c for c in RESULT_COLUMNS if c in df.columns])
    return pd.concat([kept, result], axis=1)
