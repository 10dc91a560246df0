"""Behaviour of geomap.geocode beyond single cases: context, ambiguity, batches, real lists."""

import math
import pickle
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap
from geomap.errors import UsageError
from geomap.geocoders import RESULT_COLUMNS, get_geocoder

DATA = Path(__file__).parent / "data"


def test_columns_order_and_one_row_per_input():
    r = geomap.geocode(["東京都江東区東陽4-11-28", None, float("nan"), 42, "", "東京都江東区東陽4-11-28"])
    assert list(r.columns) == RESULT_COLUMNS
    assert len(r) == 6
    assert r["level"].tolist() == [3, 0, 0, 0, 0, 3]
    assert (r["source"] == "offline").all()
    assert r.loc[0].equals(r.loc[5])


def test_rest_is_returned_untouched():
    r = geomap.geocode(["東京都中央区八重洲２－２－２　八重洲ビル３Ｆ"]).iloc[0]
    assert r["town"] == "八重洲二丁目"
    assert r["rest"] == "２－２　八重洲ビル３Ｆ"
    assert r["matched"] == "東京都中央区八重洲２"


def test_code_is_the_five_digit_municipality_code():
    r = geomap.geocode(["東京都江東区東陽4-11-28", "北海道札幌市中央区北1条西2丁目"])
    assert r["code"].tolist() == ["13108", "01101"]


@pytest.mark.parametrize(
    "address,kwargs,city,town",
    [
        ("東陽4-11-28", {"city": "江東区"}, "江東区", "東陽四丁目"),
        ("東陽4-11-28", {"city": "東京都江東区"}, "江東区", "東陽四丁目"),
        ("東陽4-11-28", {"pref": "東京都", "city": "江東区"}, "江東区", "東陽四丁目"),
        ("江東区東陽4-11-28", {"pref": "東京都"}, "江東区", "東陽四丁目"),
        ("中央区八重洲2-2-2", {"pref": "東京都"}, "中央区", "八重洲二丁目"),
        ("中央区北1条西2丁目", {"pref": "北海道"}, "札幌市中央区", "北一条西二丁目"),
        ("府中市宮西町1-1", {"pref": "東京都"}, "府中市", "宮西町一丁目"),
        ("北1条西2丁目", {"city": "札幌市"}, "札幌市中央区", "北一条西二丁目"),
        # A municipality written in the address wins over the context.
        ("千代田区麹町2-8", {"city": "江東区"}, "千代田区", "麹町二丁目"),
    ],
)
def test_context_for_lists_that_omit_the_start(address, kwargs, city, town):
    r = geomap.geocode([address], **kwargs).iloc[0]
    assert (r["city"], r["town"], int(r["level"])) == (city, town, 3)


def test_unknown_context_is_a_usage_error():
    with pytest.raises(UsageError):
        geomap.geocode(["東陽4"], pref="東京府")
    with pytest.raises(UsageError):
        geomap.geocode(["東陽4"], city="存在しない市")


# -- pref / city were default_pref / default_city: the old names work for one release ------


@pytest.mark.parametrize("old, new", [("default_pref", "pref"), ("default_city", "city")])
@pytest.mark.parametrize("function", ["geocode", "geocode_frame", "geocode_table"])
def test_the_old_context_keywords_still_work_and_warn(function, old, new):
    value = {"pref": "東京都", "city": "江東区"}[new]
    address = "江東区東陽4-11-28" if new == "pref" else "東陽4-11-28"

    def call(**context):
        if function == "geocode":
            return geomap.geocode([address], **context)
        if function == "geocode_frame":
            return geomap.geocode_frame(pd.DataFrame({"a": [address]}), "a", **context)
        return geomap.geocode_table(pd.DataFrame({"住所": [address]}), **context)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name warns of nothing
        expected = call(**{new: value})
    assert (expected["city"].iloc[0], expected["town"].iloc[0]) == ("江東区", "東陽四丁目")
    with pytest.warns(DeprecationWarning, match=rf"{old}= is deprecated; use {new}=") as caught:
        pd.testing.assert_frame_equal(call(**{old: value}), expected)
    assert caught[0].filename == __file__  # the warning points at the caller's line
    with pytest.raises(TypeError):
        call(**{old: value, new: value})


@pytest.mark.parametrize(
    "address,level,candidates",
    [
        ("府中市", 0, {"府中市（東京都）", "府中市（広島県）"}),
        ("港区", 0, {"港区（東京都）", "名古屋市港区（愛知県）", "大阪市港区（大阪府）"}),
        ("神奈川県南区", 1, {"横浜市南区（神奈川県）", "相模原市南区（神奈川県）"}),
    ],
)
def test_ambiguity_is_reported_not_guessed(address, level, candidates):
    r = geomap.geocode([address]).iloc[0]
    assert int(r["level"]) == level
    assert r["city"] == "" and r["town"] == ""
    assert set(r["ambiguous"].split("・")) == candidates


def test_a_town_in_two_wards_of_a_designated_city_stays_at_the_city():
    r = geomap.geocode(["横浜市吉田町"]).iloc[0]
    assert (int(r["level"]), r["pref"], r["city"], r["town"]) == (2, "神奈川県", "横浜市", "")
    assert set(r["ambiguous"].split("・")) == {"横浜市中区吉田町（神奈川県）", "横浜市戸塚区吉田町（神奈川県）"}


