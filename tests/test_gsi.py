"""The GSI adapter against a local imitation of the service (never the internet)."""

from __future__ import annotations

import json
import math
import os
import socket
import stat
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import pytest

from _fake_service import ScriptedService, cache_home, feature, serving  # noqa: F401 (cache_home: an autouse fixture)
from geomap.errors import GeocoderParseError, UsageError
from geomap.geocoders import RESULT_COLUMNS, GsiGeocoder, RateLimiter, cache_info, clear_cache
from geomap.geocoders.http import parse_retry_after
from geomap.geocoders.cache import cache_path
from geomap.geocoders.gsi import parse_features

TOYO = "東京都江東区東陽四丁目"
TOYO_POINT = (35.6725, 139.8175)


class FakeGsi(ScriptedService):
    """What the imitated service answers, per query, and what it was asked (and its headers).

    ``script[q]`` is a list of answers used in turn (the last one repeats); an answer is
    ``("json", data)``, ``("raw", text)``, ``("status", code, headers)``, ``("slow",)``
    (no answer until the test ends) or ``("slow_body",)`` (headers at once, the body then). Queries without a script get an empty array.
    """

    def __init__(self):
        super().__init__()
        self.headers: list[dict] = []
        self.release = threading.Event()


def _handler(fake: FakeGsi):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            query = parse_qs(urlparse(self.path).query)
            fake.headers.append(dict(self.headers))
            answer = fake.next_answer(query.get("q", [""])[0])
            kind = answer[0]
            if kind == "slow":
                fake.release.wait(10)
                answer = ("json", [])
                kind = "json"
            if kind == "slow_body":  # headers at once, the body too late
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.flush()
                fake.release.wait(10)
                answer = ("raw", "[]")
                kind = "raw"
            if kind == "status":
                self.send_response(answer[1])
                for name, value in answer[2].items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps(answer[1], ensure_ascii=False) if kind == "json" else answer[1]
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def gsi_server():
    """A thread serving :class:`FakeGsi` on 127.0.0.1; yields ``(fake, url)``."""
    fake = FakeGsi()
    with serving(_handler(fake), fake.release) as url:
        yield fake, url


