"""Issue 10, item 9 and "the online cache": a hostile or broken service, a broken cache.

Every test here talks to a real HTTP server on 127.0.0.1 (never the internet) and uses the
reproduction the issue gives: a cache that is garbage, truncated, a folder, read-only or
locked by another process; cached replies ``{"a":1}``, ``[[1,2]]``, ``not json``; a
service answering 500s, malformed or deeply nested JSON, ``"coordinates": "12"``, a 50 MB
answer, a slow drip (4 bytes every 3 s), a reset connection, 429 with Retry-After.
What must hold: no row is lost, the run ends in bounded time, results are written, and
what went wrong is said in one line in the run's language — never a traceback.
"""

from __future__ import annotations

import functools
import json
import math
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.geocoders import GsiGeocoder, cache_info
from geomap.geocoders.cache import cache_key, cache_path
from geomap.messages import message, row_error, service_name

TOYO = "東京都江東区東陽四丁目"
TOYO_POINT = (35.6725, 139.8175)
SEVEN = [
    "東京都江東区東陽4-11-28",
    "東京都千代田区麹町2-8",
    "東京都港区芝公園4-2-8",
    "東京都新宿区西新宿2-8-1",
    "東京都台東区上野公園7-20",
    "東京都墨田区押上1-1-2",
    "東京都中央区日本橋1-1-1",
]
GSI = service_name("gsi", "ja")


def feature(title: str, lat, lon) -> dict:
    """One feature as the service writes it (GeoJSON order: lon, lat)."""
    return {"geometry": {"coordinates": [lon, lat], "type": "Point"}, "type": "Feature",
            "properties": {"addressCode": "", "title": title}}


# -- the imitated service ----------------------------------------------------------------


class Service:
    """What the server on 127.0.0.1 answers, per query, and what it was asked.

    ``script[q]`` lists answers used in turn (the last repeats); queries without a script
    get ``default``. Answers: ``("json", data)``, ``("raw", text)``, ``("status", code,
    headers)``, ``("drip_body",)`` (68 bytes, 4 every 3 s), ``("drip_headers",)`` (the
    status line 4 bytes every 3 s), ``("big", nbytes, with_length)``, ``("reset",)``.
    """

    def __init__(self):
        self.script: dict[str, list[tuple]] = {}
        self.default: tuple = ("json", [])
        self.queries: list[str] = []
        self.sent_bytes = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def answer(self, q: str, *answers: tuple) -> None:
        self.script[q] = list(answers)

    def next_answer(self, q: str) -> tuple:
        with self.lock:
            self.queries.append(q)
            answers = self.script.get(q) or [self.default]
            return answers.pop(0) if len(answers) > 1 else answers[0]


def _handler(service: Service):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _write(self, data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()
            with service.lock:
                service.sent_bytes += len(data)

        def _drip(self, data: bytes) -> None:
            for i in range(0, len(data), 4):
                if service.stop.wait(0 if i == 0 else 3):
                    return
                self._write(data[i:i + 4])

        def do_GET(self):  # noqa: N802 (http.server's name)
            q = parse_qs(urlparse(self.path).query).get("q", [""])[0]
            answer = service.next_answer(q)
            kind = answer[0]
            self.close_connection = True
            try:
                if kind == "reset":  # RST instead of an answer
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                if kind == "drip_headers":
                    self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]")
                    return
                if kind == "drip_body":
                    body = b"[" + b" " * 66 + b"]"  # 68 bytes: 17 drips, 51 s
                    self._write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
                    self._drip(body)
                    return
                if kind == "big":
                    size, with_length = answer[1], answer[2]
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Connection", "close")
                    if with_length:
                        self.send_header("Content-Length", str(size))
                    else:
                        self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    piece = b"[" + b"0," * 32767 + b"0"  # a JSON start that never ends
                    sent = 0
                    while sent < size and not service.stop.is_set():
                        data = piece[: size - sent]
                        self._write(data if with_length else b"%x\r\n%s\r\n" % (len(data), data))
                        sent += len(data)
                    return
                if kind == "status":
                    self.send_response(answer[1])
                    for name, value in answer[2].items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    return
                body = json.dumps(answer[1], ensure_ascii=False) if kind == "json" else answer[1]
                data = body if isinstance(body, bytes) else body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self._write(data)
            except OSError:  # the client gave up: what this test wants
                pass

        def log_message(self, *args):
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a reset or abandoned socket is expected here
        pass


