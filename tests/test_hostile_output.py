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
from geomap.output import write_table
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
    assert rows[1][rows[0].index("名称")] == "b\r@SUM(1)"  # after the reason and 候補 columns
    assert frame(unmatched)["名称"].tolist() == ["b\r@SUM(1)"]


def test_item2_bare_cr_is_quoted_in_the_render_unmatched_file(tmp_path):
    src = put(tmp_path, "b.csv", CR_LIST)
    result = run("render", src, "--tiles", "none")
    assert result.exit_code == 0, result.output
    rows = records(tmp_path / "b_unmatched.csv")
    assert len(rows) == 2 and rows[1][rows[0].index("名称")] == "b\r@SUM(1)"


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


# -- item 10: file edges --------------------------------------------------------------


def test_item10_an_80_character_japanese_file_name_geocodes(tmp_path):
    stem = ("江東区立施設一覧" * 10)[:80]
    assert len(stem) == 80 and len((stem + "_geocoded.csv").encode("utf-8")) <= 255
    src = put(tmp_path, stem + ".csv", f"名称,住所\nA,{ADDRESS}\nB,{NOWHERE}\n")
    before = digest(src)
    result = run("geocode", src)
    assert result.exit_code == 0, result.output
    assert "File name too long" not in result.output
    assert frame(tmp_path / (stem + "_geocoded.csv"))["名称"].tolist() == ["A", "B"]
    assert frame(tmp_path / (stem + "_unmatched.csv"))["名称"].tolist() == ["B"]
    result = run("render", src, "--tiles", "none")
    assert result.exit_code == 0, result.output
    assert (tmp_path / (stem + ".html")).is_file()
    assert digest(src) == before
    assert temporaries(tmp_path) == []


