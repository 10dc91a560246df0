"""Which rows go on the map, why the others do not, and the list of the rows left out.

One rule decides where a geocoded row goes (:func:`placed_rows`): on the map when its
coordinates came from the table's own latitude/longitude columns, or when it was geocoded
to ``min_level`` or finer (town level by default; a row placed only at its municipality's
point would put a marker where nothing is). Whether a latitude/longitude pair is a usable
point at all is :func:`geomap.columns.has_point`, the one test that this rule,
:func:`geomap.spatial.to_points` and the table geocoder share.

Every row left out gets a reason in the user's language (:func:`unplaced_reasons`), and
:func:`write_unmatched` writes those rows, reason first, to ``<input stem>_unmatched.csv``
(:func:`unmatched_path`). The online services asked are passed in by name, so a row's
failure can name the service that failed. A caller that has the rows :func:`placed_rows`
gives passes them on (``placed=``), and :func:`write_listed` and :func:`listed_summary`
write and count the rows :func:`unmatched_rows` made, so no rule runs twice over a table.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import Columns, has_point, join_address, typed_numbers
from .geocoders.base import ERROR_COLUMN
from .geocoding import INPUT_SOURCE
from .messages import MESSAGES, LANGS, message, row_error
from .output import same_file, write_table

UNMATCHED_SUFFIX = "_unmatched.csv"
# Japan lies within these bounds; a lat/lon pair that fits them only when swapped was swapped.
_JAPAN_LAT = (20.0, 46.0)
_JAPAN_LON = (122.0, 154.0)


# -- the rule -------------------------------------------------------------------------


def placed_level(by: str = "auto", points: bool = True) -> int:
    """The level a geocoded row must reach to be placed on a map coloured ``by`` these areas.

    Town level (3) when the map has points; without points the areas are all the map shows,
    so a row placed at its municipality counts for municipalities (2), at its prefecture for
    prefectures (1). A table (``geomap geocode``) is held to town level.

    Examples
    --------
    >>> placed_level("municipality", points=False), placed_level("municipality", points=True)
    (2, 3)
    """
    return {"municipality": 2, "prefecture": 1}.get(by, 3) if not points else 3


def placed_rows(frame: pd.DataFrame, min_level: int = 3) -> pd.Series:
    """True for rows that go on the map: coordinates from the input, or geocoded to ``min_level`` or finer.

    Examples
    --------
    >>> rows = pd.DataFrame({"lat": [35.67, 35.67, 35.67, None], "lon": [139.82, 139.82, 139.82, None],
    ...                      "level": [3, 2, 4, 3], "source": ["offline", "offline", "input", "offline"]})
    >>> placed_rows(rows).tolist()  # a municipality's point, or no point, is not on the map
    [True, False, True, False]
    >>> placed_rows(rows, min_level=2).tolist()
    [True, True, True, False]
    """
    from_input = frame["source"].eq(INPUT_SOURCE) & frame["level"].gt(0)
    return has_point(frame["lat"], frame["lon"]) & (from_input | frame["level"].ge(min_level))


# -- rows placed coarser than written ----------------------------------------------------

#: Notes of rows placed at a whole town though a 丁目 was written: one the data lacks
#: (東陽9丁目), or one that could not be read. They go on the map and are listed too.
COARSE_NOTES = ("note_no_such_chome", "note_chome_not_read")


def _template(text: str) -> str:
    """A message as a pattern: its ``{fields}`` match any text."""
    return ".+?".join(re.escape(part) for part in re.split(r"\{\w+\}", text))


_COARSE = re.compile("|".join(_template(MESSAGES[k][lang]) for k in COARSE_NOTES for lang in LANGS))


def coarse_rows(frame: pd.DataFrame) -> pd.Series:
    """True for rows placed at a town coarser than the address was written (a 丁目 the data lacks).

    They are on the map (level 3) and also listed in ``<stem>_unmatched.csv`` so they can be checked.

    Examples
    --------
    >>> rows = pd.DataFrame({"lat": [35.67, 35.67], "lon": [139.82, 139.82], "level": [3, 3],
    ...                      "note": ["9丁目はデータに無いため町全体の代表点", ""]})
    >>> coarse_rows(rows).tolist()
    [True, False]
    """
    if "note" not in frame.columns or frame.empty:
        return pd.Series(False, index=frame.index)
    notes = frame["note"].fillna("").astype(str)
    coarse = frame["level"].eq(3) & has_point(frame["lat"], frame["lon"]) & notes.ne("")
    # The notes are read only where they can say it: placed at a town, with a note (no
    # message is empty). Positions, not labels: an index may repeat.
    where = np.flatnonzero(coarse.to_numpy(dtype=bool, na_value=False))
    rows = np.zeros(len(frame), dtype=bool)
    rows[where[notes.iloc[where].str.contains(_COARSE).to_numpy(dtype=bool)]] = True
    return pd.Series(rows, index=frame.index)


# -- reasons --------------------------------------------------------------------------


def unplaced_reasons(frame: pd.DataFrame, found: Columns, lang: str = "ja", min_level: int = 3, *,
                     services: Iterable[str] = (), placed: pd.Series | None = None) -> pd.Series:
    """Why each row that :func:`placed_rows` leaves out was left out (in ``lang``).

    ``services`` are the online services that were asked (``["gsi"]``), so that a row an
    online service failed for names it; without them the failure is put as "online".
    ``placed``: what :func:`placed_rows` gives for ``frame`` and ``min_level``, when the
    caller has it already.
    """
    services = list(services)
    mask = ~(placed_rows(frame, min_level) if placed is None else placed)
    # Only the rows left out, and only the columns a reason reads, one list each (not a row
    # Series per row): a list of millions is not turned into Python strings for a few reasons.
    left = frame.loc[mask]
    address = join_address(left, found) if found.has_address else pd.Series("", index=left.index)

    def column(name) -> list:
        return left[name].tolist() if name in left.columns else [""] * len(left)

    reasons = {}
    rows = zip(left.index, address.tolist(), left["source"].tolist(), left["ambiguous"].tolist(),
               left["level"].tolist(), column("note"), column(ERROR_COLUMN))
    for n, (i, text, source, ambiguous, level, note, error) in enumerate(rows):
        if source == INPUT_SOURCE:
            reasons[i] = _latlon_reason(left[found.lat].iat[n], left[found.lon].iat[n], lang)
            continue
        if not str(text).strip():
            reason = message("reason_latlon_empty" if found.has_latlon and not found.has_address else "reason_empty", lang)
        elif ambiguous:
            reason = message("reason_ambiguous", lang, candidates=ambiguous)
        elif level == 1:
            reason = message("reason_pref_only", lang)
        elif level >= 2:
            reason = message("reason_town_not_found", lang)
        else:
            reason = message("reason_no_match", lang)
        if isinstance(note, str) and note:
            reason += ("：" if lang == "ja" else ": ") + note
        if isinstance(error, str) and error:
            detail = row_error(error, services, lang)
            failed = message("reason_service_error", lang, detail=detail)
            # A row the service never answered was not "not found": say only what happened.
            reason = failed if level == 0 else reason + ("；" if lang == "ja" else "; ") + failed
        reasons[i] = reason
    return pd.Series(reasons, dtype=object).reindex(frame.index[mask])


def readable_errors(frame: pd.DataFrame, lang: str, services: Iterable[str] = ()) -> pd.DataFrame:
    """The online adapters' per-row failure keys as sentences naming ``services``, for a file people read."""
    if ERROR_COLUMN not in frame.columns:
        return frame
    services = list(services)
    return frame.assign(**{ERROR_COLUMN: [row_error(key, services, lang) for key in frame[ERROR_COLUMN]]})


