"""``geomap render`` and ``geomap geocode`` as a municipal user meets them: files in, map or
table out, and one line in Japanese (or English) when something is wrong."""

from __future__ import annotations

import hashlib
import json
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
TEXT = "名称,種別,住所,定員\n（架空）東陽さくら保育園,保育園,東京都江東区東陽4-11-28,60\n（架空）木場図書館,図書館,江東区木場１－５－２,30\n"


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def put(tmp_path, name, data) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


INPUTS = {
    "utf-8 csv": ("list.csv", TEXT.encode("utf-8")),
    "utf-8 bom csv": ("list.csv", TEXT.encode("utf-8-sig")),
    "cp932 csv": ("list.csv", TEXT.replace("\n", "\r\n").replace("－", "ー").encode("cp932")),
    "euc-jp csv": ("list.csv", TEXT.replace("－", "ー").encode("euc_jp")),
    "tsv": ("list.tsv", TEXT.replace(",", "\t").encode("utf-8")),
    "text": ("list.txt", "東京都江東区東陽4-11-28\n江東区木場1-5-2\n".encode("utf-8")),
    "xlsx": ("list.xlsx", xlsx([r.split(",") for r in TEXT.splitlines()])),
    "lat/lon": ("list.csv", "名称,緯度,経度\nA,35.6719,139.8178\nB,35.6734,139.8069\n".encode("utf-8")),
    "split columns": ("list.csv", "都道府県,市区町村,町域,番地\n東京都,江東区,東陽四丁目,11-28\n東京都,江東区,木場,1-5-2\n".encode("utf-8")),
}


@pytest.mark.parametrize("kind", list(INPUTS))
def test_render_every_input_kind(tmp_path, kind):
    name, data = INPUTS[kind]
    src = put(tmp_path, name, data)
    result = run("render", src, "--tiles", "none")
    assert result.exit_code == 0, result.output
    html = src.with_suffix(".html")
    assert html.exists() and html.stat().st_size > 1000
    assert digest(src) == hashlib.sha256(data).hexdigest()  # the input is untouched
    assert "読み込み: 2 行" in result.stderr
    assert "地図に置いた行: 2 / 2" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["utf-8 csv", "xlsx", "lat/lon"])
def test_geocode_every_input_kind(tmp_path, kind):
    name, data = INPUTS[kind]
    src = put(tmp_path, name, data)
    out = tmp_path / "out.csv"
    result = run("geocode", src, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(table) == 2 and {"lat", "lon", "level", "town"} <= set(table.columns)
    assert f"結果: {out}" in result.stderr


def _page_data(html_path) -> dict:
    """The JSON block that carries every value a map shows."""
    page = html_path.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))


