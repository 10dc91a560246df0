"""Writing results safely: atomic, never over the input, formulas guarded (geomap.output)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from geomap.errors import OutputError, UsageError
from geomap.io import read_table
from geomap.output import neutralize_formulas, write_table

CSV_TEXT = "名称,住所,番号\n（架空）東陽さくら保育園,東京都江東区東陽4-11-28,0120\n"


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


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

    def half_then_fail(df, path, **kwargs):
        with open(path, "w", encoding="utf-8") as f:
            f.write("half")
        raise KeyboardInterrupt

    from geomap import output

    monkeypatch.setattr(output, "write_delimited", half_then_fail)  # the CSV writer write_table calls
    with pytest.raises(KeyboardInterrupt):
        write_table(pd.DataFrame({"a": [1]}), target)
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_spatial_outputs_get_the_points_of_to_points(tmp_path):
    # One place turns lat/lon into geometry: the file's points are to_points' points, by
    # position, also when the index repeats; a row to_points leaves out has no geometry.
    gpd = pytest.importorskip("geopandas")
    from geomap.spatial import to_points

    df = pd.DataFrame({"名称": ["A", "B", "C", "D"], "lat": [35.67, "１", 95.0, "35.7"],
                       "lon": [139.81, "2", 139.8, "139.7"]}, index=[3, 3, 1, 0])
    back = gpd.read_file(write_table(df, tmp_path / "out.geojson"))
    points = to_points(df.reset_index(drop=True))
    assert points.index.tolist() == [0, 3]
    assert [g is not None and not g.is_empty for g in back.geometry] == [True, False, False, True]
    for i in points.index:
        assert back.geometry.iloc[i].equals(points.geometry.loc[i])


# -- the CSV writer and the formula guard work on whole columns (issue 12) ----------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Text that stresses a CSV writer and the guard: quotes, separators, line ends, formula
# starts in full and half width, spaces and format characters before them, NUL, emoji.
TRICKY = st.text(alphabet=st.sampled_from(list('a住1１"\',\t\r\n =+-@＝＋－＠﹦\u200b\u3000\x00😀.e%')), max_size=8)


def pandas_csv(df, path, sep=","):
    """What write_table wrote before issue 12: pandas' writer, cell-by-cell guard."""
    import csv

    from geomap.output import formula_like

    def fix(value):
        return "'" + value if formula_like(value) else value

    out = df.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out.isetitem(i, column.map(fix))
    out.columns = [fix(str(c)) for c in out.columns]
    out.to_csv(path, index=False, encoding="utf-8-sig", sep=sep, quoting=csv.QUOTE_NONNUMERIC)
    return path.read_bytes()


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.one_of(TRICKY, st.none()), min_size=0, max_size=12),
    floats=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 35.6719])),
                    min_size=12, max_size=12),
    ints=st.lists(st.integers(min_value=-2**63, max_value=2**63 - 1), min_size=12, max_size=12),
    header=TRICKY,
    sep=st.sampled_from([",", "\t"]),
)
def test_the_csv_bytes_are_those_pandas_wrote(tmp_path_factory, texts, floats, ints, header, sep):
    n = len(texts)
    df = pd.DataFrame({
        "住所": pd.Series(texts, dtype="str"),
        header or "h": pd.Series(texts[::-1], dtype=object),
        "lat": floats[:n],
        "level": pd.Series(ints[:n], dtype="int64"),
        "small": pd.Series([i % 5 for i in range(n)], dtype="int8"),
    })
    folder = tmp_path_factory.mktemp("csv")
    suffix = ".csv" if sep == "," else ".tsv"
    assert write_table(df, folder / f"new{suffix}").read_bytes() == pandas_csv(df, folder / "old.csv", sep)


def test_a_column_in_several_chunks_is_written_as_one(tmp_path):
    # pd.concat keeps Arrow chunks apart: a quote only in the second must still be doubled
    chunked = pd.concat([pd.Series(["a", "b"], dtype="str"), pd.Series(['c"d', None], dtype="str")],
                        ignore_index=True)
    df = pd.DataFrame({"住所": chunked, "lat": [35.0, 1e-5, float("nan"), 139.75]})
    assert write_table(df, tmp_path / "new.csv").read_bytes() == pandas_csv(df, tmp_path / "old.csv")


def test_floats_are_written_as_python_writes_them():
    """Arrow's text for a float where it is Python's, Python's elsewhere (exponents, zeros, inf, NaN)."""
    import numpy as np

    from geomap.delimited import _number_texts

    rng = np.random.default_rng(12)
    edges = [10.0 ** e * k for e in range(-6, 18) for k in (1, 1.5, 9.999999999999999)]
    for values in (rng.uniform(20, 46, 50_000), np.round(rng.uniform(-200, 200, 50_000), 6),
                   np.exp(rng.uniform(-12, 40, 50_000)) * rng.choice([-1, 1], 50_000),
                   rng.integers(0, 2**64, 50_000, dtype=np.uint64).view(np.float64),
                   np.array(edges + [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 2.0**53, 1e16 - 2])):
        assert _number_texts(values).to_pylist() == ['""' if v != v else str(v) for v in values.tolist()]


