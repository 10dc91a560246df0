"""Geocoding addresses, a column, and whole tables (offline by default).

:func:`geocode` and :func:`geocode_frame` geocode strings with the embedded index.
:func:`geocode_table` does what ``geomap geocode`` does to a table: it finds the address
(or latitude/longitude) columns by their headers, keeps coordinates the table already
has, asks the geocoder for the rest (announcing first what would go to an online
service) and adds the result columns after the table's own. :func:`geocode_rows` does
the same and also says which columns were used and what the online services did; the
file functions of :mod:`geomap.pipeline` call it.

The list's context is ``pref`` / ``city`` everywhere; ``default_pref`` / ``default_city``,
the names these keywords had before, still work for one release with a
:class:`DeprecationWarning`.

``jobs`` spreads the offline geocoder over processes (:mod:`geomap.workers`); the result
is the same as in one process. An online geocoder always runs in this process, one request
after the other, because the services limit the rate at which they may be asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .columns import Columns, find_columns, has_point, join_address, require_columns, typed_numbers
from .errors import InputError
from .geocoders import GEOCODERS, accepted_options, get_geocoder
from .geocoders.base import ERROR_COLUMN, RESULT_COLUMNS, Geocoder, context_keywords, empty_result
from .geocoders.offline import OfflineGeocoder, geocode_strings
from .messages import message
from .workers import check_jobs, prepare_workers, resolve_jobs, run_offline

log = logging.getLogger(__name__)

#: Level given to rows whose coordinates came from the input's own lat/lon columns.
INPUT_LEVEL = 4
#: ``source`` of rows whose coordinates were given in the input (valid or not).
INPUT_SOURCE = "input"
#: Below this many addresses no progress bar is shown.
PROGRESS_MIN_ROWS = 3000
#: Addresses geocoded at a time when progress is shown.
CHUNK = 2000


def _context(pref, city, default_pref, default_city) -> tuple[str | None, str | None]:
    # stacklevel 4: past this function and the public function, to its caller.
    return context_keywords(pref, city, default_pref, default_city, stacklevel=4)


def geocode(
    addresses: Sequence,
    *,
    pref: str | None = None,
    city: str | None = None,
    lang: str = "ja",
    default_pref: str | None = None,
    default_city: str | None = None,
) -> pd.DataFrame:
    """Geocode Japanese addresses with the embedded index (no network).

    Parameters
    ----------
    addresses : sequence of str
        One address per item, in any common notation. Empty, NaN and non-string items give level 0.
    pref, city : str, optional
        Context for lists that omit the start, e.g. ``city="江東区"`` for rows like
        ``"東陽4-11-28"``. A prefecture or municipality written in the address wins.
    lang : {"ja", "en"}
        Language of the ``note`` column.
    default_pref, default_city : str, optional
        Deprecated names of ``pref`` and ``city`` (a :class:`DeprecationWarning`).

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
    pref, city = _context(pref, city, default_pref, default_city)
    return geocode_strings(addresses, pref=pref, city=city, lang=lang)


