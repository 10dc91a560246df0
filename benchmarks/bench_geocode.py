"""Throughput, memory and accuracy of the offline geocoder (a benchmark: it prints numbers).

    python benchmarks/bench_geocode.py [--million N] [--seed S] [--only PART ...] [--runs R]

(a) ``schools``: the real Tokyo schools list (tests/data/schools-tokyo.txt): addresses per
    second with the index load included, and the share of rows placed at each level;
(b) ``synthetic``: N (default 1,000,000) distinct synthetic addresses built from the
    embedded index in varied notation (full-width or 漢数字 or Arabic digits, 丁目 or a
    hyphen, hyphen variants, prefecture omitted, building names after the number). Because
    each address is made from a known town, the benchmark also prints how many came back
    to that town.
(c) ``national``: ``geomap geocode --jobs 1`` on the real national list
    (../shared/data/dev-addresses/schools-japan-dev.txt, 29,326 addresses of all
    prefectures) as a whole process, from outside: "cold" is the first process, "warm" the
    best of the next ones (target: 20,000 addresses/s). Then one process timed step by
    step (imports, index, reading, geocoding, writing, the unmatched list).
(d) ``jobs``: ``geomap geocode`` on 400,000 distinct synthetic addresses (a CSV of four
    columns) with ``--jobs 1`` and ``--jobs 2``, alternately, whole processes; the ratio of
    the best times (target on two cores: 1.6) and whether the outputs are the same bytes.
(e) ``memory``: ``geomap geocode --jobs 1`` on 1,000,000 synthetic rows read from a CSV file
    and written out: the whole process's peak RSS (target: under 1 GB); then the same steps
    in one process with the RSS after each, so the geocoder's own share (the index, what
    it builds while matching, the result columns) is told apart from the input list.

Each part runs in fresh processes, so the index load is counted and peak memory (max RSS)
belongs to that part alone. Other work on the machine changes the times: every line says
the load average before and after, and ``CPU`` is the process's own CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
HYPHENS = ["-", "－", "ー", "‐", "−", "―", "の"]
KANJI = "〇一二三四五六七八九"
BUILDINGS = ["", "", "", " 第2ビル3F", "　コーポ東陽101号室", "（本館）", " ABCマンション"]


def kanji_number(n: int) -> str:
    if n < 10:
        return KANJI[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else KANJI[tens]) + "十" + (KANJI[ones] if ones else "")


def synthetic(n: int, seed: int) -> tuple[list[str], list[tuple[str, str]]]:
    """``n`` distinct addresses and, for each, the (code, town) it was made from."""
    import re

    sys.path.insert(0, REPO)
    from geomap import gazetteer

    towns = gazetteer.towns()
    towns = towns[(towns["koaza"] == "") & towns["lat"].notna()]
    rng = random.Random(seed)
    rows = list(zip(towns["pref"].astype(str), towns["city"], towns["code"], towns["town"]))
    chome = re.compile(r"^(.*?)([〇一二三四五六七八九十]+)丁目$")
    seen: set[str] = set()
    out, truth = [], []
    while len(out) < n:
        pref, city, code, town = rows[rng.randrange(len(rows))]
        block = f"{rng.randint(1, 40)}{rng.choice(HYPHENS)}{rng.randint(1, 30)}"
        m = chome.match(town)
        style = rng.randrange(4)
        if m and style == 0:  # 東陽4-11-28: chome as the first number
            from geomap.address.normalize import kanji_to_int

            body = f"{m.group(1)}{kanji_to_int(m.group(2))}{rng.choice(HYPHENS)}{block}"
        elif m and style == 1:  # 東陽４丁目１１－２８
            from geomap.address.normalize import kanji_to_int

            body = f"{m.group(1)}{kanji_to_int(m.group(2))}丁目{block}".translate(FULLWIDTH)
        elif style == 2:  # 番地/号 form
            body = f"{town}{rng.randint(1, 40)}番地{rng.randint(1, 30)}号"
        else:
            body = f"{town}{block}"
        head = rng.choice([pref + city, pref + city, city, pref + " " + city])
        address = head + body + rng.choice(BUILDINGS)
        if address in seen:
            continue
        seen.add(address)
        out.append(address)
        truth.append((code, town))
    return out, truth


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_part(part: str, n: int, seed: int) -> dict:
    sys.path.insert(0, REPO)
    if part == "schools":
        with open(os.path.join(REPO, "tests", "data", "schools-tokyo.txt"), encoding="utf-8") as f:
            addresses = f.read().splitlines()
        truth = None
    else:
        addresses, truth = synthetic(n, seed)
    before = peak_rss_mb()
    start = time.perf_counter()
    import geomap

    result = geomap.geocode(addresses)
    seconds = time.perf_counter() - start
    out = {
        "part": part,
        "addresses": len(addresses),
        "distinct": len(set(addresses)),
        "seconds_including_index_load": round(seconds, 3),
        "addresses_per_second": round(len(addresses) / seconds),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_geocoding_mb": round(before, 1),
        "levels": {int(k): int(v) for k, v in result["level"].value_counts().sort_index().items()},
        "town_level_share": round(float((result["level"] >= 3).mean()), 4),
    }
    if truth is not None:
        from geomap.address.normalize import key

        # The same town: its code, and its name as the matcher folds it (the index spells a
        # few towns two ways, 燈籠本町/燈篭本町, and the first spelling stands for both).
        right = sum(
            1
            for (code, town), got_code, got_town, level in zip(truth, result["code"], result["town"], result["level"])
            if level >= 3 and got_code == code and key(got_town).startswith(key(town))
        )
        out["back_to_source_town"] = round(right / len(truth), 4)
    return out


STEPS = r"""
import json, os, resource, sys, time
t = {"start": time.perf_counter()}
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
mb = {}
def step(name):
    t[name] = time.perf_counter()
    mb[name] = round(rss())
    mb[name + "_peak"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
from geomap import geocoding, io, output, report
step("import")
import gc
gc.disable()  # as the command runs (geomap.cli._collector_paused)
from geomap.geocoders.index import town_index
town_index(); step("index")
df = io.read_table(sys.argv[1]); step("read")
g = geocoding.geocode_rows(df, jobs=1); step("geocode")
output.write_table(report.readable_errors(g.frame, "ja", g.services), sys.argv[2]); step("write")
report.write_unmatched(g.frame, g.columns, "ja", 3, sys.argv[3], []); step("unmatched")
names = ["import", "index", "read", "geocode", "write", "unmatched"]
seconds = {n: round(t[n] - t[p], 3) for p, n in zip(["start"] + names, names)}
result = g.frame.drop(columns=df.columns).memory_usage(deep=True).sum() / 2**20
print(json.dumps({"rows": len(df), "seconds": seconds, "rss_mb": mb,
                  "input_frame_mb": round(df.memory_usage(deep=True).sum() / 2**20),
                  "result_columns_mb": round(result)}))
"""


def part_national(runs: int, cache: str) -> None:
    from _lists import geocode_command, national_csv, run_measured

    src = national_csv(cache)
    if src is None:
        print("(c) skipped: the national list is not beside this checkout")
        return
    rows = sum(1 for _ in open(src, encoding="utf-8")) - 1
    out = os.path.join(cache, "national_out.csv")
    print(f"(c) geomap geocode --jobs 1, {rows:,} real addresses of all prefectures, whole process")
    results = [run_measured(geocode_command(src, out, "--jobs", "1")) for _ in range(max(2, runs))]
    for r in results:
        print("    " + r.line(rows))
    warm = min(results[1:], key=lambda r: r.wall)
    print(f"    cold {rows / results[0].wall:,.0f} addresses/s, warm (best of {len(results) - 1}) "
          f"{rows / warm.wall:,.0f} addresses/s (target 20,000)")
    steps = json.loads(subprocess.run([sys.executable, "-c", STEPS, src, out, out + ".unmatched.csv"],
                                      capture_output=True, text=True, check=True, cwd=REPO).stdout)
    print(f"    one process, step by step (s): {steps['seconds']}")


def part_jobs(n: int, runs: int, cache: str) -> None:
    from _lists import geocode_command, run_measured, synthetic_csv

    src = synthetic_csv(n, cache)
    print(f"(d) geomap geocode on {n:,} distinct synthetic addresses (4 columns), --jobs 1 vs --jobs 2, whole process")
    times: dict[str, list] = {"1": [], "2": []}
    for _ in range(max(1, runs)):
        for jobs in ("1", "2"):
            r = run_measured(geocode_command(src, os.path.join(cache, f"jobs_{jobs}.csv"), "--jobs", jobs))
            times[jobs].append(r)
            print(f"    --jobs {jobs}: " + r.line(n))
    one, two = (min(times[j], key=lambda r: r.wall) for j in ("1", "2"))
    same = all(open(os.path.join(cache, f"jobs_{j}.csv"), "rb").read() == open(os.path.join(cache, "jobs_1.csv"), "rb").read()
               for j in ("2",))
    print(f"    best --jobs 1 {one.wall:.2f} s, best --jobs 2 {two.wall:.2f} s: ratio {one.wall / two.wall:.2f} "
          f"(target 1.6); outputs the same bytes: {same}")


def part_memory(n: int, cache: str) -> None:
    from _lists import geocode_command, run_measured, synthetic_csv

    src = synthetic_csv(n, cache)
    out = os.path.join(cache, "memory_out.csv")
    print(f"(e) {n:,} rows read from a CSV file ({os.path.getsize(src) / 2**20:,.0f} MB) and written out")
    r = run_measured(geocode_command(src, out, "--jobs", "1"))
    print(f"    geomap geocode --jobs 1, whole process: {r.line(n)} (target: peak under 1,024 MB)")
    steps = json.loads(subprocess.run([sys.executable, "-c", STEPS, src, out, out + ".unmatched.csv"],
                                      capture_output=True, text=True, check=True, cwd=REPO).stdout)
    mb, sec = steps["rss_mb"], steps["seconds"]
    print(f"    one process, RSS after each step (MB, peak so far in brackets), seconds:")
    for name in sec:
        print(f"      {name:10s} {mb[name]:6,} ({mb[name + '_peak']:,})  {sec[name]:7.2f} s")
    index = mb["index"] - mb["import"]
    grown = mb["geocode"] - mb["read"] - steps["result_columns_mb"]
    print(f"    the input list: {steps['input_frame_mb']} MB as a frame, reading it raised RSS by "
          f"{mb['read'] - mb['index']} MB (peak {mb['read_peak'] - mb['index']} MB above the loaded index)")
    print(f"    the geocoder's own share: index {index} MB + what it built while matching about {grown} MB "
          f"+ result columns {steps['result_columns_mb']} MB = {index + grown + steps['result_columns_mb']} MB")


def main() -> int:
    ap = argparse.ArgumentParser(description="geomap offline geocoder benchmark")
    ap.add_argument("--million", type=int, default=1_000_000, help="number of synthetic addresses")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs-rows", type=int, default=400_000, help="rows of the --jobs comparison")
    ap.add_argument("--runs", type=int, default=3, help="processes per measurement")
    ap.add_argument("--only", nargs="+", choices=["schools", "synthetic", "national", "jobs", "memory"])
    ap.add_argument("--cache", default=None, help="folder for the generated lists (kept between runs)")
    ap.add_argument("--part", choices=["schools", "synthetic"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.part:
        print(json.dumps(run_part(args.part, args.million, args.seed), ensure_ascii=False))
        return 0
    sys.path.insert(0, HERE)
    from _lists import CACHE

    cache = args.cache or CACHE
    os.makedirs(cache, exist_ok=True)
    parts = args.only or ["schools", "synthetic", "national", "jobs", "memory"]
    for part in ("schools", "synthetic"):
        if part in parts:
            proc = subprocess.run(
                [sys.executable, __file__, "--part", part, "--million", str(args.million), "--seed", str(args.seed)],
                capture_output=True,
                text=True,
                check=True,
            )
            print(proc.stdout.strip())
    if "national" in parts:
        part_national(args.runs, cache)
    if "jobs" in parts:
        part_jobs(args.jobs_rows, args.runs, cache)
    if "memory" in parts:
        part_memory(args.million, cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