def test_tables_the_column_writer_does_not_take_go_to_pandas(tmp_path):
    from geomap.delimited import _csv_pieces

    df = pd.DataFrame({"a": ["=1", "x"], "flag": [True, False], "when": pd.to_datetime(["2024-01-01", None]),
                       "mixed": ["=2", 3]})
    assert _csv_pieces(df, ",") is None
    assert write_table(df, tmp_path / "new.csv").read_bytes() == pandas_csv(df, tmp_path / "old.csv")
    assert (tmp_path / "new.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith('"\'=1",True,')


def test_a_cell_starting_with_a_character_that_never_starts_a_formula_is_never_formula_like():
    # The guard looks one by one only at cells whose first character could start a formula
    # (output._never_starts_formula); this holds for every code point said not to.
    from geomap.output import _never_starts_formula, formula_like

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    starts = [c for c in chars if _never_starts_formula(c)]
    assert len(starts) > 1_000_000 and "住" in starts and "１" in starts and "(" in starts
    assert not {"＝", "=", "﹢", "－", "@", "\t", " ", "\u3000", "\u200b"} & set(starts)
    assert not any(formula_like(c + "1") or formula_like(c + "=") or formula_like(c + "=1+1") for c in starts)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(st.text(max_size=4), TRICKY, st.none()), max_size=20), cut=st.integers(0, 3),
       wide=st.booleans())
def test_the_guard_flags_the_cells_formula_like_flags(texts, cut, wide):
    """Read from the UTF-8 bytes (any plane, sliced arrays, missing cells), cell by cell the same answer."""
    import pyarrow as pa

    from geomap.output import _formula_cells, formula_like

    array = pa.array(texts, pa.large_string() if wide else pa.string())[cut:]
    texts = texts[cut:]
    flagged = _formula_cells(pd.Series(pd.arrays.ArrowExtensionArray(array)))
    assert flagged.tolist() == [i for i, t in enumerate(texts) if formula_like(t)]
    assert _formula_cells(pd.Series(texts, dtype=object)).tolist() == flagged.tolist()


def test_xlsx_is_streamed_and_reads_back_as_to_excel_wrote_it(tmp_path):
    """The write-only writer (issue 15 item 4) gives what ``to_excel`` gave: same cells, same types."""
    from openpyxl import load_workbook

    from geomap.xlsx import write_xlsx

    df = pd.DataFrame({
        "名称": ["A", None, "=1+1", "0120"],
        "人数": [1, 2, 3, 4],
        "lat": [35.67, float("nan"), 35.1, -0.0],
        "ok": [True, False, True, False],
        "日付": pd.to_datetime(["2024-04-01", None, "2024-04-03", "2024-04-04"]),
        7: ["x", "y", "z", "w"],
    })
    # with the dates, openpyxl's stream writes it; without, the rows written as XML
    for frame in (df, df.drop(columns="日付").assign(名称=["A", None, "'=1+1", "0120"])):
        frame.to_excel(tmp_path / "pandas.xlsx", index=False, engine="openpyxl")
        write_xlsx(frame, tmp_path / "stream.xlsx")
        cells = {}
        for name in ("pandas", "stream"):
            sheet = load_workbook(tmp_path / f"{name}.xlsx", read_only=True).active
            # a missing value: pandas writes an empty text, the stream no cell at all (blank to Excel)
            cells[name] = [[(c.value, c.data_type if c.value is not None else None) for c in row]
                           for row in sheet.iter_rows()]
        assert cells["stream"] == cells["pandas"]
        assert pd.read_excel(tmp_path / "stream.xlsx").equals(pd.read_excel(tmp_path / "pandas.xlsx"))
    # through write_table: the formula guard first
    path = write_table(df, tmp_path / "out.xlsx")
    assert load_workbook(path).active["A4"].value == "'=1+1"


# Values whose writing differs between kinds of cell: XML's own characters, spaces at the ends,
# a CR, an error code as text, a formula start (guarded by write_table), very long text.
TRICKY = ["A&B <c> d", " 前後に空白 ", "\u3000", "改行\nあり", "b\r@SUM(1)", "#N/A", "=1+1", "", "x" * 40_000]


