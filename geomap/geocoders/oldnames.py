"""Old municipality names: a list written before a merger (浦和市, 南安曇郡豊科町) read as today's.

Addresses kept for years name municipalities that merged since: 「浦和市高砂3-15-1」 is now
さいたま市浦和区高砂三丁目, 「南安曇郡豊科町大字南穂高」 is 安曇野市豊科南穂高. The table
(``data/oldnames.parquet``, built by :func:`build_table` from Japan Post's 市町村変更情報 as
compiled in ``merged-town-names`` and the short table ``tools/data/mergers_before_2003.csv``
of the large mergers it lacks) gives each old name the municipalities it is part of now:

- an old city whose name is now a ward of the designated city it joined is tried in that
  ward first (浦和市 → さいたま市浦和区, 清水市 → 静岡市清水区, 浜北市 → 浜松市浜北区), then
  in the whole city (a town of 旧浦和市 now in 南区);
- an old municipality whose name begins the town names of its new municipality, and of no
  other municipality of the prefecture, gives that beginning (豊科町 → 豊科: 大字南穂高 is
  now 豊科南穂高; 新市町 → 新市町: 大字戸手 is 新市町大字戸手; 大曲市 → 大曲: 花園町 is
  大仙市大曲花園町).

:func:`match` is used by the offline adapter (:mod:`geomap.geocoders.readings`) only where no
current municipality name is written (a current name always wins): the town is matched
inside the new municipality as usual and the note says 「旧浦和市 → さいたま市浦和区」. Without a prefecture, an old name is used only
when it is unique among the old and current names of all Japan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..address.normalize import key, skip_brackets
from ..provenance import read_data_table
from .answer import with_notes
from .matcher import Match, Matcher

TABLE = "oldnames.parquet"
# Written after the old municipality and before its town: 大字, 字 (dropped when the prefix is put before the town).
_AZA = re.compile(r"大字|字")
_SUFFIX = re.compile(r"[町村]$")


@dataclass(frozen=True)
class OldName:
    """One old municipality and what it is part of now (a row of ``oldnames.parquet``)."""

    pref: str
    name: str  # as the source writes it: 南安曇郡豊科町, 浦和市
    new: str  # as the source writes what it became: 安曇野市, さいたま市
    codes: tuple[str, ...]  # the municipalities (wards) it is part of now
    preferred: tuple[str, ...] = ()  # a ward named like it, tried first (浦和市 → 浦和区)
    prefix: str = ""  # key its towns' names now start with (豊科町 → 豊科), or ""
    date: str = ""


# -- run side --------------------------------------------------------------------------


class OldNames:
    """The old names of :data:`TABLE`, by prefecture and key (with and without the 郡)."""

    def __init__(self, rows: list[OldName]):
        self.by_pref: dict[str, dict[str, list[OldName]]] = {}
        self.everywhere: dict[str, list[OldName]] = {}
        for row in rows:
            name = row.name.split("郡", 1)[1] if "郡" in row.name[:-1] else row.name
            for k in dict.fromkeys((key(row.name), key(name))):
                self.by_pref.setdefault(row.pref, {}).setdefault(k, []).append(row)
                self.everywhere.setdefault(k, []).append(row)
        self.maxlen = max(map(len, self.everywhere), default=0)

    def __len__(self) -> int:
        return len({id(r) for rows in self.everywhere.values() for r in rows})

    def find(self, text: str, pos: int, pref: str = "") -> tuple[str, list[OldName], int]:
        """The longest old name at ``pos`` (in ``pref`` when given): (key, rows, end)."""
        table = self.by_pref.get(pref, {}) if pref else self.everywhere
        for length in range(min(self.maxlen, len(text) - pos), 1, -1):
            k = text[pos:pos + length]
            rows = table.get(k)
            if rows:
                return k, rows, pos + length
        return "", [], pos


@lru_cache(maxsize=1)
def old_names() -> OldNames:
    """The shipped table (read once per process)."""
    t = read_data_table(TABLE).to_pydict()
    rows = [
        OldName(pref, name, new, tuple(codes.split()), tuple(preferred.split()), prefix, date)
        for pref, name, new, codes, preferred, prefix, date in zip(
            t["pref"], t["name"], t["new"], t["codes"], t["preferred"], t["prefix"], t["date"]
        )
    ]
    return OldNames(rows)


def _shifted(m: Match, start: int, put: int) -> Match:
    """``m`` matched on ``prefix + text[start:]`` (``put`` = len(prefix)), its end in ``text``."""
    m.end = start + max(0, m.end - put)
    return m


_CHOME_AT_END = re.compile(r"[-#]?\d+(?:丁目|丁)?$")


def _name_end(text: str, m: Match) -> int:
    """Where the town's name ends in ``text`` (a 丁目 number read after it left out)."""
    found = _CHOME_AT_END.search(text, 0, m.end)
    return found.start() if found else m.end


