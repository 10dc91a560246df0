"""Where geomap's embedded data comes from (provenance): attribution, licences, dates and counts."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from .errors import DataError


def data_path(name: str):
    """Path (a ``Traversable``) of a file shipped under ``geomap/data``."""
    return resources.files("geomap").joinpath("data", name)


def read_data_table(name: str):
    """The Parquet table ``geomap/data/<name>`` as a ``pyarrow.Table``.

    Read by Arrow from the file itself (not through a Python file object) and without the
    dataset machinery ``pyarrow.parquet.read_table`` loads, which a command would pay for
    at start-up.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    with resources.as_file(data_path(name)) as path, pa.OSFile(str(path)) as f:
        return pq.ParquetFile(f).read()


@lru_cache(maxsize=1)
def metadata() -> dict:
    """The ``sources.json`` written by ``tools/build_data.py``."""
    try:
        return json.loads(data_path("sources.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:  # pragma: no cover - a broken install
        raise DataError("geomap's embedded data is missing; reinstall geomap", key="data_missing") from exc


def sources() -> list[dict]:
    """The data sources, each with name, licence, URL and attribution in Japanese and English.

    Returns
    -------
    list of dict
        One dict per embedded source with the keys ``id``, ``name_ja``, ``name_en``,
        ``license``, ``license_url``, ``url``, ``attribution_ja``, ``attribution_en``,
        ``content_ja`` and ``content_en`` (a copy: changing it changes nothing); ``date``
        or ``release`` where the source has one, and ``on_map: False`` for the sources the
        geocoder reads but maps do not draw (old municipality names, postal codes).

    Examples
    --------
    >>> import geomap
    >>> [(s["id"], s["license"]) for s in geomap.sources()][:3]
    [('towns', 'CC BY 4.0'), ('boundaries', 'CC BY 4.0'), ('old_names', 'MIT')]
    """
    return [dict(s) for s in metadata()["sources"]]


def _on_map() -> list[dict]:
    """The sources a map draws from (town points, boundaries): the attribution every map shows."""
    return [s for s in metadata()["sources"] if s.get("on_map", True)]


def attribution(lang: str = "ja") -> str:
    """One line crediting every embedded source, as every map must show it.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the line.

    Returns
    -------
    str
        The attributions of the sources maps draw from (town points and boundaries; the
        geocoder's old names and postal codes are credited in :func:`sources`), joined
        with `` / ``.

    Examples
    --------
    >>> import geomap
    >>> geomap.attribution("en").startswith("Geolonia Japanese Addresses (CC BY 4.0)")
    True
    """
    key = "attribution_en" if lang == "en" else "attribution_ja"
    return " / ".join(s[key] for s in _on_map())


def attribution_html(lang: str = "ja") -> str:
    """The attribution as HTML with links (for Leaflet's attribution control)."""
    from html import escape

    key = "name_en" if lang == "en" else "name_ja"
    parts = []
    for s in _on_map():
        parts.append(
            f'<a href="{escape(s["url"])}" target="_blank" rel="noopener">{escape(s[key])}</a>'
            f' ({escape(s["license"])})'
        )
    return " | ".join(parts)


def info() -> dict:
    """Counts and sources, as ``geomap info --json`` prints them.

    Returns
    -------
    dict
        ``towns`` (大字・町丁目 and 小字 in the address index), ``towns_without_coordinates``,
        ``koaza`` (小字), ``municipalities`` (with boundaries), ``municipalities_in_town_index``,
        ``prefectures``, ``old_names`` (old municipality names the geocoder reads),
        ``postal_codes`` and ``postal_release`` (the postal code table and the release of
        Japan Post's data it was built from) and ``sources`` (as :func:`sources` returns them).

    Examples
    --------
    >>> import geomap
    >>> facts = geomap.info()
    >>> facts["prefectures"], facts["towns"] > 100_000
    (47, True)
    """
    meta = metadata()
    counts = meta["counts"]
    return {
        "towns": counts["towns"],
        "towns_without_coordinates": counts["towns_without_coordinates"],
        "koaza": counts["koaza"],
        "municipalities": counts["municipalities"],
        "municipalities_in_town_index": counts["municipalities_in_town_index"],
        "prefectures": counts["prefectures"],
        "old_names": counts.get("old_names", 0),
        "postal_codes": counts.get("postal_codes", 0),
        "postal_release": next((s.get("release", "") for s in meta["sources"] if s["id"] == "postal"), ""),
        "sources": sources(),
    }
