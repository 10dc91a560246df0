"""Reading address tables in the shapes staff export them, and writing results safely."""

from __future__ import annotations

import io
import os
import zipfile

import pandas as pd
import pytest

from geomap.errors import InputError, OutputError, UsageError
from geomap.io import (
    find_columns,
    join_address,
    neutralize_formulas,
    read_table,
    require_columns,
    write_table,
)

ROWS = [("（架空）東陽さくら保育園", "東京都江東区東陽4-11-28", "0120"), ("（架空）髙橋㈱集会所", "江東区木場１丁目５番２号", "0034")]
CSV_TEXT = "名称,住所,番号\n" + "".join(f"{a},{b},{c}\n" for a, b, c in ROWS)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def xlsx_bytes(rows, sheets=("Sheet1",)):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = sheets[0]
    for r in rows:
        wb.active.append(list(r))
    for name in sheets[1:]:
        ws = wb.create_sheet(name)
        ws.append(["住所"])
        ws.append([f"東京都江東区{name}1-1"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- encodings ------------------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8 with BOM": lambda t: t.encode("utf-8-sig"),
    "cp932 (Excel)": lambda t: t.replace("\n", "\r\n").encode("cp932"),
    "euc-jp": lambda t: t.replace("㈱", "(株)").replace("髙", "高").encode("euc_jp"),
    "utf-16 (Excel Unicode text)": lambda t: t.replace(",", "\t").encode("utf-16"),
}


@pytest.mark.parametrize("kind", list(ENCODINGS))
def test_encodings_are_detected(tmp_path, kind):
    path = write(tmp_path, "list.csv" if "16" not in kind else "list.txt", ENCODINGS[kind](CSV_TEXT))
    df = read_table(path)
    assert list(df.columns) == ["名称", "住所", "番号"]
    assert df["住所"].tolist() == [r[1] for r in ROWS]
    assert df["番号"].tolist() == ["0120", "0034"]  # leading zeros survive


@pytest.mark.parametrize(
    "text",
    ["住所\n江東区東陽\n", "住所\n東京都港区芝公園4-2-8\n", "名前,住所\n鈴木,大阪市北区梅田1\n"],
    ids=["very short", "short", "two columns"],
)
def test_short_cp932_files_are_not_misread(tmp_path, text):
    # charset-normalizer alone often calls short CP932 files cp1252 or similar.
    df = read_table(write(tmp_path, "s.csv", text.encode("cp932")))
    assert "住所" in df.columns
    assert df["住所"].iloc[0] == text.splitlines()[1].split(",")[-1]


def test_cp932_only_characters(tmp_path):
    # ㈱ and 髙 exist in CP932 (what Excel writes) but not in plain Shift_JIS.
    df = read_table(write(tmp_path, "s.csv", "名称,住所\n髙橋㈱,東京都江東区東陽4-11-28\n".encode("cp932")))
    assert df["名称"].iloc[0] == "髙橋㈱"


def test_explicit_encoding(tmp_path):
    path = write(tmp_path, "s.csv", CSV_TEXT.encode("cp932"))
    assert read_table(path, encoding="cp932")["名称"].iloc[1] == "（架空）髙橋㈱集会所"
    with pytest.raises(InputError) as err:
        read_table(path, encoding="utf-8")
    assert err.value.key == "bad_encoding"
    with pytest.raises(UsageError) as err:
        read_table(path, encoding="no-such-codec")
    assert err.value.key == "unknown_encoding"


# -- kinds of file --------------------------------------------------------------------


def test_tsv(tmp_path):
    df = read_table(write(tmp_path, "a.tsv", CSV_TEXT.replace(",", "\t")))
    assert df["住所"].tolist() == [r[1] for r in ROWS]


def test_text_one_address_per_line(tmp_path):
    text = "東京都江東区東陽4-11-28\n\n江東区木場1-5-2, ビル3階\n"
    df = read_table(write(tmp_path, "a.txt", text))
    assert list(df.columns) == ["住所"]
    assert df["住所"].tolist() == ["東京都江東区東陽4-11-28", "江東区木場1-5-2, ビル3階"]


def test_text_with_header_line(tmp_path):
    df = read_table(write(tmp_path, "a.txt", "住所\n東京都江東区東陽4-11-28\n"))
    assert df["住所"].tolist() == ["東京都江東区東陽4-11-28"]


def test_single_column_csv_without_header(tmp_path):
    df = read_table(write(tmp_path, "a.csv", "東京都江東区東陽4-11-28\n江東区木場1-5-2\n"))
    assert df["住所"].tolist() == ["東京都江東区東陽4-11-28", "江東区木場1-5-2"]


def test_blank_rows_and_trailing_commas_are_dropped(tmp_path):
    df = read_table(write(tmp_path, "a.csv", "名称,住所,,\nA,東京都江東区東陽4-11-28,,\n,,,\n"))
    assert list(df.columns) == ["名称", "住所"]
    assert len(df) == 1


def test_xlsx_first_sheet_and_by_name_or_number(tmp_path):
    rows = [("名称", "住所", "郵便番号", "定員"), ("A", "東京都江東区東陽4-11-28", "0120034", 30), ("B", "江東区木場1-5-2", None, 12.0)]
    path = write(tmp_path, "a.xlsx", xlsx_bytes(rows, sheets=("一覧", "木場")))
    df = read_table(path)
    assert df.to_dict("list") == {
        "名称": ["A", "B"], "住所": ["東京都江東区東陽4-11-28", "江東区木場1-5-2"],
        "郵便番号": ["0120034", ""], "定員": ["30", "12"],
    }
    assert read_table(path, sheet="木場")["住所"].tolist() == ["東京都江東区木場1-1"]
    assert read_table(path, sheet="2")["住所"].tolist() == ["東京都江東区木場1-1"]
    with pytest.raises(UsageError) as err:
        read_table(path, sheet="無い")
    assert err.value.key == "sheet_not_found"
    assert "一覧" in err.value.params["sheets"] and "木場" in err.value.params["sheets"]


# -- bad input ------------------------------------------------------------------------

BAD = {
    "empty": ("a.csv", b"", "file_empty"),
    "only blanks": ("a.csv", b"\n \r\n\n", "file_empty"),
    "only a BOM": ("a.csv", "\ufeff".encode("utf-8"), "file_empty"),
    "header only": ("a.csv", "名称,住所\n".encode(), "header_only"),
    "header and blank rows": ("a.csv", "名称,住所\n,\n,\n".encode(), "header_only"),
    "png": ("a.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "binary_file"),
    "nul bytes": ("a.csv", b"abc\x00\x01\x02def" * 10, "binary_file"),
    "undecodable": ("a.csv", "住所\n東京都".encode("utf-8") + b"\x80\x80\xff\xfe\x80\n", "undecodable"),
    "csv named .xlsx": ("a.xlsx", CSV_TEXT.encode(), "xlsx_invalid"),
    "broken zip as .xlsx": ("a.xlsx", b"PK\x03\x04" + b"\x00" * 200, "xlsx_invalid"),
    "zip that is no workbook": ("a.xlsx", None, "xlsx_invalid"),
    # An encrypted OOXML file is an OLE2 compound file holding an EncryptionInfo stream.
    "password-protected": ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64), "xlsx_encrypted"),
    "old .xls": ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "xls_old_format"),
    "ragged csv": ("a.csv", "名称,住所\nA,東京都江東区東陽4-11-28\nB,江東区,木場,1-5\n".encode(), "csv_wide_row"),
    "quote never closed": ("a.csv", '名称,住所\n"A,東京都江東区東陽4-11-28\nB,江東区木場1-5\n'.encode(), "csv_unclosed_quote"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_raises_keyed_error(tmp_path, case):
    name, data, key = BAD[case]
    if data is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "not a workbook")
        data = buf.getvalue()
    with pytest.raises(InputError) as err:
        read_table(write(tmp_path, name, data))
    assert err.value.key == key
    assert err.value.params["path"].endswith(name)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError) as err:
        read_table(tmp_path / "nope.csv")
    assert err.value.key == "file_not_found"
    with pytest.raises(InputError) as err:
        read_table(tmp_path)
    assert err.value.key == "not_a_file"


