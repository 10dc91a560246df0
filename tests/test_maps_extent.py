"""Maps wherever the data lies: every prefecture, across prefecture borders, every designated city.

Where a list's points lie decides how the outlines around them are clipped, and clipping
can give shapes a renderer cannot draw (a border touching the clipping box at a corner
becomes a line and a point). A 京都市 list once stopped every map with ``KeyError:
'coordinates'`` (issue 15). Each list here is built from the town index, decided once
(:func:`geomap.maps.build`) and drawn as HTML (rendered to text) and as a PNG (at a low
resolution: the drawing is the same, only the pixels are fewer).
"""

from __future__ import annotations

import io
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from conftest import town_rows
from geomap.boundaries import municipalities
from geomap.gazetteer import towns
from geomap.maps import MapOptions, build
from geomap.maps import html as map_html
from geomap.maps import static as map_static

DRAWABLE = {"Polygon", "MultiPolygon", "LineString", "MultiLineString"}


def _lists() -> list:
    """``(id, codes, towns)``: the towns of each list, drawn from the index with a fixed seed."""
    index = towns()
    index = index[(index["koaza"] == "") & index["lat"].notna()]
    munis = municipalities()
    rng = np.random.default_rng(15)
    out = []
    # one municipality in every prefecture: a small data box inside the prefecture
    for pref, group in index.groupby("pref", observed=True, sort=True):
        code = rng.choice(sorted(group["code"].unique()))
        out.append((f"pref-{pref}", [code], list(group.loc[group["code"] == code, "town"].head(20))))
    # the wards of every designated city (a box spanning the city)
    wards = munis[munis["city"].str.fullmatch(r".+市.+区")]
    for city, group in wards.groupby(wards["city"].str.extract(r"^(.+?市)")[0], sort=True):
        sub = index[index["code"].isin(group["code"])]
        sub = sub.sample(min(40, len(sub)), random_state=15)
        out.append((f"city-{group['pref'].iloc[0]}{city}", sorted(sub["code"].unique()), list(sub["town"])))
    # two touching municipalities of two prefectures, until every prefecture with a land
    # border has had one
    placed = munis[munis["code"].isin(set(index["code"]))][["code", "pref", "geometry"]]
    pairs = gpd.sjoin(placed, placed, predicate="intersects")
    pairs = pairs[pairs["pref_left"] < pairs["pref_right"]].sort_values(["code_left", "code_right"])
    pairs = pairs.drop_duplicates(["pref_left", "pref_right"])
    covered = set()
    for row in pairs.itertuples():
        if {row.pref_left, row.pref_right} <= covered:
            continue
        covered |= {row.pref_left, row.pref_right}
        codes = [row.code_left, row.code_right]
        sub = index[index["code"].isin(codes)].groupby("code").head(10)
        out.append((f"border-{row.pref_left}-{row.pref_right}", codes, list(sub["town"])))
    return out


LISTS = _lists()


def test_the_lists_cover_every_prefecture_border_and_designated_city():
    ids = [name for name, _, _ in LISTS]
    assert sum(i.startswith("pref-") for i in ids) == 47
    assert sum(i.startswith("city-") for i in ids) == 20  # the designated cities of 2021
    assert "city-京都府京都市" in ids
    borders = {p for i in ids if i.startswith("border-") for p in i.split("-")[1:]}
    assert len(borders) == 45  # every prefecture but 北海道 and 沖縄県 touches another


def _check_html(model) -> None:
    page = map_html.draw(model).get_root().render()
    block = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    parts = [p for slot in data["shapes"].values() for p in slot]
    assert parts
    for part in parts:
        for feature in part["data"]["features"]:
            assert feature["geometry"]["type"] in DRAWABLE
            assert feature["geometry"]["coordinates"]


def _check_png(model) -> None:
    figure = map_static.draw(model)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=20)
    assert buffer.getvalue().startswith(b"\x89PNG")


@pytest.mark.parametrize(("codes", "names"), [(c, t) for _, c, t in LISTS], ids=[i for i, _, _ in LISTS])
def test_a_map_is_drawn_wherever_the_data_lies(codes, names):
    rows = town_rows(codes)
    rows = rows[rows["town"].isin(set(names))]
    model = build(rows, MapOptions(category="category"))
    for frame in (model.areas, model.land, model.prefecture_lines, model.municipality_lines):
        if frame is not None:
            assert set(frame.geom_type) <= DRAWABLE and not frame.geometry.is_empty.any()
    _check_html(model)
    _check_png(model)


def test_town_areas_go_on_as_far_as_their_municipality():
    """Northern 京都市左京区 (花脊, 久多 …) stays on a map of its southern towns."""
    rows = town_rows(["26103"])
    south = rows[rows["lat"] < rows["lat"].quantile(0.3)]
    model = build(south, MapOptions(by="town", points=False))
    ward = municipalities().set_index("code").loc["26103", "geometry"]
    drawn = shapely.union_all(model.areas.geometry.to_numpy())
    assert drawn.area == pytest.approx(ward.area, rel=0.01)
    north = model.areas[model.areas.geometry.representative_point().y > south["lat"].max() + 0.1]
    assert len(north) and (north["count"] == 0).all()
    _check_html(model)
    _check_png(model)
