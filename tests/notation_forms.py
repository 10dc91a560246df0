"""Ways lists write the towns of the index, by family of notation (issue 11), made from the index.

Used by ``tests/test_geocode_forms.py`` (no silent wrong town: every town of the index, written
each way that applies to it, reaches that town or an ambiguous answer listing it) and by
``benchmarks/bench_notation.py`` (share right, honest and wrong per family).

Every form is made from a town of the index and knows its answer. A family's towns are
found by what their names look like, independently of the geocoder's own key rules; a form
is not made where it would be another town's way of being written (``大字X`` with 大字
left out is not made where the municipality also has a town ``X``).
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from geomap.address.normalize import kanji_to_int, key

NUMERALS = "〇一二三四五六七八九十"
NUMERAL = f"[{NUMERALS}]+"
CHOME = re.compile(rf"^(.*?)({NUMERAL})丁目$")
CHO = re.compile(rf"^(.+?)({NUMERAL})丁$")
BANCHO = re.compile(rf"^(.*?)({NUMERAL})番([丁町])$")
JOU = re.compile(rf"^(.*[^{NUMERALS}])({NUMERAL})条({NUMERAL})丁目$")
GRID = re.compile(rf"^([東西南北])({NUMERAL})条([東西南北])({NUMERAL})丁目$")
SEN = re.compile(rf"^(.*[^{NUMERALS}])({NUMERAL})線$")
INNER_OAZA = re.compile(r"(?<=.)大字")
INNER_AZA = re.compile(r"(?<=[^大字〇一二三四五六七八九十])字(?=.)")
INNER_CHO = re.compile(r"(?<=.)町(?=.)")
DORI = re.compile(r"通(?!り)")
# The other spelling lists use, for characters the index writes one way (issue 11 family 8).
VARIANT_OF = {
    "壷": "壺", "壺": "壷", "弥": "彌", "穂": "穗", "渓": "溪", "実": "實", "蛍": "螢", "靭": "靱", "靱": "靭",
    "縄": "繩", "薮": "藪", "奥": "奧", "餅": "餠", "舟": "船", "船": "舟", "エ": "ヱ", "ヱ": "エ",
    "二": "ニ", "口": "ロ", "工": "エ", "力": "カ", "夕": "タ", "斎": "斉", "磐": "盤", "盤": "磐",
}
LOOK_ALIKE = "二口工力夕"
KANJI = re.compile(rf"[\u3400-\u9fff](?<![{NUMERALS}之乃])")  # a kanji (not a numeral, not the の of 之/乃)
KYOTO_STREETS = ["烏丸", "河原町", "四条", "三条", "堀川", "千本", "寺町", "新町", "室町", "西洞院"]
KYOTO_FORMS = ["{a}通{b}下る西側{town}", "{a}通{b}上る2丁目{town}", "{a}通{b}角{town}", "{a}通{b}上る東側{town}",
               "{a}通{b}下ル5町目{town}"]


@dataclass(frozen=True)
class Form:
    family: str
    address: str
    pref: str
    city: str
    code: str
    town: str  # the index's name of the town the address means


def n(numeral: str) -> int:
    return kanji_to_int(numeral)


class Towns:
    """The towns of the index (with a point, no 小字 rows), grouped by municipality."""

    def __init__(self, towns, municipalities):
        self.by_code: dict[str, list[str]] = defaultdict(list)  # every town, with a point or not, or 小字 only
        for code, town in zip(*(towns.drop_duplicates(["code", "town"])[c] for c in ("code", "town"))):
            self.by_code[code].append(town)
        towns = towns[(towns["koaza"] == "") & towns["has_point"]].drop_duplicates(["code", "town"])
        self.rows = list(zip(towns["pref"].astype(str), towns["city"], towns["code"], towns["town"]))
        self.keys = {code: {key(t) for t in names} for code, names in self.by_code.items()}
        self.county = dict(zip(municipalities["code"], municipalities["county"]))
        name_count = Counter(key(t) for names in self.by_code.values() for t in names)
        self.unique_in_japan = {k for k, c in name_count.items() if c == 1}
        self.chome_bases = {code: {key(m.group(1)) for t in names if (m := CHOME.match(t))} for code, names in self.by_code.items()}
        self.cho_series = {}
        self.aza_prefixes: dict[str, Counter] = {}
        self.cho_prefixes: dict[str, Counter] = {}
        self.bancho_bases: dict[str, Counter] = {}
        self.jou_bases: dict[str, set] = {}
        self.sen_bases: dict[str, set] = {}
        for code, names in self.by_code.items():
            bases = Counter(m.group(1) for t in names if (m := CHO.match(t)))
            many = sum(bases.values()) >= 10
            self.cho_series[code] = {b for b, c in bases.items() if many or c >= 2}
            bodies = [INNER_OAZA.sub("", t) for t in names]
            self.aza_prefixes[code] = Counter(b[: m.start() + 1] for b in bodies for m in INNER_AZA.finditer(b))
            self.cho_prefixes[code] = Counter(p for b in bodies for p in {b[: m.start() + 1] for m in INNER_CHO.finditer(b)})
            self.bancho_bases[code] = Counter(m.group(1) for t in names if (m := BANCHO.match(t)))
            self.jou_bases[code] = {key(m.group(1)) for t in names if (m := JOU.match(t))}
            self.sen_bases[code] = {key(m.group(1)) for t in names if (m := SEN.match(t))}
        self.municipality_names = {key(c) for c in municipalities["name"]} | {key(c) for c in municipalities["city"]}
        self.municipality_names |= old_municipality_names()
        self.starts_like_municipality = re.compile("^(?:" + "|".join(map(re.escape, sorted(self.municipality_names, key=len, reverse=True))) + ")")

    def free(self, code: str, written: str, town: str) -> bool:
        """``written`` (a town written some way) is no other town's name of the municipality."""
        k = key(written)
        return k == key(town) or k not in self.keys[code]

    def plain(self, code: str, base: str) -> bool:
        """The municipality has a town named ``base`` (as it is, with 大字/字, or with 町), 丁目 of it,
        or both 条 and 線 after it."""
        k = key(base)
        both = k in self.jou_bases[code] and k in self.sen_bases[code]
        return bool({k, "大字" + k, "字" + k, k + "町"} & self.keys[code]) or k in self.chome_bases[code] or both


