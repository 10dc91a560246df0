"""Issue 10: hostile and broken lists. Text from a list is data, never code; nothing is lost or shifted.

One section per part of the issue, each starting from the issue's own reproduction and checking
what a user sees: the map or the one-line message, the exit code, the files written, and the
input unchanged.
"""

from __future__ import annotations

import ast
import csv
import functools
import hashlib
import html
import io
import json
import math
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from _fake_service import ScriptedService, cache_home, feature, serving  # noqa: F401 (cache_home: an autouse fixture)
from geomap.cli import main
from geomap.errors import InputError, UsageError
from geomap.geocoders import GsiGeocoder, cache_info
from geomap.geocoders.cache import cache_key, cache_path
from geomap.io import READ_INFO, read_table
from geomap.messages import error_message, message, row_error, service_name
from geomap.output import write_table


# -- helpers shared by every section ---------------------------------------------------


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def put(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
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


# ======================================================================================
# items 3, 4, 7, 8, 10 (encoding), 11: reading hostile and broken lists
# ======================================================================================
# Issue 10, reading hostile and broken lists: items 3, 4, 7, 8, 10 (--encoding), 11.
#
# A list from someone else is data: a wide row, titles above the header, an .xlsx built to
# eat memory, a malformed or XML-hostile workbook, or control characters in a header each
# end in a table read as written or in one clear message (exit 1 or 2), never a shifted
# column, a traceback, a hang, or a change to the input file.


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


# ======================================================================================
# items 2, 10 (file edges), 11 (column clashes) and output safety: what geomap writes
# ======================================================================================
# Issue 10, what geomap writes: hostile cells in output CSVs, file-name edges, output column
# clashes, and output safety (input, folders, read-only places, links, Ctrl-C, two runs at once).
#
# Each test starts from the reproduction in the issue and checks what a user sees: the files
# written (read back with Python's csv module and pandas), the exit code, the one-line message,
# and that the input is unchanged.


ADDRESS = "東京都江東区三好3-15-12"
NOWHERE = "どこにもない住所"
PAYLOAD = "a\r=cmd|' /C calc'!A0"
BOM = b"\xef\xbb\xbf"


# -- helpers --------------------------------------------------------------------------











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


# ======================================================================================
# items 1, 5, 6, 10 (values): text from a list never runs, in the HTML map or the PNG
# ======================================================================================
# Issue 10, the maps: text from a list is data, never code, never a template, never markup.
#
# Item 1 (template injection: a cell ran ``os.popen`` while the map was made), item 5
# (matplotlib read ``$…$`` in a name as mathtext), item 6 (the network guard refused a cell
# reading ``@import url(//x)``) and the value edges of item 10 (``--breaks inf``, ``inf`` in a
# ``--value`` column, a sum that overflows, full-width digits). Self-contained: its own
# helpers, fixtures only from ``conftest.py``.


ROOT = Path(__file__).resolve().parents[1]
PLACED = ["東京都江東区東陽4-11-28", "東京都江東区木場1-5-2", "東京都江東区三好3-15-12"]

XSS_SCRIPT = "</script><script>window.__xss=1</script>"
CYCLER = "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}"
CORPUS = {
    "expression": "{{ 7*7 }}",
    "statement": "{% if 1 %}x{% endif %}",
    "comment": "{# c #}",
    "unclosed expression": "{{ 施設",
    "unclosed statement": "{%",
    "js template literal": "${7*7}",
    "backticks": "`${7*7}` `x`",
    "script end": XSS_SCRIPT,
    "script end in an expression": "{{ '" + XSS_SCRIPT + "' }}",
    "os.popen": CYCLER,
}


# --------------------------------------------------------------------------- helpers








def write_csv(path: Path, header: list, rows: list) -> Path:
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)  # quoted as needed
    return path


def write_xlsx(path: Path, sheet: str, header: list, rows: list) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in [header, *rows]:
        ws.append(list(row))
    wb.save(path)
    return path


def koto_polygon():
    from geomap.boundaries import municipalities

    munis = municipalities()
    return munis[munis["code"] == "13108"][["geometry"]].reset_index(drop=True)


def write_boundaries(path: Path, column: str, value: str) -> Path:
    frame = koto_polygon()
    frame[column] = value
    frame.to_file(path, driver="GeoJSON")
    return path


