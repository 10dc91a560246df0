"""The shape of the package (issue 13): no import cycle anywhere, no module over 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import geomap

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


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its source, functions included.

    ``from .x import y`` counts as importing ``x`` (or ``x.y`` when that is a module). A module
    never counts as importing the packages it sits in: Python imports those first anyway.
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
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
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