def old_municipality_names() -> set[str]:
    """Names of municipalities before mergers (``../shared/data/merged-town-names``), without their 郡."""
    import csv
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "shared" / "data" / "merged-town-names"
    names = set()
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                old = row["変更前"]
                names |= {key(old), key(re.sub(r"^.+?郡", "", old))}  # 八頭郡郡家町: 郡家町
    return {n for n in names if n}


def block(rng: random.Random) -> str:
    return f"{rng.randint(1, 30)}-{rng.randint(1, 20)}"


def lot(rng: random.Random) -> str:
    return f"{rng.randint(1, 3000)}番地"


def family_forms(ts: Towns, pref: str, city: str, code: str, town: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """``(family, address)`` for each family of issue 11 that applies to ``town``."""
    head = pref + city
    names = ts.by_code[code]
    # 1. 堺市's …N丁
    m = CHO.match(town)
    if m and m.group(1) in ts.cho_series[code]:
        number = n(m.group(2))
        yield "1 …丁 as a number", rng.choice([
            f"{head}{m.group(1)}{number}-{block(rng)}", f"{head}{m.group(1)}{number}丁{block(rng)}",
            f"{head}{m.group(1)}{number}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
        ])
    # 2. 大字 inside a name, left out
    if INNER_OAZA.search(town) and not town.startswith("（"):
        written = INNER_OAZA.sub("", town)
        if ts.free(code, written, town):
            yield "2 大字 inside a name, left out", f"{head}{written}{lot(rng)}"
    # 3. 大字/字 at the start or in the middle, written or left out
    body = INNER_OAZA.sub("", town)
    inner = [i for mm in INNER_AZA.finditer(body) if ts.aza_prefixes[code][body[: (i := mm.start()) + 1]] >= 2]
    if inner:
        written = "".join(ch for i, ch in enumerate(body) if i not in inner)
        if ts.free(code, written, town):
            yield "3 大字/字 written or left out", f"{head}{written}{lot(rng)}"
    elif town.startswith(("大字", "字")) and not CHOME.match(town):
        written = re.sub(r"^大?字", "", town)
        if written and ts.free(code, written, town):
            yield "3 大字/字 written or left out", f"{head}{written}{lot(rng)}"
    elif not CHOME.match(town) and not town.startswith("（"):
        if ts.free(code, "大字" + town, town):
            yield "3 大字/字 written or left out", f"{head}大字{town}{lot(rng)}"
    # 4. 町 left out inside a name (after an old town's name shared by two towns or more)
    for mm in INNER_CHO.finditer(body):
        i = mm.start()
        if ts.cho_prefixes[code][body[: i + 1]] >= 2:
            written = body[:i] + body[i + 1:]
            if i >= 2 and not body[:i].endswith(("字", "町")) and body[i + 1] != "町" and body[i - 1] not in NUMERALS and ts.free(code, written, town):
                yield "4 町 left out", f"{head}{written}{lot(rng)}"
            break
    # 5. N番丁 / N番町
    m = BANCHO.match(town)
    if m:
        number, kind = n(m.group(2)), m.group(3)
        other = "町" if kind == "丁" else "丁"
        yield "5 N番丁/N番町 with numbers", rng.choice([
            f"{head}{m.group(1)}{number}番{kind}{rng.randint(1, 40)}", f"{head}{m.group(1)}{number}番{other}{rng.randint(1, 40)}",
        ])
        if m.group(1) and ts.bancho_bases[code][m.group(1)] >= 2 and not ts.plain(code, m.group(1)):
            yield "5 N番丁/N番町 with numbers", f"{head}{m.group(1)}{number}-{block(rng)}"
    # 6. 条・丁目 and 線 as bare numbers
    m = JOU.match(town)
    if m and not ts.plain(code, m.group(1)):
        yield "6 条・丁目・線 as bare numbers", f"{head}{m.group(1)}{n(m.group(2))}-{n(m.group(3))}-{block(rng)}"
    m = GRID.match(town)
    if m:
        yield "6 条・丁目・線 as bare numbers", f"{head}{m.group(1)}{n(m.group(2))}-{m.group(3)}{n(m.group(4))}-{block(rng)}"
    m = SEN.match(town)
    if m and not ts.plain(code, m.group(1)):
        written = f"{m.group(1)}{n(m.group(2))}"
        if ts.free(code, written, town):
            yield "6 条・丁目・線 as bare numbers", f"{head}{written}-{rng.randint(1, 40)}"
    # 7. 通 written 通り
    if DORI.search(town):
        written = DORI.sub("通り", town)
        m = CHOME.match(written)
        yield "7 通/通り", f"{head}{m.group(1)}{n(m.group(2))}-{block(rng)}" if m else f"{head}{written}{block(rng)}"
    # 8. variant characters
    # (katakana for a kanji only before a kanji: before a number they are lots, 字ロ12)
    chars = [i for i, ch in enumerate(town) if ch in VARIANT_OF and (ch not in LOOK_ALIKE or KANJI.match(town, i + 1))]
    if chars:
        i = rng.choice(chars)
        ch = town[i]
        # every one of a kanji (長船町長船 → 長舟町長舟, as an alias has it), one katakana for a kanji
        written = town.replace(ch, VARIANT_OF[ch]) if ch not in LOOK_ALIKE else town[:i] + VARIANT_OF[ch] + town[i + 1:]
        if ts.free(code, written, town) and not re.search(r"[ァ-ヺ]", town[max(i - 1, 0): i + 2].replace(ch, "")):
            yield "8 variant characters", f"{head}{written}{lot(rng)}"
    # 9. the finer town: 大字X written before X's N丁目
    m = CHOME.match(town)
    if m and ("大字" + m.group(1)) in names:
        yield "9 the finer town", f"{head}大字{town}{block(rng)}"
    # 10. a town written without its municipality (no name that begins like a municipality's, old or current)
    if key(town) in ts.unique_in_japan and len(key(town)) >= 3 and not town.startswith("（") and not ts.starts_like_municipality.match(key(town)):
        yield "10 no municipality written", f"{town}{lot(rng)}"
    # 11. Kyoto's street forms
    if city.startswith("京都市") and not CHOME.match(town):
        a, b = rng.sample(KYOTO_STREETS, 2)
        yield "11 Kyoto street forms", head + rng.choice(KYOTO_FORMS).format(a=a + "", b=b, town=town) + str(rng.randint(1, 700))
    # 12. one unreadable character in the town's name
    if len(town) >= 3 and not re.search(NUMERAL, town) and not town.startswith(("（", "大字", "字")):
        i = rng.randrange(1, len(town))
        written = town[:i] + rng.choice("?\ufffd") + town[i + 1:]
        if unreadable_fits(code, written) == 1:
            yield "12 one unreadable character", f"{head}{written}{lot(rng)}"


_KEY_LINES: dict[str, str] = {}


def unreadable_fits(code: str, written: str) -> int:
    """How many keys of municipality ``code`` fit ``written`` (a town name with one character
    unreadable, ``?`` or U+FFFD), that character read as any other.

    Family 12 is made only where exactly one fits: the issue asks for a match when exactly one
    candidate fits, and a candidate is every key the index reads at the town's place, not only
    the real names of the same length. 「函館市湯?町」 fits 湯浜町 and also 湯川町 (the whole
    町 of 湯川町N丁目), 「釧路市新富?」 fits 新富町 and 新富士 (新富士町, 町 dropped): such a row is
    honestly ambiguous, not a town the geocoder missed. Keys are those of the index
    (:meth:`~geomap.geocoders.index.TownIndex.town_key_text`, and the 小字 of
    :meth:`~geomap.geocoders.index.TownIndex.koaza_key_text`), so aliases, a dropped 町, 丁目
    bases and 冠称 left out all count. The written name ends where the lot number begins, so
    a key must be the whole written name, no more and no less.
    """
    from geomap.geocoders.index import town_index

    if code not in _KEY_LINES:
        index = town_index()
        _KEY_LINES[code] = index.town_key_text(code) + "\n" + index.koaza_key_text(code)
    k = key(written)
    i = written.find("?") if "?" in written else written.find("\ufffd")
    if len(k) != len(written) or k[i] not in "?\ufffd":
        return 0
    # What is next to the character may be folded once it is read (市右エ? is 市右工門島, エ
    # before a kanji), so the neighbours are left open here and each key is checked by key().
    pattern = "^" + re.escape(k[: max(i - 1, 0)]) + "[^\n]{%d}" % (min(i, 1) + 1 + min(len(k) - i - 1, 1)) + re.escape(k[i + 2:]) + "$"
    return len({o for o in re.findall(pattern, _KEY_LINES[code], re.MULTILINE) if key(written[:i] + o[i] + written[i + 1:]) == o})


def general_forms(pref: str, city: str, town: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """The plain ways every town is written: in full, and with its 丁目 as the first number."""
    yield "written in full", f"{pref}{city}{town}{lot(rng)}"
    m = CHOME.match(town)
    if m:
        yield "丁目 as the first number", f"{pref}{city}{m.group(1)}{n(m.group(2))}-{block(rng)}"


def all_forms(ts: Towns, seed: int = 1, general: bool = True) -> Iterator[Form]:
    rng = random.Random(seed)
    for pref, city, code, town in ts.rows:
        if general:
            for family, address in general_forms(pref, city, town, rng):
                yield Form(family, address, pref, city, code, town)
        for family, address in family_forms(ts, pref, city, code, town, rng):
            yield Form(family, address, pref, city, code, town)


def outcome(form: Form, level: int, code: str, town: str, ambiguous: str) -> str:
    """``right`` (that town), ``listed`` (ambiguous, with it among the candidates), ``wrong`` (another town) or ``missed``."""
    if level >= 3:
        return "right" if code == form.code and key(town).startswith(key(form.town)) else "wrong"
    if ambiguous and f"{form.city}{form.town}" in ambiguous:
        return "listed"
    return "missed"
