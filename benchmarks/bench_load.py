"""Start-up: import, index load and the first answer, as whole processes (prints numbers, checks nothing).

    python benchmarks/bench_load.py [--runs N]

(a) Inside a fresh interpreter, one step after the other: ``import geomap``, loading the
    geocoder's index (``town_index()``, the prebuilt tables of ``geomap/data``), the first
    answer (one address: its prefecture's keys and its town are read then), a second answer
    in another prefecture, the town table and the municipal boundaries; and peak memory.
(b) ``geomap geocode`` on a one-row CSV file, timed from outside as a whole process
    (interpreter start, imports, index, reading and writing the file). Target: under 1.0 s.
    "cold" is the first run of this benchmark (files perhaps not yet in the page cache,
    bytecode perhaps not yet compiled); "warm" the best of the following runs.
(c) ``geomap geocode --jobs 1`` on the real national list ``../shared/data/dev-addresses/
    schools-japan-dev.txt`` (29,326 school addresses, all 47 prefectures) as a whole
    process: wall time, addresses per second (target 20,000), peak RSS; cold (first run)
    and warm (best of the rest). Then, in one process, the list geocoded a second time
    (index and towns already read): the geocoder's warm rate.
(d) The steps of that command (imports, index, read, geocode, write, unmatched list,
    summary) timed inside fresh processes, with the collector paused as the command runs
    it, cold and warm. ``bench_geocode.py --only jobs memory`` has ``--jobs 1`` against
    ``--jobs 2`` and the memory of a million rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# (importing _lists also lets the processes timed use compiled bytecode, as a user's install does)
from _lists import CLI, NATIONAL, REPO, national_csv  # noqa: E402

STEPS = r"""
import json, resource, time
t0 = time.perf_counter()
import geomap
t1 = time.perf_counter()
from geomap.geocoders.index import town_index
index = town_index()
t2 = time.perf_counter()
first = geomap.geocode(["東京都江東区東陽4-11-28"])
t3 = time.perf_counter()
second = geomap.geocode(["北海道札幌市中央区北1条西2丁目"])
t4 = time.perf_counter()
from geomap import boundaries, gazetteer
towns = gazetteer.towns()
t5 = time.perf_counter()
mun = boundaries.municipalities()
t6 = time.perf_counter()
print(json.dumps({
    "import_geomap_s": round(t1 - t0, 3),
    "index_load_s": round(t2 - t1, 3),
    "first_answer_s": round(t3 - t2, 3),
    "answer_in_another_prefecture_s": round(t4 - t3, 3),
    "import_to_first_answer_s": round(t3 - t0, 3),
    "levels": [int(first["level"][0]), int(second["level"][0])],
    "town_table_load_s": round(t5 - t4, 3),
    "towns": len(towns),
    "boundaries_load_s": round(t6 - t5, 3),
    "municipal_boundaries": len(mun),
    "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
}))
"""

WARM_LIST = r"""
import json, sys, time
import geomap
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
t0 = time.perf_counter()
geomap.geocode(lines)
t1 = time.perf_counter()
out = geomap.geocode(lines)
t2 = time.perf_counter()
print(json.dumps({"rows": len(lines), "first_call_s": round(t1 - t0, 3), "second_call_s": round(t2 - t1, 3),
                  "placed_at_town_or_better": int((out["level"] >= 3).sum())}))
"""


NATIONAL_STEPS = r"""
import json, sys, time
t = {"start": time.perf_counter()}
names = []
def step(name):
    t[name] = time.perf_counter()
    names.append(name)
import geomap.cli, geomap.pipeline
from geomap import geocoding, io, report, summary
from geomap.columns import find_columns, require_columns
from geomap.output import write_table
step("imports")
import gc
gc.disable()  # as the command runs (geomap.cli._collector_paused)
from geomap.geocoders.index import town_index
town_index()
step("index")
df = io.read_table(sys.argv[1])
found = require_columns(df, find_columns(df))
step("read")
g = geocoding.geocode_rows(df, found=found, jobs=1)
step("geocode")
write_table(report.readable_errors(g.frame, "ja", g.services), sys.argv[2])
step("write")
report.write_unmatched(g.frame, g.columns, "ja", 3, sys.argv[3], [])
step("unmatched")
result = geomap.pipeline.TableResult(output=None, unmatched=None, frame=g.frame, columns=g.columns, read={},
                                     renamed={}, **report.counts(g.frame, 3, g.online))