class FakeClock:
    """A clock that moves only when slept on."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_gsi(gsi_server, clock):
    """A GsiGeocoder pointed at the local server, with the fake clock and sleep."""
    fake, url = gsi_server

    def make(**options):
        options.setdefault("url", url)
        options.setdefault("clock", clock)
        options.setdefault("sleep", clock.sleep)
        return GsiGeocoder(**options)

    return make


# -- the reply --------------------------------------------------------------------------


def test_parse_features_swaps_geojson_order_to_lat_lon():
    assert parse_features([feature(TOYO, 35.6, 139.8)]) == [[35.6, 139.8, TOYO]]
    assert parse_features([]) == []


@pytest.mark.parametrize(
    "data",
    [
        {"features": []},  # an object, not the bare array
        [{"geometry": {"coordinates": [139.8]}, "properties": {"title": TOYO}}],
        [{"geometry": {"coordinates": [139.8, 35.6]}, "properties": {}}],
        [{"geometry": {"coordinates": ["x", 35.6]}, "properties": {"title": TOYO}}],
        [{"geometry": {"coordinates": [35.6, 139.8]}, "properties": {"title": TOYO}}],  # swapped: lat 139.8
        [{"geometry": {"coordinates": [139.8, 35.6]}, "properties": {"title": 7}}],
        ["not a feature"],
    ],
)
def test_parse_features_rejects_other_shapes(data):
    with pytest.raises(GeocoderParseError) as info:
        parse_features(data)
    assert info.value.key == "geocoder_bad_reply"


# -- answers ----------------------------------------------------------------------------


def test_normal_answer_placed_with_service_point(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    result = make_gsi().geocode(["  東京都江東区東陽4-11-28 "])
    assert list(result.columns) == RESULT_COLUMNS + ["error"]
    row = result.iloc[0]
    assert (row["lat"], row["lon"]) == TOYO_POINT
    assert row["level"] == 3
    assert (row["pref"], row["city"], row["town"], row["code"]) == ("東京都", "江東区", "東陽四丁目", "13108")
    assert row["matched"] == TOYO
    assert row["rest"] == "11-28"
    assert row["source"] == "gsi"
    assert row["error"] == ""
    assert fake.queries == ["東京都江東区東陽4-11-28"]  # trimmed, sent as written


def test_empty_array_is_no_match(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("どこにもない住所", ("json", []))
    row = make_gsi().geocode(["どこにもない住所"]).iloc[0]
    assert row["level"] == 0
    assert math.isnan(row["lat"]) and math.isnan(row["lon"])
    assert row["error"] == ""


def test_every_request_has_timeout_and_user_agent(gsi_server):
    fake, url = gsi_server
    import requests

    seen = []

    class Recording(requests.Session):
        def get(self, *args, **kwargs):
            seen.append(kwargs)
            return super().get(*args, **kwargs)

    geocoder = GsiGeocoder(url=url, session=Recording(), timeout=3.5, requests_per_second=1000)
    geocoder.geocode(["東京都江東区東陽4-11-28", "東京都江東区"])
    # (connect, read) never longer than the request's whole deadline; the body is streamed
    # so its size and its total time can be bounded
    assert [kw["timeout"] for kw in seen] == [(3.5, 3.5), (3.5, 3.5)]
    assert all(kw["stream"] is True for kw in seen)
    assert all(h["User-Agent"].startswith("geomap/") for h in fake.headers)


def test_blank_rows_are_not_sent_and_not_lost(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    result = make_gsi().geocode([None, "", "  ", float("nan"), "東京都江東区東陽4-11-28"])
    assert result["level"].tolist() == [0, 0, 0, 0, 3]
    assert fake.queries == ["東京都江東区東陽4-11-28"]


def test_same_address_in_two_spellings_is_sent_once(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    result = make_gsi().geocode(["東京都江東区東陽4-11-28", "東京都江東区東陽４－１１－２８", "東京都江東区東陽4-11-28"])
    assert fake.queries == ["東京都江東区東陽4-11-28"]
    assert result["level"].tolist() == [3, 3, 3]


# -- failures ---------------------------------------------------------------------------


def test_500_then_answer_is_retried_with_backoff(gsi_server, make_gsi, clock):
    fake, _ = gsi_server
    fake.answer("東京都江東区東陽4-11-28", ("status", 500, {}), ("json", [feature(TOYO, *TOYO_POINT)]))
    result = make_gsi(backoff=2.0).geocode(["東京都江東区東陽4-11-28"])
    assert len(fake.queries) == 2
    assert result.loc[0, "level"] == 3 and result.loc[0, "error"] == ""
    assert clock.sleeps == [2.0]  # the backoff; the rate limit was already satisfied by it


def test_500_for_one_row_marks_it_and_the_run_goes_on(gsi_server, make_gsi, clock):
    fake, _ = gsi_server
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    fake.answer("東京都千代田区", ("status", 503, {}))
    fake.answer("東京都江東区", ("json", [feature("東京都江東区", 35.66, 139.81)]))
    result = make_gsi(max_retries=2, backoff=1.0).geocode(
        ["東京都江東区東陽4-11-28", "東京都千代田区", "東京都江東区"]
    )
    assert fake.queries.count("東京都千代田区") == 3  # first try and two retries
    assert result["error"].tolist() == ["", "geocoder_unavailable", ""]
    assert result["level"].tolist() == [3, 0, 2]
    assert [s for s in clock.sleeps if s > 1.0] == [2.0]  # backoff 1, then 2


def test_429_honours_retry_after(gsi_server, make_gsi, clock):
    fake, _ = gsi_server
    fake.answer(
        "東京都江東区東陽4-11-28",
        ("status", 429, {"Retry-After": "7"}),
        ("json", [feature(TOYO, *TOYO_POINT)]),
    )
    result = make_gsi(backoff=0.5).geocode(["東京都江東区東陽4-11-28"])
    assert clock.sleeps == [7.0]
    assert result.loc[0, "level"] == 3


def test_429_with_too_long_retry_after_stops_sending(gsi_server, make_gsi, clock):
    fake, _ = gsi_server
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    fake.answer("東京都千代田区", ("status", 429, {"Retry-After": "3600"}))
    result = make_gsi(max_retry_after=60).geocode(
        ["東京都江東区東陽4-11-28", "東京都千代田区", "東京都江東区", "東京都"]
    )
    assert fake.queries == ["東京都江東区東陽4-11-28", "東京都千代田区"]
    assert result["error"].tolist() == ["", "geocoder_rate_limited", "geocoder_not_sent", "geocoder_not_sent"]
    assert result.loc[0, "level"] == 3  # the row answered before is kept
    assert max(clock.sleeps, default=0) < 60


def test_slow_answer_times_out_and_is_not_retried(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("東京都千代田区", ("slow",))
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    result = make_gsi(timeout=0.2).geocode(["東京都千代田区", "東京都江東区東陽4-11-28"])
    assert result["error"].tolist() == ["geocoder_timed_out", ""]
    assert result["level"].tolist() == [0, 3]
    assert fake.queries.count("東京都千代田区") == 1


def test_slow_body_times_out_too(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("東京都千代田区", ("slow_body",))
    result = make_gsi(timeout=0.2).geocode(["東京都千代田区"])
    assert result.loc[0, "error"] == "geocoder_timed_out"
    assert fake.queries == ["東京都千代田区"]


@pytest.mark.parametrize("body", ["[{\"geometry\": ", "<html>busy</html>", "{\"features\": []}"])
def test_malformed_reply_marks_the_row(gsi_server, make_gsi, body):
    fake, _ = gsi_server
    fake.answer("東京都千代田区", ("raw", body))
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    result = make_gsi().geocode(["東京都千代田区", "東京都江東区東陽4-11-28"])
    assert result["error"].tolist() == ["geocoder_bad_reply", ""]
    assert result["level"].tolist() == [0, 3]


def test_other_http_errors_are_not_retried(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("東京都千代田区", ("status", 403, {}))
    result = make_gsi().geocode(["東京都千代田区"])
    assert fake.queries == ["東京都千代田区"]
    assert result.loc[0, "error"] == "geocoder_http_error"


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/AddressSearch"


def test_unreachable_service_gives_up_after_consecutive_failures(clock):
    geocoder = GsiGeocoder(url=_closed_port_url(), clock=clock, sleep=clock.sleep, give_up_after=2, max_retries=1)
    result = geocoder.geocode(["東京都江東区", "東京都千代田区", "東京都港区", "東京都"])
    assert result["error"].tolist() == [
        "geocoder_unavailable",
        "geocoder_unavailable",
        "geocoder_not_sent",
        "geocoder_not_sent",
    ]
    assert result["level"].tolist() == [0, 0, 0, 0]


def test_an_interrupted_run_keeps_what_was_answered(gsi_server, make_gsi, cache_home):
    fake, url = gsi_server
    import requests

    class Interrupting(requests.Session):
        calls = 0

        def get(self, *args, **kwargs):
            Interrupting.calls += 1
            if Interrupting.calls == 3:
                raise KeyboardInterrupt
            return super().get(*args, **kwargs)

    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    addresses = ["東京都江東区東陽4-11-28", "東京都江東区", "東京都千代田区"]
    with pytest.raises(KeyboardInterrupt):
        make_gsi(session=Interrupting()).geocode(addresses)
    assert cache_info()["count"] == 2
    assert make_gsi().count_to_send(addresses) == {"gsi": 1}


# -- rate limit -------------------------------------------------------------------------


def test_rate_limiter_waits_only_what_is_left():
    clock = FakeClock()
    limiter = RateLimiter(1.0, clock=clock, sleep=clock.sleep)
    assert limiter.wait() == 0.0  # the first call never waits
    clock.now += 0.25
    assert limiter.wait() == pytest.approx(0.75)
    clock.now += 5
    assert limiter.wait() == 0.0
    assert clock.sleeps == [pytest.approx(0.75)]


@pytest.mark.parametrize("rate, gap", [(1.0, 1.0), (4.0, 0.25)])
def test_requests_are_spaced_by_the_rate(gsi_server, make_gsi, clock, rate, gap):
    fake, _ = gsi_server
    make_gsi(requests_per_second=rate).geocode(["東京都江東区", "東京都千代田区", "東京都港区"])
    assert len(fake.queries) == 3
    assert clock.sleeps == [pytest.approx(gap), pytest.approx(gap)]


@pytest.mark.parametrize("option", [{"timeout": 0}, {"requests_per_second": 0}, {"max_retries": -1},
                                    {"give_up_after": 0}, {"url": "msearch.gsi.go.jp"}])
def test_bad_options_are_usage_errors(option):
    with pytest.raises(UsageError):
        GsiGeocoder(**option)


def test_parse_retry_after_forms():
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# -- cache ------------------------------------------------------------------------------


def test_second_run_sends_nothing(gsi_server, make_gsi, cache_home):
    fake, _ = gsi_server
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature(TOYO, *TOYO_POINT)]))
    addresses = ["東京都江東区東陽4-11-28", "東京都江東区", "どこにもない住所"]
    assert make_gsi().count_to_send(addresses) == {"gsi": 3}
    first = make_gsi().geocode(addresses)
    assert len(fake.queries) == 3
    assert make_gsi().count_to_send(addresses) == {"gsi": 0}
    second = make_gsi().geocode(addresses + ["東京都江東区東陽４－１１－２８"])
    assert len(fake.queries) == 3
    assert second.iloc[:3].equals(first)
    assert second.loc[3, "level"] == 3
    assert cache_path().parent == cache_home


def test_cache_file_is_private_to_the_user(gsi_server, make_gsi):
    make_gsi().geocode(["東京都江東区"])
    mode = stat.S_IMODE(os.stat(cache_path()).st_mode)
    if os.name == "posix":
        assert mode == 0o600


def test_no_cache_sends_again_and_writes_nothing(gsi_server, make_gsi, cache_home):
    fake, _ = gsi_server
    make_gsi(use_cache=False).geocode(["東京都江東区"])
    make_gsi(use_cache=False).geocode(["東京都江東区"])
    assert len(fake.queries) == 2
    assert make_gsi(use_cache=False).count_to_send(["東京都江東区"]) == {"gsi": 1}
    assert not cache_home.exists()


def test_failures_are_not_cached(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("東京都千代田区", ("status", 500, {}), ("status", 500, {}), ("json", []))
    make_gsi(max_retries=1).geocode(["東京都千代田区"])
    assert make_gsi().count_to_send(["東京都千代田区"]) == {"gsi": 1}
    make_gsi(max_retries=1).geocode(["東京都千代田区"])
    assert len(fake.queries) == 3


def test_cache_is_per_endpoint(gsi_server, make_gsi, tmp_path):
    make_gsi().geocode(["東京都江東区"])
    assert make_gsi(url=_closed_port_url()).count_to_send(["東京都江東区"]) == {"gsi": 1}


def test_cache_dir_parameter_wins_over_environment(gsi_server, make_gsi, tmp_path, cache_home):
    elsewhere = tmp_path / "elsewhere"
    make_gsi(cache_dir=elsewhere).geocode(["東京都江東区"])
    assert cache_info(elsewhere)["count"] == 1
    assert cache_info()["count"] == 0


def test_cache_info_and_clear(gsi_server, make_gsi):
    assert cache_info() == {"path": str(cache_path()), "exists": False, "size": 0, "count": 0, "problem": None}
    assert clear_cache() == 0
    make_gsi().geocode(["東京都江東区", "東京都千代田区"])
    info = cache_info()
    assert info["exists"] and info["count"] == 2 and info["size"] > 0
    assert clear_cache() == 2
    assert not cache_path().exists()
    assert make_gsi().count_to_send(["東京都江東区"]) == {"gsi": 1}


# -- level judged by geomap's own parse -------------------------------------------------


@pytest.mark.parametrize(
    "query, titles, level, town",
    [
        ("東京都江東区東陽4-11-28", [TOYO], 3, "東陽四丁目"),
        ("東京都江東区東陽4-11-28", [TOYO + "11"], 4, "東陽四丁目"),
        ("東京都江東区東陽4-11-28", ["東京都江東区"], 2, ""),
        ("東京都江東区東陽4-11-28", ["東京都"], 1, ""),
        # the index does not know the town, the service does: its town counts
        ("東京都江東区ありえない町1-2", [TOYO], 3, "東陽四丁目"),
        # the service answers another town of the same ward: only the ward is agreed
        ("東京都江東区東陽4-11-28", ["東京都江東区亀戸一丁目"], 2, ""),
        # another municipality in the same prefecture: only the prefecture
        ("東京都江東区東陽4-11-28", ["東京都千代田区麹町二丁目"], 1, ""),
        # the best of several answers wins
        ("東京都江東区東陽4-11-28", ["東京都千代田区麹町二丁目", TOYO], 3, "東陽四丁目"),
    ],
)
def test_level_is_what_the_parses_agree_on(gsi_server, make_gsi, query, titles, level, town):
    fake, _ = gsi_server
    fake.answer(query, ("json", [feature(t, 35.6 + i / 100, 139.8) for i, t in enumerate(titles)]))
    row = make_gsi().geocode([query]).iloc[0]
    assert row["level"] == level
    assert row["town"] == town
    assert row["pref"] == "東京都"
    assert (row["city"] != "") == (level >= 2)


def test_answer_in_another_prefecture_is_not_placed(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer("東京都江東区東陽4-11-28", ("json", [feature("大阪府大阪市北区梅田一丁目", 34.7, 135.5)]))
    row = make_gsi().geocode(["東京都江東区東陽4-11-28"]).iloc[0]
    assert row["level"] == 0
    assert math.isnan(row["lat"])
    assert row["matched"] == "大阪府大阪市北区梅田一丁目"


def test_equally_good_answers_for_different_towns_keep_only_what_they_share(gsi_server, make_gsi):
    fake, _ = gsi_server
    query = "東京都江東区ありえない町1-2"
    fake.answer(query, ("json", [feature(TOYO, 35.67, 139.81), feature("東京都江東区亀戸一丁目", 35.69, 139.82)]))
    row = make_gsi().geocode([query]).iloc[0]
    assert row["level"] == 2
    assert row["city"] == "江東区" and row["town"] == ""
    assert row["ambiguous"] == TOYO + "・東京都江東区亀戸一丁目"


def test_default_city_reads_queries_without_it(gsi_server, make_gsi):
    fake, _ = gsi_server
    fake.answer(
        "東京都江東区東陽4-11-28",
        ("json", [feature("東京都千代田区麹町二丁目", 35.68, 139.74), feature(TOYO, *TOYO_POINT)]),
    )
    row = make_gsi(city="江東区").geocode(["東陽4-11-28"]).iloc[0]
    assert row["level"] == 3 and row["town"] == "東陽四丁目"
    assert (row["lat"], row["lon"]) == TOYO_POINT
    # the context goes with a bare address, so the service is not asked about every 東陽 of Japan
    assert fake.queries == ["東京都江東区東陽4-11-28"]


def test_context_is_not_added_to_addresses_that_name_their_place(gsi_server, make_gsi):
    fake, _ = gsi_server
    make_gsi(city="江東区").geocode(["千代田区麹町2-8", "北海道札幌市北1条西2丁目"])
    assert sorted(fake.queries) == ["北海道札幌市北1条西2丁目", "千代田区麹町2-8"]


def test_a_designated_city_as_context_is_written_by_its_name(gsi_server, make_gsi):
    fake, _ = gsi_server
    make_gsi(city="札幌市").geocode(["北1条西2丁目"])
    assert fake.queries == ["北海道札幌市北1条西2丁目"]


# -- geomap cache -----------------------------------------------------------------------


def test_cache_command_info_and_clear(gsi_server, make_gsi, cache_home, tmp_path):
    from click.testing import CliRunner

    from geomap.cli_cache import cache

    runner = CliRunner()
    shown = runner.invoke(cache, ["info", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == {"path": str(cache_path()), "exists": False, "size": 0, "count": 0, "problem": None}

    make_gsi().geocode(["東京都江東区", "東京都千代田区", "東京都港区"])
    shown = runner.invoke(cache, ["info", "--json"])
    assert json.loads(shown.output)["count"] == 3
    text = runner.invoke(cache, ["info", "--lang", "en"])
    assert text.exit_code == 0 and str(cache_path()) in text.output and "3" in text.output

    elsewhere = tmp_path / "elsewhere"
    make_gsi(cache_dir=elsewhere).geocode(["東京都江東区"])
    assert json.loads(runner.invoke(cache, ["info", "--json", "--cache-dir", str(elsewhere)]).output)["count"] == 1

    cleared = runner.invoke(cache, ["clear"])
    assert cleared.exit_code == 0 and "3" in cleared.output
    assert not cache_path().exists()
    assert cache_info(elsewhere)["count"] == 1  # only the cache that was named


# -- the command line -------------------------------------------------------------------

UNKNOWN_TOWN = "東京都江東区ありえない町1-2"


@pytest.fixture
def address_csv(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("名称,住所\nA,東京都江東区東陽4-11-28\nB,東京都江東区ありえない町1-2\nC,東京都千代田区\n", encoding="utf-8")
    return path


@pytest.fixture
def events(gsi_server, monkeypatch):
    """One timeline of what the CLI printed and what the server was asked."""
    import click

    fake, _ = gsi_server
    timeline: list[tuple[str, str]] = []
    echo = click.echo

    def recording_echo(message=None, *args, **kwargs):
        timeline.append(("echo", str(message)))
        return echo(message, *args, **kwargs)

    monkeypatch.setattr(click, "echo", recording_echo)
    answer = fake.next_answer

    def recording_answer(q):
        timeline.append(("request", q))
        return answer(q)

    monkeypatch.setattr(fake, "next_answer", recording_answer)
    return timeline


@pytest.fixture
def limiter_waits(monkeypatch):
    """The CLI builds its own geocoder: count the rate limiter's waits instead of sleeping them."""
    waits = []
    monkeypatch.setattr(RateLimiter, "wait", lambda self: waits.append(self.min_interval) or 0.0)
    return waits


