"""From a table to a geocoded table and to a map: what ``geomap render`` and
``geomap geocode`` do, as functions notebooks can call too.

The CLI only parses options, prints and turns errors into messages; everything else is
here. Nothing is sent out of the machine unless an online geocoder is asked for by name,
and then ``notify`` hears how many addresses will go where before anything is sent.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, OutputError, UsageError
from .geocoders import GEOCODERS, accepted_options, get_geocoder
from .geocoders.base import ERROR_COLUMN, RESULT_COLUMNS, Geocoder, empty_result
from .columns import READ_INFO, Columns, check_column, find_columns, join_address, require_columns
from .io import read_table
from .output import check_output, output_renames, same_file, table_format, write_table
from .messages import message, row_error

log = logging.getLogger(__name__)

BY_CHOICES = ("auto", "municipality", "town", "none")
AGG_CHOICES = ("count", "sum", "mean")
TILES_CHOICES = ("gsi", "gsi-pale", "osm", "none")
SCHEME_CHOICES = ("quantiles", "natural_breaks", "equal_interval", "user")
LANG_CHOICES = ("ja", "en")
#: Level given to rows whose coordinates came from the input's own lat/lon columns.
INPUT_LEVEL = 4
INPUT_SOURCE = "input"
#: Below this many addresses no progress bar is shown.
PROGRESS_MIN_ROWS = 3000
CHUNK = 2000
REASON_COLUMN = "reason"
UNMATCHED_SUFFIX = "_unmatched.csv"
ONLINE_SERVICES = "geomap_online_services"  # key in DataFrame.attrs
ONLINE_COUNTS = "geomap_online_counts"  # key in DataFrame.attrs: rows asked/answered/failed per service
# Japan lies within these bounds; a lat/lon pair that fits them only when swapped was swapped.
_JAPAN_LAT = (20.0, 46.0)
_JAPAN_LON = (122.0, 154.0)


# -- geocoding a table ----------------------------------------------------------------


def geocode_table(
    df: pd.DataFrame,
    *,
    address_column: str | None = None,
    default_pref: str | None = None,
    default_city: str | None = None,
    geocoder: str | Geocoder = "offline",
    geocoder_options: dict | None = None,
    progress: bool = False,
    notify: Callable[[dict, bool], None] | None = None,
    lang: str = "ja",
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
    default_pref, default_city : str, optional
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
    >>> geomap.geocode_table(pd.DataFrame({"住所": ["東陽4-11-28"]}), default_city="江東区")["town"].tolist()
    ['東陽四丁目']
    """
    frame, _ = _geocode_table(
        df,
        address_column=address_column,
        default_pref=default_pref,
        default_city=default_city,
        geocoder=geocoder,
        geocoder_options=geocoder_options,
        progress=progress,
        notify=notify,
        lang=lang,
    )
    return frame


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


def _number(series: pd.Series) -> pd.Series:
    text = series.fillna("").astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip().replace("−", "-"))
    return pd.to_numeric(text, errors="coerce")


def _given(series: pd.Series) -> np.ndarray:
    return (series.fillna("").astype(str).str.strip() != "").to_numpy()


def _make_geocoder(geocoder, default_pref, default_city, options, lang="ja") -> Geocoder:
    if isinstance(geocoder, Geocoder):
        return geocoder
    options = dict(options or {})
    names = [part.strip().lower() for part in str(geocoder).split("+")]
    if any("lang" in accepted_options(GEOCODERS[n]) for n in names if n in GEOCODERS):
        options.setdefault("lang", lang)  # the offline geocoder's notes, the online adapters' warnings
    if default_pref:
        options["default_pref"] = default_pref
    if default_city:
        options["default_city"] = default_city
    return get_geocoder(str(geocoder), **options)