def _in_new_municipality(matcher: Matcher, text: str, end: int, row: OldName, codes: list[str], pref: str) -> Match:
    """The town after the old name, inside ``codes``: as written, and with the old name's prefix put before it.

    The prefixed reading wins when its name reaches as far: 栃尾市旭町1 is 長岡市栃尾旭町, not the
    旭町一丁目 of 長岡市 that 旭町1 alone would be.
    """
    best = matcher._resolve(text, codes, end, pref)
    best_end = _name_end(text, best)
    if row.prefix:
        start = skip_brackets(text, end)
        starts = [start]
        aza = _AZA.match(text, start)
        if aza:
            starts.append(aza.end())
        for s in starts:
            put = len(row.prefix)
            m = _shifted(matcher._resolve(row.prefix + text[s:], codes, 0, pref), s, put)
            if m.level >= 3 and m.end == s and s < len(text) and not text[s].isdigit():
                continue  # only the prefix's own town (豊科), and a name follows that it does not explain
            # On a tie the prefixed name wins: 古川市七日町 is 大崎市古川七日町, not a 七日町 of another old town.
            if (min(m.level, 3), _name_end(text, m)) >= (min(best.level, 3), best_end) and m.level >= 2:
                best, best_end = m, _name_end(text, m)
    return best


def _place(matcher: Matcher, text: str, end: int, rows: list[OldName], pref: str) -> Match:
    """Match the rest of the address in what the old municipality ``rows`` became."""
    index = matcher.index
    preferred = list(dict.fromkeys(c for r in rows for c in r.preferred if c in index.municipalities))
    codes = list(dict.fromkeys(c for r in rows for c in r.codes if c in index.municipalities))
    attempts = [(r, preferred) for r in rows if preferred] + [(r, codes) for r in rows]
    best = Match()
    for row, attempt in attempts:
        m = _in_new_municipality(matcher, text, end, row, attempt, pref)
        if m.level >= 3 or m.ambiguous:
            return m
        if m.level > best.level:
            best = m
    if best.level >= 2 and best.code:
        return best
    designated = matcher._one_designated_city(set(codes), require_all=True)  # all the wards of one city
    if designated is not None:
        code, lat, lon = index.designated_point(*designated)
        return Match(2, designated[0], designated[1], "", code, lat, lon, end)
    if len(codes) == 1:
        mun = index.municipalities[codes[0]]
        return Match(2, mun.pref, mun.city, "", mun.code, mun.lat, mun.lon, end)
    labels = "・".join(dict.fromkeys(f"{index.municipalities[c].city}（{index.municipalities[c].pref}）" for c in codes))
    prefs = {index.municipalities[c].pref for c in codes}
    if len(prefs) == 1:
        lat, lon = index.prefs[next(iter(prefs))]
        return Match(1, next(iter(prefs)), lat=lat, lon=lon, end=end, ambiguous=labels)
    return Match(0, end=end, ambiguous=labels)


def match(matcher: Matcher, text: str, pos: int, pref: str = "", default_pref: str = "") -> Match | None:
    """The address read with an old municipality name at ``pos`` (after the prefecture), or None.

    ``pref`` is the prefecture written before ``pos``; ``default_pref`` the list's context.
    Without either, the old name must be unique among the old and current names of Japan.
    The answer's note is ``note_old_name`` (旧浦和市 → さいたま市浦和区).
    """
    table = old_names()
    pos = skip_brackets(text, pos)
    name, rows, end = table.find(text, pos, pref or default_pref)
    if not rows and default_pref and not pref:
        name, rows, end = table.find(text, pos)
    if not rows:
        return None
    if not pref:
        prefs = {r.pref for r in table.everywhere[name]}
        if len(prefs) > 1 or name in matcher.index.city_keys_all:
            labels = "・".join(dict.fromkeys(f"旧{r.name}→{r.new}（{r.pref}）" for r in table.everywhere[name]))
            return Match(0, end=pos, ambiguous=labels)
    m = _place(matcher, text, end, rows, pref or rows[0].pref)
    if m.level >= 2 and m.city:
        with_notes(m, ("note_old_name", {"old": rows[0].name.split("郡", 1)[-1], "new": m.city}), first=True)
    return m


# -- build side (tools/build_data.py) -------------------------------------------------------

_PAREN = re.compile(r"（[^）]*）")


def _clean(name: str) -> str:
    return _PAREN.sub("", str(name)).strip()


def read_sources(paths) -> list[dict]:
    """Rows ``pref, old, new, date, source`` of the merger CSVs (都道府県, 変更前, 変更後, 変更日, 典拠).

    An old name listing several (宗像郡福間町・津屋崎町) gives one row each, the 郡 repeated.
    """
    import csv

    rows = []
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                old = _clean(r["変更前"])
                county = old.split("郡", 1)[0] + "郡" if "郡" in old[:-1] else ""
                names = old[len(county):].split("・")
                for n in names:
                    rows.append({"pref": r["都道府県"].strip(), "old": county + n.strip(), "new": _clean(r["変更後"]),
                                 "date": r["変更日"].strip(), "source": r["典拠"].strip()})
    return rows


