"""Issue 10, reading hostile and broken lists: items 3, 4, 7, 8, 10 (--encoding), 11.

A list from someone else is data: a wide row, titles above the header, an .xlsx built to
eat memory, a malformed or XML-hostile workbook, or control characters in a header each
end in a table read as written or in one clear message (exit 1 or 2), never a shifted
column, a traceback, a hang, or a change to the input file.
"""

from __future__ import annotations

import hashlib
import io
import tracemalloc
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.errors import InputError, UsageError
from geomap.io import READ_INFO, read_table
from geomap.messages import error_message, message

# -- helpers --------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def put(tmp_path, name, data) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def clean_exit(result, code):
    """A run that ended with ``code``, one message and no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letter(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def sheet_xml(cells, *, dimension=None, merges=(), prolog="") -> str:
    """A worksheet part from ``{(row, column): text}`` (inline strings), as Excel lays it out."""
    rows: dict[int, list] = {}
    for (r, c), value in sorted(cells.items()):
        rows.setdefault(r, []).append((c, value))
    body = []
    for r, items in rows.items():
        parts = "".join(
            f'<c r="{column_letter(c)}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>' for c, v in items
        )
        body.append(f'<row r="{r}">{parts}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merge = ""
    if merges:
        merge = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
    return (f'{prolog}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{dim}<sheetData>{"".join(body)}</sheetData>'
            f"{merge}</worksheet>")


def table_cells(rows, first_row=1) -> dict:
    """``{(row, column): text}`` for a list of rows, empty strings left out."""
    return {(first_row + i, j + 1): v for i, row in enumerate(rows) for j, v in enumerate(row) if v != ""}


def workbook(sheets, *, shared=None, compress=zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal .xlsx, written part by part with zipfile: ``sheets`` is ``[(name, sheet xml)]``.

    ``shared``: the sharedStrings part (text or an iterable of byte chunks, streamed).
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        if shared is not None:
            overrides += ('<Override PartName="/xl/sharedStrings.xml" '
                          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        entries = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, (name, _) in enumerate(sheets, 1))
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f"<sheets>{entries}</sheets></workbook>"))
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1)
        )
        if shared is not None:
            rels += ('<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                     'Target="sharedStrings.xml"/>')
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'))
        for i, (_, xml) in enumerate(sheets, 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if isinstance(shared, str):
            z.writestr("xl/sharedStrings.xml", shared)
        elif shared is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                for chunk in shared:
                    part.write(chunk)
    return buf.getvalue()


LIST = [["名称", "住所"], ["（架空）東陽さくら保育園", "東京都江東区東陽4-11-28"], ["（架空）木場図書館", "江東区木場1-5-2"]]
ADDRESSES = [row[1] for row in LIST[1:]]


def csv_text(rows) -> str:
    return "".join(",".join(r) + "\n" for r in rows)


# -- item 3: a wide row never shifts the columns ----------------------------------------

WIDE_FIRST = "名称,住所\n（架空）三好集会所,江東区三好3-15-12, 2F\n（架空）木場図書館,江東区木場1-5-2\n"
WIDE_LATER = "名称,住所\n（架空）木場図書館,江東区木場1-5-2\n（架空）三好集会所,江東区三好3-15-12, 2F\n"


@pytest.mark.parametrize("command", ["geocode", "render"])
def test_item3_wide_first_row(tmp_path, command):
    src = put(tmp_path, "b.csv", WIDE_FIRST)
    before = digest(src)
    result = run(command, src)
    clean_exit(result, 1)
    assert message("csv_wide_row", "ja", path=str(src), line=2, fields=3, expected=2) in result.stderr
    assert "予期しない" not in result.stderr
    assert digest(src) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]  # nothing half-read was written


def test_item3_wide_later_row(tmp_path):
    src = put(tmp_path, "b.csv", WIDE_LATER)
    result = run("geocode", src, "--lang", "en")
    clean_exit(result, 1)
    assert f"Line 3 of '{src}' has 3 fields but the header has 2" in result.stderr
    assert not (tmp_path / "b_geocoded.csv").exists()


def test_item3_every_wide_row_is_counted(tmp_path):
    src = put(tmp_path, "b.csv", WIDE_FIRST + "（架空）東陽会館,江東区東陽4-11-28, 1F\n")
    with pytest.raises(InputError) as err:
        read_table(src)
    assert err.value.key == "csv_wide_rows"
    assert (err.value.params["line"], err.value.params["more"]) == (2, 1)
    assert "ほかに 1 行" in error_message(err.value)


def test_item3_quoted_comma_and_trailing_commas_stay_in_place(tmp_path):
    # The same address quoted, as Excel writes it, and rows padded with empty fields.
    src = put(tmp_path, "b.csv", '名称,住所\n（架空）三好集会所,"江東区三好3-15-12, 2F",,\n（架空）木場図書館,江東区木場1-5-2,\n')
    df = read_table(src)
    assert list(df.columns) == ["名称", "住所"]
    assert df["名称"].tolist() == ["（架空）三好集会所", "（架空）木場図書館"]
    assert df["住所"].tolist() == ["江東区三好3-15-12, 2F", "江東区木場1-5-2"]


# -- item 4: titles above the header ----------------------------------------------------

TITLED = "令和6年度 指定避難所一覧\n2024/4/1 現在\n" + csv_text(LIST)


def test_item4_title_rows_above_the_header_csv(tmp_path):
    src = put(tmp_path, "hinanjo.csv", TITLED)
    before = digest(src)
    result = run("geocode", src)
    clean_exit(result, 0)
    assert "見出し: 3 行目" in result.stderr
    out = read_table(tmp_path / "hinanjo_geocoded.csv")
    assert out["名称"].tolist() == [r[0] for r in LIST[1:]]
    assert out["住所"].tolist() == ADDRESSES
    assert out["level"].tolist() == ["3", "3"]
    assert digest(src) == before


def test_item4_single_cell_title_line(tmp_path):
    src = put(tmp_path, "list.csv", "令和6年度 施設一覧\n名称,種別,住所\n（架空）東陽さくら保育園,保育園,東京都江東区東陽4-11-28\n"
                                    "（架空）木場図書館,図書館,江東区木場1-5-2\n")
    result = run("geocode", src, "--lang", "en")
    clean_exit(result, 0)
    assert "Expected" not in result.output
    assert "Header: row 2" in result.stderr
    assert read_table(tmp_path / "list_geocoded.csv")["種別"].tolist() == ["保育園", "図書館"]


def test_item4_no_address_message_never_suggests_the_title(tmp_path):
    src = put(tmp_path, "list.csv", "令和6年度 施設一覧\n名称,場所\n（架空）東陽会館,江東区東陽4-11-28\n（架空）木場図書館,江東区木場1-5-2\n")
    result = run("geocode", src)
    clean_exit(result, 1)
    assert "令和6年度" not in result.stderr
    assert '--address-column "場所"' in result.stderr
    assert "2 行目を見出しとして読みました" in result.stderr
    assert "--header-row" in result.stderr


def test_item4_no_address_message_with_a_forced_title_header(tmp_path):
    # --header-row 1 names the title: the suggestion is the column holding addresses.
    src = put(tmp_path, "list.csv", "令和6年度 施設一覧,\n名称,場所\n（架空）東陽会館,江東区東陽4-11-28\n（架空）木場図書館,江東区木場1-5-2\n")
    with pytest.raises(InputError) as err:
        from geomap.columns import find_columns, require_columns

        df = read_table(src, header_row=1)
        require_columns(df, find_columns(df))
    assert err.value.key == "no_address_column_row"
    assert err.value.params["example"] != "令和6年度 施設一覧"
    assert err.value.params["row"] == 1


DATED = "作成日,2024/4/1\n" + csv_text(LIST)  # a two-cell line above a two-column header


@pytest.mark.parametrize("command", ["geocode", "render"])
def test_item4_header_row_option(tmp_path, command):
    src = put(tmp_path, "list.csv", DATED)
    guessed = run(command, src)
    clean_exit(guessed, 1)
    assert "1 行目を見出しとして読みました" in guessed.stderr and "--header-row" in guessed.stderr
    result = run(command, src, "--header-row", "2")
    clean_exit(result, 0)
    assert "見出し: 2 行目" in result.stderr
    assert "読み込み: 2 行" in result.stderr
    if command == "geocode":
        assert read_table(tmp_path / "list_geocoded.csv")["住所"].tolist() == ADDRESSES
    else:
        assert (tmp_path / "list.html").is_file()


@pytest.mark.parametrize("value, key, code", [
    ("0", "bad_header_row", 2), ("-3", "bad_header_row", 2), ("9", "header_row_beyond", 2),
])
def test_item4_header_row_out_of_range(tmp_path, value, key, code):
    src = put(tmp_path, "list.csv", DATED)
    result = run("geocode", src, "--header-row", value)
    clean_exit(result, code)
    params = {"value": value, "row": value, "last": 4}
    assert message(key, "ja", **params) in result.stderr


def test_item4_header_row_on_a_blank_line(tmp_path):
    src = put(tmp_path, "list.csv", "一覧\n\n" + csv_text(LIST))
    with pytest.raises(UsageError) as err:
        read_table(src, header_row=2)
    assert err.value.key == "header_row_blank"
    df = read_table(src, header_row=3)
    assert df["住所"].tolist() == ADDRESSES
    assert df.attrs[READ_INFO]["header_row"] == 3


def test_item4_header_row_is_obeyed_for_one_column(tmp_path):
    # A lone first line that looks like an address is data, unless --header-row says it is the header.
    src = put(tmp_path, "list.csv", "江東区の施設\n" + "\n".join(ADDRESSES) + "\n")
    assert read_table(src)["住所"].tolist() == ["江東区の施設", *ADDRESSES]
    assert read_table(src, header_row=1).to_dict("list") == {"江東区の施設": ADDRESSES}


def test_item4_text_file_with_a_title_line(tmp_path):
    src = put(tmp_path, "list.txt", "令和6年度 施設一覧\n住所\n" + "\n".join(ADDRESSES) + "\n")
    df = read_table(src)
    assert df["住所"].tolist() == ADDRESSES
    assert df.attrs[READ_INFO]["header_row"] == 2


def xlsx_file(tmp_path, name, build) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return put(tmp_path, name, buf.getvalue())


def titled_merged(wb):
    ws = wb.active
    ws.title = "一覧"
    ws["A1"] = "令和6年度 指定避難所一覧"
    ws.merge_cells("A1:D1")
    ws["A2"] = "2024年4月1日現在"
    ws["A3"], ws["B3"], ws["C3"] = "名称", "住所", "連絡先"
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    ws["C4"], ws["D4"] = "電話", "FAX"
    ws.append([LIST[1][0], LIST[1][1], "03-0000-0000", "03-0000-0001"])
    ws.append([LIST[2][0], LIST[2][1], "03-0000-0002", None])


def test_item4_xlsx_title_rows_and_merged_header(tmp_path):
    src = xlsx_file(tmp_path, "hinanjo.xlsx", titled_merged)
    df = read_table(src)
    assert list(df.columns) == ["名称", "住所", "連絡先 電話", "連絡先 FAX"]
    assert df["住所"].tolist() == ADDRESSES
    assert df["連絡先 FAX"].tolist() == ["03-0000-0001", ""]
    assert df.attrs[READ_INFO]["header_row"] == 3
    result = run("geocode", src)
    clean_exit(result, 0)
    assert "見出し: 3 行目" in result.stderr
    assert read_table(tmp_path / "hinanjo_geocoded.csv")["level"].tolist() == ["3", "3"]


def test_item4_xlsx_merged_title_over_a_plain_header(tmp_path):
    def build(wb):
        wb.active["A1"] = "令和6年度 施設一覧"
        wb.active.merge_cells("A1:B1")
        for row in LIST:
            wb.active.append(row)

    df = read_table(xlsx_file(tmp_path, "a.xlsx", build))
    assert list(df.columns) == ["名称", "住所"] and df["住所"].tolist() == ADDRESSES
    assert df.attrs[READ_INFO]["header_row"] == 2
    assert read_table(tmp_path / "a.xlsx", header_row=2).equals(df)


# -- item 7: workbooks built to eat memory ----------------------------------------------


def peak_mib(fn):
    """Run ``fn`` and return (its result, the peak of Python memory it allocated, in MiB)."""
    tracemalloc.start()
    try:
        value = fn()
        return value, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("row", [1048576, 20000], ids=["XFD1048576", "XFD20000"])
def test_item7_one_cell_far_away(tmp_path, row):
    cells = table_cells(LIST)
    cells[(row, 16384)] = "x"
    data = workbook([("一覧", sheet_xml(cells, dimension=f"A1:XFD{row}"))])
    assert len(data) < 4800  # as small as the workbook in the report
    src = put(tmp_path, "bomb.xlsx", data)
    df, peak = peak_mib(lambda: read_table(src))
    assert peak < 64  # padding to the stated A1:XFD… would take gigabytes
    assert df.shape == (3, 3)  # the list, and the stray cell as a row of its own column
    assert df["住所"].tolist() == ADDRESSES + [""]
    assert df.iloc[2, 2] == "x"
    result = run("geocode", src)
    clean_exit(result, 0)
    assert read_table(tmp_path / "bomb_geocoded.csv")["住所"].tolist() == ADDRESSES + [""]


def test_item7_far_cell_on_every_row_keeps_memory_to_the_data(tmp_path):
    cells = table_cells([["名称", "住所"]] + [[f"施設{i}", f"江東区東陽{i % 7 + 1}-1-1"] for i in range(3000)])
    for r in range(2, 3002):
        cells[(r, 16384)] = "x"
    src = put(tmp_path, "wide.xlsx", workbook([("一覧", sheet_xml(cells, dimension="A1:XFD3001"))]))
    df, peak = peak_mib(lambda: read_table(src))
    assert df.shape == (3000, 3)
    assert peak < 64  # 3,000 rows padded to 16,384 columns would be 49 million cells


def shared_strings_bomb(total: int):
    """A sharedStrings part of ``total`` bytes of ``<si><t>a</t></si>``, in chunks."""
    chunk = b"<si><t>a</t></si>" * 65536
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'.encode()
    for _ in range(total // len(chunk)):
        yield chunk
    yield b"</sst>"


ONE_ROW = ('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>住所</t></is></c></row>'
           '<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData>')


@pytest.mark.parametrize("megabytes", [400, 30], ids=["over the size limit", "over the ratio limit"])
def test_item7_shared_strings_bomb(tmp_path, megabytes):
    xml = sheet_xml({}).replace("<sheetData></sheetData>", ONE_ROW)
    src = put(tmp_path, "ss.xlsx", workbook([("一覧", xml)], shared=shared_strings_bomb(megabytes * 2**20)))
    assert src.stat().st_size < 1.5 * 2**20
    with pytest.raises(InputError) as err:
        read_table(src)
    assert err.value.key == "xlsx_too_large"
    result = run("geocode", src)
    clean_exit(result, 1)
    assert f"「{src}」は展開すると {megabytes} MB" in result.stderr
    assert not (tmp_path / "ss_geocoded.csv").exists()


def test_item7_cells_scattered_over_an_absurd_range(tmp_path):
    # 1,200 values on a diagonal: 1,200 rows × 1,200 columns for 1,200 cells.
    cells = {(i, i): f"v{i}" for i in range(1, 1201)}
    src = put(tmp_path, "scatter.xlsx", workbook([("一覧", sheet_xml(cells))]))
    with pytest.raises(InputError) as err:
        read_table(src)
    assert err.value.key == "xlsx_too_sparse"
    assert err.value.params["cells"] == "1,200" and err.value.params["sheet"] == "一覧"
    result = run("geocode", src, "--lang", "en")
    clean_exit(result, 1)
    assert "1,200 cells with values scattered over 1,200 rows × 1,200 columns" in result.stderr


# -- item 8: every parser error on the file's content is xlsx_invalid ----------------------

GOOD = sheet_xml(table_cells(LIST))
DAMAGED = {
    "#DIV/0! without t=e": GOOD.replace("</sheetData>", '<row r="4"><c r="A4"><v>#DIV/0!</v></c></row></sheetData>'),
    "shared string out of range": GOOD.replace("</sheetData>", '<row r="4"><c r="A4" t="s"><v>99</v></c></row></sheetData>'),
    "boolean that is not 0/1": GOOD.replace("</sheetData>", '<row r="4"><c r="A4" t="b"><v>yes</v></c></row></sheetData>'),
    "row number that is no number": GOOD.replace('<row r="3">', '<row r="three">'),
    "cell reference that is no reference": GOOD.replace('r="B2"', 'r="2B!"'),
    "cut off in the middle": GOOD[: len(GOOD) // 2],
    "not XML at all": "\x89PNG not a worksheet",
    "too many elements in one row": GOOD.replace(
        "</sheetData>", '<row r="4">' + "<c/>" * (16384 * 6 + 1) + "</row></sheetData>"),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_item8_malformed_cells_name_the_file(tmp_path, case):
    src = put(tmp_path, "list.xlsx", workbook([("一覧", DAMAGED[case])]))
    before = digest(src)
    with pytest.raises(InputError) as err:
        read_table(src)
    assert err.value.key == "xlsx_invalid"
    result = run("geocode", src)
    clean_exit(result, 1)
    assert message("xlsx_invalid", "ja", path=str(src)) in result.stderr
    assert "予期しない" not in result.stderr
    assert digest(src) == before


def test_item8_workbook_naming_a_missing_sheet(tmp_path):
    data = workbook([("一覧", GOOD)])
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(buf, "w") as new:
        for info in old.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                new.writestr(info, old.read(info))
    src = put(tmp_path, "list.xlsx", buf.getvalue())
    result = run("render", src)
    clean_exit(result, 1)
    assert message("xlsx_invalid", "ja", path=str(src)) in result.stderr


# -- item 10: an encoding that is no text encoding --------------------------------------


@pytest.mark.parametrize("name, key", [
    ("rot13", "unusable_encoding"), ("base64", "unusable_encoding"), ("zlib", "unusable_encoding"),
    ("no-such-codec", "unknown_encoding"),
])
def test_item10_encoding_rot13(tmp_path, name, key):
    src = put(tmp_path, "list.csv", csv_text(LIST))
    result = run("geocode", src, "--encoding", name)
    clean_exit(result, 2)
    assert message(key, "ja", encoding=name) in result.stderr
    assert "予期しない" not in result.stderr
    with pytest.raises(UsageError) as err:
        read_table(src, encoding=name)
    assert err.value.key == key


# -- item 11: sheets, XML attacks, terminal control characters ----------------------------


def test_item11_first_sheet_empty(tmp_path):
    def build(wb):
        wb.active.title = "Sheet1"
        ws = wb.create_sheet("名簿")
        for row in LIST:
            ws.append(row)

    src = xlsx_file(tmp_path, "list.xlsx", build)
    result = run("geocode", src)
    clean_exit(result, 0)
    assert "シート: 「名簿」（ブックのシート 2 枚のうち" in result.stderr
    assert read_table(tmp_path / "list_geocoded.csv")["住所"].tolist() == ADDRESSES


def test_item11_one_cell_cover_sheet(tmp_path):
    def build(wb):
        wb.active.title = "表紙"
        wb.active["A1"] = "東京都江東区 施設一覧（総務課）"
        ws = wb.create_sheet("名簿")
        for row in LIST:
            ws.append(row)

    src = xlsx_file(tmp_path, "list.xlsx", build)
    df = read_table(src)
    assert df.attrs[READ_INFO]["sheet"] == "名簿"
    assert df["住所"].tolist() == ADDRESSES
    result = run("geocode", src, "--lang", "en")
    clean_exit(result, 0)
    assert "Sheet: '名簿' (of 2 in the workbook" in result.stderr
    assert "Read 2 rows" in result.stderr
    # The cover is still there for who asks for it.
    assert read_table(src, sheet="表紙")["住所"].tolist() == ["東京都江東区 施設一覧（総務課）"]


def test_item11_sheet_without_address_header_is_the_fallback(tmp_path):
    def build(wb):
        wb.active.title = "メモ"
        wb.active["A1"] = "メモ"
        ws = wb.create_sheet("名簿")
        for row in [["施設", "場所"], *LIST[1:]]:
            ws.append(row)

    df = read_table(xlsx_file(tmp_path, "list.xlsx", build))
    assert df.attrs[READ_INFO]["sheet"] == "名簿"  # the first sheet holding a table
    assert list(df.columns) == ["施設", "場所"]


LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefg", "bcdefgh")) + "]>")
PAD = "<!--" + "x" * 70_000 + "-->"  # a DTD past the first 64 KB: left to expat


@pytest.mark.parametrize("pad", ["", PAD], ids=["DTD first", "DTD after a long comment"])
@pytest.mark.parametrize("case", ["undefined entity", "entity expansion"])
def test_item11_xml_errors_are_xlsx_invalid(tmp_path, case, pad):
    if case == "undefined entity":
        xml = pad + GOOD.replace(ADDRESSES[0], "&undefined;")
    else:
        xml = pad + LAUGHS + GOOD.replace(ADDRESSES[0], "&h;")
    src = put(tmp_path, "list.xlsx", workbook([("一覧", xml)]))
    result = run("geocode", src)
    clean_exit(result, 1)
    assert message("xlsx_invalid", "ja", path=str(src)) in result.stderr
    assert "予期しない" not in result.stderr


@pytest.mark.parametrize("pad", ["", PAD], ids=["DTD first", "DTD after a long comment"])
@pytest.mark.parametrize("part", ["sheet", "shared strings"])
def test_item11_external_entities_are_not_resolved(tmp_path, part, pad):
    secret = put(tmp_path, "secret.txt", "ひみつの内容 TOPSECRET")
    dtd = f'{pad}<!DOCTYPE x [<!ENTITY ext SYSTEM "{secret.as_uri()}">]>'
    if part == "sheet":
        src = put(tmp_path, "list.xlsx", workbook([("一覧", dtd + GOOD.replace(ADDRESSES[0], "&ext;"))]))
    else:
        shared = f'{dtd}<sst xmlns="{MAIN_NS}"><si><t>&ext;</t></si></sst>'
        src = put(tmp_path, "list.xlsx", workbook([("一覧", sheet_xml({}).replace("<sheetData></sheetData>", ONE_ROW))],
                                                  shared=shared))
    result = run("geocode", src)
    clean_exit(result, 1)
    assert message("xlsx_invalid", "ja", path=str(src)) in result.stderr
    assert "TOPSECRET" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.xlsx", "secret.txt"]


OSC = "\x1b]0;PWNED\x07"
CSI = "\x1b[2J\x1b[31m"


def assert_no_controls(text):
    assert not any(ch in text for ch in "\x1b\x07\x9b\x9d\r\x00\u202e"), repr(text)


def test_item11_control_characters_in_headers_never_reach_the_terminal(tmp_path):
    header = f"名称{OSC},場所{CSI}\x9b31m\u202e"
    src = put(tmp_path, "list.csv", f"{header}\n（架空）東陽会館,江東区東陽4-11-28\n")
    result = run("geocode", src)  # CliRunner's output is piped, as in a script or a log
    clean_exit(result, 1)
    assert_no_controls(result.output)
    assert "名称" in result.stderr and "場所" in result.stderr and "PWNED" not in result.stderr


def test_item11_control_characters_in_file_names_and_options(tmp_path):
    src = put(tmp_path, f"list{OSC}{CSI}.csv", "名称,緯度,経度\nA,35.6719,139.8178\n")
    result = run("geocode", src, "--lang", "en")
    clean_exit(result, 0)
    assert_no_controls(result.output)
    assert "Read 1 rows" in result.stderr
    bad = run("geocode", src, "--address-column", f"住所{OSC}\r\n偽のメッセージ")
    clean_exit(bad, 2)
    assert_no_controls(bad.output)
    assert bad.output.count("\n") == 1  # one line: a line break in user text cannot forge a second
    option = run("geocode", src, f"--no-such{OSC}")
    clean_exit(option, 2)
    assert_no_controls(option.output)


def test_item11_terminal_text():
    from geomap.messages import terminal_text

    assert terminal_text(f"a{OSC}b{CSI}c\x1bPq#0\x1b\\d\x9b2Je\x00f\u202eg\th\ni") == "abcd2Jefg h i"
    assert terminal_text("一行目\r\n二行目", keep_lines=True) == "一行目\n二行目"
    assert terminal_text("住所（東京都）") == "住所（東京都）"
