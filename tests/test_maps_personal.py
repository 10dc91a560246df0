"""Lists of persons are safe by default; popups never show a 番地 unless asked (issue 15 item 2)."""

from __future__ import annotations

import json
import logging
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import town_rows
from geomap.cli import main
from geomap.columns import PERSONAL_HEADERS, personal_columns
from geomap.errors import UsageError
from geomap.maps import MapOptions, build, make_map
from geomap.maps import classes as map_classes
from geomap.maps.options import PERSONAL_MIN_COUNT


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def data_of(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


@pytest.mark.parametrize(
    ("headers", "personal"),
    [
        (["氏名", "住所"], ["氏名"]),
        (["名前", "生年月日", "住所"], ["生年月日"]),
        (["No", "住所", "年齢", "性別"], ["年齢", "性別"]),
        (["世帯主", "続柄", "住所"], ["世帯主", "続柄"]),
        (["利用者ID", "要介護度", "障害の種別", "所在地"], ["利用者ID", "要介護度", "障害の種別"]),
        (["マイナンバー", "住所"], ["マイナンバー"]),
        (["名前", "電話", "住所"], ["名前", "電話"]),  # a person's name beside a telephone number
        (["ﾌﾘｶﾞﾅ", "携帯番号", "住所"], ["ﾌﾘｶﾞﾅ", "携帯番号"]),  # folded: half-width kana too
        (["Full name", "Date of birth", "Address"], ["Full name", "Date of birth"]),
        # places, not persons
        (["名称", "種別", "住所", "定員"], []),
        (["施設名", "住所", "電話番号", "FAX"], []),
        (["名前", "住所"], []),  # 名前 alone names places as often as persons
        (["名称", "対象年齢", "住所"], []),
        (["自治会名", "世帯数", "住所"], []),
        (["児童館名", "住所"], []),
    ],
)
def test_personal_headers(headers, personal):
    assert personal_columns(headers) == personal


def test_one_list_of_personal_headers():
    """The words the issue names are in the one list (columns.PERSONAL_HEADERS)."""
    words = {w for group in ("alone", "together") for w in PERSONAL_HEADERS[group]}
    for word in ("氏名", "名前", "生年月日", "年齢", "性別", "電話", "要介護", "障害", "世帯", "マイナンバー", "続柄"):
        assert word in words


def personal_rows(codes=("13108",), n=None) -> pd.DataFrame:
    """A list of persons: 氏名, 生年月日 and an address with its 番地, placed at town points."""
    rows = town_rows(list(codes))
    if n is not None:
        rows = rows.head(n)
    rows = rows.drop(columns=["name", "category", "address"]).reset_index(drop=True)
    rows.insert(0, "氏名", [f"住民{i:03d}" for i in range(len(rows))])
    rows.insert(1, "生年月日", [f"19{40 + i % 50}-0{1 + i % 9}-1{i % 10}" for i in range(len(rows))])
    rows["住所"] = [f"{p}{c}{t}{100 + i}-{7 + i % 5}" for i, (p, c, t) in
                   enumerate(zip(rows["pref"], rows["city"], rows["town"]))]
    rows["source"] = "offline"
    return rows


def test_a_list_of_persons_gets_no_points_and_hidden_small_counts():
    rows = personal_rows()
    model = build(rows)
    assert model.personal == ["氏名", "生年月日"]
    assert model.points is None and model.options.points is False
    assert model.options.min_count == PERSONAL_MIN_COUNT
    assert model.areas is not None and model.approximate  # one ward: its towns, approximately
    html = make_map(rows).get_root().render()
    assert "points" not in data_of(html)
    for name, address in zip(rows["氏名"], rows["住所"]):
        assert name not in html and address not in html
    # asked for: points (still no 番地 in their popups), and another minimum
    shown = build(rows, MapOptions(points=True))
    assert shown.points is not None and shown.options.min_count == PERSONAL_MIN_COUNT
    assert build(rows, MapOptions(min_count=1)).options.min_count == 1
    with pytest.raises(UsageError) as err:
        build(rows, MapOptions(by="none"))
    assert err.value.key == "personal_points" and "氏名" in err.value.params["columns"]
    assert build(rows, MapOptions(by="none", points=True)).points is not None


def test_render_of_a_list_of_persons_says_what_it_did(tmp_path):
    rows = personal_rows(("13108", "13102"))
    rows = pd.concat([rows[rows["code"] == "13108"].head(12), rows[rows["code"] == "13102"].head(1)])
    src = tmp_path / "名簿.csv"
    # the list as staff keep it, with a row that cannot be placed
    keep = rows[["氏名", "生年月日", "住所"]]
    keep = pd.concat([keep, pd.DataFrame({"氏名": ["住民999"], "生年月日": ["1950-01-01"],
                                          "住所": ["どこかの町9-9-9"]})])
    keep.to_csv(src, index=False)
    result = run("render", src, "--png")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "個人の情報らしい列" in line]
    assert len(lines) == 1
    assert "氏名、生年月日" in lines[0] and "--points" in lines[0] and "--min-count" in lines[0]
    html = (tmp_path / "名簿.html").read_text(encoding="utf-8")
    data = data_of(html)
    assert "points" not in data
    for name, address in zip(keep["氏名"], keep["住所"]):
        assert name not in html and address not in html  # not the unplaced row either
    assert "3件未満" in data["panels"]["legend"]  # 中央区's one row
    # --points: the points, their popups down to the town; the summary names what stays hidden
    result = run("render", src, "-o", tmp_path / "shown.html", "--points", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "(--min-count N changes it)" in result.output and "--points shows" not in result.output
    page = (tmp_path / "shown.html").read_text(encoding="utf-8")
    assert "points" in data_of(page)
    for address in keep["住所"]:
        assert address not in page
    result = run("render", src, "-o", tmp_path / "all.html", "--points", "--min-count", "1")
    assert result.exit_code == 0 and "個人の情報らしい列" not in result.output


def test_popups_show_the_address_down_to_the_town_unless_asked(koto_rows):
    rows = koto_rows.head(30).copy()
    rows["address"] = rows["address"] + [f"{i + 1}-{i + 2}-3" for i in range(len(rows))]
    model = build(rows, MapOptions(name="name", category="category", address="address"))
    labels = [label for label, _ in model.popup_fields]
    assert labels == ["name", "category", "所在（町丁目まで）"]
    html = make_map(rows, name="name", category="category", address="address").get_root().render()
    fields = data_of(html)["points"]["fields"]
    town = [f for f in fields if f["label"] == "所在（町丁目まで）"][0]
    shown = town["v"] if "v" in town else [town["u"][i] for i in town["i"]]
    assert shown == (rows["pref"] + rows["city"] + rows["town"]).tolist()
    for address in rows["address"]:
        assert address not in html
    full = make_map(rows, name="name", address="address", popup_address="full").get_root().render()
    assert rows["address"].iloc[0] in full
    with pytest.raises(UsageError) as err:
        MapOptions(popup_address="block")
    assert err.value.key == "bad_choice"


def test_popups_say_the_point_is_a_representative_point(koto_rows):
    rows = koto_rows.head(4).copy()
    rows["source"] = ["offline", "offline", "input", "offline"]  # the third row gave its coordinates
    data = data_of(make_map(rows).get_root().render())["points"]
    assert data["note"] == "位置は町丁目（字）の代表点で、建物の位置ではありません"
    assert data["rep"] == [1, 1, 0, 1]
    mine = rows.drop(columns=["level", "source"])  # coordinates of the user's own: no note
    assert "note" not in data_of(make_map(mine).get_root().render())["points"]


def test_fewer_than_k_is_its_own_class_apart_from_zero(koto_rows):
    rows = koto_rows.head(40)
    model = build(rows, MapOptions(by="town", points=False, min_count=3))
    areas = model.areas
    counts = areas["count"]
    assert (counts == 0).any() and ((counts > 0) & (counts < 3)).any()
    assert (areas.loc[counts == 0, "state"] == map_classes.ZERO).all()
    assert (areas.loc[(counts > 0) & (counts < 3), "state"] == map_classes.SUPPRESSED).all()
    kinds = {item.kind: item for item in model.area_items}
    assert kinds[map_classes.ZERO].color != kinds[map_classes.SUPPRESSED].color
    assert kinds[map_classes.SUPPRESSED].label == "3件未満（数を伏せています）"
    assert kinds[map_classes.ZERO].label == "0"


def test_every_html_map_says_how_many_rows_were_not_placed_even_none(koto_rows):
    html = make_map(koto_rows.head(5)).get_root().render()
    assert "地図に載せられなかった行: 0件" in data_of(html)["panels"]["notes"]


@pytest.mark.parametrize(("lang", "expected", "other"), [("ja", "件未満の区域は数を伏せていますが", "min_count hides"),
                                                         ("en", "hide their number, but the individual", "件未満")])
def test_warnings_are_in_the_language_of_the_map(wards_rows, caplog, lang, expected, other):
    with caplog.at_level(logging.WARNING, logger="geomap"):
        build(wards_rows, MapOptions(by="municipality", min_count=3, points=True, lang=lang))
    said = " ".join(r.getMessage() for r in caplog.records)
    assert expected in said and other not in said