def build_table(rows: list[dict], municipalities, towns) -> tuple[dict, dict]:
    """The columns of :data:`TABLE` and a report (counts, names whose new municipality is not in the data).

    ``municipalities`` and ``towns`` are the frames of :mod:`geomap.gazetteer`. A name's new
    municipality is followed through later changes (北設楽郡稲武町 → 東加茂郡稲武町 → 豊田市).
    """
    by_name: dict[tuple[str, str], list[str]] = {}
    designated: dict[tuple[str, str], list[str]] = {}
    ward_of: dict[tuple[str, str], dict[str, str]] = {}
    for code, pref, city, county, name in zip(municipalities["code"], municipalities["pref"], municipalities["city"],
                                              municipalities["county"], municipalities["name"]):
        by_name.setdefault((pref, key(city)), []).append(code)
        if county.endswith("市"):
            designated.setdefault((pref, key(county)), []).append(code)
            ward_of.setdefault((pref, key(county)), {})[key(name)] = code
    for k, codes in designated.items():
        by_name.setdefault(k, codes)

    changes: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if key(r["old"]) != key(r["new"]):
            changes.setdefault((r["pref"], key(r["old"])), []).append(r)

    prefs = set(municipalities["pref"])

    def now(pref: str, name: str, seen=()) -> list[str]:
        for other in prefs:  # a merger across a prefecture's border (木曽郡山口村 → 岐阜県中津川市)
            if name.startswith(other):
                pref, name = other, name[len(other):]
        k = (pref, key(name))
        if k in by_name:
            return by_name[k]
        short = key(name.split("郡", 1)[1]) if "郡" in name[:-1] else None
        if short and (pref, short) in by_name and len(by_name[(pref, short)]) == 1:
            return by_name[(pref, short)]
        if k in changes and k not in seen:
            return sorted({c for r in changes[k] for c in now(pref, r["new"], seen + (k,))})
        return []

    # Town names of each municipality, as keys, and which municipalities of a prefecture a start begins.
    town_keys: dict[str, list[str]] = {}
    for code, town in zip(towns["code"], towns["town"]):
        town_keys.setdefault(code, []).append(key(town))
    pref_of = dict(zip(municipalities["code"], municipalities["pref"]))
    codes_of_pref: dict[str, list[str]] = {}
    for code in town_keys:
        codes_of_pref.setdefault(pref_of[code], []).append(code)

    def begins(pref: str, start: str) -> set[str]:
        return {c for c in codes_of_pref.get(pref, []) if any(t.startswith(start) for t in town_keys[c])}

    out = {k: [] for k in ("pref", "name", "new", "codes", "preferred", "prefix", "date", "source")}
    missing = []
    done = set()
    for r in rows:
        pref, old = r["pref"], r["old"]
        if key(old) == key(r["new"]) or (pref, old, r["new"]) in done:
            continue  # a merger that kept the name (二本松市 → 二本松市): the current name
        done.add((pref, old, r["new"]))
        codes = now(pref, r["new"])
        if not codes or (pref, key(old)) in by_name:
            if not codes:
                missing.append({"pref": pref, "old": old, "new": r["new"]})
            continue
        short = old.split("郡", 1)[1] if "郡" in old[:-1] else old
        stem = _SUFFIX.sub("", short[:-1]) if short.endswith("市") else _SUFFIX.sub("", short)
        # A ward named like the old municipality (浦和市 → 浦和区, 美原町 → 美原区), or the ward the source names.
        preferred = []
        for (dpref, dname), wards in ward_of.items():
            if dpref == pref and set(wards.values()) >= set(codes) and key(stem + "区") in wards:
                preferred = [wards[key(stem + "区")]]
        if not preferred and len(codes) == 1 and any(set(designated[k]) >= set(codes) for k in designated if k[0] == pref):
            preferred = list(codes)
        if preferred:  # the whole designated city, so a town of the old city now in another ward is found
            for k, wards in designated.items():
                if k[0] == pref and preferred[0] in wards:
                    codes = sorted(wards)
        prefix = ""
        for start in (key(short), key(stem)):  # 新市町 → 新市町大字戸手, 豊科町 → 豊科南穂高, 大曲市 → 大曲花園町
            if len(start) >= 2 and begins(pref, start) and begins(pref, start) <= set(codes):
                prefix = start
                break
        out["pref"].append(pref)
        out["name"].append(old)
        out["new"].append(r["new"])
        out["codes"].append(" ".join(codes))
        out["preferred"].append(" ".join(preferred))
        out["prefix"].append(prefix)
        out["date"].append(r["date"])
        out["source"].append(r["source"])
    report = {"old_names": len(out["name"]), "old_names_not_resolved": missing}
    return out, report


__all__ = ["OldName", "OldNames", "build_table", "match", "old_names", "read_sources"]