def _geocode_table(
    df,
    *,
    address_column=None,
    default_pref=None,
    default_city=None,
    geocoder="offline",
    geocoder_options=None,
    progress=False,
    notify=None,
    found: Columns | None = None,
    lang: str = "ja",
):
    if found is None:
        found = require_columns(df, find_columns(df, address_column=address_column))
    df = df.reset_index(drop=True)
    df, found = _rename_clashes(df, found)
    n = len(df)
    result = empty_result(n)
    todo = np.ones(n, dtype=bool)
    if found.has_latlon:
        lat, lon = _number(df[found.lat]), _number(df[found.lon])
        given = _given(df[found.lat]) | _given(df[found.lon])
        valid = (lat.between(-90, 90) & lon.between(-180, 180)).to_numpy() & given
        result.loc[valid, "lat"] = lat[valid].to_numpy()
        result.loc[valid, "lon"] = lon[valid].to_numpy()
        result.loc[valid, "level"] = INPUT_LEVEL
        result.loc[given, "source"] = INPUT_SOURCE
        todo = ~given
    addresses = join_address(df, found)
    if found.has_address and todo.any():
        coder = _make_geocoder(geocoder, default_pref, default_city, geocoder_options, lang)
        rows = np.flatnonzero(todo)
        values = addresses.iloc[rows].tolist()
        if coder.online:
            counts = coder.count_to_send(values)
            partial = len(getattr(coder, "geocoders", [])) > 1 and not coder.geocoders[0].online
            if notify is not None:
                notify(counts, partial)
            else:
                for service, count in counts.items():
                    log.warning("sending %d addresses to %s", count, service)
        geocoded, online = _run_geocoder(coder, values, progress)
        if ERROR_COLUMN in geocoded.columns and ERROR_COLUMN not in result.columns:
            result[ERROR_COLUMN] = ""
        for column in result.columns:
            if column in geocoded.columns:
                result.loc[rows, column] = geocoded[column].to_numpy()
    result["level"] = result["level"].astype("int8")
    result.index = df.index
    frame = pd.concat([df, result], axis=1)
    # The online services asked, so a row's failure can name the one that failed.
    frame.attrs[ONLINE_SERVICES] = list(coder.endpoints()) if found.has_address and todo.any() else []
    # Rows asked, answered and failed per online service: failures are not "not found".
    frame.attrs[ONLINE_COUNTS] = online if found.has_address and todo.any() else {}
    return frame, found


def _run_geocoder(coder: Geocoder, values: list, progress: bool) -> tuple[pd.DataFrame, dict]:
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
    with tqdm(total=len(values), unit="件", disable=None, leave=False) as bar:
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


# -- placed / unplaced ----------------------------------------------------------------


def placed_rows(frame: pd.DataFrame, min_level: int = 3) -> pd.Series:
    """True for rows that go on the map: coordinates from the input, or geocoded to ``min_level`` or finer."""
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    has_point = lat.between(-90, 90) & lon.between(-180, 180)
    from_input = frame["source"].eq(INPUT_SOURCE) & frame["level"].gt(0)
    return has_point & (from_input | frame["level"].ge(min_level))


def unplaced_reasons(frame: pd.DataFrame, found: Columns, lang: str = "ja", min_level: int = 3) -> pd.Series:
    """Why each row that :func:`placed_rows` leaves out was left out (in ``lang``)."""
    mask = ~placed_rows(frame, min_level)
    address = join_address(frame, found) if found.has_address else pd.Series([""] * len(frame), index=frame.index)
    reasons = {}
    for i in frame.index[mask]:
        row = frame.loc[i]
        if row["source"] == INPUT_SOURCE:
            reasons[i] = _latlon_reason(row[found.lat], row[found.lon], lang)
            continue
        if not str(address.loc[i]).strip():
            reason = message("reason_latlon_empty" if found.has_latlon and not found.has_address else "reason_empty", lang)
        elif row["ambiguous"]:
            reason = message("reason_ambiguous", lang, candidates=row["ambiguous"])
        elif row["level"] == 1:
            reason = message("reason_pref_only", lang)
        elif row["level"] >= 2:
            reason = message("reason_town_not_found", lang)
        else:
            reason = message("reason_no_match", lang)
        note = row.get("note", "")
        if isinstance(note, str) and note:
            reason += ("：" if lang == "ja" else ": ") + note
        error = row.get(ERROR_COLUMN, "") if ERROR_COLUMN in frame.columns else ""
        if isinstance(error, str) and error:
            detail = row_error(error, frame.attrs.get(ONLINE_SERVICES, []), lang)
            failed = message("reason_service_error", lang, detail=detail)
            # A row the service never answered was not "not found": say only what happened.
            reason = failed if row["level"] == 0 else reason + ("；" if lang == "ja" else "; ") + failed
        reasons[i] = reason
    return pd.Series(reasons, dtype=object).reindex(frame.index[mask])