def _latlon_reason(lat, lon, lang):
    if not str(lat).strip() and not str(lon).strip():
        return message("reason_latlon_empty", lang)
    y, x = typed_numbers(pd.Series([lat, lon])).tolist()
    if not (math.isnan(y) or math.isnan(x)):
        if _JAPAN_LAT[0] <= x <= _JAPAN_LAT[1] and _JAPAN_LON[0] <= y <= _JAPAN_LON[1]:
            return message("reason_latlon_swapped", lang)
    return message("reason_bad_latlon", lang)


def counts(frame: pd.DataFrame, min_level: int = 3, online: dict | None = None, *,
           placed: pd.Series | None = None) -> dict:
    """The counts a summary gives: ``rows``, ``levels``, ``from_input``, ``placed``, ``unplaced``, ``online``, ``failed``.

    ``online`` is what the online services did, rows ``{"asked", "answered", "failed"}``
    per service (:attr:`geomap.geocoding.Geocoded.online`); ``failed`` counts the rows left
    at level 0 because a service failed for them. ``placed`` as for :func:`unplaced_reasons`.
    """
    from_input = frame["source"].eq(INPUT_SOURCE)
    failed = frame[ERROR_COLUMN].fillna("").astype(str).ne("") if ERROR_COLUMN in frame.columns else False
    levels = frame.loc[~from_input, "level"].value_counts()
    placed = int((placed_rows(frame, min_level) if placed is None else placed).sum())
    return {
        "rows": len(frame),
        "levels": {lvl: int(levels.get(lvl, 0)) for lvl in range(5)},
        "from_input": int((from_input & frame["level"].gt(0)).sum()),
        "placed": placed,
        "unplaced": len(frame) - placed,
        "online": {s: dict(c) for s, c in (online or {}).items()},
        "failed": int((failed & ~from_input & frame["level"].eq(0)).sum()),
    }