def test_xlsx_writer_gives_the_cells_openpyxl_gave(tmp_path):
    """Rows written as XML (issue 15 item 4) read back as openpyxl's own stream wrote them."""
    from openpyxl import load_workbook

    from geomap.xlsx import _write_xlsx_openpyxl, write_xlsx

    n = 3 * len(TRICKY)
    df = pd.DataFrame({
        "text": pd.array((TRICKY * 3)[:n], dtype="str"),
        "object": ([None, "x", 1, 2.5, True, float("nan")] * n)[:n],
        "int8": pd.array(range(n), dtype="int8"),
        "big": [2**40 + i for i in range(n)],
        "float": [35.681236, float("nan"), -0.0, 1e-7, 123456789.123456789, 1 / 3] * (n // 6) + [0.5] * (n % 6),
        "bool": [i % 2 == 0 for i in range(n)],
        "Int64": pd.array([1, None, 3] * (n // 3), dtype="Int64"),
        "cat": pd.Categorical((["a", None, "b"] * n)[:n]),
        7: ["x"] * n,
    })
    write_xlsx(df, tmp_path / "new.xlsx")
    _write_xlsx_openpyxl(df, tmp_path / "old.xlsx")
    cells = {}
    for name in ("new", "old"):
        book = load_workbook(tmp_path / f"{name}.xlsx", read_only=True)
        assert book.sheetnames == ["Sheet1"]
        cells[name] = [[(c.value, c.data_type if c.value is not None else None) for c in row]
                       for row in book.active.iter_rows()]
    # Where the old stream lost or changed a value: a CR read back as a line feed, '#N/A' as an
    # error, unguarded '=1+1' as a formula (write_table guards it first), a float cut to 16
    # digits (123456789.1234568); here all read back as they were.
    kept = {"b\r@SUM(1)": ("b\n@SUM(1)", "s"), "#N/A": ("#N/A", "e"), "=1+1": ("=1+1", "f"),
            123456789.123456789: (123456789.1234568, "n")}
    new = [[kept.get(value, (value, kind)) for value, kind in row] for row in cells["new"]]
    assert new == cells["old"]
    assert [row[4][0] for row in cells["new"][1:]] == [None if v != v else v for v in df["float"]]
    assert [row[0] for row in cells["new"][1:len(TRICKY) + 1]] == [
        (t[:32_767], "s") if t else (None, None) for t in TRICKY]


def test_xlsx_writer_leaves_dates_to_openpyxl(tmp_path):
    from openpyxl import load_workbook

    from geomap.xlsx import write_xlsx

    write_xlsx(pd.DataFrame({"日付": pd.to_datetime(["2024-04-01", None])}), tmp_path / "d.xlsx")
    assert load_workbook(tmp_path / "d.xlsx").active["A2"].value.isoformat() == "2024-04-01T00:00:00"


# Characters no XML 1.0 holds (openpyxl raised IllegalCharacterError on the C0 ones, and wrote
# U+FFFE / U+FFFF into a file nothing opens); tab, LF and CR are kept.
NOT_XML = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"]


@pytest.mark.parametrize("dated", [False, True], ids=["rows as XML", "openpyxl stream"])
def test_xlsx_output_drops_what_xml_cannot_hold_and_counts_the_cells(tmp_path, dated):
    """A list holding control characters is written (no IllegalCharacterError), without them;
    the CSV keeps them; the cells that changed are counted, a header name too."""
    from openpyxl import load_workbook

    from geomap.output import output_cleaned
    from geomap.xlsx import write_xlsx

    n = len(NOT_XML) + 2
    df = pd.DataFrame({
        "名称\x01": pd.array(["a" + c + "b" for c in NOT_XML] + ["tab\tlf\ncr\r", None], dtype="str"),
        "備考": (["x\x0b", 1, 2.5, None, "\ud800孤立"] + ["ok"] * n)[:n],
        "種別": pd.Categorical((["\x1f公園", "公園"] * n)[:n]),
        "式": ["\x01=1+1", " \x02@SUM(1)"] + ["-3"] * (n - 2),
        "lat": [35.0 + i / 4 for i in range(n)],
    })
    if dated:
        df["日付"] = pd.Timestamp("2024-04-01")
    before = df.copy()
    changed = len(NOT_XML) + 2 + (n + 1) // 2 + 2 + 1  # 名称, 備考, 種別, 式, a header
    assert output_cleaned(df, tmp_path / "out.xlsx") == changed
    assert output_cleaned(df, tmp_path / "out.csv") == 0
    path = write_table(df, tmp_path / "out.xlsx")
    rows = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert rows[0][:5] == ["名称", "備考", "種別", "式", "lat"] and len(rows) == n + 1
    cr = "\n" if dated else "\r"  # openpyxl's stream writes a bare CR, which XML reads as LF (as before)
    assert [r[0] for r in rows[1:]] == ["ab"] * len(NOT_XML) + ["tab\tlf\ncr" + cr, None]
    assert [r[1] for r in rows[1:7]] == ["x", 1, 2.5, None, "孤立", "ok"]
    assert [r[2] for r in rows[1:]] == ["公園"] * n
    # the formula guard sees the cleaned text: what hid behind a control character is guarded
    assert [r[3] for r in rows[1:4]] == ["'=1+1", "' @SUM(1)", "-3"]
    assert [r[4] for r in rows[1:]] == df["lat"].tolist()
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is not changed
    # write_xlsx itself cleans, and says how many cells it changed
    assert write_xlsx(df, tmp_path / "direct.xlsx") == changed
    assert write_xlsx(pd.DataFrame({"a": ["x", "y"]}), tmp_path / "plain.xlsx") == 0
    # CSV keeps every character as it was (only the formula guard applies)
    text = write_table(df.drop(columns="備考"), tmp_path / "out.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith('"名称\x01",') and '"\x1f公園"' in text
    assert all(f'"a{c}b"' in text for c in NOT_XML)
    assert '"\x01=1+1"' in text and '" \x02@SUM(1)"' in text


def test_xlsx_output_holds_what_the_csv_output_holds(tmp_path, monkeypatch):
    """A geocoded list written as .xlsx reads back cell for cell as its .csv (blocks of rows, guard, notes)."""
    import geomap
    import geomap.xlsx

    monkeypatch.setattr(geomap.xlsx, "XLSX_ROWS", 1000)  # several blocks
    src = write(tmp_path, "in.csv", open("sample_data/tokyo_wards_facilities.csv", encoding="utf-8").read()
                + "（架空）区だけ,公園,東京都江東区,\n（架空）不明,公園,どこにもない町1-2,3\n")
    df = geomap.geocode_file(src, tmp_path / "one.csv").frame
    df = pd.concat([df] * 20, ignore_index=True)
    # Not the text over Excel's 32,767 characters, nor one of spaces (read_table skips such a cell).
    tricky = [t for t in TRICKY if t.strip() and len(t) < 32_767]
    df["名称"] = [name if i % 7 else tricky[i % len(tricky)] for i, name in enumerate(df["名称"])]
    assert len(df) > 2500 and df["note"].str.len().gt(0).any() and df["lat"].isna().any()
    csv, xlsx = write_table(df, tmp_path / "out.csv"), write_table(df, tmp_path / "out.xlsx")
    back = read_table(xlsx)
    assert back.equals(read_table(csv))
    assert list(back.columns) == [str(c) for c in df.columns] and len(back) == len(df)


def test_xlsx_writer_falls_back_midway_and_finds_spaces_as_python_does(tmp_path, monkeypatch):
    import datetime

    import pyarrow as pa
    import pyarrow.compute as pc
    from openpyxl import load_workbook

    import geomap.xlsx

    # a date far down an object column: the file begun is written again, whole, by openpyxl
    monkeypatch.setattr(geomap.xlsx, "XLSX_ROWS", 2)
    day = datetime.datetime(2024, 4, 1)
    geomap.xlsx.write_xlsx(pd.DataFrame({"a": ["x", 1, 2.5, None, day]}), tmp_path / "late.xlsx")
    assert [c.value for c in load_workbook(tmp_path / "late.xlsx").active["A"]] == ["a", "x", 1, 2.5, None, day]
    # xml:space="preserve" where str.isspace() finds a space at either end, in every code point XML holds
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and not geomap.xlsx._XML_ILLEGAL.match(chr(c))]
    found = pc.match_substring_regex(pa.array(["a" + c for c in chars]), geomap.xlsx._SPACE_AT_END)
    assert [c for c, f in zip(chars, found.to_pylist()) if f != c.isspace()] == []


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".geojson", ".gpkg"])
def test_a_lone_surrogate_is_named_not_a_traceback(tmp_path, suffix):
    # Only a frame made in Python holds one (files are decoded strictly); no file can hold it.
    from geomap.errors import OutputError
    from geomap.messages import error_message

    df = pd.DataFrame({"住所": ["東京都江東区東陽4-11-28", "江東区木場1-5-2"],
                       "メモ": pd.Series(["x", "a\udc80b"], dtype=object), "lat": [35.6, 35.7], "lon": [139.8, 139.8]})
    with pytest.raises(OutputError) as info:
        write_table(df, tmp_path / f"out{suffix}")
    assert info.value.key == "output_unencodable"
    assert "「メモ」の 2 行目" in error_message(info.value, "ja") and "U+DC80" in error_message(info.value, "ja")
    assert list(tmp_path.iterdir()) == []  # nothing half written


def test_a_lone_surrogate_in_the_address_is_named():
    import geomap
    from geomap.errors import InputError

    df = pd.DataFrame({"住所": pd.Series(["東京都江東区東陽4-11-28", "a\udc80b"], dtype=object)})
    with pytest.raises(InputError) as info:
        geomap.geocode_table(df)
    assert info.value.key == "cell_unencodable" and info.value.params["row"] == "2"
