"""``jobs``: the offline geocoder in several processes gives what one process gives (issue 12).

Equality of results across ``jobs`` values, byte for byte for the files; what crosses to a
worker (address strings and options, never the index); the progress count; an online
geocoder kept in one process; Ctrl-C stopping every worker with no output left. Timings
are in benchmarks/bench_load.py, not here.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import geomap
from geomap import geocoding, workers
from geomap.cli import main
from geomap.errors import GeomapError, UsageError
from geomap.geocoders.base import Geocoder, empty_result
from geomap.geocoding import check_jobs, geocode_table, resolve_jobs
from geomap.messages import message

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


def national(n: int, step: int = 7) -> list[str]:
    """``n`` addresses of real towns from every prefecture, in the notations lists use."""
    from geomap.gazetteer import towns

    t = towns()
    t = t[(t["koaza"] == "") & t["lat"].notna()].iloc[::step]
    pref, city, town = (t[c].astype(str).tolist() for c in ("pref", "city", "town"))
    out = []
    for i in range(n):
        k = i % len(pref)
        head = pref[k] + city[k] if i % 3 else city[k]  # some without the prefecture
        out.append(f"{head}{town[k]}{i % 40 + 1}-{i % 17 + 1}" + ("　ビル2F" if i % 11 == 0 else ""))
    return out


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    """Tokyo's schools, towns of all prefectures, blanks, a missing value and rows with coordinates."""
    schools = (TESTS / "data" / "schools-tokyo.txt").read_text(encoding="utf-8").splitlines()
    addresses = schools + national(3000) + ["", "   ", "府中市", "東京都府中市", "=1+1"]
    df = pd.DataFrame({"名称": [f"施設{i}" for i in range(len(addresses))], "住所": addresses})
    df.loc[5, "住所"] = None
    df["緯度"], df["経度"] = "", ""
    df.loc[[7, 4000], ["緯度", "経度"]] = [["35.6719", "139.8178"], ["35.7", "x"]]
    return df


def test_every_jobs_value_gives_the_same_table(mixed, monkeypatch):
    monkeypatch.setattr(geocoding, "CHUNK", 300)  # many chunks, so workers finish out of order
    one = geocode_table(mixed, jobs=1)
    assert one["level"].value_counts().get(3, 0) > 6000 and one.loc[7, "source"] == "input"
    for jobs in (2, 3, 0):
        pd.testing.assert_frame_equal(geocode_table(mixed, jobs=jobs), one)


def test_jobs_with_context_and_language(monkeypatch):
    monkeypatch.setattr(geocoding, "CHUNK", 200)
    df = pd.DataFrame({"住所": ["東陽4-11-28", "木場1-5-2", "府中市", "大手町1-1"] * 200})
    for kw in ({"city": "江東区"}, {"pref": "東京都", "lang": "en"}):
        pd.testing.assert_frame_equal(geocode_table(df, jobs=2, **kw), geocode_table(df, jobs=1, **kw))


def test_a_wrong_context_is_reported_from_the_workers_as_in_one_process(monkeypatch):
    monkeypatch.setattr(geocoding, "CHUNK", 100)
    df = pd.DataFrame({"住所": ["東陽4-11-28"] * 400})
    for jobs in (1, 2):
        with pytest.raises(UsageError) as err:
            geocode_table(df, city="どこにもない市", jobs=jobs)
        assert err.value.key == "unknown_city"


def test_only_strings_and_options_cross_to_a_worker(mixed, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    from geomap.geocoders.index import town_index

    town_index()  # loaded here too: it must still not travel
    sent, started = [], []
    real_submit, real_init = ProcessPoolExecutor.submit, ProcessPoolExecutor.__init__

    def submit(self, fn, *args, **kwargs):
        sent.append(pickle.dumps((fn, args, kwargs)))
        return real_submit(self, fn, *args, **kwargs)

    def init(self, *args, **kwargs):
        started.append(kwargs)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)
    monkeypatch.setattr(ProcessPoolExecutor, "__init__", init)
    monkeypatch.setattr(geocoding, "CHUNK", 500)
    geocode_table(mixed, jobs=2, city=None)
    assert len(sent) > 2 and started[0]["initializer"] is workers._start_worker
    assert "initargs" not in started[0]
    for blob in sent:
        fn, args, kwargs = pickle.loads(blob)
        values, *options = args
        assert fn is workers._geocode_chunk and kwargs == {}
        assert all(isinstance(v, str) or v is None for v in values) and options == [None, None, "ja"]
        assert b"TownIndex" not in blob and len(blob) < 100 * len(values) + 1000
    assert b"TownIndex" in pickle.dumps(town_index())  # the check above would see it


