"""Issue 10, what geomap writes: hostile cells in output CSVs, file-name edges, output column
clashes, and output safety (input, folders, read-only places, links, Ctrl-C, two runs at once).

Each test starts from the reproduction in the issue and checks what a user sees: the files
written (read back with Python's csv module and pandas), the exit code, the one-line message,
and that the input is unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.io import write_table
from geomap.messages import message

ADDRESS = "東京都江東区三好3-15-12"
NOWHERE = "どこにもない住所"
PAYLOAD = "a\r=cmd|' /C calc'!A0"
BOM = b"\xef\xbb\xbf"


# -- helpers --------------------------------------------------------------------------


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def put(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def run(*args, cwd: Path | None = None):
    """The CLI in-process, optionally from ``cwd``."""
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args])
    finally:
        os.chdir(old)


def records(path: Path, sep: str = ",") -> list[list[str]]:
    """The file as Python's csv module reads it (``newline=""`` as its documentation asks)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=sep))


def frame(path: Path, sep: str = ",") -> pd.DataFrame:
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def one_error_line(result, lang: str = "ja") -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(message("error_prefix", lang))
    assert "Traceback" not in result.output
    return lines[0]


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".geomap-"))


def cli_command() -> list[str]:
    """``geomap`` as a separate process (for signals and concurrent runs)."""
    return [sys.executable, "-c", "import sys; from geomap.cli import main; sys.exit(main())"]


def town_points(n: int, start: int = 0) -> pd.DataFrame:
    """Real town points from the embedded index (no made-up coordinates)."""
    from geomap.gazetteer import towns

    t = towns()
    t = t[(t["koaza"] == "") & t["lat"].notna() & t["code"].str.startswith("13")].iloc[start:start + n]
    return pd.DataFrame({"名称": [f"施設{i}" for i in range(len(t))],
                         "緯度": t["lat"].to_numpy(), "経度": t["lon"].to_numpy()})


# -- item 2: a bare CR inside a cell, and the formula guard ---------------------------

CR_LIST = (
    "名称,住所\n"
    f'"{PAYLOAD}",{ADDRESS}\n'
    f'"b\r@SUM(1)",{NOWHERE}\n'
)


@pytest.mark.parametrize("suffix,sep", [(".csv", ","), (".tsv", "\t")])
def test_item2_bare_cr_is_quoted_in_geocode_output_and_unmatched(tmp_path, suffix, sep):
    src = put(tmp_path, "b.csv", CR_LIST)
    before = digest(src)
    result = run("geocode", src, "-o", tmp_path / f"out{suffix}")
    assert result.exit_code == 0, result.output
    assert digest(src) == before

    out = records(tmp_path / f"out{suffix}", sep)
    assert len(out) == 3  # header and two rows: the CR did not start a row
    assert [r[0] for r in out[1:]] == [PAYLOAD, "b\r@SUM(1)"]
    assert len({len(r) for r in out}) == 1
    # The text after the CR is inside the cell, never at the start of one.
    assert not any(cell.startswith(("=", "@", "+")) for row in out for cell in row)
    raw = (tmp_path / f"out{suffix}").read_bytes()
    assert raw.startswith(BOM)
    assert ('"' + PAYLOAD + '"').encode("utf-8") in raw

    table = frame(tmp_path / f"out{suffix}", sep)
    assert table["名称"].tolist() == [PAYLOAD, "b\r@SUM(1)"]
    assert table["住所"].tolist() == [ADDRESS, NOWHERE]

    unmatched = tmp_path / "b_unmatched.csv"
    rows = records(unmatched)
    assert len(rows) == 2
    assert rows[0][0] == message("reason_column", "ja")
    assert rows[1][1] == "b\r@SUM(1)"
    assert frame(unmatched)["名称"].tolist() == ["b\r@SUM(1)"]