def test_item10_output_named_like_the_unmatched_file_keeps_both(tmp_path):
    src = put(tmp_path, "b.csv", f"名称,住所\nA,{ADDRESS}\nB,{NOWHERE}\n")
    before = digest(src)
    result = run("geocode", "b.csv", "-o", "b_unmatched.csv", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert digest(src) == before
    table = frame(tmp_path / "b_unmatched.csv")
    assert table["名称"].tolist() == ["A", "B"] and "lat" in table.columns  # the result
    unmatched = frame(tmp_path / "b_unmatched_unmatched.csv")
    assert unmatched.columns[0] == message("reason_column", "ja")
    assert unmatched["名称"].tolist() == ["B"]
    assert "b_unmatched_unmatched.csv" in result.stderr
    assert "エラー" not in result.stderr


@pytest.mark.parametrize("command,default", [("render", "list.html"), ("geocode", "list_geocoded.csv")])
def test_item10_output_folder_gets_the_same_clear_message(tmp_path, command, default):
    src = put(tmp_path, "list.csv", f"名称,住所\nA,{ADDRESS}\n")
    (tmp_path / "folder").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(command, "list.csv", "-o", "folder", cwd=tmp_path)
    assert result.exit_code == 1
    line = one_error_line(result)
    expected = message("output_is_directory", "ja", path="folder", example=str(Path("folder") / default))
    assert line == message("error_prefix", "ja") + expected
    assert "フォルダーです" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no folder.html beside it
    assert list((tmp_path / "folder").iterdir()) == []


def test_item10_render_and_geocode_say_the_same_about_a_folder_in_english(tmp_path):
    put(tmp_path, "list.csv", f"名称,住所\nA,{ADDRESS}\n")
    (tmp_path / "folder").mkdir()
    lines = [one_error_line(run(c, "list.csv", "-o", "folder", "--lang", "en", cwd=tmp_path), "en")
             for c in ("render", "geocode")]
    assert all("is a folder" in line for line in lines)
    assert lines[0].split("(e.g.")[0] == lines[1].split("(e.g.")[0]


# -- item 11: output column clashes ---------------------------------------------------


def test_item11_fid_column_in_a_geopackage(tmp_path):
    gpd = pytest.importorskip("geopandas")
    src = put(tmp_path, "a.csv", f"fid,名称,住所\nX-1,A,{ADDRESS}\nX-2,B,{NOWHERE}\n")
    before = digest(src)
    result = run("geocode", src, "-o", tmp_path / "x.gpkg")
    assert result.exit_code == 0, result.output
    assert "予期しない" not in result.output
    back = gpd.read_file(tmp_path / "x.gpkg")
    assert back["fid_input"].tolist() == ["X-1", "X-2"]
    assert back["名称"].tolist() == ["A", "B"]
    assert message("summary_renamed", "ja", column="fid", new="fid_input", format="GeoPackage") in result.stderr
    assert digest(src) == before


def test_item11_geometry_column_in_geojson_is_kept(tmp_path):
    gpd = pytest.importorskip("geopandas")
    src = put(tmp_path, "a.csv", f"geometry,住所\n正方形,{ADDRESS}\n円,{NOWHERE}\n")
    result = run("geocode", src, "-o", tmp_path / "x.geojson", "--lang", "en")
    assert result.exit_code == 0, result.output
    back = gpd.read_file(tmp_path / "x.geojson")
    assert back["geometry_input"].tolist() == ["正方形", "円"]
    assert back.geometry.iloc[0].x == pytest.approx(139.8, abs=0.1)
    assert "Column 'geometry' is a name GeoJSON keeps for itself, so it was written as 'geometry_input'." in result.stderr


def test_item11_geopackage_names_that_differ_only_in_case(tmp_path):
    gpd = pytest.importorskip("geopandas")
    src = put(tmp_path, "a.csv", f"Name,name,GEOM,住所\nA,a,g,{ADDRESS}\n")
    result = run("geocode", src, "-o", tmp_path / "x.gpkg")
    assert result.exit_code == 0, result.output
    back = gpd.read_file(tmp_path / "x.gpkg")
    assert back.iloc[0][["Name", "name_input", "GEOM_input"]].tolist() == ["A", "a", "g"]


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_item11_a_geodataframe_still_writes_its_points(tmp_path, suffix):
    """The geometry of a GeoDataFrame is not text from a list: it is replaced by the points."""
    gpd = pytest.importorskip("geopandas")
    df = gpd.GeoDataFrame({"名称": ["A"], "lat": [35.68], "lon": [139.81]},
                          geometry=gpd.points_from_xy([0.0], [0.0]), crs="EPSG:4326")
    back = gpd.read_file(write_table(df, tmp_path / f"x{suffix}"))
    assert back["名称"].tolist() == ["A"] and "geometry_input" not in back.columns
    assert (back.geometry.iloc[0].x, back.geometry.iloc[0].y) == pytest.approx((139.81, 35.68))


# -- output safety --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["geocode", "render"])
def test_output_at_the_input_is_refused(tmp_path, command):
    src = put(tmp_path, "a.csv", f"名称,住所\nA,{ADDRESS}\n")
    (tmp_path / "link.csv").symlink_to(src)
    os.link(src, tmp_path / "hard.csv")
    before = digest(src)
    for target in ("a.csv", "./a.csv", "link.csv", "hard.csv", str(src)):
        result = run(command, "a.csv", "-o", target, cwd=tmp_path)
        assert result.exit_code == 2, (target, result.output)
        assert "入力ファイルと同じです" in one_error_line(result)
        assert digest(src) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "hard.csv", "link.csv"]


@pytest.mark.parametrize("command,name", [("geocode", "out.csv"), ("render", "out.html")])
def test_output_in_a_folder_under_a_regular_file(tmp_path, command, name):
    """Fails for root as for anyone: the 'folder' is a file."""
    src = put(tmp_path, "a.csv", f"名称,住所\nA,{ADDRESS}\n")
    notes = put(tmp_path, "notes.txt", "メモ\n")
    before = {p.name: digest(p) for p in tmp_path.iterdir()}
    result = run(command, src, "-o", f"{notes}/{name}")
    assert result.exit_code == 1
    line = one_error_line(result)
    assert message("output_parent_not_folder", "ja", dir=str(notes)) in line
    assert {p.name: digest(p) for p in tmp_path.iterdir()} == before


def _read_only_bind_works(folder: Path) -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && '
             '! touch "$1/probe" 2>/dev/null')
    done = subprocess.run(["unshare", "--mount", "sh", "-c", probe, "sh", str(folder)],
                          capture_output=True, timeout=60)
    return done.returncode == 0 and not (folder / "probe").exists()


