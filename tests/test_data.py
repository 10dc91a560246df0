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
from geomap.cli import main

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
        assert s["license"] == "CC BY 4.0" and s["url"].startswith("https://")


def test_info_json_command():
    result = CliRunner().invoke(main, ["info", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["prefectures"] == 47 and data["towns"] >= 270_000 and data["municipalities"] >= 1_890
    assert {s["id"] for s in data["sources"]} == {"towns", "boundaries"}


def test_info_command_prints_sources_in_japanese_and_english():
    ja = CliRunner().invoke(main, ["info"]).output
    en = CliRunner().invoke(main, ["info", "--lang", "en"]).output
    assert "出典" in ja and "CC BY 4.0" in ja
    assert "sources" in en and "municipalities" in en


def test_shipped_data_is_small():
    total = sum(f.stat().st_size for f in DATA.iterdir())
    assert total < 30 * 2**20


@pytest.mark.skipif(not SHARED.is_dir(), reason="raw open data (../shared/data) is not beside this checkout")
def test_build_is_deterministic_and_matches_the_shipped_files(tmp_path):
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run(
            [sys.executable, str(REPO / "tools" / "build_data.py"), "--source", str(SHARED), "--out", str(out)],
            check=True,
            capture_output=True,
        )
        outs.append(out)
    for f in ("towns.parquet", "municipalities.parquet", "prefectures.parquet", "sources.json"):
        digests = {hashlib.sha256((o / f).read_bytes()).hexdigest() for o in outs}
        assert len(digests) == 1, f"{f} differs between two builds"
        assert (outs[0] / f).read_bytes() == (DATA / f).read_bytes(), f"{f} is not what the build makes"