# -- the unmatched list ---------------------------------------------------------------


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


def unmatched_rows(frame: pd.DataFrame, found: Columns, lang: str, min_level: int, *,
                   services: Iterable[str] = (), placed: pd.Series | None = None) -> pd.DataFrame:
    """The rows for ``<stem>_unmatched.csv``: those not placed and those placed coarser than written.

    A reason column comes first, then a 候補 (suggestion) column (:func:`geomap.suggest.suggestions`:
    the name probably meant, never used to place the row), then the row as the table has it.
    ``services`` and ``placed`` as for :func:`unplaced_reasons`.
    """
    from .suggest import suggestions

    services = list(services)
    placed = placed_rows(frame, min_level) if placed is None else placed
    coarse = coarse_rows(frame) & placed
    mask = ~placed | coarse
    listed = frame.loc[mask]  # a few rows of the table: everything below is done on them only
    rows = readable_errors(listed, lang, services).copy()
    reasons = unplaced_reasons(frame, found, lang, min_level, services=services, placed=placed).reindex(rows.index)
    sep = "：" if lang == "ja" else ": "
    for i in rows.index[coarse.loc[rows.index].to_numpy()]:
        reasons.loc[i] = message("level_coarse", lang) + sep + str(frame.at[i, "note"])
    rows.insert(0, message("reason_column", lang), reasons, allow_duplicates=True)
    rows.insert(1, message("suggestion_column", lang), suggestions(listed), allow_duplicates=True)
    return rows


def write_unmatched(frame: pd.DataFrame, found: Columns, lang: str, min_level: int, path, protect=(), *,
                    services: Iterable[str] = ()) -> Path | None:
    """Write :func:`unmatched_rows` to ``path``; return ``path``.

    When every row is placed (none coarser than written) nothing is written and None is
    returned; a list an earlier run left at ``path`` is then removed
    (:func:`_remove_stale_unmatched`). ``protect`` are files never written or removed (the
    input); ``services`` as for :func:`unplaced_reasons`.
    """
    return write_listed(unmatched_rows(frame, found, lang, min_level, services=services), path, protect)


def write_listed(rows: pd.DataFrame, path, protect=()) -> Path | None:
    """Write the rows :func:`unmatched_rows` made to ``path``, as :func:`write_unmatched` does."""
    if rows.empty:
        _remove_stale_unmatched(path, protect)
        return None
    return write_table(rows, path, protect=protect)


def listed_summary(rows: pd.DataFrame, placed: pd.Series) -> dict:
    """What a summary says of the rows :func:`unmatched_rows` made, given the ``placed`` rows it made them from.

    ``coarse``: its rows placed coarser than written (:func:`coarse_rows`, every one of them
    placed); ``suggestions``: its 候補 that are not empty, in order (a row placed coarser than
    written has none, so they are those of the rows not placed).
    """
    suggested = rows.iloc[:, 1].tolist() if len(rows) else []
    return {"coarse": len(rows) - int((~placed).sum()), "suggestions": [s for s in suggested if s]}


__all__ = [
    "coarse_rows",
    "counts",
    "listed_summary",
    "placed_level",
    "placed_rows",
    "readable_errors",
    "unmatched_path",
    "unmatched_rows",
    "unplaced_reasons",
    "write_listed",
    "write_unmatched",
]