@pytest.fixture
def service():
    """A thread serving :class:`Service` on 127.0.0.1; yields ``(service, url)``."""
    fake = Service()
    server = _QuietServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}/address-search/AddressSearch"
    finally:
        fake.stop.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    """Every test gets its own cache directory (never the user's)."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def waits(monkeypatch):
    """The CLI builds its own geocoder: its waits (rate limit, backoff, Retry-After) are
    recorded instead of slept, and a request may take 1.5 s in all instead of 10 s."""
    recorded: list[float] = []
    original = GsiGeocoder.__init__

    @functools.wraps(original)
    def init(self, **options):
        options.setdefault("sleep", recorded.append)
        options.setdefault("timeout", 1.5)
        original(self, **options)

    monkeypatch.setattr(GsiGeocoder, "__init__", init)
    return recorded


@pytest.fixture
def seven_csv(tmp_path):
    path = tmp_path / "list.csv"
    rows = "".join(f"施設{i + 1},{a}\n" for i, a in enumerate(SEVEN))
    path.write_text("名称,住所\n" + rows, encoding="utf-8")
    return path


def run_cli(args) -> tuple:
    """``(result, seconds)`` of the CLI, stderr apart."""
    start = time.monotonic()
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result, time.monotonic() - start


def geocode_cli(csv, url, out, *more):
    return run_cli(["geocode", csv, "--geocoder", "gsi", "--gsi-url", url, "-o", out, *more])


def read_out(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def assert_clean(result) -> None:
    """No traceback and no 'unexpected error' line, in either language."""
    text = result.output
    assert "Traceback" not in text
    assert message("unexpected", "ja", kind="", detail="").split("（")[0] not in text
    assert "unexpected error" not in text.lower()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def answer_all(fake) -> None:
    """The service knows each of :data:`SEVEN` to its block number (level 4)."""
    for address in SEVEN:
        fake.answer(address, ("json", [feature(address, *TOYO_POINT)]))


# -- 9a. a corrupt cache does not stop geocode; clear always removes it --------------------


def _garbage(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database\x00\xff" * 100)


def _truncated(path, url=None):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE answers (url TEXT NOT NULL, key TEXT NOT NULL, reply TEXT NOT NULL, "
                "fetched REAL NOT NULL, PRIMARY KEY (url, key))")
    with con:
        con.executemany("INSERT INTO answers VALUES (?, ?, ?, ?)",
                        [("http://x/", f"k{i}", json.dumps([[35.0, 139.0, "x" * 500]]), 0.0) for i in range(400)])
    con.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _folder(path):
    path.mkdir(parents=True)
    (path / "inside.txt").write_text("a folder where the cache file should be", encoding="utf-8")


@pytest.mark.parametrize("damage", [_garbage, _truncated, _folder], ids=["garbage", "truncated", "folder"])
def test_a_corrupt_cache_does_not_stop_geocode_and_clear_removes_it(service, waits, seven_csv, tmp_path, damage):
    fake, url = service
    answer_all(fake)
    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    damage(path)
    out = tmp_path / "out.csv"

    result, _ = geocode_cli(seven_csv, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    table = read_out(out)
    assert table["名称"].tolist() == [f"施設{i + 1}" for i in range(7)]  # no row lost
    assert table["level"].tolist() == ["4"] * 7
    problem = "not_a_file" if damage is _folder else "corrupt"
    warning = message("cache_skipped", "ja", path=str(path), reason=message(f"cache_problem_{problem}", "ja"))
    assert result.stderr.count(warning) == 1  # one line, once, in Japanese
    assert "キャッシュを使えません" not in result.output

    # info reports, it does not fail
    info, _ = run_cli(["cache", "info"])
    assert info.exit_code == 0, info.output
    assert message("cache_unreadable", "ja", reason=message(f"cache_problem_{problem}", "ja")) in info.output
    shown, _ = run_cli(["cache", "info", "--json"])
    assert shown.exit_code == 0
    data = json.loads(shown.output)
    assert (data["exists"], data["count"], data["problem"]) == (True, None, problem)

    # clear always removes it, whatever it holds
    cleared, _ = run_cli(["cache", "clear"])
    assert cleared.exit_code == 0, cleared.output
    assert message("cache_cleared_unreadable", "ja", path=str(path)) in cleared.output
    assert not os.path.lexists(path)
    assert path.parent.is_dir()  # only the cache, not its folder

    # and the next run has a working cache again
    result, _ = geocode_cli(seven_csv, url, out)
    assert result.exit_code == 0 and "注意" not in result.stderr
    assert cache_info()["count"] == 7


def test_clear_removes_a_cache_it_can_read_and_its_side_files(service, waits, seven_csv, tmp_path):
    fake, url = service
    geocode_cli(seven_csv, url, tmp_path / "out.csv")
    journal = cache_path().with_name(cache_path().name + "-journal")
    journal.write_bytes(b"left over")
    cleared, _ = run_cli(["cache", "clear", "--lang", "en"])
    assert cleared.exit_code == 0
    assert message("cache_cleared", "en", count="7", path=str(cache_path())) in cleared.output
    assert not cache_path().exists() and not journal.exists()


# -- 9b. read-only and locked caches only lose the caching ---------------------------------


def _make_read_only(path, undo: list) -> None:
    """Make ``path`` read-only for this process, even as root (the immutable flag), or skip."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("root ignores file modes and chattr +i is not available here")
        undo.append(["chattr", "-i", str(path)])
    else:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    probe = path / ".probe" if path.is_dir() else path
    try:
        with open(probe, "a"):
            pass
    except OSError:
        return
    pytest.skip(f"cannot make {path} read-only here")


