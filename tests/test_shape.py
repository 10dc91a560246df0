"""The shape of the package (issue 13): no import cycle anywhere, no module over 500 lines."""

from __future__ import annotations

from pathlib import Path

import geomap
from conftest import find_cycle, imports_of

ROOT = Path(geomap.__file__).parent
MAX_LINES = 500


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ["geomap", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def test_the_reader_and_the_finder_see_what_they_must(tmp_path):
    source = tmp_path / "x.py"
    source.write_text("from .report import placed_rows\n\ndef f():\n    from .maps import options\n", encoding="utf-8")
    known = {"geomap", "geomap.report", "geomap.maps", "geomap.maps.options", "geomap.x"}
    assert imports_of("geomap.x", source, known) == {"geomap.report", "geomap.maps.options"}
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_the_whole_package():
    found = modules()
    graph = {name: imports_of(name, path, set(found)) for name, path in found.items()}
    assert graph["geomap.cli"] >= {"geomap.summary", "geomap.messages"}  # the reader reads real imports
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle)


def test_no_module_is_over_500_lines():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_module_is_on_the_architecture_page():
    """docs/ARCHITECTURE.md is the map of the code: a module it does not name is a module nobody will find."""
    page = (ROOT.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name == "__init__.py" and rel.count("/") == 0:
            continue
        named = f"`{rel}`" in page or f"`{path.name}`" in page or (
            path.name == "__init__.py" and f"`{rel.rsplit('/', 1)[0]}/" in page)
        if not named:
            missing.append(rel)
    assert missing == []