summary.summary_lines(result, "ja", input_path=sys.argv[1], kind="table")
step("summary")
print(json.dumps({"rows": len(df), "seconds": {n: t[n] - t[p] for p, n in zip(["start"] + names, names)}}))
"""


def national_steps(path: str, tmp: str, runs: int) -> None:
    """(d): the steps of ``geomap geocode --jobs 1`` on the national list, cold and warm, as a table."""
    load = os.getloadavg()[0]
    start = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        start.append(time.perf_counter() - t0)
    steps = [json.loads(run_output([sys.executable, "-c", NATIONAL_STEPS, path, os.path.join(tmp, "steps_out.csv"),
                                    os.path.join(tmp, "steps_unmatched.csv")]))
             for _ in range(runs)]
    rows = steps[0]["rows"]
    steps = [s["seconds"] for s in steps]
    print(f"(d) geomap geocode --jobs 1 step by step, {rows:,} addresses, {runs} fresh processes "
          f"(load {load:.1f} -> {os.getloadavg()[0]:.1f})")
    print(f"    {'step':12s} {'cold s':>8s} {'warm s':>8s}")
    table = [("interpreter", start[0], min(start[1:]))]
    table += [(name, steps[0][name], min(s[name] for s in steps[1:])) for name in steps[0]]
    for name, cold, warm in table:
        print(f"    {name:12s} {cold:8.3f} {warm:8.3f}")
    cold, warm = sum(c for _, c, _ in table), sum(w for _, _, w in table)
    print(f"    {'sum':12s} {cold:8.3f} {warm:8.3f}   = {rows / cold:,.0f} / {rows / warm:,.0f} addresses/s "
          f"cold / warm (target 20,000)")


def run_output(args: list[str]) -> str:
    """The standard output of one child process."""
    proc = subprocess.run(args, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed: {proc.stderr[-2000:]}")
    return proc.stdout


def run_measured(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process (its own, not the benchmark's)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed: {err[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=4, help="processes per measurement (the first is 'cold')")
    args = ap.parse_args()
    runs = max(2, args.runs)

    print("(a) steps inside a fresh interpreter")
    steps = [json.loads(run_output([sys.executable, "-c", STEPS])) for _ in range(runs)]
    for s in steps:
        print("   ", json.dumps(s, ensure_ascii=False))
    for name in ("import_geomap_s", "index_load_s", "first_answer_s", "import_to_first_answer_s"):
        print(f"    {name}: cold {steps[0][name]:.3f} s, warm best {min(s[name] for s in steps[1:]):.3f} s")

    with tempfile.TemporaryDirectory() as tmp:
        one = os.path.join(tmp, "one.csv")
        with open(one, "w", encoding="utf-8") as f:
            f.write("住所\n東京都江東区東陽4-11-28\n")
        print("(b) geomap geocode, one-row file, whole process (target < 1.0 s)")
        results = [run_measured([sys.executable, "-c", CLI, "geocode", one, "-o", os.path.join(tmp, "one_out.csv"), "-q",
                                 "--jobs", "1"])
                   for _ in range(runs)]
        for wall, rss in results:
            print(f"    {wall:.3f} s, peak RSS {rss:.0f} MB")
        print(f"    cold {results[0][0]:.3f} s, warm best {min(w for w, _ in results[1:]):.3f} s")

        national = national_csv(tmp)
        if national is None:
            print(f"(c) skipped: {NATIONAL} is not beside this checkout")
            return 0
        with open(NATIONAL, encoding="utf-8") as f:
            lines = f.read().splitlines()
        print(f"(c) geomap geocode, {len(lines):,} real addresses of all prefectures, whole process")
        results = [
            run_measured([sys.executable, "-c", CLI, "geocode", national, "-o", os.path.join(tmp, "national_out.csv"), "-q",
                          "--jobs", "1"])
            for _ in range(runs)
        ]
        for wall, rss in results:
            print(f"    {wall:.3f} s, {len(lines) / wall:,.0f} addresses/s, peak RSS {rss:.0f} MB")
        best = min(w for w, _ in results[1:])
        print(f"    cold {results[0][0]:.3f} s ({len(lines) / results[0][0]:,.0f}/s), "
              f"warm best {best:.3f} s ({len(lines) / best:,.0f}/s), peak RSS max {max(r for _, r in results):.0f} MB")
        warm = json.loads(run_output([sys.executable, "-c", WARM_LIST, NATIONAL]))
        print(f"    in one process: first call {warm['first_call_s']:.3f} s (index included), "
              f"second call {warm['second_call_s']:.3f} s ({warm['rows'] / warm['second_call_s']:,.0f}/s warm); "
              f"{warm['placed_at_town_or_better']:,} rows at town level or better")
        national_steps(national, tmp, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
