"""The local page's jobs: one uploaded list each, in a folder of the app's private temporary folder.

A job is created by an upload and owns one folder, named by its random id: the list is
stored there as ``input`` plus a known suffix (the name the browser sent is only shown,
never used for a path), and every map made from it goes to a new ``runN`` folder inside.
Maps are made by :func:`geomap.pipeline.render`, the very function behind ``geomap render``,
one job at a time in a worker thread, so the server keeps answering while a long list is
geocoded and two jobs never share anything but the queue. A job's folder is removed when
the page closes it, after it has been idle for a while, and with the whole temporary folder
when the app stops.

This module does not import Starlette: it is the part of the app that knows geomap.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import re
import secrets
import shutil
import threading
import time
import unicodedata
from pathlib import Path

from ..errors import GeomapError
from ..messages import error_message, message

log = logging.getLogger(__name__)

#: Suffixes an upload keeps (they tell CSV from TSV from text); any other file is stored
#: as ``input.dat`` and read by its content, as ``geomap render`` reads it.
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".xls")
PREVIEW_ROWS = 20
#: Rows of the unmatched table sent to the page (the CSV has them all).
UNMATCHED_SHOWN = 200
#: Header rows offered in the page's header-row choice.
HEADER_ROWS_OFFERED = 30
NAME_MAX = 120
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
RESULT_FILES = ("html", "png", "csv", "unmatched")

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def display_name(raw) -> str:
    """The file name a browser sent, as text to show: its last part only, without controls.

    ``../../x.csv`` gives ``x.csv`` and ``C:\\Users\\a\\一覧.xlsx`` gives ``一覧.xlsx``. The
    result is only ever shown (and used for download names); no path is made from it.
    """
    # Browsers send a quote in a multipart file name as %22 (HTML's form-data encoding).
    text = _CONTROL.sub("", unicodedata.normalize("NFC", str(raw or "").replace("%22", '"')))
    name = re.split(r"[/\\]", text)[-1].strip()
    if name in ("", ".", ".."):
        name = "list"
    if len(name) > NAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: NAME_MAX - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 8 else name[:NAME_MAX]
    return name


def stored_suffix(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in UPLOAD_SUFFIXES else ".dat"


def stem_of(name: str) -> str:
    """The name without its suffix, for titles and download names (never empty)."""
    stem = os.path.splitext(name)[0].strip()
    return stem or "list"


class JobGone(Exception):
    """The job is unknown (closed, removed when idle, or never made)."""


class JobBusy(Exception):
    """The job is queued or running; a second map of it must wait."""


@dataclasses.dataclass
class Job:
    id: str
    folder: Path
    name: str
    input: Path
    last_seen: float
    state: str = "ready"  # ready | queued | reading | geocoding | drawing | done | error
    done: int = 0
    total: int = 0
    run: int = 0
    error: str | None = None
    result: dict | None = None
    files: dict = dataclasses.field(default_factory=dict)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    @property
    def stem(self) -> str:
        return stem_of(self.name)

    @property
    def busy(self) -> bool:
        return self.state in ("queued", "reading", "geocoding", "drawing")

    def download_name(self, kind: str) -> str:
        return {
            "html": f"{self.stem}.html",
            "png": f"{self.stem}.png",
            "csv": f"{self.stem}_geocoded.csv",
            "unmatched": f"{self.stem}_unmatched.csv",
        }[kind]

    def shown(self, text: str, paths: dict | None = None) -> str:
        """``text`` with the job's own paths replaced by the names the user knows."""
        names = {str(self.input): self.name, **{str(p): n for p, n in (paths or {}).items()}}
        for path in sorted(names, key=len, reverse=True):
            text = text.replace(path, names[path])
        return text.replace(str(self.folder) + os.sep, "").replace(str(self.folder), "")

    def status(self) -> dict:
        with self.lock:
            return {
                "state": self.state, "done": self.done, "total": self.total, "run": self.run,
                "error": self.error, "result": self.result,
            }


