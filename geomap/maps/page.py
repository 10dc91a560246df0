"""The HTML document of a map: its fixed template, its one JSON block, and the network guard.

Text from the user's data is data, never code and never a template. folium and branca
render each element's output as a Jinja2 template a second time, so no such text goes into
an element: every value from the data is written once into a JSON block of the finished page
(:class:`Page`, :func:`safe_json`), where the scripts read it. Before a page is saved,
:func:`external_resources` lists what it would fetch from the network (it must be nothing).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib import resources

from branca.element import Figure
from jinja2 import Environment, PackageLoader, select_autoescape

from . import assets

# Only bundled templates: page.html is HTML (autoescaped); the *.js macros are scripts.
ENV = Environment(loader=PackageLoader("geomap.maps", "templates"), autoescape=select_autoescape(["html"]))


class Page(Figure):
    """The HTML document: branca's ``Figure`` drawn with geomap's fixed ``page.html``.

    The page is where text from the user's data enters the document, as values of a
    template that is never parsed again: the title (escaped) and ``data``, written as one
    JSON block (:func:`safe_json`) that the map's scripts read as ``geomapData``. Leaflet
    and the stylesheets are inlined the same way, as values. ``data`` is read when the
    page is rendered, so the map's layers can fill it after the page is made.
    """

    def __init__(self, *, title: str, lang: str, data: dict, cluster: bool):
        super().__init__()
        self._template = ENV.get_template("page.html")
        self.page_title = title
        self.lang = lang
        self.data = data
        self.styles = [assets.leaflet_css()]
        self.scripts = [assets.leaflet_js()]
        if cluster:
            self.styles.append(assets.markercluster_css())
            self.scripts.append(assets.markercluster_js())
        self.styles.append(resources.files("geomap.maps").joinpath("templates", "page.css").read_text(encoding="utf-8"))

    @property
    def data_json(self) -> str:
        return safe_json(self.data)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_INERT = str.maketrans({"{": "\\u007b", "}": "\\u007d", "%": "\\u0025", "#": "\\u0023"})


def safe_json(obj) -> str:
    """JSON that can sit inside ``<script>`` and can never be read as a template.

    ``<``, ``>``, ``&`` and the line separators are written as ``\\u`` escapes, so the HTML
    cannot end the script; inside strings, ``{``, ``}``, ``%`` and ``#`` are too, so the text
    holds no Jinja2 delimiter. JSON and JavaScript read the escapes as the same text.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return _JSON_STRING.sub(lambda s: s.group(0).translate(_INERT), text)


_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_FETCH = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)|url\(\s*["']?([^"')\s]+)""", re.I)
# attributes that make a browser fetch at load (href only where it does: <link>, <base>, SVG)
_FETCH_ATTRS = {"src", "srcset", "poster", "data", "background", "href", "xlink:href"}
_NO_FETCH_HREF = {"a", "area"}


class _FetchFinder(HTMLParser):
    """The page's structure as a browser reads it: tags, their attributes, and the text of
    ``<style>`` elements. Text and script contents (where the user's data sits, escaped)
    are not sources."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            if not value:
                continue
            if name == "style":
                self._css(value)
            elif name in _FETCH_ATTRS and not (name in ("href", "xlink:href") and tag in _NO_FETCH_HREF):
                urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
                self.found += [u.strip() for u in urls if _REMOTE.match(u)]

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data)

    def _css(self, css: str) -> None:
        for match in _CSS_FETCH.finditer(_CSS_COMMENT.sub("", css)):
            url = match.group(1) or match.group(2)
            if _REMOTE.match(url):
                self.found.append(url)


def external_resources(page: str) -> list[str]:
    """URLs of scripts, stylesheets and images a rendered page would fetch at load.

    Read from the page's structure — ``src``/``href``-like attributes, ``style``
    attributes and ``<style>`` elements (``@import``, ``url()``) — never from its text or
    its scripts' data, so a cell reading ``@import url(//x)`` is just text.
    """
    finder = _FetchFinder()
    finder.feed(page)
    finder.close()
    return finder.found
