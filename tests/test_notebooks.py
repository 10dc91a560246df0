"""The tutorial notebooks run from top to bottom, offline, and write what they promise.

Each notebook is copied with ``sample_data/`` into a temporary folder and run there with
nbclient on the ``python3`` kernel (ipykernel's own kernelspec, which jupyter_client starts
with the running interpreter). A first cell, added to the in-memory copy only, makes every
Python socket connection fail, so a notebook that reached for the network would error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 180  # seconds per cell: a guard against a hung kernel, not a speed target

EXPECTED = {
    "01_quickstart.ipynb": [
        "koto_facilities.html",
        "koto_facilities.png",
        "tokyo_wards.html",
        "tokyo_wards.png",
        "koto_sjis.html",
        "koto_sjis.png",
    ],
    "02_town_level_and_privacy.ipynb": [
        "koto_districts.geojson",
        "koto_districts.html",
        "koto_by_district.html",
        "koto_by_district.png",
    ],
}

NO_NETWORK = """\
import socket as _socket

def _refuse(*args, **kwargs):
    raise OSError("network access attempted while running a tutorial notebook")

_socket.socket.connect = _refuse
_socket.socket.connect_ex = _refuse
_socket.create_connection = _refuse
"""


def _run(name: str, workdir: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(NO_NETWORK))
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Run a notebook once per test module, in a fresh folder holding a copy of sample_data/."""
    done = {}

    def run(name):
        if name not in done:
            base = tmp_path_factory.mktemp(Path(name).stem)
            shutil.copytree(
                ROOT / "sample_data",
                base / "sample_data",
                ignore=shutil.ignore_patterns("*.html", "*.png", "*_unmatched.csv"),
            )
            workdir = base / "notebooks"
            workdir.mkdir()
            before = sorted(p.name for p in (base / "sample_data").iterdir())
            nb = _run(name, workdir)
            done[name] = (nb, base, before)
        return done[name]

    return run


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_offline_and_writes_its_files(name, executed):
    nb, base, before = executed(name)

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    out = base / "notebooks" / "output"
    for expected in EXPECTED[name]:
        path = out / expected
        assert path.is_file(), f"{name} did not write {expected}; wrote {sorted(p.name for p in out.iterdir())}"
        data = path.read_bytes()
        if expected.endswith(".png"):
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
        elif expected.endswith(".html"):
            assert b"geomap-title" in data and b"</html>" in data
        else:
            assert b'"FeatureCollection"' in data and "地区コード".encode() in data
    # The notebooks write only into output/: the copied samples are left as they were.
    assert sorted(p.name for p in (base / "sample_data").iterdir()) == before


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_shows_maps_inline(name, executed):
    """Map cells leave a folium map as their value, which Jupyter displays as an iframe."""
    from html import unescape

    nb, _, _ = executed(name)
    shown = [
        unescape(o["data"]["text/html"])  # folium embeds the page HTML-escaped in srcdoc
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "execute_result" and "text/html" in o.get("data", {})
    ]
    assert sum("geomap-title" in html for html in shown) >= 2


def test_committed_notebooks_have_no_outputs_and_match_the_generator():
    for name in EXPECTED:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs not stripped"
    import runpy

    generator = runpy.run_path(str(ROOT / "tools" / "make_notebooks.py"))
    assert generator["main"](["--check"]) == 0
