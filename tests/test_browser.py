"""Maps opened in a real browser (Debian's chromium via Playwright) with the network blocked.

Every request that is not ``file:``, ``data:`` or ``about:`` is aborted, as on a closed
office network. Each test asserts there was no page error, counts what is on the map,
checks that planted markup shows as text and did not run, and saves a screenshot under
``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import XSS, needs_chromium, town_rows
from geomap.maps import MapOptions, build, make_map, save_html

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = needs_chromium  # the ``browser`` fixture is conftest's


class Opened:
    def __init__(self, page, errors, blocked):
        self.page, self.errors, self.blocked = page, errors, blocked


def open_map(browser, m, tmp_path, name) -> Opened:
    path = save_html(m, tmp_path / f"{name}.html")
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors, blocked = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.add_init_script("window.alert = function () { window.__xss = 1; };")
    page.goto(path.as_uri())
    page.wait_for_function("window.__geomap && window.__geomap.map", timeout=30_000)
    return Opened(page, errors, blocked)


def screenshot(opened, name):
    ARTIFACTS.mkdir(exist_ok=True)
    opened.page.wait_for_timeout(400)  # let a zoom animation finish
    opened.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def xss_ran(page) -> bool:
    return page.evaluate("typeof window.__xss !== 'undefined'")


def test_markers_popups_and_escaping(browser, tmp_path, koto_rows):
    df = koto_rows.copy()
    df["name"] = [f"{XSS} {i}" for i in range(len(df))]
    df.loc[df.index[:10], "category"] = XSS
    df.loc[df.index[-2:], ["lat", "lon"]] = np.nan
    df.loc[df.index[-2:], "address"] = "<script>window.__xss=1</script>住所不明"
    m = make_map(df, category="category", name="name", address="address", title=XSS, tiles="gsi")
    o = open_map(browser, m, tmp_path, "markers")
    page = o.page
    assert o.errors == []
    assert any("cyberjapandata.gsi.go.jp" in u for u in o.blocked)  # tiles were asked for, and refused
    assert page.evaluate("window.__geomap.points.getLayers().length") == len(df) - 2
    assert page.locator("path.geomap-point").count() > 0
    assert page.locator(".geomap-title").inner_text() == XSS
    assert XSS in page.locator(".geomap-legend").inner_text()
    assert "地理院タイル" in page.locator(".leaflet-control-attribution").inner_text()

    # click the marker of row 0 where it is drawn; the position is read just before each
    # try, since a busy machine may still be settling the initial view
    page.evaluate(
        """() => {
            const g = window.__geomap, m = g.points.getLayers().find(l => l.options.geomapIndex === 0);
            g.map.setView(m.getLatLng(), 16, {animate: false});
        }"""
    )
    popup = page.locator(".leaflet-popup-content")
    for _ in range(5):
        page.wait_for_function(
            """() => {
                const g = window.__geomap, m = g.points.getLayers().find(l => l.options.geomapIndex === 0);
                return !g.map._animatingZoom && m._path && m._path.isConnected
                    && m._path.getAttribute('d') && m._path.getAttribute('d') !== 'M0 0';
            }""",
            timeout=15_000,
        )
        x, y = page.evaluate(
            """() => {
                const g = window.__geomap, m = g.points.getLayers().find(l => l.options.geomapIndex === 0);
                const b = m._path.getBoundingClientRect();
                return [b.left + b.width / 2, b.top + b.height / 2];
            }"""
        )
        page.mouse.click(x, y)
        try:
            popup.wait_for(timeout=3_000)
            break
        except Exception:  # playwright's TimeoutError: try again
            continue
    popup.wait_for(timeout=1_000)
    text = popup.inner_text()
    assert f"{XSS} 0" in text and df.loc[df.index[0], "address"] in text
    assert "所在（町丁目まで）" in text and "代表点で、建物の位置ではありません" in text
    assert page.locator(".leaflet-popup-content img").count() == 0

    page.locator(".geomap-notes summary").click()
    items = page.locator(".geomap-notes li").all_inner_texts()
    assert items == ["<script>window.__xss=1</script>住所不明"] * 2
    page.wait_for_timeout(200)
    assert not xss_ran(page)
    assert o.errors == []
    screenshot(o, "markers")


def test_clusters_from_one_array(browser, tmp_path):
    df = town_rows(["13101", "13102", "13103", "13104", "13105", "13106", "13107", "13108", "13109"])
    df["name"] = XSS
    assert len(df) > 1000
    o = open_map(browser, make_map(df, by="none", name="name", tiles="none"), tmp_path, "clusters")
    page = o.page
    page.wait_for_function(
        f"window.__geomap.points.getLayers().length === {len(df)}"
        " && document.querySelectorAll('.marker-cluster').length > 0",
        timeout=30_000,
    )
    clusters = page.locator(".marker-cluster").count()
    assert 0 < clusters < len(df)
    # the bubbles are grey-blue (one neutral family), not markercluster's green-yellow-orange
    fills = page.evaluate("""Array.from(document.querySelectorAll('.marker-cluster, .marker-cluster div'))
        .map(e => getComputedStyle(e).backgroundColor)""")
    for fill in set(fills):
        r, g, b = (int(v) for v in fill[fill.index("(") + 1:].split(",")[:3])
        assert max(r, g, b) - min(r, g, b) <= 40, fill
    assert o.blocked == []  # tiles="none": nothing at all was requested from the network
    assert o.errors == [] and not xss_ran(page)
    screenshot(o, "clusters")


def test_choropleth_areas_and_tooltips(browser, tmp_path, wards_rows):
    from geomap.boundaries import municipalities

    munis = municipalities()
    user = munis[munis["code"].str.startswith("131")][["code", "geometry"]].copy()
    user["名称"] = XSS + " " + user["code"]
    options = dict(by="municipality", boundaries=user, boundary_key="code", boundary_name="名称", points=False)
    expected = build(wards_rows, MapOptions(**options)).areas
    o = open_map(browser, make_map(wards_rows, tiles="none", **options), tmp_path, "choropleth")
    page = o.page
    assert page.locator("path.geomap-area").count() == len(expected)
    # hover the mouse over a point inside 江東区
    inside = user.set_index("code").loc["13108", "geometry"].representative_point()
    x, y = page.evaluate(
        """([lat, lon]) => {
            const g = window.__geomap, p = g.map.latLngToContainerPoint([lat, lon]);
            const r = g.map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        [inside.y, inside.x],
    )
    page.mouse.move(x, y)
    page.mouse.move(x + 2, y + 1)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=15_000)
    tip = tooltip.inner_text()
    n = int((wards_rows["code"] == "13108").sum())
    assert tip.strip() == f"{XSS} 13108: {n:,}件"
    legend = page.locator(".geomap-legend").inner_text()
    assert "件数（件）" in legend
    page.wait_for_timeout(200)
    assert o.errors == [] and not xss_ran(page)
    screenshot(o, "choropleth")


def test_town_areas_with_min_count(browser, tmp_path, koto_rows):
    m = make_map(koto_rows, by="town", points=False, min_count=2, tiles="gsi-pale")
    expected = build(koto_rows, MapOptions(by="town", points=False, min_count=2)).areas
    o = open_map(browser, m, tmp_path, "towns")
    page = o.page
    assert page.locator("path.geomap-area").count() == len(expected)
    legend = page.locator(".geomap-legend").inner_text()
    assert "2件未満" in legend and "おおよその範囲" in legend
    assert page.evaluate("window.__geomap.points === undefined")
    assert o.errors == []
    screenshot(o, "towns")
