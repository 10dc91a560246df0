"""Reading address tables in the shapes staff export them (geomap.io, geomap.xlsx)."""

from __future__ import annotations

import io
import zipfile

import pytest

from geomap.errors import InputError, UsageError
from geomap.io import read_table

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


# -- long lists are read a batch at a time (issue 12, memory) -----------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LINE_TEXT = st.text(alphabet=st.sampled_from(list("a住,\t\"\r\n\x0b\x0c\x1c\x85\u2028 ")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(text=LINE_TEXT, block=st.sampled_from([1, 3, 1 << 20]))
def test_lines_are_cut_as_the_whole_text_was(text, block):
    from geomap import textrows

    old, textrows.LINES_BLOCK = textrows.LINES_BLOCK, block  # blocks of the text cut at \n
    try:
        assert list(textrows.csv_lines(text)) == list(io.StringIO(text, newline=""))  # what csv.reader read
        assert list(textrows.text_lines(text)) == text.splitlines()  # a list with one address per line
    finally:
        textrows.LINES_BLOCK = old


LONG = {
    "csv with blanks and short rows": ("a.csv", "名称,住所,定員\n" + "".join(
        f"施設{i},東京都江東区東陽{i % 7 + 1}-1,{i}\n" + ("\n,,\n" if i % 5 == 0 else "") + (f"短い{i}\n" if i % 7 == 0 else "")
        for i in range(40))),
    "one address per line": ("a.txt", "".join(f"  東京都江東区木場{i % 6 + 1}-5-2　\n\n" for i in range(40))),
    "one column with a header": ("a.csv", "住所,\n" + "".join(f"江東区東陽{i}\n" for i in range(1, 40))),
    "a title above the header": ("a.csv", "施設一覧\n\n名称,住所\n" + "".join(f"施設{i},\"江東区東陽{i}, 2F\"\n" for i in range(40))),
}


@pytest.mark.parametrize("case", list(LONG))
def test_a_list_read_in_batches_is_the_list_read_at_once(tmp_path, monkeypatch, case):
    from geomap import textrows

    name, text = LONG[case]
    path = write(tmp_path, name, text)
    whole = read_table(path)
    monkeypatch.setattr(textrows, "BATCH", 3)
    batched = read_table(path)
    import pandas as pd

    pd.testing.assert_frame_equal(batched, whole)
    assert batched.attrs == whole.attrs and len(whole) >= 39
    assert {str(t) for t in whole.dtypes} == {str(pd.Series([""], dtype=object).astype(str).dtype)}


def test_errors_of_a_list_read_in_batches(tmp_path, monkeypatch):
    from geomap import textrows

    monkeypatch.setattr(textrows, "BATCH", 2)
    wide = write(tmp_path, "w.csv", "名称,住所\n" + "".join(f"a{i},江東区東陽{i}\n" for i in range(9))
                 + "b,江東区三好3-15-12, 2F\nc,江東区三好3-15-12, 3F\n")
    with pytest.raises(InputError) as err:
        read_table(wide)
    assert (err.value.key, err.value.params["line"], err.value.params["more"]) == ("csv_wide_rows", 11, 1)
    # A quote left open further down is reported before a blank header row: the whole file is read first.
    both = write(tmp_path, "b.csv", "名称,住所\n\n" + "".join(f"a{i},江東区東陽{i}\n" for i in range(9)) + '"open,x\n')
    with pytest.raises(InputError) as err:
        read_table(both, header_row=2)
    assert err.value.key == "csv_unclosed_quote"
    with pytest.raises(UsageError) as err:
        read_table(write(tmp_path, "c.csv", "名称,住所\n\na,江東区東陽1\n"), header_row=2)
    assert err.value.key == "header_row_blank"


LINE_WORDS = st.sampled_from(["住所", "名称", "都道府県", "現住所", "address", "東京都江東区東陽4-11-28", "江東区", "施設一覧",
                              "緯度", " ", "", "a", "\u3000住所\u3000", "木場"])
LINE_LIST = st.lists(st.tuples(LINE_WORDS, st.sampled_from(["\n", "\r\n", "\r", "\x0b", "\u2028", "\n\n"])),
                     max_size=60).map(lambda parts: "".join(word + end for word, end in parts))


@settings(max_examples=500, deadline=None)
@given(text=LINE_LIST, header_row=st.one_of(st.none(), st.integers(1, 8)), block=st.sampled_from([1, 5, 1 << 20]),
       batch=st.sampled_from([2, 50_000]))
def test_a_text_list_taken_a_block_at_a_time_is_the_list_read_row_by_row(text, header_row, block, batch):
    """LineRows: the lines after the header taken at once give what reading each line as a row gave."""
    from geomap import io as geomap_io
    from geomap import textrows
    from geomap.errors import GeomapError

    def outcome(rows):
        try:
            df, number = geomap_io._frame(rows, "a.txt", header_row=header_row)
        except GeomapError as exc:
            return "error", exc.key, exc.params
        return df.columns.tolist(), df.iloc[:, 0].tolist(), str(df.dtypes.iloc[0]), number

    old = textrows.LINES_BLOCK, textrows.BATCH
    textrows.LINES_BLOCK, textrows.BATCH = block, batch
    try:
        rows = ((n, [line.strip()]) for n, line in enumerate(textrows.text_lines(text), 1) if line.strip())
        assert outcome(textrows.LineRows(text)) == outcome(rows)
    finally:
        textrows.LINES_BLOCK, textrows.BATCH = old