@pytest.mark.parametrize("command,name", [("geocode", "out.csv"), ("render", "out.html")])
def test_output_in_a_read_only_folder(tmp_path, command, name):
    folder = tmp_path / "ro"
    folder.mkdir()
    src = put(folder, "a.csv", f"名称,住所\nA,{ADDRESS}\n")
    before = digest(src)
    args = [command, str(src), "-o", str(folder / name)]
    if os.geteuid() == 0:
        # Root ignores permission bits: make the folder really read-only, in a private
        # mount namespace that ends with the process.
        if not _read_only_bind_works(folder):
            pytest.skip("running as root and cannot bind-mount a read-only folder (unshare/mount)")
        script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"')
        done = subprocess.run(["unshare", "--mount", "sh", "-c", script, "sh", str(folder),
                               *cli_command(), *args], capture_output=True, timeout=300)
        code, stderr = done.returncode, done.stderr.decode("utf-8")
    else:
        folder.chmod(0o555)
        try:
            result = run(*args)
        finally:
            folder.chmod(0o755)
        code, stderr = result.exit_code, result.stderr
    assert code == 1, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr
    assert lines[0].startswith("エラー: 「" + str(folder / name) + "」に書き込めません（")
    assert digest(src) == before
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits; see the read-only mount test")
def test_output_in_a_folder_without_write_permission(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    src = put(tmp_path, "a.csv", f"名称,住所\nA,{ADDRESS}\n")
    folder.chmod(0o555)
    try:
        result = run("geocode", src, "-o", folder / "out.csv")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1
    assert "に書き込めません" in one_error_line(result)


@pytest.mark.parametrize("command,name", [("geocode", "link.csv"), ("render", "link.html")])
def test_output_at_a_symlink_never_writes_its_target(tmp_path, command, name):
    src = put(tmp_path, "a.csv", f"名称,住所\nA,{ADDRESS}\n")
    target = put(tmp_path, "keep" + Path(name).suffix, "大事なファイル\n")
    link = tmp_path / name
    link.symlink_to(target)
    result = run(command, src, "-o", link, "--tiles" if command == "render" else "--quiet",
                 *(["none"] if command == "render" else []))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == "大事なファイル\n"
    assert not link.is_symlink() and link.is_file()  # the link was replaced by the output
    if command == "geocode":
        assert frame(link)["名称"].tolist() == ["A"]
    else:
        assert link.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert temporaries(tmp_path) == []


def test_output_at_a_dangling_symlink_creates_nothing_at_its_target(tmp_path):
    src = put(tmp_path, "a.csv", f"名称,住所\nA,{ADDRESS}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out.csv").symlink_to(elsewhere / "target.csv")
    result = run("geocode", src, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert list(elsewhere.iterdir()) == []
    assert frame(tmp_path / "out.csv")["名称"].tolist() == ["A"]


def test_output_at_a_pipe_is_refused(tmp_path):
    src = put(tmp_path, "a.csv", f"名称,住所\nA,{ADDRESS}\n")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = run("geocode", src, "-o", fifo)
    assert result.exit_code == 1
    assert "普通のファイルではありません" in one_error_line(result)
    assert fifo.is_fifo()


def test_ctrl_c_during_a_large_render_keeps_the_old_output(tmp_path):
    town_points(5000).to_csv(tmp_path / "big.csv", index=False)
    old_html = put(tmp_path, "map.html", "<html>old map</html>\n")
    old_png = tmp_path / "map.png"
    old_png.write_bytes(b"old image")
    proc = subprocess.Popen([*cli_command(), "render", "big.csv", "-o", "map.html", "--png", "--tiles", "none"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = False
    deadline = time.monotonic() + 300
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if any(n.endswith(".png") for n in temporaries(tmp_path)):
                seen = True
                proc.send_signal(signal.SIGINT)
                break
            time.sleep(0.002)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert seen, "the PNG was never being written when polled; the render ended too fast to interrupt"
    stderr = err.decode("utf-8")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == message("error_prefix", "ja") + message("interrupted", "ja")
    assert old_png.read_bytes() == b"old image"
    # The map was complete before the interrupt: either the old one or the whole new one.
    html = old_html.read_text(encoding="utf-8")
    assert html == "<html>old map</html>\n" or html.rstrip().endswith("</html>")
    assert temporaries(tmp_path) == []


def test_two_renders_writing_one_output_leave_one_complete_map(tmp_path):
    town_points(1500).to_csv(tmp_path / "a.csv", index=False)
    town_points(1500, start=1500).to_csv(tmp_path / "b.csv", index=False)
    procs = [subprocess.Popen([*cli_command(), "render", f"{x}.csv", "-o", "same.html", "--tiles", "none",
                               "--title", f"地図{x.upper()}"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for x in ("a", "b")]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode("utf-8")
    html = (tmp_path / "same.html").read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    assert ("地図A" in html) != ("地図B" in html)
    assert html.count("<html") == 1
    assert temporaries(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "same.html"]
