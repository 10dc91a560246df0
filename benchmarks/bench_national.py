"""Town-level coverage on real lists from all of Japan, and why the rest fell short (prints numbers).

    python benchmarks/bench_national.py [--show K] [--list PATH ...]

For each list (by default the two real school lists of ``../shared/data/dev-addresses``:
``schools-japan-dev.txt``, all 47 prefectures, and ``schools-tokyo.txt``) it prints the
share of rows at each level and at level ≥ 3 (town), then sorts the rows below level 3 by
a likely reason, with ``K`` examples each:

- a family of notation of issue 11 (堺市's 「…丁」, 大字 inside a name, 大字/字 either way,
  町 left out, N番丁, 条・線 as bare numbers, 通り, variant characters, the finer town,
  no municipality, Kyoto, an unreadable character): the rest of the address reaches a
  town of the index once that family's way of writing is undone;
- several towns fit (the row is ambiguous and lists them);
- a town without a point in the data (the matcher found it and said so);
- no town written (the address goes from the municipality straight to a number);
- a town the data lacks (a name is written, and nothing in the index fits it).

The reasons are this benchmark's heuristics, made from the index (never from the rows):
they tell where to look, not what the geocoder should answer.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

from geomap import gazetteer, geocode  # noqa: E402
from geomap.address.normalize import key, normalize  # noqa: E402

LISTS = [
    os.path.join(REPO, "..", "shared", "data", "dev-addresses", "schools-japan-dev.txt"),
    os.path.join(REPO, "..", "shared", "data", "dev-addresses", "schools-tokyo.txt"),
]

# Variant characters of issue 11 family 8 (either way round), folded here only to classify.
VARIANTS = str.maketrans({
    "壺": "壷", "菟": "莵", "彌": "弥", "穗": "穂", "溪": "渓", "實": "実", "螢": "蛍", "靱": "靭",
    "繩": "縄", "藪": "薮", "籔": "薮", "奧": "奥", "餠": "餅", "船": "舟", "ヱ": "エ", "巿": "市",
    "ニ": "二", "ロ": "口", "エ": "工", "カ": "力", "タ": "夕", "桒": "桑", "渕": "淵", "埇": "涌",
})
_AZA = re.compile(r"大字|字")
_DIGITS = re.compile(r"\d")
_KYOTO = re.compile(r"通|[上下]が?[るル]|[東西]入")
_NO_TOWN = re.compile(r"^(?:[\d\-#]|番地|番|$)")


def _loose(name: str) -> str:
    """A name with every marker removed that some family writes differently."""
    return re.sub(r"大字|字|町|通り|通|条|丁目|丁|番|線|[-#の]", "", name)


class Reasons:
    """Classify a row below level 3 by the towns of the municipality it reached."""

    def __init__(self):
        towns = gazetteer.towns()
        towns = towns[towns["koaza"] == ""]
        self.by_code: dict[str, list[str]] = defaultdict(list)
        for code, town in zip(towns["code"], towns["town"]):
            self.by_code[code].append(town)
        self.pref_of = dict(zip(towns["code"], towns["pref"].astype(str)))

    def reason(self, address: str, row) -> str:
        if "?" in address or "\ufffd" in address or "？" in address:
            return "12 unreadable character"
        if row.level < 2 or not row.code:
            return "10 no municipality written (or one the data lacks)"
        if row.ambiguous:
            return "several towns fit (ambiguous)"
        if row.note and row.town:
            return "town without a point in the data"
        rest = normalize(str(row.rest)).text
        if _NO_TOWN.match(rest):
            return "no town written"
        names = [(t, key(t)) for t in self.by_code.get(row.code, [])]
        city = str(row.city)
        if city.startswith("京都市") and _KYOTO.search(rest):
            return "11 Kyoto street forms"
        for name, k in names:
            m = re.match(r"^(.*?)\d+丁$", k)
            if m and m.group(1) and rest.startswith(m.group(1)) and _DIGITS.match(rest, len(m.group(1))):
                return "1 …丁 without 目 (堺市 and others)"
        for name, k in names:
            if re.search(r"\d+番[丁町]", k) and re.sub(r"\d+番[丁町].*", "", k) == re.sub(r"\d.*", "", rest):
                if re.search(r"\d", rest):
                    return "5 N番丁 / N番町 written with numbers"
        if self.pref_of.get(row.code) == "北海道":
            for name, k in names:
                base = re.sub(r"\d.*", "", k)
                if ("条" in k or "線" in k) and base and rest.startswith(base) and _DIGITS.match(rest, len(base)):
                    return "6 条・丁目・線 as bare numbers"
        for name, k in names:
            if rest.startswith("大字") and "丁目" in k and rest[2:].startswith(re.sub(r"\d+丁目$", "", k)):
                return "9 the finer town (大字X + N丁目)"
        for name, k in names:
            inner = k.find("大字", 1)
            if inner > 0 and rest.startswith(k[:inner] + k[inner + 2:]):
                return "2 大字 inside a town name, left out"
        for name, k in names:
            bare = _AZA.sub("", k)
            if bare and _AZA.sub("", rest).startswith(bare) and bare != k.lstrip("大字"):
                return "3 大字/字 written or left out"
        for name, k in names:
            if "町" in k and k.replace("町", "") and rest.replace("町", "").startswith(k.replace("町", "")):
                return "4 町 left out"
        for name, k in names:
            if "通" in k and rest.replace("通り", "通").startswith(re.sub(r"\d+丁目$", "", k)):
                return "7 通/通り"
        for name, k in names:
            folded = k.translate(VARIANTS)
            if folded != k or rest.translate(VARIANTS) != rest:
                if rest.translate(VARIANTS).startswith(re.sub(r"\d+丁目$", "", folded)):
                    return "8 variant characters"
        for name, k in names:
            loose = _loose(k)
            if len(loose) >= 2 and _loose(rest).startswith(loose):
                return "other spelling of an index town"
        return "a town the data lacks (or an old name)"


def run(path: str, reasons: Reasons, show: int) -> None:
    with open(path, encoding="utf-8") as f:
        addresses = f.read().splitlines()
    start = time.perf_counter()
    result = geocode(addresses)
    seconds = time.perf_counter() - start
    n = len(addresses)
    print(f"== {os.path.basename(path)}: {n:,} rows, {n / seconds:,.0f} addresses/s")
    levels = result["level"].value_counts().sort_index()
    for level, count in levels.items():
        print(f"   level {level}: {count:>7,} {count / n:8.2%}")
    town = int((result["level"] >= 3).sum())
    print(f"   level >= 3: {town:>5,} {town / n:8.2%}   below: {n - town:,}")
    groups: dict[str, list[str]] = defaultdict(list)
    for address, row in zip(addresses, result.itertuples()):
        if row.level < 3:
            groups[reasons.reason(address, row)].append(
                f"{address}  →  {row.level} {row.city}{row.town}" + (f"  [{row.note}]" if row.note else "")
            )
    for reason, rows in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"   {len(rows):>5}  {reason}")
        for example in rows[:show]:
            print(f"            {example}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", type=int, default=3, help="examples printed per reason")
    ap.add_argument("--list", nargs="*", default=LISTS, help="address lists, one address a line")
    args = ap.parse_args()
    reasons = Reasons()
    for path in args.list:
        if os.path.exists(path):
            run(path, reasons, args.show)
        else:
            print(f"== {path}: not found")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
