"""PNG/PDF a memo can carry (issue 15 item 3): names that avoid each other and the points,
municipalities without rows as context, a prefecture level, captions set as Japanese is set,
a zoom with an inset when a few rows lie far away, and neutral cluster bubbles."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from conftest import town_rows
from geomap import spatial
from geomap.boundaries import municipalities
from geomap.gazetteer import towns
from geomap.maps import MapOptions, build, make_map
from geomap.maps import classes as map_classes
from geomap.maps import extent as map_extent
from geomap.maps import static
from geomap.maps import wrap as map_wrap
from geomap.messages import MESSAGES
from matplotlib.text import Text

KYOTO = sorted(municipalities().query("city.str.startswith('京都市')", engine="python")["code"])


def drawn(model, orientation="landscape"):
    """The figure, its map axes and the labels on it with their boxes (display pixels)."""
    figure = static.draw(model, orientation=orientation)
    figure.canvas.draw()
    ax = figure.axes[0]
    renderer = figure.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == "geomap-label"]
    boxes = [Text.get_window_extent(t, renderer) for t in labels]  # the name, not its leader line
    return figure, ax, labels, boxes


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def points_on_screen(ax):
    """Display coordinates of every point the map axes scattered."""
    from matplotlib.collections import PathCollection

    out = [c.get_offset_transform().transform(c.get_offsets()) for c in ax.collections
           if isinstance(c, PathCollection) and len(c.get_offsets())]
    return np.vstack(out) if out else np.empty((0, 2))


def check_labels(ax, boxes):
    frame = ax.get_window_extent()
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1
        for b in boxes[i + 1:]:
            assert not overlaps(a, b)
    pts = points_on_screen(ax)
    for a in boxes:
        inside = (pts[:, 0] > a.x0) & (pts[:, 0] < a.x1) & (pts[:, 1] > a.y0) & (pts[:, 1] < a.y1)
        assert not inside.any()


def test_a_point_map_names_the_municipalities_it_shows(koto_rows):
    model = build(koto_rows, MapOptions(category="category"))
    assert model.areas is None
    figure, ax, labels, boxes = drawn(model)
    names = {t.get_text() for t in labels}
    assert "江東区" in names and len(names & {"中央区", "墨田区", "江戸川区", "港区", "品川区"}) >= 3
    assert not any(n.startswith("東京都") for n in names)
    check_labels(ax, boxes)
    # the one with rows is written dark, the others grey
    colours = {t.get_text(): t.get_color() for t in labels}
    assert colours["江東区"] == "#222222" and colours["中央区"] == "#666666"


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_ward_names_on_a_choropleth_avoid_each_other_and_the_points(orientation):
    rows = town_rows(KYOTO).sample(300, random_state=1)
    model = build(rows, MapOptions(category="category"))
    figure, ax, labels, boxes = drawn(model, orientation)
    wards = {"北区", "上京区", "左京区", "中京区", "東山区", "下京区", "南区", "右京区", "伏見区", "山科区", "西京区"}
    names = {t.get_text() for t in labels}
    assert len(wards & names) >= 10  # 京都市 left out of its wards' names
    check_labels(ax, boxes)


def test_municipalities_without_rows_are_context_not_zero(wards_rows):
    model = build(wards_rows, MapOptions(by="municipality", points=False))
    assert (model.areas["count"] > 0).all()
    assert set(model.areas["key"]) == {"13102", "13107", "13108"}
    context = [i for i in model.area_items if i.kind == map_classes.CONTEXT]
    assert [i.label for i in context] == ["一覧に行のない市区町村（線のみ）"]
    assert not any(i.kind == map_classes.ZERO for i in model.area_items)
    assert "geomap-swatch context" in make_map(wards_rows, by="municipality").get_root().render()
    # towns keep their zeros: a town of a ward in the list is in the list's area
    towns_model = build(wards_rows.head(30), MapOptions(by="town", points=False))
    assert (towns_model.areas["count"] == 0).any()
    assert not any(i.kind == map_classes.CONTEXT for i in towns_model.area_items)


def nationwide(n=400):
    index = towns()
    codes = sorted(index["code"].unique())
    return town_rows(codes).sample(n, random_state=2)


def test_a_nationwide_list_is_coloured_by_prefecture():
    rows = nationwide()
    areas = spatial.aggregate(spatial.to_points(rows), by="prefecture").set_index("key")
    expected = rows["code"].str[:2].value_counts()
    for code, n in expected.items():
        assert areas.loc[code, "count"] == n
    assert areas.loc["13", "name"] == "東京都"
    model = build(rows, MapOptions())
    assert model.level == "prefecture" and model.title == "件数（都道府県別）"
    assert model.places.attrs["kind"] == "prefecture"
    # a list over a few prefectures stays at municipalities
    few = town_rows(["13108", "14131", "11101"])
    assert build(few, MapOptions()).level == "municipality"
    # rows placed only at their prefecture count for prefectures
    coarse = rows.copy()
    coarse.loc[coarse.index[:5], "level"] = 1
    counted = spatial.aggregate(spatial.to_points(coarse), by="prefecture")
    assert counted["count"].sum() == len(rows) and counted.attrs["coarse"] == 0


def test_the_command_offers_by_prefecture(tmp_path):
    from click.testing import CliRunner

    from geomap.cli import main

    rows = nationwide(200)
    src = tmp_path / "全国.csv"
    pd.DataFrame({"名称": rows["name"], "住所": rows["address"]}).to_csv(src, index=False)
    result = CliRunner().invoke(main, ["render", str(src), "--by", "prefecture", "--no-points", "-q"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "全国.html").read_text(encoding="utf-8")
    assert "東京都: " in html and "一覧に行のない都道府県" in html


CLOSING = "）)」』】〕］]、。，,．.：:；;！!？?"
OPENING = "（(「『【〔［["


class _Params(dict):
    def __missing__(self, key):
        return "1,234"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_captions_never_leave_a_bracket_alone(lang):
    """Every text a map carries, set at every width: no line starts with a closing mark."""
    texts = [t[lang].format_map(_Params(k=3, value="定員", measure="件数", level="町丁目別"))
             for key, t in MESSAGES.items() if key.startswith("map_") and t[lang]]
    for text in texts:
        for width in range(12, 61):
            lines = map_wrap.wrap(text, width).split("\n")
            assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
            for line in lines:
                assert line and not (line[0] in CLOSING and len(lines) > 1)
                assert not (line[-1] in OPENING and len(line) > 1)


def test_the_legend_says_town_areas_are_approximate_and_keeps_its_bracket(koto_rows):
    model = build(koto_rows, MapOptions(by="town"))
    figure = static.draw(model)
    titles = [legend.get_title().get_text() for legend in figure.legends]
    area_title = [t for t in titles if t.startswith("件数")][0]
    assert "区域はおおよその範囲" in area_title
    assert not any(line.strip() in ("）", ")") or line[:1] in CLOSING for line in area_title.split("\n"))
    figure.canvas.draw()
    for legend in figure.legends:  # on the page, not cut at its edge
        assert legend.get_window_extent().x1 <= figure.bbox.x1
    html = make_map(koto_rows, by="town").get_root().render()
    legend = re.search(r'"legend":"(.*?)","notes"', html).group(1)
    assert "区域はおおよその範囲" in legend


def test_a_few_far_rows_give_a_zoom_with_an_inset():
    rows = town_rows(KYOTO).sample(120, random_state=4)
    far = pd.concat([town_rows(["13108"]).head(2), town_rows(["01101"]).head(1)])
    model = build(pd.concat([rows, far], ignore_index=True), MapOptions(category="category"))
    assert model.focus is not None and model.outside == 3
    x0, y0, x1, y1 = model.focus
    assert x1 - x0 < 0.5 and y1 - y0 < 0.6  # 京都市, not 京都 to 札幌
    assert model.places.attrs["kind"] == "municipality"
    figure, ax, labels, boxes = drawn(model)
    insets = [c for c in ax.child_axes if c.get_gid() == "geomap-inset"]
    assert len(insets) == 1
    notes = [t.get_text() for t in figure.texts if t.get_gid() == "geomap-notes"][0]
    assert "この地図の範囲の外にある行: 3件" in notes.replace("\n", "")
    inset = insets[0].get_window_extent()
    assert not any(overlaps(inset, b) for b in boxes)
    check_labels(ax, boxes)
    # the page shows everything, with the background around the far rows too
    html = make_map(pd.concat([rows, far]), tiles="none").get_root().render()
    assert html.count('"interactive":false') >= 4  # land and lines near 京都, and around the rest


def test_rows_spread_evenly_give_no_zoom(wards_rows):
    assert map_extent.focus(spatial.to_points(wards_rows)) == (None, 0)
    assert build(nationwide(), MapOptions()).focus is None


def test_cluster_bubbles_use_one_neutral_colour_family():
    from importlib import resources

    from matplotlib import colormaps, colors

    css = resources.files("geomap.maps").joinpath("templates", "page.css").read_text(encoding="utf-8")
    rules = re.findall(r"\.marker-cluster-(small|medium|large)(?: div)? \{ background-color: rgba\(([^)]*)\)", css)
    assert {size for size, _ in rules} == {"small", "medium", "large"}
    category = {colors.to_hex(colormaps[map_classes.CATEGORY_CMAP](i)) for i in range(10)}
    for _, rgba in rules:
        r, g, b = (int(v) for v in rgba.split(",")[:3])
        assert max(r, g, b) - min(r, g, b) <= 40  # grey-blue, not a hue
        assert colors.to_hex((r / 255, g / 255, b / 255)) not in category