def test_ambiguity_resolved_by_a_town_in_exactly_one_candidate():
    r = geomap.geocode(["府中市宮西町1-1", "中央区八重洲2-2-2", "港区芝公園4-2-8"])
    assert r["pref"].tolist() == ["東京都", "東京都", "東京都"]
    assert r["ambiguous"].tolist() == ["", "", ""]


@pytest.mark.parametrize(
    "address,town",
    [
        ("新潟県長岡市東坂之上町2-1", "東坂之上町二丁目"),
        ("新潟県長岡市東町1", "東町"),
        ("東京都調布市西つつじヶ丘3-1", "西つつじケ丘三丁目"),
        ("東京都調布市西町1", "西町"),
    ],
)
def test_short_town_prefix_loses_to_the_longer_town(address, town):
    # 東町 is a prefix of nothing here, but 東坂之上町 begins with 東: the longest match wins.
    assert geomap.geocode([address])["town"].iloc[0] == town


def test_levels_place_points_inside_the_right_area():
    from shapely.geometry import Point

    from geomap import boundaries

    r = geomap.geocode(["東京都江東区", "東京都", "東京都江東区東陽4"])
    mun = boundaries.municipalities().set_index("code")
    pref = boundaries.prefectures().set_index("pref")
    assert mun.loc["13108", "geometry"].contains(Point(r.loc[0, "lon"], r.loc[0, "lat"]))
    assert pref.loc["東京都", "geometry"].contains(Point(r.loc[1, "lon"], r.loc[1, "lat"]))
    assert mun.loc["13108", "geometry"].contains(Point(r.loc[2, "lon"], r.loc[2, "lat"]))


def test_geocode_frame_adds_columns_and_keeps_index():
    df = pd.DataFrame({"名称": ["a", "b"], "住所": ["東京都江東区東陽4-11-28", "北海道札幌市"]}, index=[10, 20])
    out = geomap.geocode_frame(df, "住所")
    assert list(out.columns) == ["名称", "住所", *RESULT_COLUMNS]
    assert out.index.tolist() == [10, 20]
    assert out["level"].tolist() == [3, 2]


def test_geocode_is_picklable_for_dask_map_partitions():
    fn = pickle.loads(pickle.dumps(geomap.geocode_frame))
    df = pd.DataFrame({"住所": ["東京都江東区東陽4-11-28"]})
    assert fn(df, "住所")["town"].iloc[0] == "東陽四丁目"


def test_offline_adapter_is_the_default():
    g = get_geocoder()
    assert g.name == "offline" and g.online is False
    assert g.geocode(["東京都江東区東陽4"])["town"].iloc[0] == "東陽四丁目"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_string_gives_a_row_and_no_exception(text):
    r = geomap.geocode([text])
    assert len(r) == 1
    assert 0 <= int(r["level"].iloc[0]) <= 4


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcxyz0123456789!?@#%&*()[]{}<>;:'\"|/\\ .,~^ぁゐゑヰヱ"), max_size=40))
def test_garbage_gives_level_zero(text):
    r = geomap.geocode([text]).iloc[0]
    assert int(r["level"]) == 0
    assert math.isnan(r["lat"]) and math.isnan(r["lon"])


def test_tokyo_schools_list():
    """The real list (文部科学省 学校コード, see tests/data/SOURCES.md)."""
    lines = (DATA / "schools-tokyo.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4462
    r = geomap.geocode(lines)
    assert (r["level"] >= 3).mean() >= 0.99
    # Every row names its municipality after 東京都: all must reach it, in Tokyo.
    assert (r["level"] >= 2).all()
    assert (r["pref"] == "東京都").all()
    for line, city in zip(lines, r["city"]):
        assert city in line or city.split("郡")[-1] in line, (line, city)


@pytest.mark.parametrize(
    "address,level,city,town,note_part",
    [
        # 浜松市 reorganised its wards in 2024: the data (2021) has 中区, not 中央区.
        ("静岡県浜松市中央区鍛冶町100", 3, "浜松市中区", "鍛冶町", "中央区"),
        ("浜松市浜名区", 2, "浜松市", "", "浜名区"),
        ("東京都新市町1-1", 1, "", "", "新市町"),
        ("東京都江東区東陽9-1", 3, "江東区", "東陽", "9丁目"),
        ("東京都江東区東陽", 3, "江東区", "東陽", "丁目"),
        ("東京都江東区東陽4-11-28", 3, "江東区", "東陽四丁目", ""),
    ],
)
def test_municipalities_and_towns_the_data_lacks_are_reported(address, level, city, town, note_part):
    r = geomap.geocode([address]).iloc[0]
    assert (int(r["level"]), r["city"], r["town"]) == (level, city, town)
    if note_part:
        assert note_part in r["note"]
    else:
        assert r["note"] == ""


def test_new_ward_is_never_matched_to_a_neighbour_by_its_name():
    # 中央区 of 浜松市 must not become 浜松市中区 by its name, nor the town 中央 of 中区.
    r = geomap.geocode(["浜松市中央区存在しない町"]).iloc[0]
    assert int(r["level"]) == 2 and r["city"] == "浜松市" and r["town"] == ""


def test_notes_in_english():
    r = geomap.geocode(["東京都江東区東陽9-1"], lang="en").iloc[0]
    assert "chōme 9" in r["note"]
