"""Self-contained HTML maps: offline, escaped, with the layers and notes asked for."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest

from conftest import XSS, town_rows
from geomap.errors import InputError, OutputError, UsageError
from geomap.maps import GSI_PALE, GSI_STD, make_map, save_html
from geomap.maps import MapOptions, build
from geomap.maps import classes as map_classes
from geomap.maps.page import external_resources, safe_json


def built(df, unplaced=None, **options):
    """The map model of ``df`` with these options."""
    return build(df, MapOptions(**options), unplaced=unplaced)


def page(m) -> str:
    return m.get_root().render()


def data_of(html: str) -> dict:
    """The JSON block the page's scripts read (every value from the user's data is there)."""
    block = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def has(html: str, text: str) -> bool:
    """``text`` is in the page as HTML, or inside a script as JSON (escaped either way)."""
    return any(form in html for form in (text, safe_json(text)[1:-1], json.dumps(text)[1:-1]))


def test_page_loads_nothing_from_the_network(wards_rows):
    for tiles in ("gsi", "none"):
        html = page(make_map(wards_rows, category="category", name="name", address="address", tiles=tiles))
        assert external_resources(html) == []
        for cdn in ("cdn.jsdelivr", "code.jquery", "bootstrap", "cdnjs", "fontawesome", "sourceMappingURL"):
            assert cdn not in html
        assert "L.map(" in html and "leaflet-container" in html  # Leaflet itself is inlined


def test_external_resources_sees_a_cdn_link():
    assert external_resources('<script src="https://cdn.example/x.js"></script>') == ["https://cdn.example/x.js"]
    assert external_resources("<link rel=stylesheet href=//cdn.example/x.css>") == ["//cdn.example/x.css"]


def test_save_html_refuses_a_page_with_cdn_links(tmp_path, koto_rows):
    import folium

    m = make_map(koto_rows.head(5), by="none", tiles="none")
    m.default_js = folium.Map.default_js  # put folium's CDN scripts back
    with pytest.raises(UsageError) as err:
        save_html(m, tmp_path / "x.html")
    assert err.value.key == "not_offline"
    assert not (tmp_path / "x.html").exists()


def test_tiles(wards_rows):
    gsi = page(make_map(wards_rows, tiles="gsi"))
    assert GSI_STD.url in gsi and GSI_PALE.url in gsi and "tile.openstreetmap.org" in gsi
    assert "maps.gsi.go.jp/development/ichiran.html" in gsi
    assert json.dumps("地理院タイル")[1:-1] in gsi  # folium writes options with \\u escapes
    none = page(make_map(wards_rows, tiles="none"))
    assert "cyberjapandata" not in none and "openstreetmap.org/{z}" not in none
    assert '"maxZoom": 18' in none
    with pytest.raises(UsageError) as err:
        make_map(wards_rows, tiles="google")
    assert err.value.key == "bad_choice" and err.value.params["option"] == "tiles"


def test_every_user_value_is_escaped(wards_rows):
    df = wards_rows.copy()
    df["name"] = XSS
    df.loc[df.index[:5], "category"] = XSS
    df.loc[df.index[-3:], ["lat", "lon"]] = np.nan
    df.loc[df.index[-3:], "address"] = "<script>window.__xss=1</script>東京都"
    df[XSS] = 1  # a column name the user chose: it is a popup label
    html = page(
        make_map(df, category="category", name=XSS, address="address", title=XSS, value=XSS, agg="sum", unit=XSS)
    )
    assert XSS not in html
    assert "<script>window.__xss" not in html
    assert "&lt;img src=x onerror=&#34;window.__xss=1&#34;&gt;" in html or "&lt;img src=x onerror=&quot;" in html
    assert has(html, "<li>&lt;script&gt;window.__xss=1&lt;/script&gt;東京都</li>")  # the unplaced list, as text
    assert "\\u003cimg src=x" in html  # popups: data in JSON with < escaped, set with textContent


def test_small_sets_are_markers_large_sets_are_clusters(koto_rows):
    small = make_map(koto_rows, by="none", tiles="none")
    assert "markerClusterGroup" not in page(small)
    many = town_rows(["13101", "13102", "13103", "13104", "13105", "13106", "13107", "13108", "13109"])
    assert len(many) > 1000
    html = page(make_map(many, by="none", tiles="none"))
    assert "L.markerClusterGroup({" in html and ".marker-cluster-small" in html
    # one compact array: one [lat] list holding every point
    lat = re.search(r'"lat":\[([^\]]*)\]', html).group(1)
    assert lat.count(",") + 1 == len(many)
    assert "markerClusterGroup" not in page(make_map(many, by="none", tiles="none", cluster=False))


def test_auto_adds_a_choropleth_only_across_municipalities(koto_rows, wards_rows):
    one = built(koto_rows, by="auto")
    assert one.areas is None and one.points is not None
    several = built(wards_rows, by="auto")
    assert several.areas is not None
    assert set(several.areas.loc[several.areas["count"] > 0, "key"]) == {"13102", "13107", "13108"}
    html = page(make_map(wards_rows, by="auto"))
    assert "geomap-area" in html and has(html, "東京都江東区: ")


def test_choropleth_legend_and_tooltips(wards_rows):
    model = built(wards_rows, by="municipality", points=False)
    counts = wards_rows.groupby("code").size()
    tips = model.areas.set_index("key")["tip"]
    assert tips["13108"] == f"東京都江東区: {counts['13108']:,}件"
    labels = [i.label for i in model.area_items]
    # the wards without rows are context (their outlines), not a class of 0
    assert labels[-1] == "一覧に行のない市区町村（線のみ）" and model.area_items[-1].kind == map_classes.CONTEXT
    assert map_classes.ZERO not in {i.kind for i in model.area_items}
    assert model.area_title == "件数（件）"
    assert model.title == "件数（市区町村別）"
    # view fits the areas that have data
    with_data = model.areas[model.areas["count"] > 0].total_bounds
    assert model.bounds == pytest.approx(tuple(with_data))
    en = built(wards_rows, by="municipality", points=False, lang="en")
    assert en.area_title == "Count" and en.title == "Count (by municipality)"


def test_classifications(wards_rows):
    df = town_rows([f"131{i:02d}" for i in range(1, 24)])
    df["値"] = df["code"].str[-2:].astype(int)  # each ward its own mean: 1 … 23
    for scheme in ("quantiles", "natural_breaks", "equal_interval"):
        model = built(df, by="municipality", value="値", agg="mean", classification=scheme, k=4, points=False)
        classed = model.areas[model.areas["state"] == map_classes.CLASSED]
        assert 2 <= classed["color"].nunique() <= 4
        assert len([i for i in model.area_items if i.kind == map_classes.CLASSED]) == classed["color"].nunique()
    user = built(df, by="municipality", value="値", agg="mean", breaks=[4, 5, 100], points=False)
    assert [i.label for i in user.area_items if i.kind == map_classes.CLASSED][-1] == "5 – 100"
    values = user.areas["value"]
    low = user.areas.loc[values <= 4, "color"].unique()
    high = user.areas.loc[values > 5, "color"].unique()
    assert len(low) == 1 and len(high) == 1 and low[0] != high[0]
    for bad, key in (({"k": 1}, "bad_k"), ({"k": 12}, "bad_k"), ({"classification": "user"}, "breaks_required")):
        with pytest.raises(UsageError) as err:
            built(df, by="municipality", **bad)
        assert err.value.key == key


def test_no_data_is_not_zero(wards_rows):
    df = wards_rows.copy()
    df["人数"] = 0  # real zeros in the data
    df["人数"] = df["人数"].astype(object)
    df.loc[df["code"] == "13102", "人数"] = None  # 中央区's rows give no number
    model = built(df, by="municipality", value="人数", agg="sum", points=False)
    states = model.areas.set_index("key")["state"]
    assert states["13108"] == map_classes.CLASSED  # a sum of zeros is a value
    assert states["13102"] == map_classes.NODATA  # rows, but no value: no data, not zero
    assert {i.kind for i in model.area_items} == {map_classes.CLASSED, map_classes.NODATA, map_classes.CONTEXT}
    nodata = model.areas.loc[model.areas["state"] == map_classes.NODATA, "color"].unique()
    assert list(nodata) == [map_classes.NODATA_COLOR]
    assert map_classes.NODATA_COLOR not in model.areas.loc[model.areas["state"] == map_classes.CLASSED, "color"].tolist()


def test_min_count_hides_small_values(wards_rows):
    sizes = wards_rows.groupby("code").size().sort_values()
    small, n_small = sizes.index[0], int(sizes.iloc[0])
    k = n_small + 1  # the smallest ward is below the threshold, the others not
    assert (sizes.iloc[1:] >= k).all()
    model = built(wards_rows, by="municipality", min_count=k, points=False)
    areas = model.areas.set_index("key")
    name = areas.loc[small, "name"]
    assert areas.loc[small, "state"] == map_classes.SUPPRESSED
    assert areas.loc[small, "tip"] == f"{name}: {k}未満"
    assert areas.loc[small, "color"] == map_classes.SUPPRESSED_COLOR
    assert areas.loc[sizes.index[-1], "state"] == map_classes.CLASSED
    html = page(make_map(wards_rows, by="municipality", min_count=k, points=False))
    assert not has(html, f"{name}: {n_small:,}件") and has(html, f"{name}: {k}未満")
    assert has(html, f"{k}件未満")
    with pytest.raises(UsageError) as err:
        built(wards_rows, min_count=0)
    assert err.value.key == "min_count_invalid"


def test_points_false_writes_no_personal_data(koto_rows):
    df = koto_rows.copy()
    df.loc[df.index[:2], ["lat", "lon"]] = np.nan
    html = page(make_map(df, by="town", points=False, name="name", address="address"))
    assert "施設1" not in html and "GeomapPoints" not in html
    data = data_of(html)
    assert "points" not in data
    # not even in the list of unplaced rows (the address is also a town's name, so it may name an area)
    assert df.loc[df.index[0], "address"] not in data["panels"]["notes"]
    assert has(html, "地図に載せられなかった行: 2件")
    assert has(html, "おおよその範囲")


def test_town_level_and_user_boundaries(koto_rows):
    from geomap.boundaries import municipalities

    town = built(koto_rows, by="town", points=False)
    assert town.approximate and town.title == "件数（町丁目別）"
    assert town.areas["count"].sum() == len(koto_rows)
    munis = municipalities()
    user = munis[munis["code"].str.startswith("131")][["code", "geometry"]].copy()
    user["名前"] = XSS
    html = page(make_map(koto_rows, by="town", boundaries=user, boundary_key="code", boundary_name="名前"))
    assert XSS not in html and not has(html, "おおよその範囲")


def test_unplaced_note_and_list(koto_rows):
    df = koto_rows.copy()
    df.loc[df.index[:3], ["lat", "lon"]] = np.nan
    model = built(df, address="address")
    assert model.unplaced_count == 3
    assert model.unplaced_list == df["address"].head(3).tolist()
    html = page(make_map(df, address="address"))
    assert has(html, "<details><summary>地図に載せられなかった行: 3件</summary>")
    given = built(df, unplaced=["どこか1", "どこか2"])
    assert given.unplaced_count == 2 and given.unplaced_list == ["どこか1", "どこか2"]
    en = page(make_map(df, lang="en"))
    assert has(en, "Rows that could not be placed: 3")


def test_categories_colour_points_and_get_a_legend(koto_rows):
    df = koto_rows.copy()
    df["category"] = [f"区分{i % 12}" for i in range(len(df))]
    model = built(df, category="category")
    labels = [c.label for c in model.categories]
    assert len(labels) == 10 and labels[-1] == "その他"
    assert len({c.color for c in model.categories}) == 10
    assert model.point_colors.max() == 9


def test_attribution_title_and_scale(koto_rows):
    from geomap.provenance import attribution_html

    html = page(make_map(koto_rows, title="江東区の施設"))
    assert "<title>江東区の施設</title>" in html and 'class="geomap-title">江東区の施設<' in html
    assert "L.control.scale(" in html
    assert has(html, attribution_html("ja"))


def test_bad_input(koto_rows):
    with pytest.raises(InputError) as err:
        make_map(koto_rows, category="種別")
    assert err.value.key == "missing_columns"
    empty = koto_rows.head(3).assign(lat=np.nan)
    with pytest.raises(InputError) as err:
        make_map(empty)
    assert err.value.key == "no_points"
    with pytest.raises(UsageError) as err:
        make_map(koto_rows, by="none", points=False)
    assert err.value.key == "nothing_to_draw"
    with pytest.raises(UsageError) as err:
        make_map(koto_rows, lang="fr")
    assert err.value.key == "bad_choice"


def test_save_html_is_atomic(tmp_path, koto_rows):
    m = make_map(koto_rows, tiles="none")
    target = tmp_path / "map.html"
    target.write_text("old")
    save_html(m, target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "L.map(" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]
    # an output others on a shared folder can open: the usual mode, not mkstemp's 0600
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(OutputError) as err:
        save_html(m, tmp_path / "no such dir" / "map.html")
    assert err.value.key == "output_dir_missing"


def test_note_on_rows_too_coarse_to_count(wards_rows):
    df = wards_rows.copy()
    df.loc[df.index[:4], "level"] = 1
    html = page(make_map(df, by="municipality"))
    assert has(html, "位置が粗く（都道府県・市区町村まで）集計から除いた行: 4件")


def test_name_category_and_address_columns_are_found_by_their_headers(koto_rows):
    df = koto_rows.head(12).rename(columns={"name": "名称", "category": "種別", "address": "住所"})
    html = page(make_map(df, by="none", tiles="none"))  # nothing named: found as render finds them
    assert has(html, df["名称"].iloc[0]) and has(html, df["住所"].iloc[0])
    assert has(html, "学校") and has(html, "種別")  # the category legend
    plain = page(make_map(df.drop(columns=["名称", "種別", "住所"]), by="none", tiles="none"))
    assert not has(plain, df["名称"].iloc[0])