def test_render_sample_with_all_options(tmp_path):
    """Each option changes what it says it changes (compared with the same list drawn with defaults)."""
    src = tmp_path / "k.csv"
    shutil.copy(SAMPLES / "koto_facilities.csv", src)
    plain = run("render", src, "-o", tmp_path / "plain.html")
    assert plain.exit_code == 0, plain.output
    result = run("render", src, "-o", tmp_path / "map.html", "--by", "town", "--value", "定員", "--agg", "sum",
                 "--category", "種別", "--name", "名称", "--title", "施設の定員", "--tiles", "gsi-pale",
                 "--min-count", "2", "--png", "--pdf", "--lang", "en")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    data, default = _page_data(tmp_path / "map.html"), _page_data(tmp_path / "plain.html")
    # --title (default: the file's stem)
    assert re.search(r"<title>(.*?)</title>", page).group(1) == "施設の定員"
    assert "<title>k</title>" in (tmp_path / "plain.html").read_text(encoding="utf-8")
    # --tiles gsi-pale comes first; --lang en names the layers in English
    assert data["layers"]["base"] == ["GSI tiles (pale)", "GSI tiles (standard)", "OpenStreetMap"]
    assert default["layers"]["base"][0] == "地理院タイル（標準地図）"
    # --value 定員 --agg sum: the areas' measure; --by town: one area per town, not per ward
    assert "Sum of 定員" in data["layers"]["overlays"]
    tips = [f["properties"]["tip"] for f in data["shapes"]["areas"][0]["data"]["features"]]
    assert len(tips) > 20 and all("丁目" in t or "町" in t or "島" in t for t in tips[:5])
    # --min-count 2: towns with fewer rows show "fewer than 2", never their sum
    assert any(t.endswith("fewer than 2") for t in tips)
    assert "fewer than 2 (number hidden)" in data["panels"]["legend"]
    # --category 種別 colours the points; --name 名称 leads the popup
    assert "<h4>種別</h4>" in data["panels"]["legend"] and "保育園" in data["panels"]["legend"]
    assert len(data["points"]["colors"]) > 1 and len(data["points"]["c"]) == 120
    assert data["points"]["fields"][0]["label"] == "名称"
    # --png, --pdf: A4 images beside the map
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "map.pdf").read_bytes()[:5] == b"%PDF-"
    assert not (tmp_path / "plain.png").exists()
    # --lang en: the summary too
    assert "Read 120 rows" in result.stderr and "Every row was placed." in result.stderr
    assert "Image: " in result.stderr


