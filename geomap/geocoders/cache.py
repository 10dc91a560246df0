"""A persistent SQLite cache of online geocoding answers, so a list is sent only once.

Answers are stored per endpoint URL and normalized address (:func:`cache_key`) in the
form the adapter gives :meth:`GeocodeCache.put` (for ``gsi``, the validated reply as
``[[lat, lon, title], ...]``, not geomap's judgement of it, which may improve between
versions). An empty answer ("no match") is an answer and is cached; failures are not.

The cache only ever saves work: whatever is wrong with it never stops a run.
- A damaged file (garbage, truncated), a folder where the file should be, a file that
  cannot be written, or one locked by another program past :data:`LOCK_TIMEOUT` seconds
  sets :attr:`GeocodeCache.problem`; the cache then stays out of the way for the rest of
  its life (nothing read, nothing stored) and the adapter says so in one line.
- A stored answer that is not JSON, or that the adapter's ``check`` refuses, is treated
  as absent (it is asked again and replaced).

The file holds residents' addresses: it lives in the user's own cache directory
(``platformdirs.user_cache_dir("geomap")``), is created readable by the user only, and
:func:`clear_cache` (CLI ``geomap cache clear``) deletes it, whatever it holds.
``GEOMAP_CACHE_DIR`` or a ``cache_dir`` argument put it elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from ..address.normalize import normalize
from ..errors import OutputError

CACHE_FILE = "geocode-cache.sqlite3"
ENV_VAR = "GEOMAP_CACHE_DIR"
#: Seconds to wait for a cache another program has locked, before going on without it.
LOCK_TIMEOUT = 2.0
#: SQLite's side files, deleted with the cache.
SIDE_FILES = ("-journal", "-wal", "-shm")

#: What :attr:`GeocodeCache.problem` and :func:`cache_info` may say is wrong.
PROBLEMS = ("corrupt", "locked", "read_only", "not_a_file", "unusable")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    url TEXT NOT NULL,
    key TEXT NOT NULL,
    reply TEXT NOT NULL,
    fetched REAL NOT NULL,
    PRIMARY KEY (url, key)
)
"""


def cache_dir(directory: str | os.PathLike | None = None) -> Path:
    """The cache directory: ``directory`` if given, else ``$GEOMAP_CACHE_DIR``, else the user's."""
    if directory:
        return Path(directory)
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("geomap"))


def cache_path(directory: str | os.PathLike | None = None) -> Path:
    """The cache file in :func:`cache_dir` (it may not exist yet)."""
    return cache_dir(directory) / CACHE_FILE


def cache_key(address: str) -> str:
    """The normalized form two spellings of one address share (width, hyphens, 漢数字, spaces)."""
    return normalize(address).text


def classify(error: BaseException) -> str:
    """Which of :data:`PROBLEMS` an ``sqlite3`` or OS error means for the cache."""
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        text = str(error).lower()
        if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in text or "malformed" in text:
            return "corrupt"
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
            return "locked"
        if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN")) or "readonly" in text:
            return "read_only"
        if "no such" in text or "has no column" in text or "constraint" in text:  # a table not ours
            return "corrupt"
        return "unusable"
    if isinstance(error, PermissionError):
        return "read_only"
    if isinstance(error, IsADirectoryError):
        return "not_a_file"
    return "unusable"


def _kind(path: Path) -> str:
    """``"none"``, ``"file"``, ``"folder"`` or ``"other"`` (a FIFO, a socket, a broken link)."""
    try:
        if path.is_file():
            return "file"
        if path.is_dir():
            return "folder"
        return "other" if path.is_symlink() or path.exists() else "none"
    except OSError:
        return "other"


