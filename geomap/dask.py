"""Geocoding lists beyond one machine: a dask DataFrame, partition by partition (``pip install geomap[dask]``).

:func:`geocode` adds the result columns of :func:`geomap.geocode_frame` to every partition
of a :class:`dask.dataframe.DataFrame`. The task graph holds only the function's name, the
column names and the options: each worker process reads the embedded index from its own
installed geomap the first time a partition reaches it (about 0.1 s, once per process), so
no index travels with the tasks. Run it on a local cluster or on an existing one; every
worker needs geomap installed, at the same version as the client.

``import geomap`` does not import dask: only this module does, when it is imported.

Examples
--------
A folder of CSV files to Parquet on a local cluster of two processes::

    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    import geomap.dask

    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster):
        ddf = dd.read_csv("lists/*.csv", dtype=str, keep_default_na=False, blocksize="64MB")
        geomap.dask.geocode(ddf, "住所").to_parquet("geocoded/")
"""

from __future__ import annotations

import pandas as pd

from .columns import Columns, check_column, find_columns, join_address, require_columns
from .geocoders.base import RESULT_COLUMNS
from .geocoding import geocode_frame
from .textrows import text_dtype

#: Dtypes of the result columns (the text columns get the dtype pandas gives text).
_NUMBERS = {"lat": "float64", "lon": "float64", "level": "int8"}
_JOINED = "__geomap_address__"  # the joined split columns, for the partition's geocoding only


def geocode(ddf, column: str | None = None, *, pref: str | None = None, city: str | None = None, lang: str = "ja"):
    """Geocode a dask DataFrame: its columns, then ``lat, lon, level, pref, city, town, code, matched, rest, ambiguous, note, source``.

    Each partition goes through :func:`geomap.geocode_frame` (offline, nothing leaves the
    machine): the index of ``ddf`` is kept, input columns named like a result column are
    replaced, and the rows come back in their order.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The list, e.g. ``dd.read_csv("lists/*.csv", dtype=str, keep_default_na=False)``.
    column : str, optional
        The address column. By default it is found by its header (住所, 所在地, address …);
        split columns (都道府県 + 市区町村 + 町域 + 番地) are joined as
        :func:`geomap.geocode_table` joins them.
    pref, city : str, optional
        Context for lists that omit the prefecture or municipality.
    lang : {"ja", "en"}
        Language of the ``note`` column.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; its ``meta`` has the result columns' dtypes (``lat``/``lon`` float64, ``level``
        int8, text for the others). Compute it, or write it with ``to_parquet``.

    Raises
    ------
    geomap.errors.UsageError
        ``column_not_found`` for a ``column`` the frame does not have.
    geomap.errors.InputError
        ``no_address_column`` when no column looks like an address.
    """
    import dask.dataframe as dd

    if not isinstance(ddf, dd.DataFrame):
        from .errors import UsageError

        raise UsageError(f"expected a dask DataFrame, got {type(ddf).__name__}", key="not_a_table",
                         type=type(ddf).__name__)
    empty = ddf._meta
    if column is not None:
        found = Columns(address=check_column(empty, column, "column"))
    else:
        found = find_columns(empty)
        require_columns(empty, Columns(address=found.address, parts=found.parts))
    return ddf.map_partitions(
        _geocode_partition, found.address, list(found.parts), pref, city, lang,
        meta=result_meta(empty), align_dataframes=False,
    )


def result_meta(df: pd.DataFrame) -> pd.DataFrame:
    """The empty frame :func:`geocode` returns for partitions like ``df``: its columns, then the results."""
    text = text_dtype()  # the dtype pandas gives a column of text
    kept = df.iloc[:0].drop(columns=[c for c in RESULT_COLUMNS if c in df.columns])
    results = pd.DataFrame({c: pd.Series([], dtype=_NUMBERS.get(c, text)) for c in RESULT_COLUMNS},
                           index=kept.index)
    return pd.concat([kept, results], axis=1)


def _geocode_partition(df: pd.DataFrame, address: str | None, parts: list, pref, city, lang: str) -> pd.DataFrame:
    """One partition, geocoded where it is (on a worker): the index is read there, not sent."""
    if not parts:
        return geocode_frame(df, address, pref=pref, city=city, lang=lang)
    joined = join_address(df, Columns(address=address, parts=parts))
    out = geocode_frame(df.assign(**{_JOINED: joined}), _JOINED, pref=pref, city=city, lang=lang)
    return out.drop(columns=[_JOINED])


__all__ = ["geocode", "result_meta"]