def geocode_frame(
    df: pd.DataFrame,
    column: str,
    *,
    pref: str | None = None,
    city: str | None = None,
    lang: str = "ja",
    default_pref: str | None = None,
    default_city: str | None = None,
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
    pref, city, lang
        As for :func:`geocode`.
    default_pref, default_city : str, optional
        Deprecated names of ``pref`` and ``city`` (a :class:`DeprecationWarning`).

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
    pref, city = _context(pref, city, default_pref, default_city)
    # In sorted chunks (less time, bounded memory; the rows come back in order), in this process:
    # geocode_frame runs inside dask's workers, which may not start processes.
    coder = OfflineGeocoder(pref=pref, city=city, lang=lang)
    result = run_offline(coder, df[column].reset_index(drop=True), np.arange(len(df)), False, 1)
    result.index = df.index
    kept = df.drop(columns=[c for c in RESULT_COLUMNS if c in df.columns])
    return pd.concat([kept, result], axis=1)


# -- tables -------------------------------------------------------------------------


def geocode_table(
    df: pd.DataFrame,
    *,
    address_column: str | None = None,
    pref: str | None = None,
    city: str | None = None,
    geocoder: str | Geocoder = "offline",
    geocoder_options: dict | None = None,
    progress: bool | Callable[[int, int], None] = False,
    notify: Callable[[dict, bool], None] | None = None,
    lang: str = "ja",
    jobs: int | str | None = 1,
    default_pref: str | None = None,
    default_city: str | None = None,
) -> pd.DataFrame:
    """Add the geocoding columns to a table: its own columns, then the result columns.

    Parameters
    ----------
    df : pandas.DataFrame
        A table, e.g. from :func:`geomap.io.read_table`. The address column is found by
        its header (住所, 所在地, address …, or split 都道府県 + 市区町村 + 町域 + 番地),
        unless ``address_column`` names it.
    address_column : str, optional
        The column holding the addresses.
    pref, city : str, optional
        Context for lists that leave out the prefecture or municipality.
    geocoder : str or Geocoder
        ``"offline"`` (default, nothing leaves the machine), ``"gsi"``, ``"offline+gsi"``
        or an adapter instance.
    geocoder_options : dict, optional
        Options for :func:`geomap.geocoders.get_geocoder` (e.g. ``url``, ``use_cache``).
    progress : bool or callable
        Show a progress bar on stderr when there are at least :data:`PROGRESS_MIN_ROWS`
        addresses; or a callable, called as ``progress(done, total)`` after each chunk
        of addresses geocoded (the local page's progress bar).
    notify : callable, optional
        Called as ``notify({service: count}, partial)`` before an online geocoder sends
        anything (``partial`` is True when only the rows the offline index could not place
        go out). By default the counts are logged as a warning.
    lang : {"ja", "en"}
        Language of the ``note`` column.
    jobs : int or "auto"
        Processes for the offline geocoder (see :func:`resolve_jobs`): 1 (the default) geocodes
        here; ``N`` uses N worker processes; 0 one per core; ``"auto"`` one process below
        :data:`geomap.workers.AUTO_JOBS_MIN_ROWS` addresses, more above. The result is the same for every
        value. An online geocoder always runs in this process.
    default_pref, default_city : str, optional
        Deprecated names of ``pref`` and ``city`` (a :class:`DeprecationWarning`).

    Returns
    -------
    pandas.DataFrame
        The columns of ``df`` (an input column whose name clashes with a result column is
        renamed ``<name>_input``), then ``lat, lon, level, pref, city, town, code,
        matched, rest, ambiguous, note, source`` (and ``error`` from online adapters). Rows with
        valid coordinates in the table's own latitude/longitude columns keep them, are not
        geocoded, and get ``level`` :data:`INPUT_LEVEL` and ``source`` ``"input"``; rows
        whose coordinates are given but not valid get level 0 and source ``"input"``.

    Raises
    ------
    geomap.errors.InputError
        ``no_address_column`` when there is neither an address nor lat/lon columns.
    geomap.errors.UsageError
        ``column_not_found`` for a wrong ``address_column``; geocoder errors.

    Examples
    --------
    >>> import pandas as pd, geomap
    >>> table = pd.DataFrame({"施設名": ["区役所"], "所在地": ["江東区東陽4-11-28"]})
    >>> result = geomap.geocode_table(table)  # 所在地 is recognised as the address column
    >>> result.columns.tolist()[:5]
    ['施設名', '所在地', 'lat', 'lon', 'level']
    >>> result["level"].tolist(), result["town"].tolist()
    ([3], ['東陽四丁目'])
    >>> geomap.geocode_table(pd.DataFrame({"住所": ["東陽4-11-28"]}), city="江東区")["town"].tolist()
    ['東陽四丁目']
    """
    pref, city = _context(pref, city, default_pref, default_city)
    return geocode_rows(
        df,
        address_column=address_column,
        pref=pref,
        city=city,
        geocoder=geocoder,
        geocoder_options=geocoder_options,
        progress=progress,
        notify=notify,
        lang=lang,
        jobs=jobs,
    ).frame


@dataclass
class Geocoded:
    """What :func:`geocode_rows` did.

    Attributes
    ----------
    frame : pandas.DataFrame
        The table with the result columns, as :func:`geocode_table` returns it.
    columns : geomap.columns.Columns
        The columns used, under their names in ``frame`` (an input column named like a
        result column is ``<name>_input`` there).
    services : list of str
        The online services asked (``["gsi"]``), so that a row's failure can name the one
        that failed (:func:`geomap.report.unplaced_reasons`). Empty offline.
    online : dict
        Per online service asked, rows ``{"asked", "answered", "failed"}`` (a "no match"
        is an answer; failed rows have the ``error`` column set). Empty offline.
    """

    frame: pd.DataFrame = field(repr=False)
    columns: Columns
    services: list = field(default_factory=list)
    online: dict = field(default_factory=dict)


def _rename_clashes(df: pd.DataFrame, found: Columns) -> tuple[pd.DataFrame, Columns]:
    taken = set(RESULT_COLUMNS) | {ERROR_COLUMN}
    renames = {}
    existing = set(map(str, df.columns))
    for column in df.columns:
        if column in taken:
            new = f"{column}_input"
            while new in existing or new in taken:
                new += "_"
            renames[column] = new
            existing.add(new)
    if not renames:
        return df, found

    def r(c):
        return renames.get(c, c) if c is not None else None

    found = Columns(
        address=r(found.address),
        parts=[r(c) for c in found.parts],
        lat=r(found.lat),
        lon=r(found.lon),
        name=r(found.name),
        category=r(found.category),
    )
    return df.rename(columns=renames), found


def _given(series: pd.Series) -> np.ndarray:
    return (series.fillna("").astype(str).str.strip() != "").to_numpy()


def _make_geocoder(geocoder, pref, city, options, lang="ja") -> Geocoder:
    if isinstance(geocoder, Geocoder):
        return geocoder
    options = dict(options or {})
    names = [part.strip().lower() for part in str(geocoder).split("+")]
    if any("lang" in accepted_options(GEOCODERS[n]) for n in names if n in GEOCODERS):
        options.setdefault("lang", lang)  # the offline geocoder's notes, the online adapters' warnings
    if pref:
        options["pref"] = pref
    if city:
        options["city"] = city
    return get_geocoder(str(geocoder), **options)


def geocode_rows(
    df: pd.DataFrame,
    *,
    found: Columns | None = None,
    address_column: str | None = None,
    pref: str | None = None,
    city: str | None = None,
    geocoder: str | Geocoder = "offline",
    geocoder_options: dict | None = None,
    progress: bool | Callable[[int, int], None] = False,
    notify: Callable[[dict, bool], None] | None = None,
    lang: str = "ja",
    jobs: int | str | None = 1,
) -> Geocoded:
    """:func:`geocode_table`, saying also which columns were used and what online services did.

    ``found`` gives the columns when the caller has found them already (a file's columns
    are checked before anything is geocoded); the other parameters are those of
    :func:`geocode_table`.
    """
    check_jobs(jobs)
    if found is None:
        found = require_columns(df, find_columns(df, address_column=address_column))
    df = df.reset_index(drop=True)
    df, found = _rename_clashes(df, found)
    n = len(df)
    todo = np.ones(n, dtype=bool)
    services: list[str] = []
    online: dict[str, dict[str, int]] = {}
    result = None  # made only when the offline geocoder's own frame is not the whole answer (below)
    if found.has_latlon:
        result = empty_result(n)
        lat, lon = typed_numbers(df[found.lat]), typed_numbers(df[found.lon])
        given = _given(df[found.lat]) | _given(df[found.lon])
        valid = has_point(lat, lon).to_numpy() & given
        result.loc[valid, "lat"] = lat[valid].to_numpy()
        result.loc[valid, "lon"] = lon[valid].to_numpy()
        result.loc[valid, "level"] = INPUT_LEVEL
        result.loc[given, "source"] = INPUT_SOURCE
        todo = ~given
    try:
        addresses = join_address(df, found)
        if addresses.dtype == object:
            # As Arrow-backed text where pandas has it: a list of millions is not kept as Python strings.
            addresses = addresses.astype(str)
    except UnicodeEncodeError as exc:  # a lone surrogate, which only a frame from Python can hold
        from .textrows import unencodable_cell

        where = unencodable_cell(df[[c for c in (found.address, *found.parts) if c is not None]], exc)
        raise InputError(f"column {where['column']!r}, row {where['row']} holds {where['char']}",
                         key="cell_unencodable", **where) from None
    if found.has_address and todo.any():
        coder = _make_geocoder(geocoder, pref, city, geocoder_options, lang)
        rows = np.flatnonzero(todo)
        if type(coder) is OfflineGeocoder:
            # In chunks, here or in worker processes; the list is never held as Python strings at once.
            geocoded = run_offline(coder, addresses, rows, progress, jobs, step=CHUNK, bar_from=PROGRESS_MIN_ROWS)
        else:
            if coder.online and check_jobs(jobs) not in ("auto", 1):
                log.warning(message("jobs_online", lang, jobs=jobs))  # rate limits: one process
            values = addresses.iloc[rows].tolist()
            if coder.online:
                counts = coder.count_to_send(values)
                partial = len(getattr(coder, "geocoders", [])) > 1 and not coder.geocoders[0].online
                if notify is not None:
                    notify(counts, partial)
                else:
                    for service, count in counts.items():
                        log.warning("sending %d addresses to %s", count, service)
            geocoded, online = _run_geocoder(coder, values, progress, lang)
            del values
            # The online services asked, so a row's failure can name the one that failed.
            services = list(coder.endpoints())
        if type(coder) is OfflineGeocoder and len(rows) == n:
            result = geocoded  # every row geocoded offline: the geocoder's frame is the result
        else:
            result = empty_result(n) if result is None else result
            if ERROR_COLUMN in geocoded.columns and ERROR_COLUMN not in result.columns:
                result[ERROR_COLUMN] = ""
            for column in result.columns:
                if column in geocoded.columns:
                    result.loc[rows, column] = geocoded[column].to_numpy()
    if result is None:
        result = empty_result(n)
    result["level"] = result["level"].astype("int8")
    result.index = df.index
    frame = pd.concat([df, result], axis=1)
    # Rows asked, answered and failed per online service: failures are not "not found".
    return Geocoded(frame=frame, columns=found, services=services, online=online)


def _run_geocoder(coder: Geocoder, values: list, progress, lang: str = "ja") -> tuple[pd.DataFrame, dict]:
    """The adapter's result for ``values`` and what its online services did (rows per service)."""
    online: dict[str, dict[str, int]] = {}

    def run(chunk: list) -> pd.DataFrame:
        part = coder.geocode(chunk).reset_index(drop=True)
        for service, counts in _service_counts(coder, chunk, part).items():
            total = online.setdefault(service, {"asked": 0, "answered": 0, "failed": 0})
            for name in total:
                total[name] += int(counts.get(name, 0))
        return part

    if callable(progress):
        parts = []
        for start in range(0, len(values), CHUNK):
            parts.append(run(values[start:start + CHUNK]))
            progress(min(start + CHUNK, len(values)), len(values))
        return pd.concat(parts, ignore_index=True), online
    if not progress or len(values) < PROGRESS_MIN_ROWS:
        return run(values), online
    from tqdm.auto import tqdm

    parts = []
    with tqdm(total=len(values), unit=message("progress_unit", lang), disable=None, leave=False) as bar:
        for start in range(0, len(values), CHUNK):
            chunk = values[start:start + CHUNK]
            parts.append(run(chunk))
            bar.update(len(chunk))
    return pd.concat(parts, ignore_index=True), online


def _service_counts(coder: Geocoder, values: list, result: pd.DataFrame) -> dict:
    """``coder.service_counts()``; for an online adapter that keeps none, read from its ``error`` column."""
    counts = coder.service_counts()
    if counts or not coder.online:
        return counts
    asked = sum(1 for v in values if isinstance(v, str) and v.strip())
    failed = int(result[ERROR_COLUMN].astype(bool).sum()) if ERROR_COLUMN in result.columns else 0
    return {service: {"asked": asked, "answered": max(0, asked - failed), "failed": failed}
            for service in (coder.endpoints() or {coder.name: ""})}


__all__ = [
    "INPUT_LEVEL",
    "INPUT_SOURCE",
    "Geocoded",
    "check_jobs",
    "prepare_workers",
    "geocode",
    "geocode_frame",
    "geocode_rows",
    "geocode_table",
    "resolve_jobs",
]