@pytest.fixture
def read_only():
    undo: list = []
    yield lambda path: _make_read_only(path, undo)
    for command in reversed(undo):
        subprocess.run(command, capture_output=True)


@pytest.mark.parametrize("what", ["file", "folder", "file and folder"])
def test_a_read_only_cache_only_loses_the_caching(service, waits, seven_csv, tmp_path, read_only, what):
    fake, url = service
    answer_all(fake)
    path = cache_path()
    path.parent.mkdir(parents=True)
    if what != "folder":  # a cache that already holds the first two answers
        geocode_cli_two = tmp_path / "two.csv"
        geocode_cli_two.write_text("住所\n" + "\n".join(SEVEN[:2]) + "\n", encoding="utf-8")
        assert geocode_cli(geocode_cli_two, url, tmp_path / "two_out.csv")[0].exit_code == 0
        assert cache_info()["count"] == 2
    asked_before = len(fake.queries)
    if what in ("file", "file and folder"):
        read_only(path)
    if what in ("folder", "file and folder"):
        read_only(path.parent)

    out = tmp_path / "out.csv"
    result, _ = geocode_cli(seven_csv, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    table = read_out(out)
    assert len(table) == 7 and table["level"].tolist() == ["4"] * 7  # the answers are written
    reason = message("cache_problem_read_only", "ja")
    assert result.stderr.count(message("cache_skipped", "ja", path=str(path), reason=reason)) == 1
    sent = fake.queries[asked_before:]
    if what == "folder":
        assert sorted(sent) == sorted(SEVEN)
    else:  # what the cache held was still used
        assert sorted(sent) == sorted(SEVEN[2:])
        assert cache_info()["count"] == 2


_LOCKER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(120)
"""


def test_a_cache_locked_by_another_process_waits_a_bounded_time_then_goes_on(service, waits, seven_csv, tmp_path):
    fake, url = service
    answer_all(fake)
    two = tmp_path / "two.csv"
    two.write_text("住所\n" + "\n".join(SEVEN[:2]) + "\n", encoding="utf-8")
    geocode_cli(two, url, tmp_path / "two_out.csv")
    locker = subprocess.Popen([sys.executable, "-c", _LOCKER, str(cache_path())], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        out = tmp_path / "out.csv"
        result, seconds = geocode_cli(seven_csv, url, out)
        assert result.exit_code == 0, result.output
        assert_clean(result)
        assert read_out(out)["level"].tolist() == ["4"] * 7  # the answers are not lost
        warning = message("cache_skipped", "ja", path=str(cache_path()), reason=message("cache_problem_locked", "ja"))
        assert result.stderr.count(warning) == 1
        assert seconds < 11  # the old failure took 11 s and wrote nothing; the lock wait is bounded (2 s)

        info, _ = run_cli(["cache", "info", "--json"])
        assert info.exit_code == 0 and json.loads(info.output)["problem"] == "locked"
        cleared, _ = run_cli(["cache", "clear"])
        assert cleared.exit_code == 0, cleared.output
        assert not cache_path().exists()
    finally:
        locker.kill()
        locker.wait()


# -- 9c. cached replies are validated on read ---------------------------------------------


@pytest.mark.parametrize(
    "stored",
    ['{"a":1}', "[[1,2]]", "not json", '[["35.6", "139.8", "東京都"]]', '[[35.6, 139.8]]',
     '[{"geometry": {"coordinates": [139.8, 35.6]}, "properties": {"title": "東京都"}}]',
     '[[0, 0, "東京都"]]', "[[35.6, 139.8, 7]]", "[" * 100000 + "]" * 100000],
    ids=["object", "pair", "not-json", "strings", "no-title", "raw-feature", "outside-japan", "title-number", "nested"],
)
def test_a_bad_cached_reply_is_treated_as_absent(service, waits, tmp_path, stored):
    fake, url = service
    address = SEVEN[0]
    fake.answer(address, ("json", [feature(TOYO, *TOYO_POINT)]))
    path = cache_path()
    path.parent.mkdir(parents=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE answers (url TEXT NOT NULL, key TEXT NOT NULL, reply TEXT NOT NULL, "
                "fetched REAL NOT NULL, PRIMARY KEY (url, key))")
    with con:
        con.execute("INSERT INTO answers VALUES (?, ?, ?, ?)", (url, cache_key(address), stored, 0.0))
    con.close()
    src = tmp_path / "one.csv"
    src.write_text(f"住所\n{address}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result, _ = geocode_cli(src, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    assert fake.queries == [address]  # asked again, as if nothing were stored
    row = read_out(out).iloc[0]
    assert (row["level"], float(row["lat"]), float(row["lon"])) == ("3", *TOYO_POINT)
    assert GsiGeocoder(url=url).count_to_send([address]) == {"gsi": 0}  # and the bad entry replaced


# -- 9d. transport: bounded time, bounded size, bad replies are the row's error -----------


def test_a_slow_drip_does_not_hold_a_request(service):
    fake, url = service
    fake.answer("東京都千代田区", ("drip_body",))
    fake.answer("東京都港区", ("drip_headers",))
    fake.answer(SEVEN[0], ("json", [feature(TOYO, *TOYO_POINT)]))
    start = time.monotonic()
    result = GsiGeocoder(url=url, timeout=2, requests_per_second=50).geocode(["東京都千代田区", "東京都港区", SEVEN[0]])
    seconds = time.monotonic() - start
    assert result["error"].tolist() == ["geocoder_timed_out", "geocoder_timed_out", ""]
    assert result["level"].tolist() == [0, 0, 3]
    assert seconds < 15  # each request ends at its 2 s deadline; a drip used to hold one ~51 s


def test_the_run_has_a_deadline_too(service):
    fake, url = service
    for address in SEVEN:
        fake.answer(address, ("drip_body",))
    start = time.monotonic()
    result = GsiGeocoder(url=url, timeout=2, run_timeout=3, give_up_after=7, requests_per_second=50).geocode(SEVEN)
    seconds = time.monotonic() - start
    assert len(result) == 7
    errors = result["error"].tolist()
    assert errors[0] == "geocoder_timed_out"
    assert errors[-1] == "geocoder_out_of_time"
    assert set(errors) == {"geocoder_timed_out", "geocoder_out_of_time"}
    assert seconds < 8  # the 3 s run deadline, not 7 requests × 2 s


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "chunked"])
def test_a_50_mb_answer_is_refused_and_not_stored(service, waits, tmp_path, with_length):
    fake, url = service
    fake.answer("東京都千代田区", ("big", 50 * 2**20, with_length))
    fake.answer(SEVEN[0], ("json", [feature(TOYO, *TOYO_POINT)]))
    src = tmp_path / "list.csv"
    src.write_text(f"住所\n東京都千代田区\n{SEVEN[0]}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result, seconds = geocode_cli(src, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    table = read_out(out)
    assert table["level"].tolist() == ["0", "3"]
    assert table.loc[0, "error"] == row_error("geocoder_too_large", ["gsi"], "ja")
    assert cache_info()["count"] == 1 and cache_path().stat().st_size < 2**20  # 42 MB used to be stored
    assert fake.queries.count("東京都千代田区") == 1  # not retried
    assert seconds < 30


NESTED = "[" * 200000 + "]" * 200000  # under the size cap; too deep for the JSON decoder


@pytest.mark.parametrize(
    "reply",
    [
        ("raw", NESTED),
        ("raw", '[{"geometry": '),
        ("raw", "<html>busy</html>"),
        ("raw", "not json"),
        ("raw", '[{"geometry": {"coordinates": [NaN, 35.6]}, "properties": {"title": "東京都"}}]'),
        ("raw", b"\xff\xfe[\x00]\x00"),  # not UTF-8
        ("json", [{"geometry": {"coordinates": "12"}, "properties": {"title": TOYO}}]),
        ("json", [feature(TOYO, "35.67", "139.81")]),
        ("json", [feature(TOYO, True, 139.81)]),
        ("json", [feature(TOYO, 0.0, 0.0)]),  # not in Japan
        ("json", [feature(TOYO, 139.81, 35.67)]),  # swapped
        ("json", [feature(TOYO, 1e308 * 10, 139.8)]),
        ("json", {"a": 1}),
        ("json", [[1, 2]]),
        ("json", [feature("", *TOYO_POINT)]),
    ],
    ids=["nested", "truncated", "html", "text", "nan", "not-utf8", "coordinates-string", "numbers-as-text",
         "boolean", "outside-japan", "swapped", "infinite", "object", "pairs", "empty-title"],
)
def test_a_bad_reply_is_that_rows_error_never_the_runs_end(service, reply):
    fake, url = service
    fake.answer("東京都千代田区", reply)
    fake.answer(SEVEN[0], ("json", [feature(TOYO, *TOYO_POINT)]))
    result = GsiGeocoder(url=url, requests_per_second=50).geocode(["東京都千代田区", SEVEN[0]])
    assert result["error"].tolist() == ["geocoder_bad_reply", ""]
    assert result["level"].tolist() == [0, 3]
    assert math.isnan(result.loc[0, "lat"]) and math.isnan(result.loc[0, "lon"])  # "12" is not lon 1, lat 2
    assert fake.queries.count("東京都千代田区") == 1  # a bad reply is not asked again


def test_a_reset_connection_is_retried_then_that_rows_failure(service, waits):
    fake, url = service
    fake.answer("東京都千代田区", ("reset",))
    fake.answer("東京都港区", ("reset",), ("json", [feature("東京都港区", 35.658, 139.751)]))
    result = GsiGeocoder(url=url, sleep=waits.append).geocode(["東京都千代田区", "東京都港区"])
    assert result["error"].tolist() == ["geocoder_unavailable", ""]
    assert result["level"].tolist() == [0, 2]
    assert fake.queries.count("東京都千代田区") == 3  # first try and two retries


def test_429_honours_retry_after_within_bounds(service, waits):
    fake, url = service
    fake.answer("東京都千代田区", ("status", 429, {"Retry-After": "7"}), ("json", [feature("東京都千代田区", 35.69, 139.75)]))
    fake.answer("東京都港区", ("status", 429, {"Retry-After": "3600"}))
    result = GsiGeocoder(url=url, sleep=waits.append, max_retry_after=60).geocode(
        ["東京都千代田区", "東京都港区", "東京都新宿区"])
    assert result["error"].tolist() == ["", "geocoder_rate_limited", "geocoder_not_sent"]
    assert 7.0 in waits and max(waits) < 60  # the 7 s asked for; never the hour
    assert fake.queries == ["東京都千代田区", "東京都千代田区", "東京都港区"]


# -- 9e. when every request fails: counted apart, said in the run's language, exit non-zero --


FAILING = {
    "500": ("status", 500, {}),
    "429": ("status", 429, {"Retry-After": "2"}),
    "reset": ("reset",),
    "timeout": ("drip_body",),
}
CAUSE = {"500": "geocoder_unavailable", "429": "geocoder_rate_limited", "reset": "geocoder_unavailable",
         "timeout": "geocoder_timed_out"}


@pytest.mark.parametrize("failure", list(FAILING))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_when_every_request_fails_no_row_is_lost_and_the_failure_is_said(service, waits, seven_csv, tmp_path,
                                                                        failure, lang):
    fake, url = service
    fake.default = FAILING[failure]
    out = tmp_path / "out.csv"
    result, seconds = geocode_cli(seven_csv, url, out, "--lang", lang)
    assert_clean(result)
    assert result.exit_code == 1, result.output  # the service answered no row at all
    table = read_out(out)  # written all the same
    assert table["名称"].tolist() == [f"施設{i + 1}" for i in range(7)]
    assert all(table["error"] != "")
    detail = row_error(CAUSE[failure], ["gsi"], lang)
    assert message("summary_online_failed", lang, count="7", detail=detail) in result.stderr
    # a failure is not "not found"
    assert message("summary_level", lang, label=message("level_0", lang), count="7") not in result.stderr
    assert message("online_none_answered", lang, service=service_name("gsi", lang), count="7", detail=detail) \
        in result.stderr
    assert "gsi: gsi:" not in result.output and ("not sending" not in result.output)
    if lang == "ja":
        assert "not sent" not in result.stderr and "kept failing" not in result.stderr
    unmatched = read_out(tmp_path / "list_unmatched.csv")
    assert len(unmatched) == 7
    assert sum(waits) < 30 and seconds < 30  # bounded: gives up, never waits past the limits


def test_some_rows_failing_are_counted_apart_and_the_run_succeeds(service, waits, seven_csv, tmp_path):
    fake, url = service
    answer_all(fake)
    fake.answer(SEVEN[3], ("status", 503, {}))
    out = tmp_path / "out.csv"
    result, _ = geocode_cli(seven_csv, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    detail = row_error("geocoder_unavailable", ["gsi"], "ja")
    assert message("summary_online_failed", "ja", count="1", detail=detail) in result.stderr
    assert message("level_0", "ja") not in result.stderr  # the one unplaced row failed: it was not "not found"
    assert read_out(out)["level"].tolist() == ["4", "4", "4", "0", "4", "4", "4"]


def test_render_with_a_failing_service_keeps_every_row_in_the_unmatched_file(service, waits, seven_csv, tmp_path):
    fake, url = service
    fake.default = ("status", 500, {})
    result, _ = run_cli(["render", seven_csv, "--geocoder", "gsi", "--gsi-url", url, "-o", tmp_path / "map.html"])
    assert_clean(result)
    assert result.exit_code == 1
    unmatched = read_out(tmp_path / "list_unmatched.csv")
    assert unmatched["名称"].tolist() == [f"施設{i + 1}" for i in range(7)]
    assert all(reason.startswith(message("reason_service_error", "ja", detail="")) for reason in unmatched["理由"])