class Jobs:
    """Every job of one running app, under ``root`` (a private temporary folder)."""

    def __init__(self, root, *, idle_seconds: float = 1800.0):
        self.root = Path(root)
        self.idle_seconds = idle_seconds
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="geomap-app-worker", daemon=True)
        self._worker.start()

    # -- the jobs ---------------------------------------------------------------------

    def new(self, filename) -> Job:
        name = display_name(filename)
        job_id = secrets.token_urlsafe(18)
        folder = self.root / job_id
        folder.mkdir(mode=0o700)
        job = Job(id=job_id, folder=folder, name=name, input=folder / ("input" + stored_suffix(name)),
                  last_seen=time.monotonic())
        with self._lock:
            self._jobs[job_id] = job
        return job

    def get(self, job_id) -> Job:
        if not isinstance(job_id, str) or not JOB_ID.match(job_id):
            raise JobGone(job_id)
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise JobGone(job_id)
        job.last_seen = time.monotonic()
        return job

    def close(self, job_id) -> None:
        """Forget the job and remove its folder (a queued or running map is dropped when it ends)."""
        with self._lock:
            job = self._jobs.pop(job_id, None) if isinstance(job_id, str) else None
        if job is not None and not job.busy:
            shutil.rmtree(job.folder, ignore_errors=True)

    def sweep(self, now: float | None = None) -> list[str]:
        """Close the jobs idle for longer than ``idle_seconds``; their ids."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [j.id for j in self._jobs.values() if not j.busy and now - j.last_seen > self.idle_seconds]
        for job_id in idle:
            self.close(job_id)
        return idle

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def shutdown(self) -> None:
        self._queue.put(None)
        with self._lock:
            self._jobs.clear()

    # -- reading ----------------------------------------------------------------------

    def read(self, job: Job, *, sheet=None, header_row=None, encoding=None, lang: str = "ja") -> dict:
        """What the page shows of the list: columns, first rows, the columns found, the sheets.

        Raises :class:`geomap.errors.GeomapError` with the CLI's message for a bad file.
        """
        from ..columns import READ_INFO, find_columns, personal_columns
        from ..io import read_table
        from ..maps.options import PERSONAL_MIN_COUNT

        df = read_table(job.input, sheet=sheet, encoding=encoding, header_row=header_row)
        found = find_columns(df)
        info = df.attrs.get(READ_INFO) or {}
        columns = [str(c) for c in df.columns]
        personal = personal_columns(columns)
        head = df.head(PREVIEW_ROWS)
        return {
            "name": job.name,
            "title": job.stem,
            "rows": len(df),
            "columns": columns,
            "preview": [[str(v) for v in row] for row in head.itertuples(index=False, name=None)],
            "sheet": info.get("sheet"),
            "sheets": list(info.get("sheet_names") or []),
            "header_row": info.get("header_row"),
            "header_rows": HEADER_ROWS_OFFERED,
            "workbook": job.input.suffix in (".xlsx", ".xlsm") or info.get("sheet") is not None,
            "found": {
                "address": found.address,
                "parts": [str(c) for c in found.parts],
                "lat": found.lat,
                "lon": found.lon,
                "name": found.name,
                "category": found.category,
            },
            "personal": personal,
            "min_count": PERSONAL_MIN_COUNT,
        }

    # -- making the map ---------------------------------------------------------------

    def submit(self, job: Job, options: dict, lang: str) -> int:
        """Queue a map of ``job`` with ``render`` keywords ``options``; the run's number."""
        with job.lock:
            if job.busy:
                raise JobBusy(job.id)
            job.run += 1
            job.state, job.done, job.total, job.error, job.result = "queued", 0, 0, None, None
            run = job.run
        self._queue.put((job, run, dict(options), lang))
        return run

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, run, options, lang = item
            try:
                with self._lock:
                    wanted = job.id in self._jobs
                if wanted:  # not closed while it waited
                    self._render(job, run, options, lang)
            except BaseException as exc:  # noqa: BLE001 - the worker must outlive every job
                log.debug("job %s failed", job.id, exc_info=True)
                with job.lock:
                    job.state, job.error = "error", job.shown(_unexpected(exc, lang))
            finally:
                with self._lock:
                    gone = job.id not in self._jobs
                if gone:  # closed while it ran
                    shutil.rmtree(job.folder, ignore_errors=True)

    def _render(self, job: Job, run: int, options: dict, lang: str) -> None:
        from ..summary import summary_lines
        from ..output import write_table
        from ..pipeline import render

        with job.lock:
            job.state = "reading"
        out = job.folder / f"run{run}"
        out.mkdir(mode=0o700)
        for old in job.folder.glob("run*"):
            if old != out and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        html = out / "map.html"
        png = html.with_suffix(".png")

        def progress(done: int, total: int) -> None:
            with job.lock:
                job.state = "drawing" if done >= total else "geocoding"
                job.done, job.total = done, total

        try:
            result = render(job.input, html, png=True, lang=lang, progress=progress, **options)
        except GeomapError as exc:
            unmatched = out / f"{job.input.stem}_unmatched.csv"
            files = {"unmatched": unmatched} if unmatched.is_file() else {}
            shown = {unmatched: job.download_name("unmatched")}
            text = job.shown(error_message(exc, lang), shown)
            table = None
            if files and getattr(exc, "key", "").startswith("nothing_placed"):
                table = _unmatched_again(job, options, lang)
            with job.lock:
                job.files = files
                job.state, job.error = "error", text
                job.result = {"summary": [], "files": sorted(files), "unmatched": table, "map": False}
            return
        with job.lock:
            job.state = "drawing"
        geocoded = write_table(result.frame, out / "geocoded.csv")
        files = {"html": result.html, "csv": geocoded}
        if png in result.images:
            files["png"] = png
        if result.unmatched is not None:
            files["unmatched"] = result.unmatched
        shown = dataclasses.replace(result, unmatched=Path(job.download_name("unmatched")))
        summary = summary_lines(shown, lang, input_path=job.name, kind="map")
        table = (_unmatched_table(result.frame, result.columns, lang, result.placed_level, services=list(result.online))
                 if result.unplaced else None)
        with job.lock:
            job.files = files
            job.result = {"summary": summary, "files": sorted(files), "unmatched": table, "map": True}
            job.state, job.done = "done", job.total