def test_partial_success_exits_0_and_lists_the_rest(tmp_path):
    src = put(tmp_path, "list.csv", TEXT + "（架空）X,公園,府中市,\n（架空）Y,公園,,\n")
    result = run("render", src, "--tiles", "none")
    assert result.exit_code == 0, result.output
    assert "置けなかった行: 2 →" in result.stderr and "list_unmatched.csv" in result.stderr
    unmatched = tmp_path / "list_unmatched.csv"
    assert unmatched.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(unmatched, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert table["理由"].tolist() == ["候補が複数（府中市（東京都）・府中市（広島県））", "住所が空"]
    en = run("render", src, "--tiles", "none", "--lang", "en", "-o", tmp_path / "en.html")
    assert en.exit_code == 0
    table = pd.read_csv(tmp_path / "list_unmatched.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert table["reason"].tolist()[1] == "address is empty"
    assert "Not placed: 2 rows" in en.stderr


def test_quiet_prints_nothing(tmp_path):
    src = put(tmp_path, "list.csv", TEXT)
    result = run("render", src, "-q", "--tiles", "none")
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""


def test_geocode_formats_by_extension(tmp_path):
    gpd = pytest.importorskip("geopandas")
    src = put(tmp_path, "list.csv", TEXT)
    for suffix in (".geojson", ".gpkg"):
        result = run("geocode", src, "-o", tmp_path / f"out{suffix}")
        assert result.exit_code == 0, result.output
        assert len(gpd.read_file(tmp_path / f"out{suffix}")) == 2
    result = run("geocode", src)
    assert result.exit_code == 0 and (tmp_path / "list_geocoded.csv").exists()
    assert "町丁目・大字まで: 2 行" in result.stderr


def test_pref_and_city_context(tmp_path):
    src = put(tmp_path, "list.csv", "住所\n東陽4-11-28\n木場1-5-2\n")
    assert run("render", src, "--tiles", "none").exit_code == 1
    result = run("render", src, "--tiles", "none", "--pref", "東京都", "--city", "江東区")
    assert result.exit_code == 0, result.output


def test_address_column_option(tmp_path):
    src = put(tmp_path, "list.csv", "名前,場所\nA,東京都江東区東陽4-11-28\n")
    result = run("render", src, "--address-column", "場所", "--tiles", "none")
    assert result.exit_code == 0, result.output


def test_sheet_option(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["メモ"])
    wb.active.append(["x"])
    ws = wb.create_sheet("施設")
    ws.append(["住所"])
    ws.append(["東京都江東区東陽4-11-28"])
    wb.save(tmp_path / "book.xlsx")
    assert run("render", tmp_path / "book.xlsx", "--sheet", "施設", "--tiles", "none").exit_code == 0
    assert run("render", tmp_path / "book.xlsx", "--sheet", "2", "--tiles", "none").exit_code == 0
    result = run("render", tmp_path / "book.xlsx", "--sheet", "無い")
    assert result.exit_code == 2 and "シート「無い」がありません" in result.stderr


# -- bad input: one line, the right exit code, no traceback, both languages --------------

ENCRYPTED = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64)

ERRORS = {
    # case: (file name, content or None for no file, extra args, exit code, Japanese text, English text)
    "missing file": ("nope.csv", None, [], 1, "が見つかりません", "does not exist"),
    "empty file": ("a.csv", b"", [], 1, "は空です", "is empty"),
    "header only": ("a.csv", "名称,住所\n".encode(), [], 1, "見出し行しかありません", "no data rows"),
    "no address column": ("a.csv", "名前,電話\nA,03\n".encode(), [], 1, "ある列: 名前、電話。住所の列名を --address-column",
                          "Columns: 名前, 電話. Name the address column with --address-column"),
    "undecodable": ("a.csv", "住所\n".encode() + b"\x80\xff\x80\xfe\n", [], 1, "文字コードを判別できません", "Cannot tell the character encoding"),
    "binary": ("a.csv", b"\x89PNG\r\n\x1a\n" + bytes(64), [], 1, "表のファイルではありません", "is not a table"),
    "not an xlsx": ("a.xlsx", TEXT.encode(), [], 1, "Excel (.xlsx) ファイルとして読めません", "cannot be read as an Excel"),
    "password-protected": ("a.xlsx", ENCRYPTED, [], 1, "パスワードで保護されています", "password-protected"),
    "value not numeric": ("a.csv", TEXT.replace(",60", ",六十").encode(), ["--value", "定員", "--agg", "sum"], 1,
                          "数値でない値が 1 件", "values that are not numbers"),
    "unknown --by": ("a.csv", TEXT.encode(), ["--by", "ward"], 2, "--by に「ward」は指定できません", "--by cannot be 'ward'"),
    "unknown --agg": ("a.csv", TEXT.encode(), ["--agg", "max", "--value", "定員"], 2, "--agg に「max」", "--agg cannot be 'max'"),
    "unknown --tiles": ("a.csv", TEXT.encode(), ["--tiles", "google"], 2, "--tiles に「google」", "--tiles cannot be 'google'"),
    "unknown column": ("a.csv", TEXT.encode(), ["--category", "色"], 2, "--category に指定された列「色」がありません", "given to --category does not exist"),
    "bad --min-count": ("a.csv", TEXT.encode(), ["--min-count", "x"], 2, "コマンドの指定に誤りがあります", "'x' is not a valid integer"),
    "unknown option": ("a.csv", TEXT.encode(), ["--colour", "red"], 2, "コマンドの指定に誤りがあります", "No such option"),
    "output folder missing": ("a.csv", TEXT.encode(), ["-o", "no/such/dir/map.html"], 1, "フォルダー「no/such/dir」がありません",
                              "The output folder 'no/such/dir' does not exist"),
    "output is the input": ("a.csv", TEXT.encode(), ["-o", "a.csv"], 2, "入力は上書きしません", "never overwrites its input"),
    "nothing placed": ("a.csv", "住所\nほげ\n".encode(), [], 1, "地図は作りませんでした", "no map was made"),
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_input_gives_one_line(tmp_path, monkeypatch, case, lang):
    name, data, extra, code, ja, en = ERRORS[case]
    monkeypatch.chdir(tmp_path)
    if data is not None:
        put(tmp_path, name, data)
    before = {p.name: digest(p) for p in tmp_path.iterdir()}
    args = ["render", name, *extra] + (["--lang", "en"] if lang == "en" else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("エラー: " if lang == "ja" else "Error: ")
    assert (ja if lang == "ja" else en) in lines[0]
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    # The input is untouched and, except the reasons file, nothing new appears.
    after = {p.name: digest(p) for p in tmp_path.iterdir()}
    assert {k: after[k] for k in before} == before
    assert set(after) - set(before) <= {"a_unmatched.csv"}


def test_debug_shows_the_traceback(tmp_path):
    result = run("render", tmp_path / "nope.csv", "--debug")
    assert result.exit_code != 0
    from geomap.errors import InputError

    assert isinstance(result.exception, InputError) and result.exception.key == "file_not_found"


def test_geocode_errors_share_the_handler(tmp_path):
    src = put(tmp_path, "a.csv", TEXT)
    result = run("geocode", src, "-o", tmp_path / "out.doc", "--lang", "en")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Output") and "Traceback" not in result.output
    result = run("geocode", src, "--geocoder", "nosuch")
    assert result.exit_code == 2 and "ジオコーダー「nosuch」はありません" in result.stderr
    result = run("geocode", src, "--gsi-url", "http://example.invalid/")  # offline has no url option
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_info_still_works():
    result = run("info", "--json")
    assert result.exit_code == 0 and '"prefectures": 47' in result.stdout


def test_top_level_script_runs_the_same_app(tmp_path):
    import subprocess
    import sys

    src = put(tmp_path, "a.csv", TEXT)
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(root / "cli.py"), "geocode", str(src), "-q"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "a_geocoded.csv").exists()


def test_render_class_options(tmp_path):
    from geomap.maps import options as map_options

    src = tmp_path / "wards.csv"
    src.write_bytes((Path(__file__).resolve().parents[1] / "sample_data" / "tokyo_wards_facilities.csv").read_bytes())
    ok = CliRunner().invoke(main, ["render", str(src), "--breaks", "10,２０、30", "--tiles", "none", "-q"])
    assert ok.exit_code == 0, ok.output
    page = (tmp_path / "wards.html").read_text(encoding="utf-8")
    for label in ("11 – 20", "21 – 30"):
        assert label in page or json.dumps(label)[1:-1] in page
    bad = CliRunner().invoke(main, ["render", str(src), "--breaks", "10,x", "--lang", "en"])
    assert bad.exit_code == 2 and "Class breaks must be numbers" in bad.output and "Traceback" not in bad.output
    scheme = CliRunner().invoke(main, ["render", str(src), "--scheme", "foo"])
    assert scheme.exit_code == 2 and "--scheme" in scheme.output
    assert set(map_options.CLASSIFICATIONS) >= {"quantiles", "natural_breaks", "equal_interval"}


def test_a_large_map_comes_with_advice(tmp_path, monkeypatch):
    import geomap.cli

    src = tmp_path / "wards.csv"
    src.write_bytes((Path(__file__).resolve().parents[1] / "sample_data" / "tokyo_wards_facilities.csv").read_bytes())
    quiet = CliRunner().invoke(main, ["render", str(src), "--tiles", "none"])
    assert quiet.exit_code == 0 and "--by municipality" not in quiet.output
    monkeypatch.setattr(geomap.cli, "LARGE_MAP_BYTES", 1000)
    loud = CliRunner().invoke(main, ["render", str(src), "--tiles", "none", "--lang", "en"])
    assert loud.exit_code == 0 and "slow to open" in loud.output and "--by municipality" in loud.output


def test_geocode_to_xlsx_drops_control_characters_and_says_so(tmp_path):
    """A cell or a header holding a character no .xlsx holds: the workbook is written without it,
    with one line saying how many cells; the input is untouched and a .csv output keeps them."""
    from openpyxl import load_workbook

    src = put(tmp_path, "list.csv", "名称\x01,住所\n\"a\x01b\",東京都江東区東陽4-11-28\n"
                                    "\"c\x0bd\x1f\",江東区木場1-5-2\n\"\uffff\",江東区木場1-5-2\n")
    before = digest(src)
    for lang, line in (
            ("ja", "Excel に書けない制御文字を 4 個のセルから取り除きました（CSV で出力すれば元のまま残ります）。"),
            ("en", "Removed control characters Excel cannot hold from 4 cells (write CSV to keep them as they are)."),
    ):
        out = tmp_path / f"out_{lang}.xlsx"
        result = run("geocode", src, "-o", out, "--lang", lang)
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines().count(line) == 1 and "Traceback" not in result.output
        rows = [[c.value for c in row][:2] for row in load_workbook(out).active.iter_rows()]
        assert rows == [["名称", "住所"], ["ab", "東京都江東区東陽4-11-28"], ["cd", "江東区木場1-5-2"],
                        [None, "江東区木場1-5-2"]]
    assert digest(src) == before
    csv = run("geocode", src, "-o", tmp_path / "out.csv")
    assert csv.exit_code == 0 and "制御文字" not in csv.stderr
    text = (tmp_path / "out.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith('"名称\x01",') and '"a\x01b"' in text and '"c\x0bd\x1f"' in text and '"\uffff"' in text


def _command(*args, cwd=None):
    """``python -m geomap …`` as a process of its own: the console command's entry (cli.run)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "geomap", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_the_command_as_a_process_says_everything_and_exits_with_its_code(tmp_path):
    # run() ends the process without freeing its objects: what was printed and written must all be there.
    src = put(tmp_path, "a.csv", TEXT + "（架空）どこか,公園,どこにもない町,1\n")
    done = _command("geocode", src, "-o", tmp_path / "out.csv", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("Read 3 rows") and done.stderr.rstrip().endswith(str(tmp_path / "out.csv"))
    table = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")
    assert len(table) == 3 and table["level"].tolist()[:2] == [3, 3]
    unmatched = pd.read_csv(tmp_path / "a_unmatched.csv", encoding="utf-8-sig")
    assert unmatched.iloc[0]["住所"] == "どこにもない町"
    missing = _command("geocode", tmp_path / "nothing.csv")
    assert missing.returncode == 1 and missing.stderr.startswith("エラー") and "Traceback" not in missing.stderr
    usage = _command("geocode", src, "--no-such-option")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    version = _command("--version")
    assert version.returncode == 0 and version.stdout.startswith("geomap")


def test_a_command_called_in_process_leaves_the_garbage_collector_as_it_was(tmp_path):
    import gc

    src = put(tmp_path, "a.csv", TEXT)
    assert gc.isenabled()
    assert run("geocode", src, "-q").exit_code == 0
    assert gc.isenabled()
    gc.disable()
    try:
        assert run("geocode", src, "-q").exit_code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("args", [["geocode"], ["render"], ["render", "--by", "prefecture", "--no-points"],
                                  ["render", "--by", "municipality", "--no-points"]])
def test_the_summary_counts_the_suggestions_the_unmatched_file_has(tmp_path, args):
    # Rows at town, municipality, prefecture level and none: which of them are "placed"
    # depends on the map; the 候補 count said must be that of the file written.
    src = put(tmp_path, "l.csv", "名称,住所\nA,東京都江東区東陽4-11-28\nB,東京都江東区東洋4-11-28\n"
                                  "C,東京都江東九1\nD,大阪府大坂市北区梅田1\nE,とうきょう\n")
    out = tmp_path / ("l.csv.out.csv" if args[0] == "geocode" else "l.html")
    result = run(*args, src, "-o", out)
    assert result.exit_code == 0, result.stderr
    rows = pd.read_csv(tmp_path / "l_unmatched.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    with_suggestion = int((rows["候補"] != "").sum())
    said = re.search(r"候補のある行: (\d+)", result.stderr)
    assert (int(said.group(1)) if said else 0) == with_suggestion
    if args[-1] == "--no-points" and args[2] == "prefecture":
        assert rows["住所"].tolist() == ["とうきょう"] and with_suggestion == 0
    if args == ["geocode"]:
        assert with_suggestion >= 1  # 東洋 → 東陽
