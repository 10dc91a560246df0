"""Leaflet and Leaflet.markercluster, read from their XStatic wheels and inlined.

A map must open on a closed office network, so the page cannot fetch anything: scripts
and stylesheets go into ``<script>``/``<style>`` elements and the images the stylesheets
name become ``data:`` URIs. Nothing third-party is copied into this repository; the files
come from the installed ``xstatic-leaflet`` and ``xstatic-leaflet-markercluster`` packages.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from ..errors import DataError

_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#)([^)'\"]+)\1\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}


def _package_dir(module: str) -> Path:
    try:
        return Path(import_module(module).BASE_DIR)
    except (ImportError, AttributeError) as exc:  # pragma: no cover - a broken install
        raise DataError(
            f"{module} is not installed; reinstall geomap", key="asset_missing", package=module
        ) from exc


def _read(module: str, name: str) -> str:
    path = _package_dir(module) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:  # pragma: no cover - a broken install
        raise DataError(f"{path} is missing; reinstall geomap", key="asset_missing", package=module) from exc


def _script(module: str, name: str) -> str:
    text = _SOURCE_MAP.sub("", _read(module, name))
    if "</script" in text.lower():  # pragma: no cover - would end the inline element early
        raise DataError(f"{name} cannot be inlined", key="asset_missing", package=module)
    return text


def _stylesheet(module: str, name: str) -> str:
    base = _package_dir(module)
    css = _read(module, name)

    def inline(match: re.Match) -> str:
        target = (base / match.group(2)).resolve()
        mime = _MIME.get(target.suffix.lower())
        if mime is None or not target.is_file():
            # e.g. an image the package does not ship: drop it rather than request it
            return "none"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(inline, css)


@lru_cache(maxsize=None)
def leaflet_js() -> str:
    """Leaflet's minified script."""
    return _script("xstatic.pkg.leaflet", "leaflet.js")


@lru_cache(maxsize=None)
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images as ``data:`` URIs."""
    return _stylesheet("xstatic.pkg.leaflet", "leaflet.css")


@lru_cache(maxsize=None)
def markercluster_js() -> str:
    """Leaflet.markercluster's minified script."""
    return _script("xstatic.pkg.leaflet_markercluster", "leaflet.markercluster.js")


@lru_cache(maxsize=None)
def markercluster_css() -> str:
    """Leaflet.markercluster's two stylesheets."""
    return _stylesheet("xstatic.pkg.leaflet_markercluster", "MarkerCluster.css") + "\n" + _stylesheet(
        "xstatic.pkg.leaflet_markercluster", "MarkerCluster.Default.css"
    )


def versions() -> dict:
    """Versions of the inlined libraries (for the page's comments and for reports)."""
    out = {}
    for label, module in (("leaflet", "xstatic.pkg.leaflet"), ("leaflet.markercluster", "xstatic.pkg.leaflet_markercluster")):
        out[label] = getattr(import_module(module), "VERSION", "?")
    return out