def test_undecodable_reports_the_line(tmp_path):
    data = "住所\n東京都江東区\n".encode("utf-8") + b"\x80\xff\x80\n"
    with pytest.raises(InputError) as err:
        read_table(write(tmp_path, "a.csv", data))
    assert err.value.params["line"] == 3


# -- columns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "columns, address",
    [
        (["名称", "住所"], "住所"),
        (["施設名", "所在地"], "所在地"),
        (["名称", "所在地住所", "郵便番号"], "所在地住所"),
        (["name", "Address"], "Address"),
        (["ＮＡＭＥ", "ADDRESS"], "ADDRESS"),
        (["名称", "施設の住所", "住所（フリガナ）"], "施設の住所"),
    ],
)
def test_single_address_column(columns, address):
    assert find_columns(pd.DataFrame(columns=columns)).address == address


def test_split_address_columns_are_joined():
    df = pd.DataFrame({"都道府県": ["東京都", ""], "市区町村": ["江東区", "江東区"], "町域": ["東陽四丁目", "木場"],
                       "番地": ["11-28", "1-5-2"]})
    found = find_columns(df)
    assert found.address is None and found.parts == ["都道府県", "市区町村", "町域", "番地"]
    assert join_address(df, found).tolist() == ["東京都江東区東陽四丁目11-28", "江東区木場1-5-2"]


def test_prefecture_and_city_columns_prefix_an_address_that_lacks_them():
    df = pd.DataFrame({"市区町村": ["江東区", "江東区"], "住所": ["東陽4-11-28", "東京都江東区木場1-5-2"]})
    found = find_columns(df)
    assert found.address == "住所" and found.parts == ["市区町村"]
    assert join_address(df, found).tolist() == ["江東区東陽4-11-28", "東京都江東区木場1-5-2"]