class GeocodeCache:
    """Answers of online services, keyed by endpoint URL and :func:`cache_key`.

    The file is opened on first use; each answer is committed as soon as it is stored, so
    an interrupted run keeps everything answered so far. No method raises for what is
    wrong with the cache: :attr:`problem` (one of :data:`PROBLEMS`) and :attr:`detail`
    say what went wrong, and from then on the cache reads nothing and stores nothing.
    """

    def __init__(self, path: str | os.PathLike, *, lock_timeout: float = LOCK_TIMEOUT):
        self.path = Path(path)
        self.lock_timeout = float(lock_timeout)
        self.problem: str | None = None
        self.detail = ""
        self._con: sqlite3.Connection | None = None
        self._schema = False

    def _fail(self, problem: str, detail: str = "") -> None:
        self.problem = problem
        self.detail = detail
        self.close()

    def _open(self, write: bool) -> sqlite3.Connection | None:
        """The connection (created with the file when ``write``); None when there is no file to read."""
        kind = _kind(self.path)
        if kind == "folder":
            self._fail("not_a_file")
            return None
        if kind == "other":
            self._fail("unusable", "not a regular file")
            return None
        if kind == "none" and not write:
            return None
        if self._con is None:
            if kind == "none":
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                try:  # created private to the user before SQLite writes a byte
                    os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                except FileExistsError:
                    pass
            self._con = sqlite3.connect(self.path, timeout=self.lock_timeout)
        if write and not self._schema:
            with self._con:
                self._con.execute(_SCHEMA)
            self._schema = True
        return self._con

    def get_many(self, url: str, keys, check: Callable | None = None) -> dict[str, object]:
        """The cached replies for those of ``keys`` that have a usable one.

        A stored reply is decoded from JSON and passed through ``check`` (which returns the
        value to use, or raises ``ValueError``/``TypeError``); one that fails either is left
        out, as if it were not stored.
        """
        keys = list(dict.fromkeys(keys))
        if not keys or self.problem:
            return {}
        rows: list[tuple] = []
        try:
            con = self._open(write=False)
            if con is None:
                return {}
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows += con.execute(
                    f"SELECT key, reply FROM answers WHERE url = ? AND key IN ({marks})", [url, *chunk]
                ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc).lower():  # an empty database: nothing stored yet
                return {}
            self._fail(classify(exc), str(exc))
            return {}
        except (sqlite3.Error, OSError) as exc:
            self._fail(classify(exc), str(exc))
            return {}
        found: dict[str, object] = {}
        for k, reply in rows:
            try:
                value = json.loads(reply)
                found[k] = check(value) if check is not None else value
            except (ValueError, TypeError, RecursionError):
                continue
        return found

    def put(self, url: str, key: str, reply) -> bool:
        """Store one reply (JSON-serializable) and commit; False when the cache cannot be used."""
        if self.problem:
            return False
        try:
            con = self._open(write=True)
            if con is None:
                return False
            with con:
                con.execute(
                    "INSERT OR REPLACE INTO answers (url, key, reply, fetched) VALUES (?, ?, ?, ?)",
                    (url, key, json.dumps(reply, ensure_ascii=False), time.time()),
                )
        except (sqlite3.Error, OSError) as exc:
            self._fail(classify(exc), str(exc))
            return False
        return True

    def close(self) -> None:
        if self._con is not None:
            try:
                self._con.close()
            except sqlite3.Error:
                pass
            self._con = None
            self._schema = False


def _read_problem(error: BaseException) -> str:
    """:func:`classify` for a file only read: one that cannot be opened is not "read-only"."""
    problem = classify(error)
    return "unusable" if problem == "read_only" else problem


def _count(path: Path, lock_timeout: float) -> tuple[int | None, str | None]:
    """Answers stored in the file at ``path``, opened read-only: ``(count, None)`` or ``(None, problem)``."""
    problem = None
    # Read-write first (never creating), so SQLite can roll back a journal a crash left;
    # read-only for a file that cannot be written.
    for mode in ("rw", "ro"):
        try:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=lock_timeout)
        except (sqlite3.Error, OSError, ValueError) as exc:
            problem = _read_problem(exc)
            continue
        try:
            return con.execute("SELECT COUNT(*) FROM answers").fetchone()[0], None
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc).lower():
                return 0, None
            problem = _read_problem(exc)
        except sqlite3.Error as exc:
            problem = _read_problem(exc)
        finally:
            con.close()
        if problem != "unusable":  # damaged or locked: read-only would say the same
            break
    return None, problem


def cache_info(directory: str | os.PathLike | None = None, *, lock_timeout: float = LOCK_TIMEOUT) -> dict:
    """``{"path", "exists", "size" (bytes), "count" (answers), "problem"}`` of the cache.

    Never fails on what the cache holds: when the file cannot be read, ``count`` is None
    and ``problem`` says why (one of :data:`PROBLEMS`); ``problem`` is None otherwise.
    """
    path = cache_path(directory)
    info = {"path": str(path), "exists": False, "size": 0, "count": 0, "problem": None}
    kind = _kind(path)
    if kind == "none":
        return info
    info["exists"] = True
    if kind != "file":
        info.update(count=None, problem="not_a_file" if kind == "folder" else "unusable")
        return info
    try:
        info["size"] = path.stat().st_size
    except OSError:
        pass
    info["count"], info["problem"] = _count(path, lock_timeout)
    return info


def clear_cache(directory: str | os.PathLike | None = None) -> int | None:
    """Delete the cache, whatever it holds; return how many answers it held (None: unreadable).

    The file goes with SQLite's side files; a folder standing where the file should be
    goes too (a link is removed, never what it points to). Nothing else in the cache
    directory is touched.

    Raises
    ------
    geomap.errors.OutputError
        ``cache_not_deleted`` when the system refuses to delete it (permissions).
    """
    path = cache_path(directory)
    count = cache_info(directory, lock_timeout=0.5)["count"]
    for file in [path] + [path.with_name(path.name + side) for side in SIDE_FILES]:
        try:
            if _kind(file) == "folder" and not file.is_symlink():
                shutil.rmtree(file)
            else:
                file.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(
                f"cannot delete the geocoding cache {str(file)!r}: {exc}",
                key="cache_not_deleted",
                path=str(file),
                reason=exc.strerror or type(exc).__name__,
            ) from exc
    return count


__all__ = ["CACHE_FILE", "GeocodeCache", "cache_dir", "cache_info", "cache_key", "cache_path", "clear_cache"]
