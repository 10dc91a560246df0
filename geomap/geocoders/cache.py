"""A persistent SQLite cache of online geocoding answers, so a list is sent only once.

Answers are stored per endpoint URL and normalized address (:func:`cache_key`), as the
service gave them (the reply, not geomap's judgement of it, which may improve between
versions). An empty answer ("no match") is an answer and is cached; failures are not.

The file holds residents' addresses: it lives in the user's own cache directory
(``platformdirs.user_cache_dir("geomap")``), is created readable by the user only, and
:func:`clear_cache` (CLI ``geomap cache clear``) deletes it. ``GEOMAP_CACHE_DIR`` or a
``cache_dir`` argument put it elsewhere.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from ..address.normalize import normalize
from ..errors import OutputError

CACHE_FILE = "geocode-cache.sqlite3"
ENV_VAR = "GEOMAP_CACHE_DIR"

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


class GeocodeCache:
    """Answers of online services, keyed by endpoint URL and :func:`cache_key`.

    The file is opened on first use; each answer is committed as soon as it is stored, so
    an interrupted run keeps everything answered so far.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._con: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._con is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                new = not self.path.exists()
                con = sqlite3.connect(self.path)
                if new:
                    os.chmod(self.path, 0o600)
                con.execute(_SCHEMA)
                con.commit()
            except (OSError, sqlite3.Error) as exc:
                raise OutputError(
                    f"cannot use the geocoding cache {str(self.path)!r}: {exc}",
                    key="cache_unusable",
                    path=str(self.path),
                ) from exc
            self._con = con
        return self._con

    def get_many(self, url: str, keys) -> dict[str, object]:
        """The cached replies (decoded JSON) for those of ``keys`` that have one."""
        keys = list(dict.fromkeys(keys))
        if not keys or not self.path.exists():
            return {}
        con = self._connect()
        found: dict[str, object] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = con.execute(
                f"SELECT key, reply FROM answers WHERE url = ? AND key IN ({marks})", [url, *chunk]
            )
            found.update((k, json.loads(reply)) for k, reply in rows)
        return found

    def put(self, url: str, key: str, reply) -> None:
        """Store one reply (JSON-serializable) and commit."""
        con = self._connect()
        with con:
            con.execute(
                "INSERT OR REPLACE INTO answers (url, key, reply, fetched) VALUES (?, ?, ?, ?)",
                (url, key, json.dumps(reply, ensure_ascii=False), time.time()),
            )

    def count(self) -> int:
        """Number of stored answers (0 when there is no file)."""
        if not self.path.exists():
            return 0
        return self._connect().execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def cache_info(directory: str | os.PathLike | None = None) -> dict:
    """``{"path", "exists", "size" (bytes), "count" (answers)}`` of the cache."""
    path = cache_path(directory)
    if not path.exists():
        return {"path": str(path), "exists": False, "size": 0, "count": 0}
    with closing(GeocodeCache(path)) as cache:
        count = cache.count()
    return {"path": str(path), "exists": True, "size": path.stat().st_size, "count": count}


def clear_cache(directory: str | os.PathLike | None = None) -> int:
    """Delete the cache file (and SQLite's side files); return how many answers it held."""
    path = cache_path(directory)
    count = cache_info(directory)["count"]
    for file in [path] + [path.with_name(path.name + side) for side in ("-journal", "-wal", "-shm")]:
        try:
            file.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(
                f"cannot delete the geocoding cache {str(file)!r}: {exc}", key="cache_unusable", path=str(file)
            ) from exc
    return count