def _readable_errors(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The online adapters' per-row failure keys as sentences, for a file people read."""
    if ERROR_COLUMN not in frame.columns:
        return frame
    services = frame.attrs.get(ONLINE_SERVICES, [])
    return frame.assign(**{ERROR_COLUMN: [row_error(key, services, lang) for key in frame[ERROR_COLUMN]]})


def _latlon_reason(lat, lon, lang):
    if not str(lat).strip() and not str(lon).strip():
        return message("reason_latlon_empty", lang)
    y, x = _number(pd.Series([lat, lon])).tolist()
    if not (math.isnan(y) or math.isnan(x)):
        if _JAPAN_LAT[0] <= x <= _JAPAN_LAT[1] and _JAPAN_LON[0] <= y <= _JAPAN_LON[1]:
            return message("reason_latlon_swapped", lang)
    return message("reason_bad_latlon", lang)


# -- results --------------------------------------------------------------------------


@dataclass
class TableResult:
    """What :func:`geocode_file` did.

    Attributes
    ----------
    rows : int
        Rows read.
    levels : dict
        Geocoded rows per level, ``{0: n0, 1: n1, 2: n2, 3: n3, 4: n4}``.
    from_input : int
        Rows whose coordinates came from the table's own latitude/longitude columns.
    placed, unplaced : int
        Rows at town level or finer (or with input coordinates), and the others.
    output : pathlib.Path or None
        The table written.
    unmatched : pathlib.Path or None
        ``<stem>_unmatched.csv`` with the rows not placed and a reason column, if any.
    frame : pandas.DataFrame
        The geocoded table.
    columns : geomap.io.Columns
        The columns that were used.
    online : dict
        Per online service asked, rows ``{"asked", "answered", "failed"}`` (a "no match" is
        an answer; failed rows have the ``error`` column set). Empty offline.
    failed : int
        Rows left unplaced (level 0) because an online service failed for them: they were
        not looked up, so they are not "not found" (they are in ``levels[0]`` too).
    renamed : dict
        Columns written under another name because the output format keeps their name for
        itself (``{"fid": "fid_input"}`` in a GeoPackage).
    read : dict
        What :func:`geomap.io.read_table` read: ``header_row`` (the row read as the header,
        from 1), ``sheet`` (the .xlsx sheet, else None) and ``sheets`` (how many the
        workbook has).
    """

    rows: int
    levels: dict
    from_input: int
    placed: int
    unplaced: int
    output: Path | None
    unmatched: Path | None
    frame: pd.DataFrame = field(repr=False)
    columns: Columns = field(repr=False)
    online: dict = field(default_factory=dict)
    failed: int = 0
    renamed: dict = field(default_factory=dict)
    read: dict = field(default_factory=dict)

    @property
    def outputs(self) -> list[Path]:
        return [p for p in (self.output, self.unmatched) if p is not None]


@dataclass
class RenderResult(TableResult):
    """What :func:`render` did: :class:`TableResult` plus the map and images.

    Attributes
    ----------
    output : pathlib.Path or None
        The HTML map.
    images : list of pathlib.Path
        PNG / PDF files written.
    """

    images: list = field(default_factory=list)

    @property
    def html(self) -> Path | None:
        return self.output

    @property
    def outputs(self) -> list[Path]:
        return [p for p in [self.output, *self.images, self.unmatched] if p is not None]


def _counts(frame: pd.DataFrame, min_level: int = 3) -> dict:
    from_input = frame["source"].eq(INPUT_SOURCE)
    failed = frame[ERROR_COLUMN].fillna("").astype(str).ne("") if ERROR_COLUMN in frame.columns else False
    levels = frame.loc[~from_input, "level"].value_counts()
    placed = int(placed_rows(frame, min_level).sum())
    return {
        "rows": len(frame),
        "levels": {lvl: int(levels.get(lvl, 0)) for lvl in range(5)},
        "from_input": int((from_input & frame["level"].gt(0)).sum()),
        "placed": placed,
        "unplaced": len(frame) - placed,
        "online": {s: dict(c) for s, c in frame.attrs.get(ONLINE_COUNTS, {}).items()},
        "failed": int((failed & ~from_input & frame["level"].eq(0)).sum()),
    }


def _read_info(df: pd.DataFrame) -> dict:
    """What :func:`read_table` said it read (the header row, the sheet), for the summary."""
    return dict(df.attrs.get(READ_INFO) or {})


def unmatched_path(input_path, output_path) -> Path:
    """``<input stem>_unmatched.csv`` in the output's folder.

    When the output itself has that name (``geocode b.csv -o b_unmatched.csv``), the rows
    go to ``<output stem>_unmatched.csv`` instead, so neither file replaces the other.
    """
    output_path = Path(output_path)
    path = output_path.parent / (Path(input_path).stem + UNMATCHED_SUFFIX)
    if same_file(path, output_path):
        path = output_path.parent / (output_path.stem + UNMATCHED_SUFFIX)
    return path


def _remove_stale_unmatched(path: Path, protect) -> None:
    """Remove a ``_unmatched.csv`` an earlier run wrote, once every row is placed.

    Left behind, it would list rows the user has since fixed. Only a file that starts with
    geomap's own reason column is removed, and never one of ``protect`` (the input).
    """
    path = Path(path)
    if not path.is_file() or any(same_file(path, p) for p in protect if p is not None):
        return
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            first = next(csv.reader(f), [""])[0].strip()
    except (OSError, UnicodeDecodeError, csv.Error):
        return
    if first in {message("reason_column", "ja"), message("reason_column", "en")}:
        path.unlink(missing_ok=True)


def _write_unmatched(frame, found, lang, min_level, path, protect) -> Path | None:
    mask = ~placed_rows(frame, min_level)
    if not mask.any():
        _remove_stale_unmatched(path, protect)
        return None
    rows = _readable_errors(frame, lang).loc[mask].copy()
    rows.insert(0, message("reason_column", lang), unplaced_reasons(frame, found, lang, min_level))
    return write_table(rows, path, protect=protect)


# -- files ----------------------------------------------------------------------------


def geocode_file(
    input,
    output=None,
    *,
    sheet=None,
    encoding: str | None = None,
    header_row: int | None = None,
    address_column: str | None = None,
    pref: str | None = None,
    city: str | None = None,
    geocoder: str | Geocoder = "offline",
    geocoder_options: dict | None = None,
    lang: str = "ja",
    progress: bool = False,
    notify: Callable[[dict, bool], None] | None = None,
) -> TableResult:
    """Read ``input``, geocode it, write ``output`` and ``<stem>_unmatched.csv``.

    ``output`` defaults to ``<stem>_geocoded.csv`` beside the input; its extension picks
    the format (``.csv`` UTF-8 with BOM, ``.tsv``, ``.xlsx``, ``.geojson``, ``.gpkg``).
    The input is never written. Rows below town level go to the unmatched file with a
    reason (in ``lang``); they stay in ``output`` too.

    Parameters
    ----------
    input : path-like
        The address list (CSV, TSV, text with one address per line, .xlsx).
    output : path-like, optional
        Where to write the result; it must not be the input.
    sheet, encoding : optional
        The .xlsx sheet (name or number) and the text encoding, when not detected.
    header_row : int, optional
        The row holding the column names (from 1), when the one found is not it.
    address_column : str, optional
        The address column, when its header is not recognised.
    pref, city : str, optional
        Context for lists that omit the prefecture or municipality.
    geocoder : str or Geocoder
        ``"offline"`` (default, sends nothing), or an online adapter asked for by name.
    geocoder_options : dict, optional
        Options for the adapter (e.g. ``{"url": ...}`` for ``gsi``).
    lang : {"ja", "en"}
        Language of the reasons and notes.
    progress : bool or callable
        Show a progress bar on stderr for long lists, or call ``progress(done, total)``
        as addresses are geocoded (see :func:`geocode_table`).
    notify : callable, optional
        Called as ``notify(counts, partial)`` before anything is sent to an online service.

    Returns
    -------
    TableResult
        ``output``, ``unmatched`` (or None), the counts per level and the geocoded ``frame``.

    Examples
    --------
    >>> import geomap
    >>> result = geomap.geocode_file("sample_data/koto_facilities.csv", "施設_結果.csv")
    >>> result.output.name, result.unplaced
    ('施設_結果.csv', 0)
    """
    _check_choice("--lang", lang, LANG_CHOICES)
    input = Path(input)
    default_name = input.stem + "_geocoded.csv"
    output = Path(output) if output is not None else input.with_name(default_name)
    # Every output is checked before the work (and before anything is sent online).
    check_output(output, protect=[input], example=output / default_name, probe=True)
    table_format(output)
    unmatched_file = unmatched_path(input, output)
    check_output(unmatched_file, protect=[input, output])
    df = read_table(input, sheet=sheet, encoding=encoding, header_row=header_row)
    found = require_columns(df, find_columns(df, address_column=address_column))
    frame, found = _geocode_table(
        df, found=found, default_pref=pref, default_city=city, geocoder=geocoder,
        geocoder_options=geocoder_options, progress=progress, notify=notify, lang=lang,
    )
    table = _readable_errors(frame, lang)
    written = write_table(table, output, protect=[input])
    unmatched = _write_unmatched(frame, found, lang, 3, unmatched_file, [input, output])
    return TableResult(output=written, unmatched=unmatched, frame=frame, columns=found, read=_read_info(df),
                       renamed=output_renames(table.columns, output), **_counts(frame))


def _check_choice(option: str, value, choices) -> None:
    if value not in choices:
        raise UsageError(
            f"{option}={value!r}; expected one of {list(choices)!r}",
            key="bad_choice", option=option, value=str(value), choices=", ".join(choices),
        )


def _html_path(input: Path, output) -> Path:
    if output is None:
        return input.with_suffix(".html")
    out = Path(output)
    if same_file(out, input):
        raise UsageError(f"output {str(out)!r} is the input file", key="same_as_input", path=str(out))
    if out.is_dir() or str(output).endswith(("/", os.sep)):
        # The same answer as geocode -o folder, not a folder.html beside the folder.
        check_output(out / input.with_suffix(".html").name)  # a missing folder: output_dir_missing
        raise OutputError(f"output {str(out)!r} is a directory", key="output_is_directory", path=str(out),
                          example=str(out / input.with_suffix(".html").name))
    if out.suffix.lower() in (".html", ".htm"):
        return out
    if out.suffix == "":
        return out.with_suffix(".html")
    raise UsageError(f"map output must end in .html, not {out.suffix!r}", key="output_format_unknown",
                     path=str(out), suffix=out.suffix, choices=".html")


def render(
    input,
    output=None,
    *,
    by: str = "auto",
    value: str | None = None,
    agg: str = "count",
    category: str | None = None,
    name: str | None = None,
    title: str | None = None,
    tiles: str = "gsi",
    pref: str | None = None,
    city: str | None = None,
    address_column: str | None = None,
    boundaries=None,
    boundary_key: str | None = None,
    min_count: int | None = None,
    points: bool = True,
    png: bool = False,
    pdf: bool = False,
    lang: str = "ja",
    sheet=None,
    encoding: str | None = None,
    header_row: int | None = None,
    geocoder: str | Geocoder = "offline",
    geocoder_options: dict | None = None,
    progress: bool = False,
    notify: Callable[[dict, bool], None] | None = None,
    classification: str = "quantiles",
    k: int = 5,
    breaks=None,
) -> RenderResult:
    """Read an address list and write a map (HTML, and PNG/PDF if asked) beside it.

    Parameters
    ----------
    input : path-like
        CSV, TSV, text (one address per line) or .xlsx.
    output : path-like, optional
        The HTML map; ``<input stem>.html`` beside the input by default. PNG/PDF go next
        to it with the same stem; ``<input stem>_unmatched.csv`` too, when rows could not
        be placed.
    by : {"auto", "municipality", "town", "none"}
        Areas to colour. ``"auto"``: municipalities when the rows span more than one.
    value, agg : str
        A numeric column and ``"count"``, ``"sum"`` or ``"mean"``.
    category, name : str, optional
        Columns for marker colours and labels; found by header name when not given.
    title : str, optional
        Map title; the input's file name (without extension) by default.
    tiles : {"gsi", "gsi-pale", "osm", "none"}
        Background map.
    pref, city : str, optional
        Context for lists that leave out the prefecture or municipality.
    address_column : str, optional
        The address column, when its header is not recognised.
    boundaries : path-like, optional
        Your own areas (shapefile, GeoJSON, GeoPackage), with ``boundary_key`` naming the
        column that identifies an area.
    min_count : int, optional
        Areas with fewer rows than this show "fewer than K" instead of a number.
    points : bool
        Draw markers (True) or only areas.
    png, pdf : bool
        Also write a PNG / PDF image.
    lang : {"ja", "en"}
        Language of the map's labels and of the unmatched file's reasons.
    sheet : str or int, optional
        The .xlsx sheet.
    encoding : str, optional
        Text encoding, when detection fails.
    header_row : int, optional
        The row holding the column names (from 1), when the one found is not it.
    geocoder, geocoder_options, progress, notify
        As for :func:`geocode_table`.

    classification : {"quantiles", "natural_breaks", "equal_interval", "user"}
        How the choropleth's classes are cut (mapclassify); ``breaks`` implies ``"user"``.
    k : int
        Number of classes, 2 to 9.
    breaks : list of float, optional
        Your own class breaks.

    Returns
    -------
    RenderResult
        Counts (``rows``, ``levels``, ``placed``, ``unplaced``), the files written
        (``output``, ``images``, ``unmatched``, all in ``outputs``) and the geocoded ``frame``.

    Notes
    -----
    A row goes on the map when its coordinates came from the table or it was geocoded to
    town level (大字・町丁目) or finer; a row placed only at its municipality's point would
    put a marker where nothing is. With ``by="municipality"`` and ``points=False`` the
    municipality is all the map shows, so municipality-level rows count too.

    Raises
    ------
    geomap.errors.InputError
        Data problems (see :func:`geomap.io.read_table`), ``value_not_numeric``, or
        ``nothing_placed`` when no row could be placed (the unmatched file is written first).
    geomap.errors.UsageError
        Option problems.
    geomap.errors.OutputError
        An output cannot be written.

    Examples
    --------
    >>> import geomap
    >>> done = geomap.render("sample_data/tokyo_wards_facilities.csv", png=True)
    >>> done.rows, done.placed, done.unplaced
    (145, 145, 0)
    >>> [p.name for p in done.outputs]
    ['tokyo_wards_facilities.html', 'tokyo_wards_facilities.png']
    """
    from . import maps

    input = Path(input)
    _check_choice("--by", by, BY_CHOICES)
    _check_choice("--agg", agg, AGG_CHOICES)
    _check_choice("--tiles", tiles, TILES_CHOICES)
    _check_choice("--scheme", classification, SCHEME_CHOICES)
    _check_choice("--lang", lang, LANG_CHOICES)
    if min_count is not None and (isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1):
        raise UsageError(f"min_count must be a whole number >= 1, not {min_count!r}", key="min_count_invalid",
                         value=min_count)
    if boundary_key is not None and boundaries is None:
        raise UsageError("--boundary-key needs --boundaries", key="invalid_option", option="--boundary-key",
                         value=boundary_key)
    if by == "none" and not points:
        raise UsageError("by='none' with points=False leaves nothing to draw", key="nothing_to_draw")
    html = _html_path(input, output)
    images = [html.with_suffix(s) for s, on in ((".png", png), (".pdf", pdf)) if on]
    for path in [html, *images]:
        check_output(path, protect=[input], probe=path == html)
    unmatched_file = unmatched_path(input, html)
    check_output(unmatched_file, protect=[input, html, *images])

    df = read_table(input, sheet=sheet, encoding=encoding, header_row=header_row)
    found = require_columns(df, find_columns(df, address_column=address_column))
    value = check_column(df, value, "--value") if value is not None else None
    category = check_column(df, category, "--category") if category is not None else found.category
    name = check_column(df, name, "--name") if name is not None else found.name
    if agg != "count" and value is None:
        raise UsageError(f"agg={agg!r} needs a value column", key="value_required", agg=agg)
    if value is not None:
        from .spatial import measure_values

        measure_values(df, value, agg)  # a value column that is not numeric fails here, before geocoding
    areas = None
    if boundaries is not None:
        from .boundaries import read_boundaries

        areas = read_boundaries(boundaries)
        if boundary_key is None:
            raise UsageError("a boundary file needs a key column", key="boundary_key_required",
                             available=", ".join(map(str, areas.columns.drop("geometry", errors="ignore"))))
        boundary_key = check_column(areas, boundary_key, "--boundary-key")

    frame, found = _geocode_table(
        df, found=found, default_pref=pref, default_city=city, geocoder=geocoder,
        geocoder_options=geocoder_options, progress=progress, notify=notify, lang=lang,
    )
    # Result columns may have renamed clashing input columns; follow them.
    renamed = {c: f"{c}_input" for c in df.columns if f"{c}_input" in frame.columns and c in RESULT_COLUMNS}
    value, category, name = (renamed.get(c, c) if c else c for c in (value, category, name))

    min_level = 2 if by == "municipality" and not points else 3
    counts = _counts(frame, min_level)
    unmatched = _write_unmatched(frame, found, lang, min_level, unmatched_file, [input])
    if counts["placed"] == 0:
        if unmatched is not None:
            raise InputError(f"none of the {len(frame)} rows could be placed; see {str(unmatched)!r}",
                             key="nothing_placed", rows=len(frame), unmatched=str(unmatched))
        raise InputError(f"none of the {len(frame)} rows could be placed", key="nothing_placed_no_file",
                         rows=len(frame))
    placed = frame.loc[placed_rows(frame, min_level)]
    options = dict(
        by=by, value=value, agg=agg, category=category, name=name,
        address=found.address or list(found.parts) or None, title=title or input.stem, tiles=tiles,
        boundaries=areas, boundary_key=boundary_key, min_count=min_count, points=points,
        lang=lang, unplaced=frame.loc[~placed_rows(frame, min_level)],
        classification=classification, k=k, breaks=breaks,
    )
    m = maps.make_map(placed, **options)
    # The map writers are atomic themselves (temporary file, then rename); the paths were
    # checked against the input above.
    maps.save_html(m, html)
    written_images = [maps.save_image(placed, path, **options) for path in images]
    return RenderResult(output=html, unmatched=unmatched, frame=frame, columns=found, read=_read_info(df),
                        images=written_images, **counts)


__all__ = [
    "AGG_CHOICES",
    "BY_CHOICES",
    "INPUT_LEVEL",
    "LANG_CHOICES",
    "RenderResult",
    "TILES_CHOICES",
    "TableResult",
    "geocode_file",
    "geocode_table",
    "placed_rows",
    "render",
    "unplaced_reasons",
]
