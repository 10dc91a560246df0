"""Accuracy of the offline geocoder by family of notation (a benchmark: it prints numbers).

    python benchmarks/bench_notation.py [--per-family N] [--seed S] [--show K]

For each family, N towns are drawn from the embedded index (all of Japan, towns with a
point) and written the way that family writes addresses. Each address is made from a
known town, so the result can be checked: "right" means the geocoder returned that town
(its municipality code and its name as the matcher folds it). "honest" counts the rows
that were not placed but said why (ambiguous candidates that include the right one) —
an omitted prefecture can make 中央区 mean several wards, and geomap must not guess.
The remaining rows are wrong (another town given at town level) or missed (no answer);
``--show`` prints some.

Then the families of issue 11, each generated from every town of that kind in the index
(``tests/notation_forms.py``: 堺市's …丁, 大字 inside a name, 大字/字 either way, 町 left
out, N番丁/N番町, 条・線 as bare numbers, 通り, variant characters, the finer town, no
municipality written, Kyoto's street forms, an unreadable character). The target for each:
right ≥ 99.5 %, wrong ≤ 0.05 %. ``--issue-sample K`` keeps one town in K of the families
that search all of Japan (10 and 12), which are slow; the default checks them all.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from geomap import gazetteer, geocode  # noqa: E402
from geomap.address.normalize import kanji_to_int, key  # noqa: E402

FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
CHOME = re.compile(r"^(.*?)([〇一二三四五六七八九十]+)丁目$")
OLD_FORMS = {"崎": "﨑", "高": "髙", "辺": "邊", "沢": "澤", "島": "嶋", "浜": "濱", "徳": "德", "斎": "齋", "国": "國"}
KE = ["ヶ", "ケ", "が", "ガ"]
KYOTO_STREETS = ["烏丸", "河原町", "四条", "三条", "堀川", "千本", "寺町", "新町", "室町", "西洞院", "丸太町", "今出川", "五条", "七条"]
KYOTO_DIRECTIONS = ["上る", "上ル", "下る", "下ル", "東入", "西入ル", "上がる"]


def block(rng: random.Random) -> str:
    return f"{rng.randint(1, 30)}-{rng.randint(1, 20)}"


def families(rng: random.Random, pref: str, city: str, county: str, ward_city: str, town: str):
    """(family, address) pairs that apply to one town."""
    m = CHOME.match(town)
    yield "written in full", f"{pref}{city}{town}{block(rng)}"
    yield "prefecture omitted", f"{city}{town}{block(rng)}"
    yield "full-width and spaces", f"{pref}　{city}　{town}{block(rng)}".translate(FULLWIDTH)
    yield "postal code and building", f"〒{rng.randint(100, 999)}-{rng.randint(0, 9999):04d} {pref}{city}{town}{block(rng)} 第2ビル3F"
    if m:
        n = kanji_to_int(m.group(2))
        yield "丁目 as the first number", f"{pref}{city}{m.group(1)}{n}-{block(rng)}"
        yield "丁目 in Arabic digits", f"{pref}{city}{m.group(1)}{n}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    if county:
        yield "county omitted", f"{pref}{city[len(county):]}{town}{block(rng)}"
    if ward_city:
        yield "designated city omitted", f"{pref}{city[len(ward_city):]}{town}{block(rng)}"
        yield "ward omitted", f"{pref}{ward_city}{town}{block(rng)}"
    if town.startswith("大字"):
        yield "大字 omitted", f"{pref}{city}{town[2:]}{rng.randint(1, 3000)}"
    elif town.startswith("字"):
        yield "字 omitted", f"{pref}{city}{town[1:]}{rng.randint(1, 3000)}"
    elif not m:
        yield "大字 added", f"{pref}{city}大字{town}{rng.randint(1, 3000)}"
    if any(k in town for k in "ヶケがガ"):
        variant = re.sub("[ヶケがガ]", rng.choice(KE), town)
        yield "ケ written another way", f"{pref}{city}{variant}{block(rng)}"
    if city.startswith("京都市"):
        street, cross = rng.sample(KYOTO_STREETS, 2)
        yield "Kyoto street names", f"{pref}{city}{street}通{cross}{rng.choice(KYOTO_DIRECTIONS)}{town}{rng.randint(1, 700)}"
    old = "".join(OLD_FORMS.get(ch, ch) for ch in town)
    if old != town:
        yield "old character forms", f"{pref}{city}{old}{block(rng)}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-family", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=3)
    ap.add_argument("--issue-sample", type=int, default=1, help="one town in K for families 10 and 12")
    ap.add_argument("--only-issue", action="store_true", help="only the families of issue 11")
    args = ap.parse_args()
    if not args.only_issue:
        general(args)
    issue_11(args)
    return 0


def report(family: str, bucket: list, result, seconds: float, show: int) -> None:
    right = honest = wrong = 0
    shown = []
    for (address, code, town, *label), got in zip(bucket, result.itertuples()):
        if got.level >= 3 and got.code == code and key(got.town).startswith(key(town)):
            right += 1
        elif got.level < 3 and got.ambiguous and (label[0] if label else town) in got.ambiguous:
            honest += 1
        else:
            is_wrong = got.level >= 3
            wrong += is_wrong
            if len(shown) < show or (is_wrong and len(shown) < 2 * show):
                shown.append(("WRONG" if is_wrong else "missed", address, got.level, got.city, got.town, got.ambiguous[:60]))
    n = len(bucket)
    missed = n - right - honest - wrong
    print(f"{family:<32}{n:>7}{right / n:>9.2%}{honest / n:>9.2%}{wrong / n:>9.2%}{missed / n:>9.2%}{n / seconds:>10,.0f}")
    for miss in shown:
        print("    ", *miss)


def header() -> None:
    print(f"{'family':<32}{'rows':>7}{'right':>9}{'honest':>9}{'wrong':>9}{'missed':>9}{'addr/s':>10}")


def issue_11(args) -> None:
    import notation_forms as nf

    ts = nf.Towns(gazetteer.towns(), gazetteer.municipalities())
    cases: dict[str, list[tuple[str, str, str]]] = {}
    for n, form in enumerate(nf.all_forms(ts, seed=args.seed, general=False)):
        if form.family.startswith(("10 ", "12 ")) and n % args.issue_sample:
            continue
        # the town, and the town as the ambiguity labels write it (municipality and town)
        cases.setdefault(form.family, []).append((form.address, form.code, form.town, f"{form.city}{form.town}（"))
    print("\nissue 11 families, from every town of that kind (target: right >= 99.5 %, wrong <= 0.05 %)")
    header()
    for family in sorted(cases, key=lambda f: int(f.split()[0])):
        bucket = cases[family]
        start = time.perf_counter()
        result = geocode([a for a, *_ in bucket])
        seconds = time.perf_counter() - start
        report(family, bucket, result, seconds, args.show)


def general(args) -> None:
    rng = random.Random(args.seed)
    towns = gazetteer.towns()
    towns = towns[(towns["koaza"] == "") & towns["has_point"]]
    mun = gazetteer.municipalities().set_index("code")
    rows = list(zip(towns["pref"].astype(str), towns["city"], towns["code"], towns["town"]))
    rng.shuffle(rows)
    cases: dict[str, list[tuple[str, str, str]]] = {}
    for pref, city, code, town in rows:
        county = mun.loc[code, "county"]
        county = county if county.endswith("郡") else ""
        ward_city = mun.loc[code, "county"] if mun.loc[code, "county"].endswith("市") else ""
        for family, address in families(rng, pref, city, county, ward_city, town):
            bucket = cases.setdefault(family, [])
            if len(bucket) < args.per_family:
                bucket.append((address, code, town))
        if all(len(b) >= args.per_family for b in cases.values()) and len(cases) >= 15:
            break
    header()
    for family, bucket in cases.items():
        addresses = [a for a, _, _ in bucket]
        start = time.perf_counter()
        result = geocode(addresses)
        seconds = time.perf_counter() - start
        report(family, bucket, result, seconds, args.show)


if __name__ == "__main__":
    raise SystemExit(main())
