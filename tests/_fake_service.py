"""The core of a fake HTTP service on 127.0.0.1 that answers each query from a script.

Used by ``test_gsi.py`` (:class:`FakeGsi`) and ``test_hostile.py`` (:class:`Service`): each
keeps its own handler (how an answer is written) and its own extra fields. Both import
:func:`cache_home`, so every test of theirs gets its own cache directory, and :func:`feature`, one
feature as the service writes it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer

import pytest


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    """Every test gets its own cache directory (never the user's)."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(directory))
    return directory


def feature(title: str, lat, lon) -> dict:
    """One feature as the 国土地理院 service writes it (GeoJSON order: lon, lat)."""
    return {"geometry": {"coordinates": [lon, lat], "type": "Point"}, "type": "Feature",
            "properties": {"addressCode": "", "title": title}}


class ScriptedService:
    """What the server answers, per query, and what it was asked.

    ``script[q]`` lists answers used in turn (the last one repeats); queries without a script
    get ``default``. ``queries`` records every query in the order it came.
    """

    def __init__(self):
        self.script: dict[str, list[tuple]] = {}
        self.default: tuple = ("json", [])
        self.queries: list[str] = []
        self.lock = threading.Lock()

    def answer(self, q: str, *answers: tuple) -> None:
        self.script[q] = list(answers)

    def next_answer(self, q: str) -> tuple:
        with self.lock:
            self.queries.append(q)
            answers = self.script.get(q) or [self.default]
            return answers.pop(0) if len(answers) > 1 else answers[0]


@contextmanager
def serving(handler, done: threading.Event, server_class=ThreadingHTTPServer) -> Iterator[str]:
    """Serve ``handler`` on a free port of 127.0.0.1 in a thread; yields the service's URL.

    On the way out ``done`` is set first (so a handler still waiting on it lets go), then the
    server is shut down and closed.
    """
    server = server_class(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/address-search/AddressSearch"
    finally:
        done.set()
        server.shutdown()
        server.server_close()