def test_progress_counts_rows_with_workers(monkeypatch):
    monkeypatch.setattr(geocoding, "CHUNK", 250)
    df = pd.DataFrame({"住所": national(2600)})
    seen = []
    geocode_table(df, jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == sorted(seen) and seen[-1] == (2600, 2600) and {t for _, t in seen} == {2600}
    assert len(seen) >= 5


def test_the_progress_bar_counts_rows_with_workers(monkeypatch):
    import tqdm.auto

    bars = []

    class Bar:
        def __init__(self, total=None, **kwargs):
            self.total, self.n, self.steps, self.closed = total, 0, [], False
            bars.append(self)

        def update(self, k):
            self.n += k
            self.steps.append(self.n)

        def close(self):
            self.closed = True

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    monkeypatch.setattr(geocoding, "CHUNK", 500)
    n = geocoding.PROGRESS_MIN_ROWS + 100
    geocode_table(pd.DataFrame({"住所": national(n)}), jobs=2, progress=True)
    assert [(b.total, b.n, b.closed) for b in bars] == [(n, n, True)]
    assert len(bars[0].steps) >= 3 and bars[0].steps == sorted(bars[0].steps)


@pytest.mark.parametrize("value", [-1, "-1", "x", 1.5, True, "2.0", "", "²"])
def test_jobs_must_be_a_count_or_auto(value):
    with pytest.raises(UsageError) as err:
        geocode_table(pd.DataFrame({"住所": ["東京都江東区東陽4-11-28"]}), jobs=value)
    assert err.value.key == "bad_jobs"


def test_what_each_jobs_value_means(monkeypatch):
    assert check_jobs("auto") == check_jobs(None) == check_jobs(" AUTO ") == "auto"
    assert check_jobs("２") == 2 and check_jobs(np.int64(3)) == 3
    monkeypatch.setattr(workers, "cores", lambda: 8)
    assert resolve_jobs("auto", workers.AUTO_JOBS_MIN_ROWS - 1) == 1
    assert resolve_jobs("auto", workers.AUTO_JOBS_MIN_ROWS) == min(8, workers.AUTO_JOBS_MIN_ROWS
                                                                   // workers.AUTO_ROWS_PER_JOB)
    assert resolve_jobs("auto", 10_000_000) == 8 and resolve_jobs(0, 10_000_000) == 8
    assert resolve_jobs(3, 10_000_000) == 3 and resolve_jobs(1, 10_000_000) == 1
    assert resolve_jobs(4, 10) == 1  # one chunk: no worker to start
    import multiprocessing

    monkeypatch.setattr(multiprocessing.current_process(), "_config", {"daemon": True})
    assert resolve_jobs(4, 10_000_000) == 1  # a daemonic process may not start processes


class OnlineHere(Geocoder):
    """An online adapter that notes the process it runs in."""

    name = "pidonline"
    online = True

    def __init__(self):
        self.pids = set()

    def count_to_send(self, addresses):
        return {"pidonline": len(addresses)}

    def geocode(self, addresses):
        self.pids.add(os.getpid())
        return empty_result(len(addresses), source="pidonline")


def test_an_online_geocoder_stays_in_this_process(caplog):
    coder = OnlineHere()
    df = pd.DataFrame({"住所": [f"東京都江東区東陽{i % 7 + 1}-1" for i in range(5000)]})
    with caplog.at_level(logging.WARNING, logger="geomap"):
        geocode_table(df, geocoder=coder, jobs=2, notify=lambda *a: None, lang="en")
    assert coder.pids == {os.getpid()}
    assert message("jobs_online", "en", jobs=2) in caplog.text


# -- files and the command -------------------------------------------------------------


def test_geocode_command_writes_the_same_bytes_with_any_jobs(tmp_path, mixed, monkeypatch):
    monkeypatch.setattr(geocoding, "CHUNK", 400)
    src = tmp_path / "list.csv"
    mixed.to_csv(src, index=False)
    outputs = {}
    for jobs in ("1", "2", "auto", "0"):
        out = tmp_path / f"out_{jobs}.csv"
        result = CliRunner().invoke(main, ["geocode", str(src), "-o", str(out), "--jobs", jobs, "-q"])
        assert result.exit_code == 0, result.output
        outputs[jobs] = (out.read_bytes(), (tmp_path / "list_unmatched.csv").read_bytes())
    assert len(set(outputs.values())) == 1
    assert len(outputs["1"][0]) > 500_000


def test_geocode_file_and_render_take_jobs(tmp_path, monkeypatch):
    from geomap.pipeline import geocode_file, render

    monkeypatch.setattr(geocoding, "CHUNK", 200)
    src = tmp_path / "list.csv"
    pd.DataFrame({"住所": national(1000, step=97)}).to_csv(src, index=False)
    one = geocode_file(src, tmp_path / "one.csv", jobs=1)
    two = geocode_file(src, tmp_path / "two.csv", jobs=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    pd.testing.assert_frame_equal(one.frame, two.frame)
    drawn = render(src, tmp_path / "map.html", jobs=2, by="municipality", points=False, tiles="none")
    pd.testing.assert_frame_equal(drawn.frame, one.frame)


def test_the_command_refuses_a_wrong_jobs_value(tmp_path):
    src = tmp_path / "list.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["geocode", str(src), "--jobs", "-2", "--lang", "en"])
    assert result.exit_code == 2
    assert message("bad_jobs", "en", value="-2") in result.output
    assert not (tmp_path / "list_geocoded.csv").exists()


# -- stopping --------------------------------------------------------------------------


def descendants(pid: int) -> set[int]:
    """Live (not zombie) processes below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    states = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        states[int(entry)] = fields[0]
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return {p for p in found if states.get(p) not in ("Z", "X")}


def cpu_seconds(pids) -> float:
    """CPU time (user + system) the processes ``pids`` have used so far, from /proc."""
    total = 0
    for p in pids:
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def alive(pids) -> set[int]:
    out = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] not in "ZX":
            out.add(p)
    return out


@pytest.fixture(scope="module")
def long_list(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("long") / "big.csv"
    pd.DataFrame({"住所": national(600_000, step=3)}).to_csv(src, index=False)
    return src


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("to", ["terminal", "parent"])
def test_ctrl_c_stops_every_worker_and_leaves_no_output(tmp_path, long_list, to):
    # "terminal": Ctrl-C as a terminal sends it, to every process of the command's group;
    # "parent": kill -INT to the command alone.
    src = tmp_path / "big.csv"
    src.write_bytes(long_list.read_bytes())
    out = tmp_path / "big_out.csv"
    proc = subprocess.Popen([sys.executable, "-m", "geomap", "geocode", str(src), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, start_new_session=True)
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    # Wait for the two workers (and the fork server that starts them) to be running.
    while len(seen) < 3 and time.monotonic() < deadline and proc.poll() is None:
        seen |= descendants(proc.pid)
        time.sleep(0.05)
    assert len(seen) >= 3, "the workers did not start"
    # Into the geocoding: the workers have read the index and worked on (not a fixed wait,
    # which a faster geocoder outruns).
    while cpu_seconds(seen) < 1.5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "finished before it could be interrupted; make the list longer"
    seen |= descendants(proc.pid)
    if to == "terminal":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    err = err.decode()
    assert proc.returncode == 130, err
    assert message("interrupted") in err and "Traceback" not in err, err
    deadline = time.monotonic() + 20
    while alive(seen) and time.monotonic() < deadline:  # the fork server follows its parent
        time.sleep(0.1)
    assert alive(seen) == set()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]  # no output, no temporary file


def test_a_worker_that_cannot_start_is_an_error_not_a_hang(tmp_path):
    # A script that calls geomap at import time, without `if __name__ == "__main__":`:
    # the fork server's workers import it again and cannot start; the call says so.
    script = tmp_path / "no_guard.py"
    script.write_text(
        "import pandas as pd, geomap\n"
        "df = pd.DataFrame({'住所': ['東京都江東区東陽4-11-28'] * 5000})\n"
        "geomap.geocode_table(df, jobs=2)\n",
        encoding="utf-8",
    )
    if "forkserver" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("spawn platforms fail the same way, with their own message first")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert proc.returncode != 0
    assert "GeomapError" in proc.stderr and "geocoding worker process stopped" in proc.stderr


def die(*args):
    """A worker killed while it geocodes (out of memory, say)."""
    os._exit(9)


def test_a_worker_that_dies_is_the_jobs_message(monkeypatch):
    monkeypatch.setattr(workers, "_geocode_chunk", die)
    monkeypatch.setattr(geocoding, "CHUNK", 100)
    with pytest.raises(GeomapError) as err:
        geocode_table(pd.DataFrame({"住所": ["東京都江東区東陽4-11-28"] * 300}), jobs=2)
    assert err.value.key == "jobs_workers_failed"


def test_the_chunks_in_sorted_order_give_what_one_call_in_row_order_gives(mixed, monkeypatch):
    # run_offline geocodes the addresses sorted and puts the results back: the same rows as
    # geomap.geocode on the list as it is, in one call.
    monkeypatch.setattr(geocoding, "CHUNK", 500)
    addresses = mixed["住所"].tolist()
    expected = geomap.geocode(addresses)
    for jobs in (1, 2):
        got = geocode_table(pd.DataFrame({"住所": addresses}), jobs=jobs, progress=lambda *a: None)
        pd.testing.assert_frame_equal(got[expected.columns.tolist()], expected)
