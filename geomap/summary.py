"""The summary of a run, as lines: what ``geomap render`` / ``geomap geocode`` print and the local page shows.

The lines are built from a :class:`geomap.pipeline.TableResult` and the report's rules
(:mod:`geomap.report`), in the user's language; the CLI and the app only show them.
"""

from __future__ import annotations

from . import report
from .messages import message, row_error
from .suggest import suggestions

#: The order levels are listed in: finest first.
LEVEL_ORDER = (4, 3, 2, 1, 0)


def summary_lines(result, lang: str, *, input_path, kind: str) -> list[str]:
    """The summary ``geomap render`` (``kind="map"``) or ``geomap geocode`` (``"table"``) prints, as lines.

    The local page (``geomap app``) shows the same lines; ``input_path`` is the name the
    user knows the list by.
    """
    lines: list[str] = []
    say = lambda key, **p: lines.append(message(key, lang, **p))  # noqa: E731
    say("summary_read", rows=f"{result.rows:,}", path=input_path)
    read = getattr(result, "read", {}) or {}
    if read.get("sheet") is not None and read.get("sheets", 0) > 1:
        say("summary_sheet", sheet=read["sheet"], count=read["sheets"])
    if (read.get("header_row") or 1) > 1:
        say("summary_header_row", row=read["header_row"])
    if result.columns is not None:
        used = [c for c in result.columns.used()]
        if used:
            say("summary_columns", columns="、".join(map(str, used)))
    if result.from_input:
        say("summary_level", label=message("level_input", lang), count=f"{result.from_input:,}")
    frame = getattr(result, "frame", None)
    coarse = getattr(result, "coarse", None)  # a 丁目 the data lacks; counted by the pipeline, else here
    if coarse is None:
        coarse = int(report.coarse_rows(frame).sum()) if frame is not None else 0
    for level in LEVEL_ORDER:
        # Rows an online service failed for were not looked up: counted apart, not as "not placed".
        count = result.levels.get(level, 0) - (getattr(result, "failed", 0) if level == 0 else 0)
        count -= coarse if level == 3 else 0
        if count:
            say("summary_level", label=message(f"level_{level}", lang), count=f"{count:,}")
        if level == 3 and coarse:
            say("summary_level", label=message("level_coarse", lang), count=f"{coarse:,}")
    failed = sum(c.get("failed", 0) for c in getattr(result, "online", {}).values())
    if failed:
        say("summary_online_failed", count=f"{failed:,}", detail=online_failure(result, lang))
    say("summary_placed" if kind == "map" else "summary_placed_table",
        placed=f"{result.placed:,}", rows=f"{result.rows:,}")
    if result.unplaced:
        say("summary_unplaced", count=f"{result.unplaced:,}", path=str(result.unmatched))
    else:
        say("summary_all_placed")
    if coarse and result.unmatched is not None:
        say("summary_coarse", count=f"{coarse:,}", path=str(result.unmatched))
    if result.unplaced and frame is not None and result.unmatched is not None:
        suggested = getattr(result, "suggestions", None)  # those the unmatched file holds
        if suggested is None:
            # The rows of the unmatched file: those below the level the placed count was held to.
            found = suggestions(frame.loc[~report.placed_rows(frame, getattr(result, "placed_level", 3))])
            suggested = found[found != ""].tolist()
        if suggested:
            say("summary_suggestions", count=f"{len(suggested):,}", example=suggested[0], path=str(result.unmatched))
    decided = getattr(result, "decided", {}) or {}
    if decided:
        key = ("summary_personal" if len(decided) == 2 else
               "summary_personal_points" if "points" in decided else "summary_personal_min_count")
        say(key, columns=list(result.personal), k=decided.get("min_count", ""))  # joined by message()
    formats = {".gpkg": "GeoPackage", ".geojson": "GeoJSON"}
    for column, new in getattr(result, "renamed", {}).items():
        fmt = formats.get(result.output.suffix.lower(), result.output.suffix) if result.output else ""
        say("summary_renamed", column=column, new=new, format=fmt)
    return lines


def online_failure(result, lang: str) -> str:
    """The most common online failure of the result's rows, as a phrase naming the service."""
    frame = result.frame
    if "error" not in frame.columns:
        return ""
    keys = frame["error"].fillna("").astype(str)
    keys = keys[keys != ""]
    causes = keys[~keys.isin(["geocoder_not_sent", "geocoder_out_of_time"])]  # what made it stop
    keys = causes if not causes.empty else keys
    if keys.empty:
        return ""
    return row_error(keys.value_counts().index[0], list(getattr(result, "online", {})), lang)