def _cli(args):
    from click.testing import CliRunner

    from geomap.cli import main

    return CliRunner().invoke(main, args)


def test_cli_says_how_many_go_where_before_sending(gsi_server, events, address_csv, tmp_path, limiter_waits):
    from geomap.messages import SERVICE_NAMES
    from geomap.messages import message

    fake, url = gsi_server
    fake.answer(UNKNOWN_TOWN, ("json", [feature(TOYO, *TOYO_POINT)]))
    out = tmp_path / "out.csv"
    result = _cli(["geocode", str(address_csv), "--geocoder", "gsi", "--gsi-url", url, "--lang", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    notice = message("sending", "en", count="3", service=SERVICE_NAMES["gsi"]["en"])
    printed = [text for kind, text in events if kind == "echo"]
    assert printed.count(notice) == 1
    first_request = next(i for i, (kind, _) in enumerate(events) if kind == "request")
    assert events.index(("echo", notice)) < first_request
    assert len(fake.queries) == 3
    import pandas as pd

    table = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert table["source"].tolist() == ["gsi", "gsi", "gsi"]
    assert table.loc[1, "level"] == 3 and table.loc[1, "town"] == "東陽四丁目"


def test_cli_combined_sends_only_what_the_index_cannot_place(gsi_server, events, address_csv, tmp_path, limiter_waits):
    from geomap.messages import SERVICE_NAMES
    from geomap.messages import message

    fake, url = gsi_server
    fake.answer(UNKNOWN_TOWN, ("json", [feature(TOYO, *TOYO_POINT)]))
    out = tmp_path / "out.csv"
    args = ["geocode", str(address_csv), "--geocoder", "offline+gsi", "--gsi-url", url, "--lang", "en", "-o", str(out)]
    assert _cli(args).exit_code == 0
    assert sorted(fake.queries) == sorted([UNKNOWN_TOWN, "東京都千代田区"])
    notice = message("sending_rest", "en", count="2", service=SERVICE_NAMES["gsi"]["en"])
    assert events.index(("echo", notice)) < next(i for i, (kind, _) in enumerate(events) if kind == "request")
    import pandas as pd

    table = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert table["source"].tolist() == ["offline", "gsi", "offline"]
    assert table["level"].tolist() == [3, 3, 2]


def test_cli_cache_and_no_cache(gsi_server, address_csv, tmp_path, cache_home, limiter_waits):
    fake, url = gsi_server
    out = str(tmp_path / "out.csv")
    base = ["geocode", str(address_csv), "--geocoder", "gsi", "--gsi-url", url, "-o", out]
    assert _cli(base).exit_code == 0
    assert len(fake.queries) == 3
    assert _cli(base).exit_code == 0
    assert len(fake.queries) == 3  # all from the cache
    assert _cli(base + ["--no-cache"]).exit_code == 0
    assert len(fake.queries) == 6
    assert cache_info()["count"] == 3
    assert limiter_waits == [1.0] * 6  # every request went through the default 1/s limit


def test_cli_render_with_gsi(gsi_server, address_csv, tmp_path, limiter_waits):
    fake, url = gsi_server
    fake.answer(UNKNOWN_TOWN, ("json", [feature(TOYO, *TOYO_POINT)]))
    html = tmp_path / "map.html"
    result = _cli(["render", str(address_csv), "--geocoder", "offline+gsi", "--gsi-url", url, "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert html.exists()
    assert sorted(fake.queries) == sorted([UNKNOWN_TOWN, "東京都千代田区"])


def test_cli_unknown_geocoder_is_a_usage_error(address_csv, gsi_server):
    fake, url = gsi_server
    result = _cli(["geocode", str(address_csv), "--geocoder", "offline+google", "--gsi-url", url])
    assert result.exit_code == 2
    assert fake.queries == []