def _unmatched_table(frame, columns, lang: str, min_level: int, services=()) -> dict:
    """The rows not placed, as the page's table: the reason, then the list's own columns.

    ``services``: the online services asked, named in the reason of a row one failed for.
    """
    import pandas as pd

    from ..geocoders.base import ERROR_COLUMN, RESULT_COLUMNS
    from ..report import placed_rows, unplaced_reasons

    mask = ~placed_rows(frame, min_level)
    shown = frame.loc[mask].head(UNMATCHED_SHOWN)
    # Reasons for the rows shown only (a reason reads its own row), every one of them not placed.
    reasons = unplaced_reasons(shown, columns, lang, min_level, services=services,
                               placed=pd.Series(False, index=shown.index))
    own = [c for c in frame.columns if c not in RESULT_COLUMNS and c != ERROR_COLUMN]
    rows = shown[own]
    return {
        "columns": [message("reason_column", lang)] + [str(c) for c in own],
        "rows": [[str(reasons.loc[i])] + ["" if v is None else str(v) for v in rows.loc[i].tolist()]
                 for i in rows.index],
        "more": max(0, int(mask.sum()) - len(rows)),
    }


def _unmatched_again(job: Job, options: dict, lang: str) -> dict | None:
    """The unmatched table when no row could be placed (render raised before giving its frame)."""
    from ..columns import find_columns
    from ..io import read_table
    from ..geocoding import geocode_table
    from ..report import placed_level

    try:
        df = read_table(job.input, sheet=options.get("sheet"), encoding=options.get("encoding"),
                        header_row=options.get("header_row"))
        found = find_columns(df, address_column=options.get("address_column"))
        frame = geocode_table(df, address_column=options.get("address_column"), pref=options.get("pref"),
                              city=options.get("city"), lang=lang)
        return _unmatched_table(frame, found, lang, placed_level(options.get("by", "auto"), options.get("points", True)))
    except GeomapError:
        return None


def _unexpected(exc: BaseException, lang: str) -> str:
    """The CLI's line for a bug: its kind and first line, never a traceback."""
    if isinstance(exc, MemoryError):
        kind, detail = "MemoryError", ""
    else:
        kind = type(exc).__name__
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return message("unexpected", lang, kind=kind, detail=detail)


__all__ = ["Job", "JobBusy", "JobGone", "Jobs", "display_name"]
