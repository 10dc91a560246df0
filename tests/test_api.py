"""The public Python API is what the README and ``help(geomap)`` say it is.

- every ``geomap.<name>`` in the README's Python examples exists and is documented;
- both "API (Python)" sections of the README list every public name of ``geomap.__all__``;
- ``geomap.__all__`` resolves, and ``help(geomap)`` mentions each public function;
- the docstring examples are run with :mod:`doctest` (on a copy of ``sample_data/`` for
  the functions that read and write files).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re
import shutil
from pathlib import Path

import pytest

import geomap

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
API_HEADING = "## API (Python)"

# Names of geomap.__all__ that are not functions to list in the README's API section.
NOT_FUNCTIONS = {"__version__", "GeomapError"}

# Modules whose docstring examples are run. Those that read or write files expect
# sample_data/ in the working folder, as in the README.
DOCTEST_MODULES = [
    "geomap",
    "geomap.columns",
    "geomap.geocoding",
    "geomap.io",
    "geomap.maps.html",
    "geomap.maps.static",
    "geomap.maps.wrap",
    "geomap.output",
    "geomap.pipeline",
    "geomap.provenance",
    "geomap.report",
    "geomap.shapes",
    "geomap.spatial",
]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def geomap_names(code: str) -> set[str]:
    return set(re.findall(r"\bgeomap\.([A-Za-z_]\w*)", code))


def api_sections(text: str) -> list[str]:
    """The text of every section headed ``## API (Python)``, up to the next ``#``/``##`` heading."""
    return re.findall(rf"^{re.escape(API_HEADING)}[^\n]*\n(.*?)(?=^#{{1,2}} |\Z)", text, flags=re.S | re.M)


def public_functions() -> list[str]:
    return sorted(set(geomap.__all__) - NOT_FUNCTIONS)


# --------------------------------------------------------------------------- README


def test_readme_python_names_exist_and_are_documented():
    shown = set().union(*(geomap_names(text) for text in python_blocks(README) + api_sections(README)))
    # the API sections show the whole public surface, so this is never a vacuous loop
    assert set(public_functions()) <= shown
    for name in sorted(shown):
        assert hasattr(geomap, name), f"README shows geomap.{name}, which does not exist"
        obj = getattr(geomap, name)
        if callable(obj):
            assert inspect.getdoc(obj), f"geomap.{name} has no docstring"


def test_readme_has_an_api_section_in_both_languages_listing_every_function():
    sections = api_sections(README)
    assert len(sections) == 2, f"expected one {API_HEADING!r} section per language, found {len(sections)}"
    for section in sections:
        listed = geomap_names(section)
        missing = [n for n in public_functions() if n not in listed]
        assert missing == [], f"API section does not list {missing}"
        assert python_blocks(section), "API section has no example"


@pytest.mark.parametrize("section", range(2))
def test_readme_api_example_runs(section, sample_folder):
    """The example of each API section runs as written, from the repository's top folder."""
    code = python_blocks(api_sections(README)[section])[0]
    before = set(sample_folder.iterdir())
    exec(compile(code, f"README.md API example {section + 1}", "exec"), {"__name__": "__readme__"})
    written = set(sample_folder.iterdir()) - before
    assert written and all(p.stat().st_size > 0 for p in written)
    # the example writes a page and an image: both kinds must be there
    assert {p.suffix for p in written} == {".html", ".png"}


def test_api_sections_are_found_by_the_parser():
    text = "# t\n## API (Python)\n- `geomap.a`\n## Next\n`geomap.b`\n"
    assert [geomap_names(s) for s in api_sections(text)] == [{"a"}]


# --------------------------------------------------------------------------- the package


def test_all_names_resolve():
    assert len(geomap.__all__) == len(set(geomap.__all__))
    for name in geomap.__all__:
        assert getattr(geomap, name) is not None


def test_dir_offers_every_public_name():
    assert set(geomap.__all__) <= set(dir(geomap))


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_function"):
        geomap.no_such_function  # noqa: B018


def test_help_mentions_every_public_function():
    doc = geomap.__doc__
    for name in public_functions():
        assert f":func:`{name}`" in doc, f"help(geomap) does not mention {name}"


_HEADING = re.compile(r"^\S[^\n]*\n-{3,}[ \t]*$", flags=re.M)


def parameters_section(doc: str) -> str:
    """The whole Parameters section of a numpydoc docstring, blank lines included, up to the next heading."""
    start = re.search(r"^Parameters\n-{3,}[ \t]*$", doc, flags=re.M)
    if start is None:
        return ""
    rest = doc[start.end():]
    following = _HEADING.search(rest)
    return rest[: following.start()] if following else rest


def test_parameters_section_reads_past_blank_lines():
    doc = "Summary.\n\nParameters\n----------\na : int\n    First.\n\n    More on a.\n\nb : str\n    Second.\n\nReturns\n-------\nint\n"
    names = re.findall(r"^(\w[\w, ]*?)(?: :|$)", parameters_section(doc), flags=re.M)
    assert names == ["a", "b"]
    assert parameters_section("No sections.") == ""


@pytest.mark.parametrize("name", public_functions())
def test_public_function_has_a_numpydoc_docstring(name):
    doc = inspect.getdoc(getattr(geomap, name))
    assert doc and doc.splitlines()[0].strip(), f"geomap.{name}: no summary line"
    params = [
        p for p in inspect.signature(getattr(geomap, name)).parameters.values()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if params:
        assert "Parameters\n----------" in doc or "Parameters\n---" in doc, f"geomap.{name}: no Parameters section"
    # every parameter the docstring names exists (no documented parameters the function lacks)
    section = parameters_section(doc)
    documented = re.findall(r"^(\w[\w, ]*?)(?: :|$)", section, flags=re.M)
    names = {n.strip() for group in documented for n in group.split(",") if n.strip()}
    signature = set(inspect.signature(getattr(geomap, name)).parameters)
    assert names <= signature, f"geomap.{name} documents {sorted(names - signature)}, which it does not take"


# --------------------------------------------------------------------------- doctests


@pytest.fixture
def sample_folder(tmp_path, monkeypatch):
    shutil.copytree(
        ROOT / "sample_data",
        tmp_path / "sample_data",
        ignore=shutil.ignore_patterns("*.html", "*.png", "*_unmatched.csv"),
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("module", DOCTEST_MODULES)
def test_docstring_examples(module, sample_folder):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0, f"{module} has no examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {module} failed (output above)"
