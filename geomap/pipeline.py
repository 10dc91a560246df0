"""Whole files: what ``geomap geocode`` and ``geomap render`` do, as functions notebooks can call too.

:func:`geocode_file` reads a list, geocodes it and writes the result and the unmatched
list; :func:`render` reads a list and writes its map. The stages are elsewhere: reading
(:mod:`geomap.io`), the columns (:mod:`geomap.columns`), geocoding the table
(:mod:`geomap.geocoding`), which rows are placed and why the others are not
(:mod:`geomap.report`), writing (:mod:`geomap.output`) and the map (:mod:`geomap.maps`).
The CLI only parses options, prints and turns errors into messages. Nothing is sent out
of the machine unless an online geocoder is asked for by name, and then ``notify`` hears
how many addresses will go where before anything is sent.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError, OutputError, UsageError
from . import geocoding, report
from .columns import READ_INFO, Columns, check_column, find_columns, require_columns
from .geocoders.base import RESULT_COLUMNS, Geocoder
from .io import read_table
from .output import check_output, output_renames, same_file, table_format, write_table_cleaned
from .maps.options import AGG, BY, CLASSIFICATIONS, TILES, MapOptions, check_choice, map_options, option_keywords
from .messages import LANGS, message
from .steps import Steps

log = logging.getLogger(__name__)

# The allowed values live in geomap.maps.options; these names stay for code that imported them here.
BY_CHOICES, AGG_CHOICES, TILES_CHOICES, SCHEME_CHOICES = BY, AGG, TILES, CLASSIFICATIONS
LANG_CHOICES = LANGS


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
    columns : geomap.columns.Columns
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
    cleaned : int
        Cells (names included) written without the characters the output cannot hold (the
        control characters no .xlsx holds, :func:`geomap.output.output_cleaned`); 0 otherwise.
    read : dict
        What :func:`geomap.io.read_table` read: ``header_row`` (the row read as the header,
        from 1), ``sheet`` (the .xlsx sheet, else None) and ``sheets`` (how many the
        workbook has).
    placed_level : int
        The level a geocoded row had to reach to count as placed (:func:`geomap.report.placed_level`):
        3 for a table; 2 or 1 for a map of municipalities or prefectures without points.
    coarse, suggestions : int and list of str, or None
        Rows placed coarser than written, and the 候補 of the unmatched file that are not
        empty (:func:`geomap.report.listed_summary`), for the summary; None: not counted.
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
    cleaned: int = 0
    placed_level: int = 3
    coarse: int | None = None
    suggestions: list | None = field(default=None, repr=False)

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
    personal : list of str
        The headers that made the list look like data about persons (empty otherwise).
    decided : dict
        The options given no value that were set because the list looks personal
        (``{"points": False, "min_count": 3}``), for the summary.
    """

    images: list = field(default_factory=list)
    personal: list = field(default_factory=list)
    decided: dict = field(default_factory=dict)

    @property
    def html(self) -> Path | None:
        return self.output

    @property
    def outputs(self) -> list[Path]:
        return [p for p in [self.output, *self.images, self.unmatched] if p is not None]


def _read_info(df: pd.DataFrame) -> dict:
    """What :func:`read_table` said it read (the header row, the sheet), for the summary."""
    return dict(df.attrs.get(READ_INFO) or {})


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
    jobs: int | str | None = 1,
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
        as addresses are geocoded (see :func:`geomap.geocode_table`).
    notify : callable, optional
        Called as ``notify(counts, partial)`` before anything is sent to an online service.
    jobs : int or "auto"
        Processes for the offline geocoder: 1 (default), N, 0 for one per core, or
        ``"auto"`` (see :func:`geomap.geocoding.resolve_jobs`); the output is the same.

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
    check_choice("--lang", lang, LANG_CHOICES)
    geocoding.check_jobs(jobs)
    input = Path(input)
    default_name = input.stem + "_geocoded.csv"
    output = Path(output) if output is not None else input.with_name(default_name)
    # Every output is checked before the work (and before anything is sent online).
    check_output(output, protect=[input], example=output / default_name, probe=True)
    table_format(output)
    unmatched_file = report.unmatched_path(input, output)
    check_output(unmatched_file, protect=[input, output])
    geocoding.prepare_workers(jobs, geocoder)  # workers asked for: their server starts while the list is read
    df = read_table(input, sheet=sheet, encoding=encoding, header_row=header_row)
    found = require_columns(df, find_columns(df, address_column=address_column))
    geocoded = geocoding.geocode_rows(
        df, found=found, pref=pref, city=city, geocoder=geocoder,
        geocoder_options=geocoder_options, progress=progress, notify=notify, lang=lang, jobs=jobs,
    )
    frame, found = geocoded.frame, geocoded.columns
    table = report.readable_errors(frame, lang, geocoded.services)
    written, cleaned = write_table_cleaned(table, output, protect=[input])
    placed = report.placed_rows(frame, 3)  # once, for the unmatched list, the counts and the summary
    listed = report.unmatched_rows(frame, found, lang, 3, services=geocoded.services, placed=placed)
    unmatched = report.write_listed(listed, unmatched_file, [input, output])
    return TableResult(output=written, unmatched=unmatched, frame=frame, columns=found, read=_read_info(df),
                       renamed=output_renames(table.columns, output), cleaned=cleaned,
                       **report.counts(frame, 3, geocoded.online, placed=placed),
                       **report.listed_summary(listed, placed))


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