def test_item2_bare_cr_is_quoted_in_the_render_unmatched_file(tmp_path):
    src = put(tmp_path, "b.csv", CR_LIST)
    result = run("render", src, "--tiles", "none")
    assert result.exit_code == 0, result.output
    rows = records(tmp_path / "b_unmatched.csv")
    assert len(rows) == 2 and rows[1][1] == "b\r@SUM(1)"


FORMULAS = [
    "=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "\n=1",
    "＝1+1", "＋1+1", "－1+1", "＠SUM(1)",
    " =1+1", "  @SUM(1)", "　＝1+1", " \t1", "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("cell", FORMULAS)
def test_item2_formula_guard_covers_what_owasp_lists(tmp_path, cell):
    path = write_table(pd.DataFrame({"名称": [cell], "件数": [1]}), tmp_path / "out.csv")
    rows = records(path)
    assert rows == [["名称", "件数"], ["'" + cell, "1"]]
    path = write_table(pd.DataFrame({"名称": [cell]}), tmp_path / "out.tsv")
    assert records(path, "\t") == [["名称"], ["'" + cell]]


def test_item2_formula_guard_in_xlsx_and_headers(tmp_path):
    from openpyxl import load_workbook

    df = pd.DataFrame({"=HYPERLINK(\"http://x\")": ["＝1+1"], "住所": [ADDRESS]})
    path = write_table(df, tmp_path / "out.xlsx")
    sheet = load_workbook(path).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells == [["'=HYPERLINK(\"http://x\")", "住所"], ["'＝1+1", ADDRESS]]
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row)


def test_item2_formula_guard_through_geocode(tmp_path):
    src = put(tmp_path, "a.csv", f"名称,住所\n＝1+1,{ADDRESS}\n\" @SUM(1)\",{ADDRESS}\n")
    result = run("geocode", src)
    assert result.exit_code == 0, result.output
    assert frame(tmp_path / "a_geocoded.csv")["名称"].tolist() == ["'＝1+1", "' @SUM(1)"]


def test_item2_numbers_of_an_address_stay_readable(tmp_path):
    src = put(tmp_path, "split.csv",
              "都道府県,市区町村,町域,番地,人数,金額\n"
              "東京都,江東区,三好三丁目,-1,-5,\"-1,234\"\n"
              "東京都,江東区,三好三丁目,－１,+3,-0.5\n")
    before = digest(src)
    result = run("geocode", src)
    assert result.exit_code == 0, result.output
    assert digest(src) == before
    out = tmp_path / "split_geocoded.csv"
    table = frame(out)
    assert table["番地"].tolist() == ["-1", "－１"]
    assert table["人数"].tolist() == ["-5", "+3"]
    assert table["金額"].tolist() == ["-1,234", "-0.5"]
    # lat/lon and level are numbers: unquoted, read back as numbers.
    numbers = pd.read_csv(out, encoding="utf-8-sig")
    assert pd.api.types.is_float_dtype(numbers["lat"]) and pd.api.types.is_float_dtype(numbers["lon"])
    assert numbers["lat"].between(35, 36).all() and numbers["lon"].between(139, 140).all()
    line = out.read_bytes().decode("utf-8-sig").splitlines()[1]
    assert line.startswith('"東京都","江東区","三好三丁目","-1","-5","-1,234",')
    assert re.search(r",3\d\.\d+,13\d\.\d+,3,", line)  # lat, lon, level: bare numbers


def test_item2_negative_numbers_in_numeric_columns_are_not_touched(tmp_path):
    df = pd.DataFrame({"lat": [-33.5, 35.6], "lon": [-70.1, 139.8], "値": [-1, 2], "text": ["-1", "-x"]})
    rows = records(write_table(df, tmp_path / "out.csv"))
    assert rows[1:] == [["-33.5", "-70.1", "-1", "-1"], ["35.6", "139.8", "2", "'-x"]]
    raw = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert raw[1] == '-33.5,-70.1,-1,"-1"'  # numbers unquoted, text quoted