@pytest.mark.parametrize(
    "lat, lon",
    [("緯度", "経度"), ("lat", "lon"), ("lat", "lng"), ("Latitude", "Longitude"), ("緯度（10進）", "経度（10進）")],
)
def test_latlon_columns(lat, lon):
    found = find_columns(pd.DataFrame(columns=["名称", lat, lon]))
    assert (found.lat, found.lon) == (lat, lon)
    assert require_columns(pd.DataFrame(columns=["名称", lat, lon]), found) is found


def test_lat_without_lon_is_not_coordinates():
    assert find_columns(pd.DataFrame(columns=["住所", "緯度"])).lat is None


def test_name_and_category_columns():
    found = find_columns(pd.DataFrame(columns=["施設名", "分類", "住所"]))
    assert (found.name, found.category) == ("施設名", "分類")
    found = find_columns(pd.DataFrame(columns=["name", "category", "address"]))
    assert (found.name, found.category) == ("name", "category")


def test_no_usable_column_lists_the_columns():
    df = pd.DataFrame(columns=["名前", "電話", "メモ"])
    with pytest.raises(InputError) as err:
        require_columns(df, find_columns(df))
    assert err.value.key == "no_address_column"
    assert err.value.params["columns"] == ["名前", "電話", "メモ"]


def test_address_column_option():
    df = pd.DataFrame(columns=["名前", "場所"])
    assert find_columns(df, address_column="場所").address == "場所"
    assert find_columns(df, address_column=" 場所 ").address == "場所"
    with pytest.raises(UsageError) as err:
        find_columns(df, address_column="住所")
    assert err.value.key == "column_not_found"


# -- writing --------------------------------------------------------------------------


def test_formula_injection_is_neutralised():
    df = pd.DataFrame({"a": ["=HYPERLINK(\"x\")", "+81-3", "-", "@SUM(1)", "-3", "+81", "1e5", "住所", "\tx"],
                       "n": range(9)})
    out = neutralize_formulas(df)
    assert out["a"].tolist() == ["'=HYPERLINK(\"x\")", "'+81-3", "'-", "'@SUM(1)", "-3", "+81", "1e5", "住所", "'\tx"]
    assert out["n"].tolist() == list(range(9))
    assert df["a"].iloc[0] == "=HYPERLINK(\"x\")"  # the input frame is not changed


def test_csv_is_utf8_with_bom_and_safe(tmp_path):
    path = write_table(pd.DataFrame({"名称": ["=1+1"], "番号": ["0120"]}), tmp_path / "out.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    # Every text field is quoted, so a line break or a bare CR stays inside its cell.
    assert data.decode("utf-8-sig").splitlines() == ['"名称","番号"', '"\'=1+1","0120"']


def test_xlsx_output_keeps_text_as_text(tmp_path):
    path = write_table(pd.DataFrame({"名称": ["=1+1"], "番号": ["0120"]}), tmp_path / "out.xlsx")
    assert read_table(path).to_dict("list") == {"名称": ["'=1+1"], "番号": ["0120"]}


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_spatial_outputs(tmp_path, suffix):
    gpd = pytest.importorskip("geopandas")
    df = pd.DataFrame({"名称": ["A", "B"], "lat": [35.67, None], "lon": [139.81, None]})
    path = write_table(df, tmp_path / f"out{suffix}")
    back = gpd.read_file(path)
    assert back["名称"].tolist() == ["A", "B"]
    assert back.geometry.iloc[0].x == pytest.approx(139.81) and back.geometry.iloc[0].y == pytest.approx(35.67)
    assert back.geometry.iloc[1] is None or back.geometry.iloc[1].is_empty
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"out{suffix}"]


def test_output_never_equals_input(tmp_path):
    src = write(tmp_path, "in.csv", CSV_TEXT)
    before = src.read_bytes()
    with pytest.raises(UsageError) as err:
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "." / "in.csv", protect=[src])
    assert err.value.key == "same_as_input"
    assert src.read_bytes() == before


@pytest.mark.parametrize(
    "target, key",
    [("missing/out.csv", "output_dir_missing"), ("adir.csv", "output_is_directory")],
)
def test_unwritable_outputs(tmp_path, target, key):
    (tmp_path / "adir.csv").mkdir()
    with pytest.raises(OutputError) as err:
        write_table(pd.DataFrame({"a": [1]}), tmp_path / target)
    assert err.value.key == key


def test_unknown_output_format(tmp_path):
    with pytest.raises(UsageError) as err:
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.doc")
    assert err.value.key == "output_format_unknown"


def test_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = write(tmp_path, "out.csv", "old\n")

    def half_then_fail(self, path, **kwargs):
        with open(path, "w", encoding="utf-8") as f:
            f.write("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        write_table(pd.DataFrame({"a": [1]}), target)
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.csv"]
