"""Shared fixtures.

Map and spatial tests build their input from the embedded town index: real town points,
never made-up coordinates.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pandas as pd
import pytest

XSS = '<img src=x onerror="window.__xss=1">'

# -- Debian's chromium for the Playwright tests (test_app, test_browser, test_hostile) ------

from _chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the benchmark reads them too)

NO_CHROMIUM = f"{CHROMIUM} is not installed (CI installs it with apt-get install chromium)"
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=NO_CHROMIUM)


@pytest.fixture(scope="module")
def browser():
    """Chromium launched by Playwright, one per test module (skipped when either is missing)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def town_rows(codes) -> pd.DataFrame:
    """One row per town (大字・町丁目) with coordinates in the given municipalities.

    Columns as the geocoder gives them (``lat, lon, level, pref, city, town, code``) plus
    ``address``, ``name`` and ``category``.
    """
    from geomap.gazetteer import towns

    t = towns()
    t = t[t["code"].isin(list(codes)) & (t["koaza"] == "") & t["lat"].notna()].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "lat": t["lat"].to_numpy(),
            "lon": t["lon"].to_numpy(),
            "level": 3,
            "pref": t["pref"].astype(str).to_numpy(),
            "city": t["city"].astype(str).to_numpy(),
            "town": t["town"].astype(str).to_numpy(),
            "code": t["code"].astype(str).to_numpy(),
        }
    )
    frame["address"] = frame["pref"] + frame["city"] + frame["town"]
    frame["name"] = [f"施設{i + 1}" for i in range(len(frame))]
    frame["category"] = [("学校", "病院", "公園")[i % 3] for i in range(len(frame))]
    return frame


@pytest.fixture(scope="session")
def koto_rows() -> pd.DataFrame:
    """The towns of 江東区 (13108): one municipality."""
    return town_rows(["13108"])


@pytest.fixture(scope="session")
def wards_rows() -> pd.DataFrame:
    """The towns of 江東区, 中央区 and 墨田区: several municipalities."""
    return town_rows(["13108", "13102", "13107"])


# -- the import graph of a package (test_shape: the whole package; test_geocoders: its own) --


def imports_of(name: str, path: Path, known: set[str], *, with_ancestors: bool = False) -> set[str]:
    """The modules of ``known`` that ``name`` imports anywhere in its source, functions included.

    ``from .x import y`` counts as importing ``x`` (or ``x.y`` when that is a module). A module
    never counts as importing itself, nor (unless ``with_ancestors``) the packages it sits in:
    Python imports those first anyway.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    edges: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            subs = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
            targets = subs + ([base] if len(subs) < len(node.names) else [])
        else:
            continue
        edges.update(t for t in targets if t in known)
    ancestors = set() if with_ancestors else {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return edges - ancestors - {name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None