@option_keywords
def render(
    input,
    output=None,
    *,
    options: MapOptions | None = None,
    pref: str | None = None,
    city: str | None = None,
    address_column: str | None = None,
    png: bool = False,
    pdf: bool = False,
    force: bool = False,
    sheet=None,
    encoding: str | None = None,
    header_row: int | None = None,
    geocoder: str | Geocoder = "offline",
    geocoder_options: dict | None = None,
    progress: bool = False,
    notify: Callable[[dict, bool], None] | None = None,
    jobs: int | str | None = 1,
    **keywords,
) -> RenderResult:
    """Read an address list and write a map (HTML, and PNG/PDF if asked) beside it.

    The map's options are the keywords of :func:`geomap.make_map` (the main ones are
    below), given as keywords, as a :class:`geomap.maps.MapOptions`, or both (the keywords
    then replace its values). The map is decided once and drawn as HTML and as each image.

    Parameters
    ----------
    input : path-like
        CSV, TSV, text (one address per line) or .xlsx.
    output : path-like, optional
        The HTML map; ``<input stem>.html`` beside the input by default. PNG/PDF go next
        to it with the same stem; ``<input stem>_unmatched.csv`` too, when rows could not
        be placed.
    options : geomap.maps.MapOptions, optional
        The map's options at once.
    by : {"auto", "prefecture", "municipality", "town", "none"}
        Areas to colour. ``"auto"``: prefectures when the rows lie in six or more,
        municipalities when they span more than one, towns for a list of persons in one.
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
        Areas with 1 to K-1 rows show "fewer than K" instead of a number (default: 3 for
        a list whose headers look personal, see :func:`geomap.columns.personal_columns`;
        none otherwise).
    points : bool, optional
        Draw markers (True) or only areas (False). Default: markers, except for a list
        whose headers look personal.
    popup_address : {"town", "full"}
        How much of the address a marker's popup shows: down to the town (default) or
        the whole address as written.
    png, pdf : bool
        Also write a PNG / PDF image.
    force : bool
        Write the HTML map even when it would be larger than
        :data:`geomap.maps.html.MAX_HTML_BYTES` (30 MB), which a browser takes long to
        open; without it such a map is refused (``map_too_large``) before it is drawn,
        and before town areas over a large region are computed.
    lang : {"ja", "en"}
        Language of the map's labels and of the unmatched file's reasons.
    sheet : str or int, optional
        The .xlsx sheet.
    encoding : str, optional
        Text encoding, when detection fails.
    header_row : int, optional
        The row holding the column names (from 1), when the one found is not it.
    geocoder, geocoder_options, progress, notify, jobs
        As for :func:`geomap.geocode_table`.

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
    from .maps import build, save_html, save_image
    from .maps.html import MAX_HTML_BYTES, TOWN_AREA_BYTES, check_size, draw, estimate_bytes
    from .maps.model import decide

    input = Path(input)
    options = map_options(options, **keywords)  # checks every option before anything is read
    geocoding.check_jobs(jobs)
    lang, by, points, agg = options.lang, options.by, options.points, options.agg
    boundaries, boundary_key = options.boundaries, options.boundary_key
    if boundary_key is not None and boundaries is None:
        raise UsageError("--boundary-key needs --boundaries", key="invalid_option", option="--boundary-key",
                         value=boundary_key)
    html = _html_path(input, output)
    images = [html.with_suffix(s) for s, on in ((".png", png), (".pdf", pdf)) if on]
    for path in [html, *images]:
        check_output(path, protect=[input], probe=path == html)
    unmatched_file = report.unmatched_path(input, html)
    check_output(unmatched_file, protect=[input, html, *images])
    geocoding.prepare_workers(jobs, geocoder)  # workers asked for: their server starts while the list is read

    df = read_table(input, sheet=sheet, encoding=encoding, header_row=header_row)
    found = require_columns(df, find_columns(df, address_column=address_column))
    # a list of persons: no points and small counts hidden, unless asked (before any work)
    given = options
    options, personal = decide(options, df.columns)
    points = options.points
    decided = {k: getattr(options, k) for k in ("points", "min_count")
               if personal and getattr(given, k) is None}
    value, category, name = options.value, options.category, options.name
    value = check_column(df, value, "--value") if value is not None else None
    category = check_column(df, category, "--category") if category is not None else found.category
    name = check_column(df, name, "--name") if name is not None else found.name
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
        if options.boundary_name is not None:
            options = options.replace(boundary_name=check_column(areas, options.boundary_name, "--boundary-name"))

    steps = Steps(progress is True, lang)
    # geocoding has a progress bar of its own for long lists
    with (steps if len(df) < geocoding.PROGRESS_MIN_ROWS else Steps(False, lang))("step_geocoding"):
        geocoded = geocoding.geocode_rows(
            df, found=found, pref=pref, city=city, geocoder=geocoder,
            geocoder_options=geocoder_options, progress=progress, notify=notify, lang=lang, jobs=jobs,
        )
    frame, found = geocoded.frame, geocoded.columns
    # Result columns may have renamed clashing input columns; follow them.
    renamed = {c: f"{c}_input" for c in df.columns if f"{c}_input" in frame.columns and c in RESULT_COLUMNS}
    value, category, name = (renamed.get(c, c) if c else c for c in (value, category, name))

    min_level = report.placed_level(by, points)
    on_map = report.placed_rows(frame, min_level)
    counts = report.counts(frame, min_level, geocoded.online, placed=on_map)
    listed = report.unmatched_rows(frame, found, lang, min_level, services=geocoded.services, placed=on_map)
    unmatched = report.write_listed(listed, unmatched_file, [input])
    if counts["placed"] == 0:
        if unmatched is not None:
            raise InputError(f"none of the {len(frame)} rows could be placed; see {str(unmatched)!r}",
                             key="nothing_placed", rows=len(frame), unmatched=str(unmatched))
        raise InputError(f"none of the {len(frame)} rows could be placed", key="nothing_placed_no_file",
                         rows=len(frame))
    options = options.replace(
        value=value, category=category, name=name, address=options.address or found.address or found.parts or None,
        title=options.title or input.stem, boundaries=areas, boundary_key=boundary_key,
    )
    limit = None if force else MAX_HTML_BYTES
    if limit is not None and options.by == "town" and areas is None:
        # approximate town areas over a large region take minutes and gigabytes: refuse first
        from .areas import town_area_count

        check_size(town_area_count(frame.loc[on_map, "code"]) * TOWN_AREA_BYTES, limit, estimated=True)
    # One model for every output; the map writers are atomic themselves (temporary file,
    # then rename), and the paths were checked against the input above.
    with steps("step_areas"):
        model = build(frame.loc[on_map], options, unplaced=frame.loc[~on_map])
    if limit is not None:
        check_size(estimate_bytes(model), limit, estimated=True)  # before drawing it
    with steps("step_drawing"):
        save_html(draw(model), html, max_bytes=limit)
    written_images = []
    for path in images:
        with steps("step_image"):
            written_images.append(save_image(model, path))
    return RenderResult(output=html, unmatched=unmatched, frame=frame, columns=found, read=_read_info(df),
                        images=written_images, personal=personal, decided=decided, placed_level=min_level, **counts,
                        **report.listed_summary(listed, on_map))


__all__ = [
    "AGG_CHOICES",
    "BY_CHOICES",
    "LANG_CHOICES",
    "RenderResult",
    "TILES_CHOICES",
    "TableResult",
    "geocode_file",
    "render",
]
