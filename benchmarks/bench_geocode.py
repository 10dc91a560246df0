"""Throughput, memory and accuracy of the offline geocoder (a benchmark: it prints numbers).

    python benchmarks/bench_geocode.py [--million N] [--seed S]

(a) the real Tokyo schools list (tests/data/schools-tokyo.txt): addresses per second with
    the index load included, and the share of rows placed at each level;
(b) N (default 1,000,000) distinct synthetic addresses built from the embedded index in
    varied notation (full-width or 漢数字 or Arabic digits, 丁目 or a hyphen, hyphen
    variants, prefecture omitted, building names after the number). Because each address
    is made from a known town, the benchmark also prints how many came back to that town.

Each part runs in a fresh process, so the index load is counted and peak memory
(max RSS) belongs to that part alone.
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


def main() -> int:
    ap = argparse.ArgumentParser(description="geomap offline geocoder benchmark")
    ap.add_argument("--million", type=int, default=1_000_000, help="number of synthetic addresses")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--part", choices=["schools", "synthetic"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.part:
        print(json.dumps(run_part(args.part, args.million, args.seed), ensure_ascii=False))
        return 0
    for part in ("schools", "synthetic"):
        proc = subprocess.run(
            [sys.executable, __file__, "--part", part, "--million", str(args.million), "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        print(proc.stdout.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