class _Text(HTMLParser):
    """Text nodes of an HTML fragment, as a browser shows them (entities decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes = []

    def handle_data(self, data):
        self.nodes.append(data)


def text_nodes(fragment: str) -> list[str]:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return parser.nodes


class Page:
    """What a saved map carries, read back: its title and the data its scripts show."""

    def __init__(self, text: str):
        self.text = text
        self.title = html.unescape(re.search(r"<title>(.*?)</title>", text, re.S).group(1))
        self.title_div = html.unescape(re.search(r'<div class="geomap-title">(.*?)</div>', text, re.S).group(1))
        block = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>', text, re.S)
        self.data = json.loads(block.group(1))

    def popup_values(self) -> list[str]:
        out = []
        for f in self.data.get("points", {}).get("fields", []):
            out += f["u"] if "u" in f else f["v"]
        return out

    def popup_labels(self) -> list[str]:
        return [f["label"] for f in self.data.get("points", {}).get("fields", [])]

    def panel(self, slot) -> list[str]:
        return text_nodes(self.data["panels"].get(slot, ""))

    def tooltips(self) -> list[str]:
        return [
            feature["properties"]["tip"]
            for part in self.data["shapes"].get("areas", [])
            for feature in part["data"]["features"]
        ]

    def layer_names(self) -> list[str]:
        layers = self.data["layers"]
        return [html.unescape(n) for n in layers["base"] + layers["overlays"]]


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder to run in: a payload's ``touch PWNED`` would land here."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / "PWNED").exists(), "a cell ran a shell command"


def rendered(result, path: Path) -> Page:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "予期しない" not in result.output
    return Page(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- item 1


def test_item1_exact_reproduction_runs_nothing(tmp_path):
    """The issue's own commands, in a real process: ``geomap render r.csv`` makes no file PWNED."""
    src = tmp_path / "r.csv"
    src.write_bytes(f'名称,住所\n"{CYCLER}",江東区三好3-15-12\n'.encode("utf-8"))
    before = digest(src)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from geomap.cli import main; sys.argv[0] = 'geomap'; main()", "render", "r.csv"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.html"]
    assert digest(src) == before
    page = Page((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert CYCLER in page.popup_values()


def _place_name(work, payload):
    src = write_csv(work / "list.csv", ["名称", "種別", "住所"], [[payload, "公園", PLACED[0]], ["B", "公園", PLACED[1]]])
    return src, [], lambda page: payload in page.popup_values()


def _place_category(work, payload):
    src = write_csv(work / "list.csv", ["名称", "種別", "住所"], [["A", payload, PLACED[0]], ["B", "公園", PLACED[1]]])
    return src, [], lambda page: payload in page.panel("legend") and payload in page.popup_values()


def _place_unplaced_address(work, payload):
    src = write_csv(work / "list.csv", ["名称", "住所"], [["A", PLACED[0]], ["B", payload]])
    return src, [], lambda page: page.panel("notes")[-1:] == [payload]


def _place_header(work, payload):
    src = write_csv(work / "list.csv", ["名称", payload, "住所"], [["A", "公園", PLACED[0]], ["B", "学校", PLACED[1]]])
    return src, ["--category", payload], lambda page: payload in page.panel("legend") and payload in page.popup_labels()


def _place_title(work, payload):
    src = write_csv(work / "list.csv", ["名称", "住所"], [["A", PLACED[0]]])
    return src, ["--title", payload], lambda page: page.title == payload and page.title_div == payload


def _place_file_name(work, payload):
    src = write_csv(work / f"{payload}.csv", ["名称", "住所"], [["A", PLACED[0]]])
    return src, ["-o", work / "map.html"], lambda page: page.title == payload and page.title_div == payload


def _place_boundary_property(work, payload):
    src = write_csv(work / "list.csv", ["名称", "住所"], [["A", PLACED[0]], ["B", PLACED[1]]])
    areas = write_boundaries(work / "areas.geojson", "区域", payload)
    return src, ["--boundaries", areas, "--boundary-key", "区域"], lambda page: page.tooltips() == [f"{payload}: 2件"]


def _place_sheet_name(work, payload):
    src = write_xlsx(work / "list.xlsx", payload, ["名称", "住所"], [["A", PLACED[0]], ["B", PLACED[1]]])
    return src, ["--sheet", payload], lambda page: len(page.data["points"]["lat"]) == 2


PLACES = {
    "name cell": _place_name,
    "category": _place_category,
    "unplaced address": _place_unplaced_address,
    "header": _place_header,
    "--title": _place_title,
    "file name": _place_file_name,
    "boundary property": _place_boundary_property,
    "xlsx sheet name": _place_sheet_name,
}


def _possible(place: str, payload: str) -> bool:
    if place == "file name":
        return "/" not in payload  # no file can be named so
    if place == "xlsx sheet name":  # Excel's own limits on a sheet's name
        return len(payload) <= 31 and not set("[]:*?/\\") & set(payload)
    return True


@pytest.mark.parametrize(
    "place, item",
    [(p, i) for p in PLACES for i in CORPUS if _possible(p, CORPUS[i])],
)
def test_item1_template_syntax_is_text_in_every_place(work, place, item):
    payload = CORPUS[item]
    src, options, shown = PLACES[place](work, payload)
    before = digest(src)
    out = work / "map.html"
    if "-o" not in options:
        options = [*options, "-o", out]
    result = run("render", src, "-q", *options)
    page = rendered(result, out)
    assert shown(page), f"{payload!r} is not shown as written ({place})"
    assert digest(src) == before
    # the page itself is intact: one document, one data block, Leaflet and the map's script
    assert page.text.count("</html>") == 1 and page.text.count('id="geomap-data"') == 1
    assert "L.map(" in page.text


def test_item1_notebook_repr_html_runs_nothing(work, koto_rows):
    from geomap.maps import make_map

    for payload in CORPUS.values():
        df = koto_rows.head(3).copy()
        df["name"] = payload
        df.loc[df.index[-1], ["lat", "lon"]] = np.nan
        df.loc[df.index[-1], "address"] = payload
        df[payload] = ["a", "b", "c"]  # a header: the category legend's title and a popup label
        shown = make_map(df, name="name", category=payload, address="address", title=payload)._repr_html_()
        srcdoc = html.unescape(re.search(r'srcdoc="(.*?)"', shown, re.S).group(1))
        page = Page(srcdoc)
        assert page.title == payload and page.title_div == payload
        assert payload in page.popup_values() and payload in page.popup_labels()
        assert payload in page.panel("legend") and page.panel("notes")[-1] == payload


def test_item1_no_user_text_reaches_a_template_source(work, monkeypatch):
    """Every Jinja2 template compiled while a hostile list becomes a map is free of its text."""
    import jinja2

    marker = "ZQXJ"
    sources = []
    compile_ = jinja2.Environment.compile

    def spy(self, source, *args, **kwargs):
        sources.append(source if isinstance(source, str) else "")
        return compile_(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    for item, payload in CORPUS.items():
        hostile = f"{payload}{marker}"
        header = f"{hostile}種別"
        src = write_csv(
            work / f"{marker}.csv",
            ["名称", header, "住所", f"{hostile}数"],
            [[hostile, hostile, PLACED[0], 1], ["B", "公園", PLACED[1], 2], ["C", "公園", hostile, 3]],
        )
        areas = write_boundaries(work / "areas.geojson", "区域", hostile)
        sources.clear()
        result = run(
            "render", src, "-q", "-o", work / "map.html", "--category", header, "--value", f"{hostile}数",
            "--agg", "sum", "--boundaries", areas, "--boundary-key", "区域",
        )
        page = rendered(result, work / "map.html")
        assert sources, "the spy saw no template at all"
        assert not [s for s in sources if marker in s], f"{item}: user text reached a template source"
        assert hostile in page.popup_values() and page.title == marker
        assert f"{hostile}数の合計" in page.layer_names()


# which calls build a template (or an element whose string is one) from their arguments
_TEMPLATE_BUILDERS = {"Element", "Template", "from_string", "Html", "IFrame", "Popup", "Tooltip", "DivIcon"}
# the package's own templates (the maps' and the local app's page), loaded by their literal names
_BUNDLED = {p.name for p in (ROOT / "geomap").rglob("*") if p.parent.name == "templates" and p.is_file()}


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def template_sources_not_constant(source: str) -> list[str]:
    """Places in ``source`` that make a template from something other than a literal string
    (or load one that is not a bundled file by its literal name)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        args = [*node.args, *(k.value for k in node.keywords)]
        literal = all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args)
        if name in _TEMPLATE_BUILDERS and not literal:
            found.append(f"line {node.lineno}: {name}({ast.unparse(args[0]) if args else ''})")
        elif name == "get_template" and not (literal and args and args[0].value in _BUNDLED):
            found.append(f"line {node.lineno}: get_template({', '.join(map(ast.unparse, args))})")
    return found


def test_item1_no_module_builds_a_template_from_data():
    offending = {}
    for path in sorted((ROOT / "geomap").rglob("*.py")):
        found = template_sources_not_constant(path.read_text(encoding="utf-8"))
        if found:
            offending[str(path.relative_to(ROOT))] = found
    assert offending == {}


def test_item1_the_scan_sees_what_was_there_before():
    """The scan above fails on the code that let a cell run: it is not a test that cannot fail."""
    before = '''
figure.html.add_child(Element(f'<div class="geomap-title">{escape(model.title)}</div>'), name="geomap_title")
header.add_child(Element(f"<style>{css}</style>"), name="geomap_css")
def _template(name):
    return _ENV.get_template(name)
tmpl = Environment().from_string(text)
'''
    assert len(template_sources_not_constant(before)) == 4
    assert template_sources_not_constant('x = _ENV.get_template("points.js")\ny = Element("<b>fixed</b>")') == []
    assert template_sources_not_constant('x = _ENV.get_template("elsewhere.js")') != []


# --------------------------------------------------------------------------- item 1 in Chromium


# ``browser``: conftest's fixture (Debian's chromium, one per module).


def _offline_page(browser):
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.add_init_script("window.alert = function () { window.__xss = 1; };")
    return page, errors


SHOWN_IN_BROWSER = """() => {
    const g = window.__geomap, out = {popups: [], tips: []};
    g.points.getLayers().forEach(m => {
        let shown = null;  // the popup this click opens (a closed one fades out for a while)
        g.map.once("popupopen", e => { shown = e.popup.getElement(); });
        g.points.fire("click", {layer: m});
        const rows = {};  // label (a header) → value (a cell), as the popup shows them
        shown.querySelectorAll(".leaflet-popup-content tr").forEach(tr => {
            rows[tr.querySelector("th").innerText] = tr.querySelector("td").innerText;
        });
        out.popups.push(rows);
        g.map.closePopup();
    });
    g.areas.eachLayer(part => part.eachLayer(l => {
        l.openTooltip(l.getBounds().getCenter());
        out.tips.push(l.getTooltip().getElement().innerText);
        l.closeTooltip();
    }));
    out.title = document.querySelector(".geomap-title").innerText;
    out.docTitle = document.title;
    out.legend = Array.from(document.querySelectorAll(".geomap-legend li, .geomap-legend h4")).map(e => e.innerText);
    out.layers = Array.from(document.querySelectorAll(".leaflet-control-layers label")).map(e => e.textContent.trim());
    out.xss = typeof window.__xss !== "undefined";
    return out;
}"""


@pytest.mark.parametrize("item", list(CORPUS))
def test_item1_browser_shows_every_place_as_written(browser, work, item):
    """One map with the text in a name, a category, its header, an unplaced address, the file
    name (or --title), a value header and a boundary property: each shown verbatim, nothing run."""
    payload = CORPUS[item]
    stem = payload if "/" not in payload else "list"
    src = write_csv(
        work / f"{stem}.csv",
        ["名称", payload, "住所", f"{payload}数"],
        [[payload, payload, PLACED[0], 1], ["B", "公園", PLACED[1], 2], ["C", "公園", payload, 3]],
    )
    areas = write_boundaries(work / "areas.geojson", "区域", payload)
    title = [] if stem == payload else ["--title", payload]
    out = work / "map.html"
    result = run("render", src, "-q", "-o", out, "--tiles", "none", "--category", payload, "--value", f"{payload}数",
                 "--agg", "sum", "--boundaries", areas, "--boundary-key", "区域", "--popup-address", "full", *title)
    assert result.exit_code == 0, result.output
    page, errors = _offline_page(browser)
    try:
        page.goto(out.as_uri())
        page.wait_for_function("window.__geomap && window.__geomap.map && window.__geomap.points", timeout=30_000)
        shown = page.evaluate(SHOWN_IN_BROWSER)
        page.locator(".geomap-notes summary").click()
        notes = page.locator(".geomap-notes li").all_inner_texts()
        page.wait_for_timeout(200)
        assert shown["title"] == payload and shown["docTitle"] == payload
        assert {"名称": payload, payload: payload, "住所": PLACED[0]} in shown["popups"]  # cells and a header
        assert payload in shown["legend"]  # the category and its header
        assert f"{payload}数の合計" in shown["legend"] and f"{payload}数の合計" in shown["layers"]
        assert shown["tips"] == [f"{payload}: 3 (2件)"]  # the two rows placed in the user's area
        assert notes == [payload]
        assert not shown["xss"] and not page.evaluate("typeof window.__xss !== 'undefined'")
        assert errors == []
    finally:
        page.close()


def test_item1_browser_notebook_view(browser, work, koto_rows):
    from geomap.maps import make_map

    df = koto_rows.head(len(CORPUS)).copy()
    df["name"] = list(CORPUS.values())
    title = " ".join(CORPUS.values())
    shown = make_map(df, by="none", name="name", tiles="none", title=title)._repr_html_()
    page, errors = _offline_page(browser)
    try:
        page.set_content(shown)
        page.wait_for_selector("iframe")
        frame = page.main_frame.child_frames[0]
        frame.wait_for_function("window.__geomap && window.__geomap.points", timeout=30_000)
        assert frame.locator(".geomap-title").inner_text() == title
        popups = frame.evaluate(SHOWN_IN_BROWSER.replace("g.areas.eachLayer", "(g.areas || {eachLayer() {}}).eachLayer"))
        assert sorted(p["name"] for p in popups["popups"]) == sorted(CORPUS.values())
        assert not popups["xss"] and not page.evaluate("typeof window.__xss !== 'undefined'")
        assert errors == []
    finally:
        page.close()


# --------------------------------------------------------------------------- item 5


def _texts(fig, text):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text() == text]


@pytest.mark.parametrize("text", ["Cost $\\alpha$", "$\\frac{$", "費用$5〜$10", "a_b^c \\n $x$", "$", "\\", "_", "^"])
def test_item5_matplotlib_draws_user_text_literally(tmp_path, koto_rows, text):
    """A title, a category, a header and an area name holding mathtext are drawn as written."""
    import geopandas as gpd

    from geomap.maps import MapOptions, build, save_image
    from geomap.maps.static import draw

    df = koto_rows.head(6).copy()
    df["category"] = [text, "公園"] * 3
    df[text] = 1
    areas = gpd.GeoDataFrame(koto_polygon().assign(key="13108", 名前=text), crs="EPSG:4326")
    options = dict(category="category", title=text, boundaries=areas, boundary_key="key", boundary_name="名前",
                   by="municipality", value=text, agg="sum")
    fig = draw(build(df, MapOptions(**options)))
    fig.canvas.draw()  # lays out every text: mathtext errors would be raised here
    drawn = _texts(fig, text)
    # the title, the category's legend entry and the area's name, each as written and not parsed
    assert len(drawn) >= 3
    assert all(t.get_parse_math() is False for t in drawn)
    assert _texts(fig, f"{text}の合計")  # the value column's header, in the legend's title
    out = save_image(df, tmp_path / "m.png", **options)
    assert out.exists() and out.stat().st_size > 10_000


def test_item5_cli_title_and_boundary_name_with_mathtext(work):
    """The issue's cases through ``geomap render --png``: the HTML and the PNG are both written."""
    src = write_csv(work / "list.csv", ["名称", "種別", "住所"], [["A", "費用$5〜$10", PLACED[0]], ["B", "x_1^2", PLACED[1]]])
    areas = write_boundaries(work / "areas.geojson", "区域", "$\\frac{$")
    result = run("render", src, "-q", "--png", "--title", "Cost $\\alpha$", "--boundaries", areas, "--boundary-key", "区域")
    assert result.exit_code == 0, result.output
    assert (work / "list.html").exists() and (work / "list.png").stat().st_size > 10_000
    assert "予期しない" not in result.output


def test_item5_before_stop_hostile_cell(work):
    """The check every session runs before it stops: a name cell '{{ 7*7 }} <b>x</b> $a$' with --png."""
    cell = "{{ 7*7 }} <b>x</b> $a$"
    src = write_csv(work / "h.csv", ["名称", "住所"], [[cell, "東京都江東区東陽4-11-28"]])
    result = run("render", src, "-q", "-o", work / "h.html", "--png")
    page = rendered(result, work / "h.html")
    assert cell in page.popup_values()
    assert (work / "h.png").stat().st_size > 10_000


# --------------------------------------------------------------------------- item 6


def test_item6_import_url_in_a_cell_is_saved(work):
    cell = "@import url(//x)"
    src = write_csv(work / "list.csv", ["名称", "住所"], [[cell, PLACED[0]], ["B", cell]])
    result = run("render", src, "-q", "-o", work / "map.html")
    page = rendered(result, work / "map.html")
    assert cell in page.popup_values() and page.panel("notes")[-1] == cell


def test_item6_guard_reads_the_structure_not_the_text():
    from geomap.maps.page import external_resources, safe_json

    assert external_resources('<script src="https://cdn.example/x.js"></script>') == ["https://cdn.example/x.js"]
    assert external_resources("<link rel=stylesheet href=//cdn.example/x.css>") == ["//cdn.example/x.css"]
    assert external_resources('<img src="//cdn.example/i.png">') == ["//cdn.example/i.png"]
    assert external_resources("<style>@import url(//cdn.example/a.css);</style>") == ["//cdn.example/a.css"]
    assert external_resources("<style>@import 'https://cdn.example/b.css';</style>") == ["https://cdn.example/b.css"]
    assert external_resources('<div style="background:url(//cdn.example/bg.png)"></div>') == ["//cdn.example/bg.png"]
    # text and script data are not sources, whatever they say
    for text in ("@import url(//x)", '<script src="//x.js"></script>', "<img src=//x/i.png>"):
        assert external_resources(f"<div>{html.escape(text)}</div>") == []
        assert external_resources(f'<script type="application/json">{safe_json([text])}</script>') == []
    assert external_resources('<a href="https://example.org/">a link is followed only when clicked</a>') == []


@pytest.mark.parametrize(
    "part, where",
    [
        ('<script src="https://cdn.example/x.js"></script>', "header"),
        ('<link rel="stylesheet" href="//cdn.example/x.css">', "header"),
        ("<style>@import url(//cdn.example/a.css);</style>", "header"),
        ('<img src="//cdn.example/i.png">', "html"),
    ],
)
def test_item6_guard_still_refuses_a_remote_load(tmp_path, koto_rows, part, where):
    from branca.element import Element

    from geomap.errors import UsageError
    from geomap.maps import make_map, save_html

    m = make_map(koto_rows.head(5), by="none", tiles="none")
    getattr(m.get_root(), where).add_child(Element(part))
    with pytest.raises(UsageError) as err:
        save_html(m, tmp_path / "x.html")
    assert err.value.key == "not_offline" and "cdn.example" in err.value.params["urls"]
    assert not (tmp_path / "x.html").exists()


# --------------------------------------------------------------------------- item 10


def _two_wards(work, values):
    rows = [["A", "東京都江東区東陽4-11-28", values[0]], ["B", "東京都墨田区吾妻橋1-23-20", values[1]]]
    rows += [[f"C{i}", "東京都江東区木場1-5-2", v] for i, v in enumerate(values[2:])]
    return write_csv(work / "list.csv", ["名称", "住所", "人数"], rows)


def test_item10_breaks_inf(work):
    src = _two_wards(work, [5, 7])
    result = run("render", src, "--by", "municipality", "--breaks", "inf,-inf")
    assert result.exit_code == 2
    assert "区切り値は 10,20,50 のように数値で指定してください" in result.output and "inf,-inf" in result.output
    assert "予期しない" not in result.output and "Traceback" not in result.output
    assert not (work / "list.html").exists()
    for breaks in ("nan", "1,inf", "１０,ｉｎｆ"):
        assert run("render", src, "--breaks", breaks).exit_code == 2


def test_item10_breaks_inf_in_the_library(koto_rows):
    from geomap.errors import UsageError
    from geomap.maps import make_map

    for breaks in ([float("inf"), float("-inf")], [1, float("nan")], "10,20"):
        with pytest.raises(UsageError) as err:
            make_map(koto_rows, by="town", breaks=breaks)
        assert err.value.key == "bad_breaks"


def test_item10_value_column_holding_inf(work):
    src = _two_wards(work, ["inf", 7])
    before = digest(src)
    result = run("render", src, "--by", "municipality", "--value", "人数", "--agg", "sum")
    assert result.exit_code == 1
    assert "列「人数」に数値でない値が 1 件あります（例: inf）" in result.output
    assert "予期しない" not in result.output and "Traceback" not in result.output
    assert digest(src) == before and not (work / "list.html").exists()


@pytest.mark.parametrize("agg", ["sum", "mean"])
def test_item10_sum_that_overflows(work, agg):
    src = _two_wards(work, ["1e308", 7, "1e308"])
    result = run("render", src, "--by", "municipality", "--value", "人数", "--agg", agg)
    assert result.exit_code == 1
    assert f"列「人数」を集計（--agg {agg}）すると値が大きすぎて計算できません" in result.output
    assert "予期しない" not in result.output and "Traceback" not in result.output
    english = run("render", src, "--by", "municipality", "--value", "人数", "--agg", agg, "--lang", "en")
    assert english.exit_code == 1 and "too large to compute" in english.output


def test_item10_full_width_digits_are_numbers(work):
    from geomap.spatial import measure_values

    src = _two_wards(work, ["１２", "７", "１，０００", "－３"])
    result = run("render", src, "-q", "--by", "municipality", "--value", "人数", "--agg", "sum", "-o", work / "m.html")
    page = rendered(result, work / "m.html")
    tips = page.tooltips()
    assert "東京都江東区: 1,009 (3件)" in tips and "東京都墨田区: 7 (1件)" in tips
    frame = pd.DataFrame({"人数": ["１２", " ３．５ ", "−２", "", None]})
    values = measure_values(frame, "人数", "sum")
    assert values[:3].tolist() == [12.0, 3.5, -2.0] and np.isnan(values[3:]).all()


# ======================================================================================
# item 9 and the online cache: a broken cache or a hostile service never loses a row
# ======================================================================================
# Issue 10, item 9 and "the online cache": a hostile or broken service, a broken cache.
#
# Every test here talks to a real HTTP server on 127.0.0.1 (never the internet) and uses the
# reproduction the issue gives: a cache that is garbage, truncated, a folder, read-only or
# locked by another process; cached replies ``{"a":1}``, ``[[1,2]]``, ``not json``; a
# service answering 500s, malformed or deeply nested JSON, ``"coordinates": "12"``, a 50 MB
# answer, a slow drip (4 bytes every 3 s), a reset connection, 429 with Retry-After.
# What must hold: no row is lost, the run ends in bounded time, results are written, and
# what went wrong is said in one line in the run's language — never a traceback.


TOYO = "東京都江東区東陽四丁目"
TOYO_POINT = (35.6725, 139.8175)
SEVEN = [
    "東京都江東区東陽4-11-28",
    "東京都千代田区麹町2-8",
    "東京都港区芝公園4-2-8",
    "東京都新宿区西新宿2-8-1",
    "東京都台東区上野公園7-20",
    "東京都墨田区押上1-1-2",
    "東京都中央区日本橋1-1-1",
]
GSI = service_name("gsi", "ja")


# -- the imitated service ----------------------------------------------------------------


class Service(ScriptedService):
    """What the server on 127.0.0.1 answers, per query, what it was asked, and the bytes it sent.

    ``script[q]`` lists answers used in turn (the last repeats); queries without a script
    get ``default``. Answers: ``("json", data)``, ``("raw", text)``, ``("status", code,
    headers)``, ``("drip_body",)`` (68 bytes, 4 every 3 s), ``("drip_headers",)`` (the
    status line 4 bytes every 3 s), ``("big", nbytes, with_length)``, ``("reset",)``.
    """

    def __init__(self):
        super().__init__()
        self.sent_bytes = 0
        self.stop = threading.Event()


def _handler(service: Service):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _write(self, data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()
            with service.lock:
                service.sent_bytes += len(data)

        def _drip(self, data: bytes) -> None:
            for i in range(0, len(data), 4):
                if service.stop.wait(0 if i == 0 else 3):
                    return
                self._write(data[i:i + 4])

        def do_GET(self):  # noqa: N802 (http.server's name)
            q = parse_qs(urlparse(self.path).query).get("q", [""])[0]
            answer = service.next_answer(q)
            kind = answer[0]
            self.close_connection = True
            try:
                if kind == "reset":  # RST instead of an answer
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                if kind == "drip_headers":
                    self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]")
                    return
                if kind == "drip_body":
                    body = b"[" + b" " * 66 + b"]"  # 68 bytes: 17 drips, 51 s
                    self._write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
                    self._drip(body)
                    return
                if kind == "big":
                    size, with_length = answer[1], answer[2]
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Connection", "close")
                    if with_length:
                        self.send_header("Content-Length", str(size))
                    else:
                        self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    piece = b"[" + b"0," * 32767 + b"0"  # a JSON start that never ends
                    sent = 0
                    while sent < size and not service.stop.is_set():
                        data = piece[: size - sent]
                        self._write(data if with_length else b"%x\r\n%s\r\n" % (len(data), data))
                        sent += len(data)
                    return
                if kind == "status":
                    self.send_response(answer[1])
                    for name, value in answer[2].items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    return
                body = json.dumps(answer[1], ensure_ascii=False) if kind == "json" else answer[1]
                data = body if isinstance(body, bytes) else body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self._write(data)
            except OSError:  # the client gave up: what this test wants
                pass

        def log_message(self, *args):
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a reset or abandoned socket is expected here
        pass


@pytest.fixture
def service():
    """A thread serving :class:`Service` on 127.0.0.1; yields ``(service, url)``."""
    fake = Service()
    with serving(_handler(fake), fake.stop, _QuietServer) as url:
        yield fake, url


@pytest.fixture
def waits(monkeypatch):
    """The CLI builds its own geocoder: its waits (rate limit, backoff, Retry-After) are
    recorded instead of slept, and a request may take 1.5 s in all instead of 10 s."""
    recorded: list[float] = []
    original = GsiGeocoder.__init__

    @functools.wraps(original)
    def init(self, **options):
        options.setdefault("sleep", recorded.append)
        options.setdefault("timeout", 1.5)
        original(self, **options)

    monkeypatch.setattr(GsiGeocoder, "__init__", init)
    return recorded


@pytest.fixture
def seven_csv(tmp_path):
    path = tmp_path / "list.csv"
    rows = "".join(f"施設{i + 1},{a}\n" for i, a in enumerate(SEVEN))
    path.write_text("名称,住所\n" + rows, encoding="utf-8")
    return path


def run_cli(args) -> tuple:
    """``(result, seconds)`` of the CLI, stderr apart."""
    start = time.monotonic()
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result, time.monotonic() - start


def geocode_cli(csv, url, out, *more):
    return run_cli(["geocode", csv, "--geocoder", "gsi", "--gsi-url", url, "-o", out, *more])


def read_out(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def assert_clean(result) -> None:
    """No traceback and no 'unexpected error' line, in either language."""
    text = result.output
    assert "Traceback" not in text
    assert message("unexpected", "ja", kind="", detail="").split("（")[0] not in text
    assert "unexpected error" not in text.lower()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def answer_all(fake) -> None:
    """The service knows each of :data:`SEVEN` to its block number (level 4)."""
    for address in SEVEN:
        fake.answer(address, ("json", [feature(address, *TOYO_POINT)]))


# -- 9a. a corrupt cache does not stop geocode; clear always removes it --------------------


def _garbage(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database\x00\xff" * 100)


def _truncated(path, url=None):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE answers (url TEXT NOT NULL, key TEXT NOT NULL, reply TEXT NOT NULL, "
                "fetched REAL NOT NULL, PRIMARY KEY (url, key))")
    with con:
        con.executemany("INSERT INTO answers VALUES (?, ?, ?, ?)",
                        [("http://x/", f"k{i}", json.dumps([[35.0, 139.0, "x" * 500]]), 0.0) for i in range(400)])
    con.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _folder(path):
    path.mkdir(parents=True)
    (path / "inside.txt").write_text("a folder where the cache file should be", encoding="utf-8")


@pytest.mark.parametrize("damage", [_garbage, _truncated, _folder], ids=["garbage", "truncated", "folder"])
def test_a_corrupt_cache_does_not_stop_geocode_and_clear_removes_it(service, waits, seven_csv, tmp_path, damage):
    fake, url = service
    answer_all(fake)
    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    damage(path)
    out = tmp_path / "out.csv"

    result, _ = geocode_cli(seven_csv, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    table = read_out(out)
    assert table["名称"].tolist() == [f"施設{i + 1}" for i in range(7)]  # no row lost
    assert table["level"].tolist() == ["4"] * 7
    problem = "not_a_file" if damage is _folder else "corrupt"
    warning = message("cache_skipped", "ja", path=str(path), reason=message(f"cache_problem_{problem}", "ja"))
    assert result.stderr.count(warning) == 1  # one line, once, in Japanese
    assert "キャッシュを使えません" not in result.output

    # info reports, it does not fail
    info, _ = run_cli(["cache", "info"])
    assert info.exit_code == 0, info.output
    assert message("cache_unreadable", "ja", reason=message(f"cache_problem_{problem}", "ja")) in info.output
    shown, _ = run_cli(["cache", "info", "--json"])
    assert shown.exit_code == 0
    data = json.loads(shown.output)
    assert (data["exists"], data["count"], data["problem"]) == (True, None, problem)

    # clear always removes it, whatever it holds
    cleared, _ = run_cli(["cache", "clear"])
    assert cleared.exit_code == 0, cleared.output
    assert message("cache_cleared_unreadable", "ja", path=str(path)) in cleared.output
    assert not os.path.lexists(path)
    assert path.parent.is_dir()  # only the cache, not its folder

    # and the next run has a working cache again
    result, _ = geocode_cli(seven_csv, url, out)
    assert result.exit_code == 0 and "注意" not in result.stderr
    assert cache_info()["count"] == 7


def test_clear_removes_a_cache_it_can_read_and_its_side_files(service, waits, seven_csv, tmp_path):
    fake, url = service
    geocode_cli(seven_csv, url, tmp_path / "out.csv")
    journal = cache_path().with_name(cache_path().name + "-journal")
    journal.write_bytes(b"left over")
    cleared, _ = run_cli(["cache", "clear", "--lang", "en"])
    assert cleared.exit_code == 0
    assert message("cache_cleared", "en", count="7", path=str(cache_path())) in cleared.output
    assert not cache_path().exists() and not journal.exists()


# -- 9b. read-only and locked caches only lose the caching ---------------------------------


def _make_read_only(path, undo: list) -> None:
    """Make ``path`` read-only for this process, even as root (the immutable flag), or skip."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("root ignores file modes and chattr +i is not available here")
        undo.append(["chattr", "-i", str(path)])
    else:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    probe = path / ".probe" if path.is_dir() else path
    try:
        with open(probe, "a"):
            pass
    except OSError:
        return
    pytest.skip(f"cannot make {path} read-only here")


@pytest.fixture
def read_only():
    undo: list = []
    yield lambda path: _make_read_only(path, undo)
    for command in reversed(undo):
        subprocess.run(command, capture_output=True)


@pytest.mark.parametrize("what", ["file", "folder", "file and folder"])
def test_a_read_only_cache_only_loses_the_caching(service, waits, seven_csv, tmp_path, read_only, what):
    fake, url = service
    answer_all(fake)
    path = cache_path()
    path.parent.mkdir(parents=True)
    if what != "folder":  # a cache that already holds the first two answers
        geocode_cli_two = tmp_path / "two.csv"
        geocode_cli_two.write_text("住所\n" + "\n".join(SEVEN[:2]) + "\n", encoding="utf-8")
        assert geocode_cli(geocode_cli_two, url, tmp_path / "two_out.csv")[0].exit_code == 0
        assert cache_info()["count"] == 2
    asked_before = len(fake.queries)
    if what in ("file", "file and folder"):
        read_only(path)
    if what in ("folder", "file and folder"):
        read_only(path.parent)

    out = tmp_path / "out.csv"
    result, _ = geocode_cli(seven_csv, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    table = read_out(out)
    assert len(table) == 7 and table["level"].tolist() == ["4"] * 7  # the answers are written
    reason = message("cache_problem_read_only", "ja")
    assert result.stderr.count(message("cache_skipped", "ja", path=str(path), reason=reason)) == 1
    sent = fake.queries[asked_before:]
    if what == "folder":
        assert sorted(sent) == sorted(SEVEN)
    else:  # what the cache held was still used
        assert sorted(sent) == sorted(SEVEN[2:])
        assert cache_info()["count"] == 2


_LOCKER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(120)
"""


def test_a_cache_locked_by_another_process_waits_a_bounded_time_then_goes_on(service, waits, seven_csv, tmp_path):
    fake, url = service
    answer_all(fake)
    two = tmp_path / "two.csv"
    two.write_text("住所\n" + "\n".join(SEVEN[:2]) + "\n", encoding="utf-8")
    geocode_cli(two, url, tmp_path / "two_out.csv")
    locker = subprocess.Popen([sys.executable, "-c", _LOCKER, str(cache_path())], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        out = tmp_path / "out.csv"
        result, seconds = geocode_cli(seven_csv, url, out)
        assert result.exit_code == 0, result.output
        assert_clean(result)
        assert read_out(out)["level"].tolist() == ["4"] * 7  # the answers are not lost
        warning = message("cache_skipped", "ja", path=str(cache_path()), reason=message("cache_problem_locked", "ja"))
        assert result.stderr.count(warning) == 1
        assert seconds < 11  # the old failure took 11 s and wrote nothing; the lock wait is bounded (2 s)

        info, _ = run_cli(["cache", "info", "--json"])
        assert info.exit_code == 0 and json.loads(info.output)["problem"] == "locked"
        cleared, _ = run_cli(["cache", "clear"])
        assert cleared.exit_code == 0, cleared.output
        assert not cache_path().exists()
    finally:
        locker.kill()
        locker.wait()


# -- 9c. cached replies are validated on read ---------------------------------------------


@pytest.mark.parametrize(
    "stored",
    ['{"a":1}', "[[1,2]]", "not json", '[["35.6", "139.8", "東京都"]]', '[[35.6, 139.8]]',
     '[{"geometry": {"coordinates": [139.8, 35.6]}, "properties": {"title": "東京都"}}]',
     '[[0, 0, "東京都"]]', "[[35.6, 139.8, 7]]", "[" * 100000 + "]" * 100000],
    ids=["object", "pair", "not-json", "strings", "no-title", "raw-feature", "outside-japan", "title-number", "nested"],
)
def test_a_bad_cached_reply_is_treated_as_absent(service, waits, tmp_path, stored):
    fake, url = service
    address = SEVEN[0]
    fake.answer(address, ("json", [feature(TOYO, *TOYO_POINT)]))
    path = cache_path()
    path.parent.mkdir(parents=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE answers (url TEXT NOT NULL, key TEXT NOT NULL, reply TEXT NOT NULL, "
                "fetched REAL NOT NULL, PRIMARY KEY (url, key))")
    with con:
        con.execute("INSERT INTO answers VALUES (?, ?, ?, ?)", (url, cache_key(address), stored, 0.0))
    con.close()
    src = tmp_path / "one.csv"
    src.write_text(f"住所\n{address}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result, _ = geocode_cli(src, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    assert fake.queries == [address]  # asked again, as if nothing were stored
    row = read_out(out).iloc[0]
    assert (row["level"], float(row["lat"]), float(row["lon"])) == ("3", *TOYO_POINT)
    assert GsiGeocoder(url=url).count_to_send([address]) == {"gsi": 0}  # and the bad entry replaced


# -- 9d. transport: bounded time, bounded size, bad replies are the row's error -----------


def test_a_slow_drip_does_not_hold_a_request(service):
    fake, url = service
    fake.answer("東京都千代田区", ("drip_body",))
    fake.answer("東京都港区", ("drip_headers",))
    fake.answer(SEVEN[0], ("json", [feature(TOYO, *TOYO_POINT)]))
    start = time.monotonic()
    result = GsiGeocoder(url=url, timeout=2, requests_per_second=50).geocode(["東京都千代田区", "東京都港区", SEVEN[0]])
    seconds = time.monotonic() - start
    assert result["error"].tolist() == ["geocoder_timed_out", "geocoder_timed_out", ""]
    assert result["level"].tolist() == [0, 0, 3]
    assert seconds < 15  # each request ends at its 2 s deadline; a drip used to hold one ~51 s


def test_the_run_has_a_deadline_too(service):
    fake, url = service
    for address in SEVEN:
        fake.answer(address, ("drip_body",))
    start = time.monotonic()
    result = GsiGeocoder(url=url, timeout=2, run_timeout=3, give_up_after=7, requests_per_second=50).geocode(SEVEN)
    seconds = time.monotonic() - start
    assert len(result) == 7
    errors = result["error"].tolist()
    assert errors[0] == "geocoder_timed_out"
    assert errors[-1] == "geocoder_out_of_time"
    assert set(errors) == {"geocoder_timed_out", "geocoder_out_of_time"}
    assert seconds < 8  # the 3 s run deadline, not 7 requests × 2 s


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "chunked"])
def test_a_50_mb_answer_is_refused_and_not_stored(service, waits, tmp_path, with_length):
    fake, url = service
    fake.answer("東京都千代田区", ("big", 50 * 2**20, with_length))
    fake.answer(SEVEN[0], ("json", [feature(TOYO, *TOYO_POINT)]))
    src = tmp_path / "list.csv"
    src.write_text(f"住所\n東京都千代田区\n{SEVEN[0]}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result, seconds = geocode_cli(src, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    table = read_out(out)
    assert table["level"].tolist() == ["0", "3"]
    assert table.loc[0, "error"] == row_error("geocoder_too_large", ["gsi"], "ja")
    assert cache_info()["count"] == 1 and cache_path().stat().st_size < 2**20  # 42 MB used to be stored
    assert fake.queries.count("東京都千代田区") == 1  # not retried
    assert seconds < 30


NESTED = "[" * 200000 + "]" * 200000  # under the size cap; too deep for the JSON decoder


@pytest.mark.parametrize(
    "reply",
    [
        ("raw", NESTED),
        ("raw", '[{"geometry": '),
        ("raw", "<html>busy</html>"),
        ("raw", "not json"),
        ("raw", '[{"geometry": {"coordinates": [NaN, 35.6]}, "properties": {"title": "東京都"}}]'),
        ("raw", b"\xff\xfe[\x00]\x00"),  # not UTF-8
        ("json", [{"geometry": {"coordinates": "12"}, "properties": {"title": TOYO}}]),
        ("json", [feature(TOYO, "35.67", "139.81")]),
        ("json", [feature(TOYO, True, 139.81)]),
        ("json", [feature(TOYO, 0.0, 0.0)]),  # not in Japan
        ("json", [feature(TOYO, 139.81, 35.67)]),  # swapped
        ("json", [feature(TOYO, 1e308 * 10, 139.8)]),
        ("json", {"a": 1}),
        ("json", [[1, 2]]),
        ("json", [feature("", *TOYO_POINT)]),
    ],
    ids=["nested", "truncated", "html", "text", "nan", "not-utf8", "coordinates-string", "numbers-as-text",
         "boolean", "outside-japan", "swapped", "infinite", "object", "pairs", "empty-title"],
)
def test_a_bad_reply_is_that_rows_error_never_the_runs_end(service, reply):
    fake, url = service
    fake.answer("東京都千代田区", reply)
    fake.answer(SEVEN[0], ("json", [feature(TOYO, *TOYO_POINT)]))
    result = GsiGeocoder(url=url, requests_per_second=50).geocode(["東京都千代田区", SEVEN[0]])
    assert result["error"].tolist() == ["geocoder_bad_reply", ""]
    assert result["level"].tolist() == [0, 3]
    assert math.isnan(result.loc[0, "lat"]) and math.isnan(result.loc[0, "lon"])  # "12" is not lon 1, lat 2
    assert fake.queries.count("東京都千代田区") == 1  # a bad reply is not asked again


def test_a_reset_connection_is_retried_then_that_rows_failure(service, waits):
    fake, url = service
    fake.answer("東京都千代田区", ("reset",))
    fake.answer("東京都港区", ("reset",), ("json", [feature("東京都港区", 35.658, 139.751)]))
    result = GsiGeocoder(url=url, sleep=waits.append).geocode(["東京都千代田区", "東京都港区"])
    assert result["error"].tolist() == ["geocoder_unavailable", ""]
    assert result["level"].tolist() == [0, 2]
    assert fake.queries.count("東京都千代田区") == 3  # first try and two retries


def test_429_honours_retry_after_within_bounds(service, waits):
    fake, url = service
    fake.answer("東京都千代田区", ("status", 429, {"Retry-After": "7"}), ("json", [feature("東京都千代田区", 35.69, 139.75)]))
    fake.answer("東京都港区", ("status", 429, {"Retry-After": "3600"}))
    result = GsiGeocoder(url=url, sleep=waits.append, max_retry_after=60).geocode(
        ["東京都千代田区", "東京都港区", "東京都新宿区"])
    assert result["error"].tolist() == ["", "geocoder_rate_limited", "geocoder_not_sent"]
    assert 7.0 in waits and max(waits) < 60  # the 7 s asked for; never the hour
    assert fake.queries == ["東京都千代田区", "東京都千代田区", "東京都港区"]


# -- 9e. when every request fails: counted apart, said in the run's language, exit non-zero --


FAILING = {
    "500": ("status", 500, {}),
    "429": ("status", 429, {"Retry-After": "2"}),
    "reset": ("reset",),
    "timeout": ("drip_body",),
}
CAUSE = {"500": "geocoder_unavailable", "429": "geocoder_rate_limited", "reset": "geocoder_unavailable",
         "timeout": "geocoder_timed_out"}


@pytest.mark.parametrize("failure", list(FAILING))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_when_every_request_fails_no_row_is_lost_and_the_failure_is_said(service, waits, seven_csv, tmp_path,
                                                                        failure, lang):
    fake, url = service
    fake.default = FAILING[failure]
    out = tmp_path / "out.csv"
    result, seconds = geocode_cli(seven_csv, url, out, "--lang", lang)
    assert_clean(result)
    assert result.exit_code == 1, result.output  # the service answered no row at all
    table = read_out(out)  # written all the same
    assert table["名称"].tolist() == [f"施設{i + 1}" for i in range(7)]
    assert all(table["error"] != "")
    detail = row_error(CAUSE[failure], ["gsi"], lang)
    assert message("summary_online_failed", lang, count="7", detail=detail) in result.stderr
    # a failure is not "not found"
    assert message("summary_level", lang, label=message("level_0", lang), count="7") not in result.stderr
    assert message("online_none_answered", lang, service=service_name("gsi", lang), count="7", detail=detail) \
        in result.stderr
    assert "gsi: gsi:" not in result.output and ("not sending" not in result.output)
    if lang == "ja":
        assert "not sent" not in result.stderr and "kept failing" not in result.stderr
    unmatched = read_out(tmp_path / "list_unmatched.csv")
    assert len(unmatched) == 7
    assert sum(waits) < 30 and seconds < 30  # bounded: gives up, never waits past the limits


def test_some_rows_failing_are_counted_apart_and_the_run_succeeds(service, waits, seven_csv, tmp_path):
    fake, url = service
    answer_all(fake)
    fake.answer(SEVEN[3], ("status", 503, {}))
    out = tmp_path / "out.csv"
    result, _ = geocode_cli(seven_csv, url, out)
    assert result.exit_code == 0, result.output
    assert_clean(result)
    detail = row_error("geocoder_unavailable", ["gsi"], "ja")
    assert message("summary_online_failed", "ja", count="1", detail=detail) in result.stderr
    assert message("level_0", "ja") not in result.stderr  # the one unplaced row failed: it was not "not found"
    assert read_out(out)["level"].tolist() == ["4", "4", "4", "0", "4", "4", "4"]


def test_render_with_a_failing_service_keeps_every_row_in_the_unmatched_file(service, waits, seven_csv, tmp_path):
    fake, url = service
    fake.default = ("status", 500, {})
    result, _ = run_cli(["render", seven_csv, "--geocoder", "gsi", "--gsi-url", url, "-o", tmp_path / "map.html"])
    assert_clean(result)
    assert result.exit_code == 1
    unmatched = read_out(tmp_path / "list_unmatched.csv")
    assert unmatched["名称"].tolist() == [f"施設{i + 1}" for i in range(7)]
    assert all(reason.startswith(message("reason_service_error", "ja", detail="")) for reason in unmatched["理由"])
