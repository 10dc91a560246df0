"""Finding the address, coordinate, name and category columns by their headers (geomap.columns)."""

from __future__ import annotations

import pandas as pd
import pytest

from geomap.columns import find_columns, join_address, require_columns
from geomap.errors import InputError, UsageError


@pytest.mark.parametrize(
    "columns, address",
    [
        (["名称", "住所"], "住所"),
        (["施設名", "所在地"], "所在地"),
        (["名称", "所在地住所", "郵便番号"], "所在地住所"),
        (["name", "Address"], "Address"),
        (["ＮＡＭＥ", "ADDRESS"], "ADDRESS"),
        (["名称", "施設の住所", "住所（フリガナ）"], "施設の住所"),
    ],
)
def test_single_address_column(columns, address):
    assert find_columns(pd.DataFrame(columns=columns)).address == address


def test_split_address_columns_are_joined():
    df = pd.DataFrame({"都道府県": ["東京都", ""], "市区町村": ["江東区", "江東区"], "町域": ["東陽四丁目", "木場"],
                       "番地": ["11-28", "1-5-2"]})
    found = find_columns(df)
    assert found.address is None and found.parts == ["都道府県", "市区町村", "町域", "番地"]
    assert join_address(df, found).tolist() == ["東京都江東区東陽四丁目11-28", "江東区木場1-5-2"]


def test_an_address_column_alone_is_its_text_stripped():
    df = pd.DataFrame({"住所": [" 江東区東陽4-11-28　", None, float("nan"), "木場1-5"]}, index=[5, 5, 2, 9])
    joined = join_address(df, find_columns(df))
    assert joined.tolist() == ["江東区東陽4-11-28", "", "", "木場1-5"]
    assert joined.index.tolist() == [5, 5, 2, 9] and joined.name is None


def test_prefecture_and_city_columns_prefix_an_address_that_lacks_them():
    df = pd.DataFrame({"市区町村": ["江東区", "江東区"], "住所": ["東陽4-11-28", "東京都江東区木場1-5-2"]})
    found = find_columns(df)
    assert found.address == "住所" and found.parts == ["市区町村"]
    assert join_address(df, found).tolist() == ["江東区東陽4-11-28", "東京都江東区木場1-5-2"]


@pytest.mark.parametrize(
    "lat, lon",
    [("緯度", "経度"), ("lat", "lon"), ("lat", "lng"), ("Latitude", "Longitude"), ("緯度（10進）", "経度（10進）")],
)
def test_latlon_columns(lat, lon):
    found = find_columns(pd.DataFrame(columns=["名称", lat, lon]))
    assert (found.lat, found.lon) == (lat, lon)
    assert require_columns(pd.DataFrame(columns=["名称", lat, lon]), found) is found


def test_lat_without_lon_is_not_coordinates():
    assert find_columns(pd.DataFrame(columns=["住所", "緯度"])).lat is None


def test_name_and_category_columns():
    found = find_columns(pd.DataFrame(columns=["施設名", "分類", "住所"]))
    assert (found.name, found.category) == ("施設名", "分類")
    found = find_columns(pd.DataFrame(columns=["name", "category", "address"]))
    assert (found.name, found.category) == ("name", "category")


def test_no_usable_column_lists_the_columns():
    df = pd.DataFrame(columns=["名前", "電話", "メモ"])
    with pytest.raises(InputError) as err:
        require_columns(df, find_columns(df))
    assert err.value.key == "no_address_column"
    assert err.value.params["columns"] == ["名前", "電話", "メモ"]


def test_address_column_option():
    df = pd.DataFrame(columns=["名前", "場所"])
    assert find_columns(df, address_column="場所").address == "場所"
    assert find_columns(df, address_column=" 場所 ").address == "場所"
    with pytest.raises(UsageError) as err:
        find_columns(df, address_column="住所")
    assert err.value.key == "column_not_found"


# -- coordinates ---------------------------------------------------------------------


def test_one_test_of_a_usable_point_for_the_report_the_geocoder_and_the_map():
    # report.placed_rows, the table geocoder and spatial.to_points all use has_point.
    from geomap.columns import has_point
    from geomap.spatial import placed_mask

    lat = pd.Series([35.6, None, "35.6", "abc", 95.0, -90.0, "", 35.6])
    lon = pd.Series([139.8, 139.8, "139.8", 139.8, 139.8, 180.0, "", 181.0])
    expected = [True, False, True, False, False, True, False, False]
    assert has_point(lat, lon).tolist() == expected
    assert placed_mask(pd.DataFrame({"lat": lat, "lon": lon})).tolist() == expected


# -- the header row -------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["住所"], ["東京都江東区東陽4-11-28"]], (0, True)),
        ([["令和6年度 施設一覧"], ["作成日", "2024-04-01"], ["名称", "住所", "種別"], ["A", "江東区", "公園"]], (2, True)),
        ([["一覧"], ["番号", "場所", "種別"], ["1", "江東区", "公園"]], (1, False)),
        ([["名称", "所在地の住所欄"], ["A", "江東区"]], (0, True)),
    ],
    ids=["plain", "titles above", "no address name", "loose address name"],
)
def test_find_header_skips_titles_and_says_whether_it_names_an_address(rows, expected):
    from geomap.columns import find_header

    assert find_header(rows) == expected
