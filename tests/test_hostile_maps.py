"""Issue 10, the maps: text from a list is data, never code, never a template, never markup.

Item 1 (template injection: a cell ran ``os.popen`` while the map was made), item 5
(matplotlib read ``$…$`` in a name as mathtext), item 6 (the network guard refused a cell
reading ``@import url(//x)``) and the value edges of item 10 (``--breaks inf``, ``inf`` in a
``--value`` column, a sum that overflows, full-width digits). Self-contained: its own
helpers, fixtures only from ``conftest.py``.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PLACED = ["東京都江東区東陽4-11-28", "東京都江東区木場1-5-2", "東京都江東区三好3-15-12"]

XSS_SCRIPT = "</script><script>window.__xss=1</script>"
CYCLER = "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}"
CORPUS = {
    "expression": "{{ 7*7 }}",
    "statement": "{% if 1 %}x{% endif %}",
    "comment": "{# c #}",
    "unclosed expression": "{{ 施設",
    "unclosed statement": "{%",
    "js template literal": "${7*7}",
    "backticks": "`${7*7}` `x`",
    "script end": XSS_SCRIPT,
    "script end in an expression": "{{ '" + XSS_SCRIPT + "' }}",
    "os.popen": CYCLER,
}


# --------------------------------------------------------------------------- helpers


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_csv(path: Path, header: list, rows: list) -> Path:
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)  # quoted as needed
    return path


def write_xlsx(path: Path, sheet: str, header: list, rows: list) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in [header, *rows]:
        ws.append(list(row))
    wb.save(path)
    return path


def koto_polygon():
    from geomap.boundaries import municipalities

    munis = municipalities()
    return munis[munis["code"] == "13108"][["geometry"]].reset_index(drop=True)


def write_boundaries(path: Path, column: str, value: str) -> Path:
    frame = koto_polygon()
    frame[column] = value
    frame.to_file(path, driver="GeoJSON")
    return path


class _Text(HTMLParser):
    """Text nodes of an HTML fragment, as a browser shows them (entities decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes = []

    def handle_data(self, data):
        self.nodes.append(data)


def text_nodes(fragment: str) -> list[str]:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return parser.nodes


class Page:
    """What a saved map carries, read back: its title and the data its scripts show."""

    def __init__(self, text: str):
        self.text = text
        self.title = html.unescape(re.search(r"<title>(.*?)</title>", text, re.S).group(1))
        self.title_div = html.unescape(re.search(r'<div class="geomap-title">(.*?)</div>', text, re.S).group(1))
        block = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>', text, re.S)
        self.data = json.loads(block.group(1))

    def popup_values(self) -> list[str]:
        out = []
        for f in self.data.get("points", {}).get("fields", []):
            out += f["u"] if "u" in f else f["v"]
        return out

    def popup_labels(self) -> list[str]:
        return [f["label"] for f in self.data.get("points", {}).get("fields", [])]

    def panel(self, slot) -> list[str]:
        return text_nodes(self.data["panels"].get(slot, ""))

    def tooltips(self) -> list[str]:
        return [
            feature["properties"]["tip"]
            for part in self.data["shapes"].get("areas", [])
            for feature in part["data"]["features"]
        ]

    def layer_names(self) -> list[str]:
        layers = self.data["layers"]
        return [html.unescape(n) for n in layers["base"] + layers["overlays"]]


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder to run in: a payload's ``touch PWNED`` would land here."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / "PWNED").exists(), "a cell ran a shell command"


def rendered(result, path: Path) -> Page:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "予期しない" not in result.output
    return Page(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- item 1


def test_item1_exact_reproduction_runs_nothing(tmp_path):
    """The issue's own commands, in a real process: ``geomap render r.csv`` makes no file PWNED."""
    src = tmp_path / "r.csv"
    src.write_bytes(f'名称,住所\n"{CYCLER}",江東区三好3-15-12\n'.encode("utf-8"))
    before = digest(src)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from geomap.cli import main; sys.argv[0] = 'geomap'; main()", "render", "r.csv"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.html"]
    assert digest(src) == before
    page = Page((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert CYCLER in page.popup_values()


def _place_name(work, payload):
    src = write_csv(work / "list.csv", ["名称", "種別", "住所"], [[payload, "公園", PLACED[0]], ["B", "公園", PLACED[1]]])
    return src, [], lambda page: payload in page.popup_values()


def _place_category(work, payload):
    src = write_csv(work / "list.csv", ["名称", "種別", "住所"], [["A", payload, PLACED[0]], ["B", "公園", PLACED[1]]])
    return src, [], lambda page: payload in page.panel("legend") and payload in page.popup_values()


def _place_unplaced_address(work, payload):
    src = write_csv(work / "list.csv", ["名称", "住所"], [["A", PLACED[0]], ["B", payload]])
    return src, [], lambda page: page.panel("notes")[-1:] == [payload]


def _place_header(work, payload):
    src = write_csv(work / "list.csv", ["名称", payload, "住所"], [["A", "公園", PLACED[0]], ["B", "学校", PLACED[1]]])
    return src, ["--category", payload], lambda page: payload in page.panel("legend") and payload in page.popup_labels()


def _place_title(work, payload):
    src = write_csv(work / "list.csv", ["名称", "住所"], [["A", PLACED[0]]])
    return src, ["--title", payload], lambda page: page.title == payload and page.title_div == payload


def _place_file_name(work, payload):
    src = write_csv(work / f"{payload}.csv", ["名称", "住所"], [["A", PLACED[0]]])
    return src, ["-o", work / "map.html"], lambda page: page.title == payload and page.title_div == payload


def _place_boundary_property(work, payload):
    src = write_csv(work / "list.csv", ["名称", "住所"], [["A", PLACED[0]], ["B", PLACED[1]]])
    areas = write_boundaries(work / "areas.geojson", "区域", payload)
    return src, ["--boundaries", areas, "--boundary-key", "区域"], lambda page: page.tooltips() == [f"{payload}: 2件"]


def _place_sheet_name(work, payload):
    src = write_xlsx(work / "list.xlsx", payload, ["名称", "住所"], [["A", PLACED[0]], ["B", PLACED[1]]])
    return src, ["--sheet", payload], lambda page: len(page.data["points"]["lat"]) == 2


PLACES = {
    "name cell": _place_name,
    "category": _place_category,
    "unplaced address": _place_unplaced_address,
    "header": _place_header,
    "--title": _place_title,
    "file name": _place_file_name,
    "boundary property": _place_boundary_property,
    "xlsx sheet name": _place_sheet_name,
}


def _possible(place: str, payload: str) -> bool:
    if place == "file name":
        return "/" not in payload  # no file can be named so
    if place == "xlsx sheet name":  # Excel's own limits on a sheet's name
        return len(payload) <= 31 and not set("[]:*?/\\") & set(payload)
    return True


@pytest.mark.parametrize(
    "place, item",
    [(p, i) for p in PLACES for i in CORPUS if _possible(p, CORPUS[i])],
)
def test_item1_template_syntax_is_text_in_every_place(work, place, item):
    payload = CORPUS[item]
    src, options, shown = PLACES[place](work, payload)
    before = digest(src)
    out = work / "map.html"
    if "-o" not in options:
        options = [*options, "-o", out]
    result = run("render", src, "-q", *options)
    page = rendered(result, out)
    assert shown(page), f"{payload!r} is not shown as written ({place})"
    assert digest(src) == before
    # the page itself is intact: one document, one data block, Leaflet and the map's script
    assert page.text.count("</html>") == 1 and page.text.count('id="geomap-data"') == 1
    assert "L.map(" in page.text


def test_item1_notebook_repr_html_runs_nothing(work, koto_rows):
    from geomap.maps import make_map

    for payload in CORPUS.values():
        df = koto_rows.head(3).copy()
        df["name"] = payload
        df.loc[df.index[-1], ["lat", "lon"]] = np.nan
        df.loc[df.index[-1], "address"] = payload
        df[payload] = ["a", "b", "c"]  # a header: the category legend's title and a popup label
        shown = make_map(df, name="name", category=payload, address="address", title=payload)._repr_html_()
        srcdoc = html.unescape(re.search(r'srcdoc="(.*?)"', shown, re.S).group(1))
        page = Page(srcdoc)
        assert page.title == payload and page.title_div == payload
        assert payload in page.popup_values() and payload in page.popup_labels()
        assert payload in page.panel("legend") and page.panel("notes")[-1] == payload


def test_item1_no_user_text_reaches_a_template_source(work, monkeypatch):
    """Every Jinja2 template compiled while a hostile list becomes a map is free of its text."""
    import jinja2

    marker = "ZQXJ"
    sources = []
    compile_ = jinja2.Environment.compile

    def spy(self, source, *args, **kwargs):
        sources.append(source if isinstance(source, str) else "")
        return compile_(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    for item, payload in CORPUS.items():
        hostile = f"{payload}{marker}"
        header = f"{hostile}種別"
        src = write_csv(
            work / f"{marker}.csv",
            ["名称", header, "住所", f"{hostile}数"],
            [[hostile, hostile, PLACED[0], 1], ["B", "公園", PLACED[1], 2], ["C", "公園", hostile, 3]],
        )
        areas = write_boundaries(work / "areas.geojson", "区域", hostile)
        sources.clear()
        result = run(
            "render", src, "-q", "-o", work / "map.html", "--category", header, "--value", f"{hostile}数",
            "--agg", "sum", "--boundaries", areas, "--boundary-key", "区域",
        )
        page = rendered(result, work / "map.html")
        assert sources, "the spy saw no template at all"
        assert not [s for s in sources if marker in s], f"{item}: user text reached a template source"
        assert hostile in page.popup_values() and page.title == marker
        assert f"{hostile}数の合計" in page.layer_names()


# which calls build a template (or an element whose string is one) from their arguments
_TEMPLATE_BUILDERS = {"Element", "Template", "from_string", "Html", "IFrame", "Popup", "Tooltip", "DivIcon"}
# the package's own templates (the maps' and the local app's page), loaded by their literal names
_BUNDLED = {p.name for p in (ROOT / "geomap").rglob("*") if p.parent.name == "templates" and p.is_file()}


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def template_sources_not_constant(source: str) -> list[str]:
    """Places in ``source`` that make a template from something other than a literal string
    (or load one that is not a bundled file by its literal name)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        args = [*node.args, *(k.value for k in node.keywords)]
        literal = all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args)
        if name in _TEMPLATE_BUILDERS and not literal:
            found.append(f"line {node.lineno}: {name}({ast.unparse(args[0]) if args else ''})")
        elif name == "get_template" and not (literal and args and args[0].value in _BUNDLED):
            found.append(f"line {node.lineno}: get_template({', '.join(map(ast.unparse, args))})")
    return found


def test_item1_no_module_builds_a_template_from_data():
    offending = {}
    for path in sorted((ROOT / "geomap").rglob("*.py")):
        found = template_sources_not_constant(path.read_text(encoding="utf-8"))
        if found:
            offending[str(path.relative_to(ROOT))] = found
    assert offending == {}


def test_item1_the_scan_sees_what_was_there_before():
    """The scan above fails on the code that let a cell run: it is not a test that cannot fail."""
    before = '''
figure.html.add_child(Element(f'<div class="geomap-title">{escape(model.title)}</div>'), name="geomap_title")
header.add_child(Element(f"<style>{css}</style>"), name="geomap_css")
def _template(name):
    return _ENV.get_template(name)
tmpl = Environment().from_string(text)
'''
    assert len(template_sources_not_constant(before)) == 4
    assert template_sources_not_constant('x = _ENV.get_template("points.js")\ny = Element("<b>fixed</b>")') == []
    assert template_sources_not_constant('x = _ENV.get_template("elsewhere.js")') != []


# --------------------------------------------------------------------------- item 1 in Chromium


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


def _offline_page(browser):
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.add_init_script("window.alert = function () { window.__xss = 1; };")
    return page, errors


SHOWN_IN_BROWSER = """() => {
    const g = window.__geomap, out = {popups: [], tips: []};
    g.points.getLayers().forEach(m => {
        let shown = null;  // the popup this click opens (a closed one fades out for a while)
        g.map.once("popupopen", e => { shown = e.popup.getElement(); });
        g.points.fire("click", {layer: m});
        const rows = {};  // label (a header) → value (a cell), as the popup shows them
        shown.querySelectorAll(".leaflet-popup-content tr").forEach(tr => {
            rows[tr.querySelector("th").innerText] = tr.querySelector("td").innerText;
        });
        out.popups.push(rows);
        g.map.closePopup();
    });
    g.areas.eachLayer(part => part.eachLayer(l => {
        l.openTooltip(l.getBounds().getCenter());
        out.tips.push(l.getTooltip().getElement().innerText);
        l.closeTooltip();
    }));
    out.title = document.querySelector(".geomap-title").innerText;
    out.docTitle = document.title;
    out.legend = Array.from(document.querySelectorAll(".geomap-legend li, .geomap-legend h4")).map(e => e.innerText);
    out.layers = Array.from(document.querySelectorAll(".leaflet-control-layers label")).map(e => e.textContent.trim());
    out.xss = typeof window.__xss !== "undefined";
    return out;
}"""


@pytest.mark.parametrize("item", list(CORPUS))
def test_item1_browser_shows_every_place_as_written(browser, work, item):
    """One map with the text in a name, a category, its header, an unplaced address, the file
    name (or --title), a value header and a boundary property: each shown verbatim, nothing run."""
    payload = CORPUS[item]
    stem = payload if "/" not in payload else "list"
    src = write_csv(
        work / f"{stem}.csv",
        ["名称", payload, "住所", f"{payload}数"],
        [[payload, payload, PLACED[0], 1], ["B", "公園", PLACED[1], 2], ["C", "公園", payload, 3]],
    )
    areas = write_boundaries(work / "areas.geojson", "区域", payload)
    title = [] if stem == payload else ["--title", payload]
    out = work / "map.html"
    result = run("render", src, "-q", "-o", out, "--tiles", "none", "--category", payload, "--value", f"{payload}数",
                 "--agg", "sum", "--boundaries", areas, "--boundary-key", "区域", "--popup-address", "full", *title)
    assert result.exit_code == 0, result.output
    page, errors = _offline_page(browser)
    try:
        page.goto(out.as_uri())
        page.wait_for_function("window.__geomap && window.__geomap.map && window.__geomap.points", timeout=30_000)
        shown = page.evaluate(SHOWN_IN_BROWSER)
        page.locator(".geomap-notes summary").click()
        notes = page.locator(".geomap-notes li").all_inner_texts()
        page.wait_for_timeout(200)
        assert shown["title"] == payload and shown["docTitle"] == payload
        assert {"名称": payload, payload: payload, "住所": PLACED[0]} in shown["popups"]  # cells and a header
        assert payload in shown["legend"]  # the category and its header
        assert f"{payload}数の合計" in shown["legend"] and f"{payload}数の合計" in shown["layers"]
        assert shown["tips"] == [f"{payload}: 3 (2件)"]  # the two rows placed in the user's area
        assert notes == [payload]
        assert not shown["xss"] and not page.evaluate("typeof window.__xss !== 'undefined'")
        assert errors == []
    finally:
        page.close()


def test_item1_browser_notebook_view(browser, work, koto_rows):
    from geomap.maps import make_map

    df = koto_rows.head(len(CORPUS)).copy()
    df["name"] = list(CORPUS.values())
    title = " ".join(CORPUS.values())
    shown = make_map(df, by="none", name="name", tiles="none", title=title)._repr_html_()
    page, errors = _offline_page(browser)
    try:
        page.set_content(shown)
        page.wait_for_selector("iframe")
        frame = page.main_frame.child_frames[0]
        frame.wait_for_function("window.__geomap && window.__geomap.points", timeout=30_000)
        assert frame.locator(".geomap-title").inner_text() == title
        popups = frame.evaluate(SHOWN_IN_BROWSER.replace("g.areas.eachLayer", "(g.areas || {eachLayer() {}}).eachLayer"))
        assert sorted(p["name"] for p in popups["popups"]) == sorted(CORPUS.values())
        assert not popups["xss"] and not page.evaluate("typeof window.__xss !== 'undefined'")
        assert errors == []
    finally:
        page.close()


# --------------------------------------------------------------------------- item 5


def _texts(fig, text):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text() == text]


@pytest.mark.parametrize("text", ["Cost $\\alpha$", "$\\frac{$", "費用$5〜$10", "a_b^c \\n $x$", "$", "\\", "_", "^"])
def test_item5_matplotlib_draws_user_text_literally(tmp_path, koto_rows, text):
    """A title, a category, a header and an area name holding mathtext are drawn as written."""
    import geopandas as gpd

    from geomap.maps import MapOptions, build, save_image
    from geomap.maps.static import draw

    df = koto_rows.head(6).copy()
    df["category"] = [text, "公園"] * 3
    df[text] = 1
    areas = gpd.GeoDataFrame(koto_polygon().assign(key="13108", 名前=text), crs="EPSG:4326")
    options = dict(category="category", title=text, boundaries=areas, boundary_key="key", boundary_name="名前",
                   by="municipality", value=text, agg="sum")
    fig = draw(build(df, MapOptions(**options)))
    fig.canvas.draw()  # lays out every text: mathtext errors would be raised here
    drawn = _texts(fig, text)
    # the title, the category's legend entry and the area's name, each as written and not parsed
    assert len(drawn) >= 3
    assert all(t.get_parse_math() is False for t in drawn)
    assert _texts(fig, f"{text}の合計")  # the value column's header, in the legend's title
    out = save_image(df, tmp_path / "m.png", **options)
    assert out.exists() and out.stat().st_size > 10_000


def test_item5_cli_title_and_boundary_name_with_mathtext(work):
    """The issue's cases through ``geomap render --png``: the HTML and the PNG are both written."""
    src = write_csv(work / "list.csv", ["名称", "種別", "住所"], [["A", "費用$5〜$10", PLACED[0]], ["B", "x_1^2", PLACED[1]]])
    areas = write_boundaries(work / "areas.geojson", "区域", "$\\frac{$")
    result = run("render", src, "-q", "--png", "--title", "Cost $\\alpha$", "--boundaries", areas, "--boundary-key", "区域")
    assert result.exit_code == 0, result.output
    assert (work / "list.html").exists() and (work / "list.png").stat().st_size > 10_000
    assert "予期しない" not in result.output


def test_item5_before_stop_hostile_cell(work):
    """The check every session runs before it stops: a name cell '{{ 7*7 }} <b>x</b> $a$' with --png."""
    cell = "{{ 7*7 }} <b>x</b> $a$"
    src = write_csv(work / "h.csv", ["名称", "住所"], [[cell, "東京都江東区東陽4-11-28"]])
    result = run("render", src, "-q", "-o", work / "h.html", "--png")
    page = rendered(result, work / "h.html")
    assert cell in page.popup_values()
    assert (work / "h.png").stat().st_size > 10_000


# --------------------------------------------------------------------------- item 6


def test_item6_import_url_in_a_cell_is_saved(work):
    cell = "@import url(//x)"
    src = write_csv(work / "list.csv", ["名称", "住所"], [[cell, PLACED[0]], ["B", cell]])
    result = run("render", src, "-q", "-o", work / "map.html")
    page = rendered(result, work / "map.html")
    assert cell in page.popup_values() and page.panel("notes")[-1] == cell


def test_item6_guard_reads_the_structure_not_the_text():
    from geomap.maps.page import external_resources, safe_json

    assert external_resources('<script src="https://cdn.example/x.js"></script>') == ["https://cdn.example/x.js"]
    assert external_resources("<link rel=stylesheet href=//cdn.example/x.css>") == ["//cdn.example/x.css"]
    assert external_resources('<img src="//cdn.example/i.png">') == ["//cdn.example/i.png"]
    assert external_resources("<style>@import url(//cdn.example/a.css);</style>") == ["//cdn.example/a.css"]
    assert external_resources("<style>@import 'https://cdn.example/b.css';</style>") == ["https://cdn.example/b.css"]
    assert external_resources('<div style="background:url(//cdn.example/bg.png)"></div>') == ["//cdn.example/bg.png"]
    # text and script data are not sources, whatever they say
    for text in ("@import url(//x)", '<script src="//x.js"></script>', "<img src=//x/i.png>"):
        assert external_resources(f"<div>{html.escape(text)}</div>") == []
        assert external_resources(f'<script type="application/json">{safe_json([text])}</script>') == []
    assert external_resources('<a href="https://example.org/">a link is followed only when clicked</a>') == []


@pytest.mark.parametrize(
    "part, where",
    [
        ('<script src="https://cdn.example/x.js"></script>', "header"),
        ('<link rel="stylesheet" href="//cdn.example/x.css">', "header"),
        ("<style>@import url(//cdn.example/a.css);</style>", "header"),
        ('<img src="//cdn.example/i.png">', "html"),
    ],
)
def test_item6_guard_still_refuses_a_remote_load(tmp_path, koto_rows, part, where):
    from branca.element import Element

    from geomap.errors import UsageError
    from geomap.maps import make_map, save_html

    m = make_map(koto_rows.head(5), by="none", tiles="none")
    getattr(m.get_root(), where).add_child(Element(part))
    with pytest.raises(UsageError) as err:
        save_html(m, tmp_path / "x.html")
    assert err.value.key == "not_offline" and "cdn.example" in err.value.params["urls"]
    assert not (tmp_path / "x.html").exists()


# --------------------------------------------------------------------------- item 10


def _two_wards(work, values):
    rows = [["A", "東京都江東区東陽4-11-28", values[0]], ["B", "東京都墨田区吾妻橋1-23-20", values[1]]]
    rows += [[f"C{i}", "東京都江東区木場1-5-2", v] for i, v in enumerate(values[2:])]
    return write_csv(work / "list.csv", ["名称", "住所", "人数"], rows)


def test_item10_breaks_inf(work):
    src = _two_wards(work, [5, 7])
    result = run("render", src, "--by", "municipality", "--breaks", "inf,-inf")
    assert result.exit_code == 2
    assert "区切り値は 10,20,50 のように数値で指定してください" in result.output and "inf,-inf" in result.output
    assert "予期しない" not in result.output and "Traceback" not in result.output
    assert not (work / "list.html").exists()
    for breaks in ("nan", "1,inf", "１０,ｉｎｆ"):
        assert run("render", src, "--breaks", breaks).exit_code == 2


def test_item10_breaks_inf_in_the_library(koto_rows):
    from geomap.errors import UsageError
    from geomap.maps import make_map

    for breaks in ([float("inf"), float("-inf")], [1, float("nan")], "10,20"):
        with pytest.raises(UsageError) as err:
            make_map(koto_rows, by="town", breaks=breaks)
        assert err.value.key == "bad_breaks"


def test_item10_value_column_holding_inf(work):
    src = _two_wards(work, ["inf", 7])
    before = digest(src)
    result = run("render", src, "--by", "municipality", "--value", "人数", "--agg", "sum")
    assert result.exit_code == 1
    assert "列「人数」に数値でない値が 1 件あります（例: inf）" in result.output
    assert "予期しない" not in result.output and "Traceback" not in result.output
    assert digest(src) == before and not (work / "list.html").exists()


@pytest.mark.parametrize("agg", ["sum", "mean"])
def test_item10_sum_that_overflows(work, agg):
    src = _two_wards(work, ["1e308", 7, "1e308"])
    result = run("render", src, "--by", "municipality", "--value", "人数", "--agg", agg)
    assert result.exit_code == 1
    assert f"列「人数」を集計（--agg {agg}）すると値が大きすぎて計算できません" in result.output
    assert "予期しない" not in result.output and "Traceback" not in result.output
    english = run("render", src, "--by", "municipality", "--value", "人数", "--agg", agg, "--lang", "en")
    assert english.exit_code == 1 and "too large to compute" in english.output


def test_item10_full_width_digits_are_numbers(work):
    from geomap.spatial import measure_values

    src = _two_wards(work, ["１２", "７", "１，０００", "－３"])
    result = run("render", src, "-q", "--by", "municipality", "--value", "人数", "--agg", "sum", "-o", work / "m.html")
    page = rendered(result, work / "m.html")
    tips = page.tooltips()
    assert "東京都江東区: 1,009 (3件)" in tips and "東京都墨田区: 7 (1件)" in tips
    frame = pd.DataFrame({"人数": ["１２", " ３．５ ", "−２", "", None]})
    values = measure_values(frame, "人数", "sum")
    assert values[:3].tolist() == [12.0, 3.5, -2.0] and np.isnan(values[3:]).all()
