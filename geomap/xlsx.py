"""Reading an .xlsx workbook's rows, safely.

A workbook is a zip of XML parts. Before openpyxl sees it, its parts are checked (no zip
bomb, no DTD); then the chosen sheet is walked row by row and only the cells that hold
something are kept, so memory follows the data, not the sheet's stated size. Merged cells
that start in the header rows are kept, so a header merged over two rows reads as one name.
The sheet is the one asked for, else the first whose header names an address.
:func:`geomap.io.read_table` calls :func:`read_xlsx` and builds the table from its rows.

Writing: :func:`write_xlsx` (what ``geomap.output.write_table`` calls for ``.xlsx``) streams a
frame's rows into one sheet as XML, with openpyxl making the workbook around it.
"""

from __future__ import annotations

import bisect
import io
import re
import unicodedata
import warnings
import zipfile
import zlib

from .columns import HEADER_ROWS_MAX, HEADER_SCAN, find_header, typical_width
from .errors import GeomapError, InputError, UsageError

#: An .xlsx whose parts unpack to more than this is refused: no address list is that big,
#: and openpyxl holds the shared strings in memory.
XLSX_MAX_UNPACKED = 200 * 2**20
#: An .xlsx unpacking to more than this many times its own size is refused too, once the
#: parts pass :data:`XLSX_RATIO_FROM` (real workbooks unpack to 5–20 times their size).
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM = 20 * 2**20
#: More parts than this is no workbook a person made (each sheet takes one or two).
XLSX_MAX_PARTS = 10_000
_XML_HEAD = 64 * 1024  # where a DTD would be, before the root element
#: A sheet whose rows × columns holding data exceed :data:`XLSX_DENSE_FREE` cells and this
#: many times the cells that hold a value is a few cells far apart, not a list: refused.
XLSX_MAX_SPREAD = 20
XLSX_DENSE_FREE = 1_000_000


def _xlsx_invalid(shown: str, exc: BaseException | None = None) -> InputError:
    detail = f": {exc.__class__.__name__}: {exc}" if exc is not None else ""
    return InputError(f"{shown!r} is not a readable .xlsx workbook{detail}", key="xlsx_invalid", path=shown)


def _check_xlsx_parts(data: bytes, shown: str) -> None:
    """Refuse a workbook built to exhaust memory or to abuse the XML parser.

    Its parts must not unpack to far more than any list (a zip bomb: zipfile never gives
    more than a part's stated size, so the stated sizes bound the work), and no XML part
    may declare a DTD (entities: Excel never writes one; expat would also stop an
    entity expansion or an external entity, this says so before openpyxl starts).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            unpacked = sum(max(0, info.file_size) for info in infos)
            if (len(infos) > XLSX_MAX_PARTS or unpacked > XLSX_MAX_UNPACKED
                    or (unpacked > XLSX_RATIO_FROM and unpacked > XLSX_MAX_RATIO * len(data))):
                raise InputError(f"{shown!r} unpacks to {unpacked:,} bytes in {len(infos)} parts",
                                 key="xlsx_too_large", path=shown, size=f"{unpacked / 2**20:,.0f}")
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with archive.open(info) as part:
                        head = part.read(_XML_HEAD)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise ValueError(f"{info.filename} declares a DTD")
    except GeomapError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
            RuntimeError, zlib.error) as exc:  # damaged, encrypted or oddly compressed parts; a DTD
        raise _xlsx_invalid(shown, exc) from exc


def read_xlsx(data: bytes, shown: str, sheet, header_row: int | None) -> tuple[list, list, dict]:
    """The chosen sheet's rows holding data (over the columns holding data), its merges, and what was read."""
    _check_xlsx_parts(data, shown)
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it does not know: nothing for the user.
        warnings.simplefilter("ignore")
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (GeomapError, MemoryError):
            raise
        except Exception as exc:  # whatever openpyxl raises on a damaged or hostile file is the file's fault
            raise _xlsx_invalid(shown, exc) from exc
        try:
            sheets = list(wb.worksheets)
            ws = _choose_sheet(wb, sheets, sheet, shown)
            cells, merges = _sheet_cells(wb, ws, header_row=header_row)
        except (GeomapError, MemoryError):
            raise
        except Exception as exc:  # ParseError (a SyntaxError), ValueError (#DIV/0! as a number), KeyError …
            raise _xlsx_invalid(shown, exc) from exc
        finally:
            wb.close()
    info = {"sheet": ws.title, "sheets": len(sheets), "sheet_names": [s.title for s in sheets]}
    if not cells:
        raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
    used = sorted({column for _, row in cells for column, _ in row})
    filled = sum(len(row) for _, row in cells)
    spread = len(cells) * len(used)
    if spread > XLSX_DENSE_FREE and spread > XLSX_MAX_SPREAD * filled:
        raise InputError(f"{shown!r}: {filled} cells spread over {len(cells)} rows and {len(used)} columns",
                         key="xlsx_too_sparse", path=shown, sheet=ws.title, rows=f"{len(cells):,}",
                         columns=f"{len(used):,}", cells=f"{filled:,}")
    index = {column: i for i, column in enumerate(used)}
    rows = []
    for number, row in cells:
        dense = [""] * len(used)
        for column, text in row:
            dense[index[column]] = text
        rows.append((number, dense))
    spans = []
    for first_col, first_row, last_col, last_row in merges:
        columns = {index[c] for c in used[bisect.bisect_left(used, first_col):bisect.bisect_right(used, last_col)]}
        if columns:
            spans.append((first_row, last_row, index.get(first_col), columns))
    return rows, spans, info


def _choose_sheet(wb, sheets: list, sheet, shown: str):
    names = [ws.title for ws in sheets]
    if not wb.sheetnames:  # every workbook has a sheet; openpyxl leaves out those whose part is missing
        raise _xlsx_invalid(shown)
    if not sheets:  # chart sheets only
        raise InputError(f"input file {shown!r} has no worksheet", key="file_empty", path=shown)
    if sheet is not None and sheet != "":
        if str(sheet) in names:
            return sheets[names.index(str(sheet))]
        number = unicodedata.normalize("NFKC", str(sheet)).strip()
        if number.isdigit() and 1 <= int(number) <= len(sheets):
            return sheets[int(number) - 1]
        raise UsageError(f"no sheet {sheet!r}; sheets are {names!r}", key="sheet_not_found",
                         sheet=str(sheet), sheets=list(names))
    # A cover sheet, an empty first sheet or notes come before the list: take the first
    # sheet whose header names an address, else the first holding a table, else any.
    table = some = None
    for ws in sheets:
        head, _ = _sheet_cells(wb, ws, limit=HEADER_SCAN)
        if not head:
            continue
        values = [[text for _, text in row] for _, row in head]
        if find_header(values)[1]:
            return ws
        some = some or ws
        if table is None and typical_width([len(v) for v in values]) >= 2:
            table = ws
    return table or some or sheets[0]


def _sheet_cells(wb, ws, *, limit: int | None = None, header_row: int | None = None) -> tuple[list, list]:
    """``(row number, [(column, text), …])`` for the rows of ``ws`` holding data, and its merged ranges.

    Only cells that hold something are kept, so memory follows the data, not the sheet's
    stated dimension (a stray cell at XFD1048576 costs one cell). ``limit``: stop after
    that many rows holding data. Merged ranges are kept when they start in the rows where
    the header can be.
    """
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.functions import iterparse

    # openpyxl's parser turns a <c> element into a value (shared strings, dates from the
    # cell's style, booleans, errors); the XML is walked here so that nothing but the rows
    # holding data is kept, whatever else the sheet holds.
    source = ws._get_source()
    parser = WorkSheetParser(source, ws._shared_strings, data_only=True, epoch=wb.epoch,
                             date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
    rows, merges = [], []
    header_until = 0  # the last row number where the header can be
    stack = []  # the open elements, root first
    in_row = 0  # elements opened inside the current row
    with source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if in_row or (element.tag == _ROW_TAG and len(stack) == 2 and stack[1].tag == _SHEET_DATA_TAG):
                    in_row += 1
                    if in_row > ROW_ELEMENTS_MAX:
                        raise ValueError(f"a row of sheet {ws.title!r} holds more than {ROW_ELEMENTS_MAX} elements")
                stack.append(element)
                continue
            stack.pop()
            parent = stack[-1] if stack else None
            if in_row:
                if element.tag != _ROW_TAG or len(stack) != 2:
                    continue  # a cell inside the row: read with the row
                in_row = 0
                number, cells = parser.parse_row(element)
                parser.row_dimensions.clear()
                row = []
                for cell in cells:
                    text = _cell_text(cell["value"])
                    if text.strip():
                        row.append((cell["column"], text))
                if row:
                    rows.append((number, row))
                    if len(rows) <= HEADER_SCAN or number <= (header_row or 0) + HEADER_ROWS_MAX:
                        header_until = number + HEADER_ROWS_MAX
                    if limit is not None and len(rows) >= limit:
                        break
            elif element.tag == _MERGE_TAG:
                try:
                    first_col, first_row, last_col, last_row = range_boundaries(element.get("ref", ""))
                except (ValueError, TypeError):
                    first_row = None  # a damaged range merges nothing
                if first_row is not None and first_row <= header_until:
                    merges.append((first_col, first_row, last_col, last_row))
            if parent is not None:
                parent.clear()  # drop what has been read (rows, columns, styles …) as the parse goes
    return rows, merges


_SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW_TAG = f"{{{_SHEET_MAIN}}}row"
_SHEET_DATA_TAG = f"{{{_SHEET_MAIN}}}sheetData"
_MERGE_TAG = f"{{{_SHEET_MAIN}}}mergeCell"
#: Elements one row may hold: Excel's 16,384 columns, a few elements each.
ROW_ELEMENTS_MAX = 16384 * 6


def _cell_text(value) -> str:
    """An Excel cell as the text the user sees (integers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    return str(value)


# -- writing -------------------------------------------------------------------------------

#: Rows turned into worksheet XML at a time by :func:`write_xlsx`.
XLSX_ROWS = 20_000
#: zlib level for the workbook's parts: 3 deflates the sheet's XML 3 times as fast as the
#: usual 6, to a file 15 % larger.
XLSX_DEFLATE = 3
#: Excel's longest cell text; openpyxl cuts text there too.
XLSX_TEXT_MAX = 32_767
#: What no XML 1.0 document can hold: C0 controls but tab, LF and CR (openpyxl: IllegalCharacterError),
#: U+FFFE, U+FFFF and lone surrogates (openpyxl writes those, and no reader opens the file).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_ILLEGAL_UTF8 = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"  # the same for Arrow (UTF-8 holds no surrogate)
_SHEET_DATA = re.compile(rb"<sheetData\s*(?:/>|>\s*</sheetData>)")


class _NotPlain(Exception):
    """A value :func:`write_xlsx` leaves to openpyxl (a date, a time …)."""


def xml_clean(df, *, cells: bool = True):
    """``df`` without the characters no XML can hold (:data:`_XML_ILLEGAL`) in its text cells and
    column names, and how many cells (names included) lost some; columns without any are shared.

    ``cells=False``: the names only, for a frame whose cells were cleaned already."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    out, changed = df.copy(deep=False), 0
    for i in range(df.shape[1] if cells else 0):
        column = df.iloc[:, i]
        if not (column.dtype == object or isinstance(column.dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(column.dtype)):
            continue
        try:  # text only: found by Arrow; text and other values (or a surrogate): by Python
            values = pa.array(column, from_pandas=True)
            if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
                raise TypeError(values.type)
            found = pc.fill_null(pc.match_substring_regex(values, _XML_ILLEGAL_UTF8), False)
            bad = np.flatnonzero(np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool))
        except (pa.ArrowException, TypeError, ValueError):
            bad = [k for k, v in enumerate(column.tolist()) if isinstance(v, str) and _XML_ILLEGAL.search(v)]
        if len(bad):
            fixed = column.astype(object) if isinstance(column.dtype, pd.CategoricalDtype) else column.copy()
            fixed.iloc[bad] = [_XML_ILLEGAL.sub("", v) for v in column.iloc[bad].tolist()]
            out.isetitem(i, fixed)
            changed += len(bad)
    if any(isinstance(c, str) and _XML_ILLEGAL.search(c) for c in df.columns):
        changed += sum(isinstance(c, str) and _XML_ILLEGAL.search(c) is not None for c in df.columns)
        out.columns = [_XML_ILLEGAL.sub("", c) if isinstance(c, str) else c for c in df.columns]
    return out, changed


def write_xlsx(df, path, *, clean_cells: bool = True) -> int:
    """Write ``df`` as one worksheet ("Sheet1"), as ``df.to_excel(path, index=False)`` reads back.

    Characters no XML can hold are taken out of text and names first (:func:`xml_clean`); the
    number of cells that lost some is returned, for the user to be told. ``clean_cells=False``:
    the cells were cleaned already (``write_table`` cleans before its formula guard), so only
    the names are, and the whole frame is not scanned a second time.

    A header row of the column names, then the values: text as inline text (never a formula),
    numbers with the digits that read back the same number (``repr``, as the CSV has them;
    openpyxl wrote 16), booleans; a missing value is no cell.
    openpyxl makes the workbook around an empty sheet; its rows are written here as XML, column
    by column, :data:`XLSX_ROWS` rows at a time, instead of an object made and serialised per
    cell (100,000 rows × 16 columns: about 1 s against 13-15 s). A frame holding anything else
    (dates, times …) is written by openpyxl's write-only stream
    (:func:`_write_xlsx_openpyxl`). Not atomic: :func:`write_table` gives it a temporary path.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    df, cleaned = xml_clean(df, cells=clean_cells)
    book = Workbook(write_only=True)
    book.create_sheet("Sheet1")
    skeleton = io.BytesIO()
    book.save(skeleton)
    with zipfile.ZipFile(skeleton) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    sheet = [k for k, (info, _) in enumerate(parts) if info.filename == "xl/worksheets/sheet1.xml"]
    split = _SHEET_DATA.search(parts[sheet[0]][1]) if sheet else None
    letters = [get_column_letter(i + 1) for i in range(df.shape[1])]
    try:
        names = [c if isinstance(c, (int, float)) and not isinstance(c, bool) else str(c) for c in df.columns]
        header = _xlsx_cells(names)
        header = _xlsx_rows(letters, [header.slice(k, 1) for k in range(len(names))], 1)
        if split is None:  # an openpyxl that writes its empty sheet otherwise
            raise _NotPlain
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_DEFLATE) as dst:
            for k, (info, data) in enumerate(parts):
                if k != sheet[0]:
                    dst.writestr(info, data)
                    continue
                # by name: a ZipInfo would be deflated at zlib's default level, not XLSX_DEFLATE
                with dst.open(info.filename, "w", force_zip64=len(df) * len(letters) > 2**22) as out:
                    out.write(data[:split.start()] + b"<sheetData>")
                    out.write(header)
                    for start in range(0, len(df), XLSX_ROWS):
                        part = df.iloc[start:start + XLSX_ROWS]
                        out.write(_xlsx_rows(letters, [_xlsx_column(part.iloc[:, i]) for i in range(len(letters))],
                                             start + 2))
                    out.write(b"</sheetData>" + data[split.end():])
    except _NotPlain:
        _write_xlsx_openpyxl(df, path)
    return cleaned


def _write_xlsx_openpyxl(df, path) -> None:
    """openpyxl's write-only stream, a cell object per value: for frames :func:`write_xlsx` does not write itself."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append([c if isinstance(c, (int, float)) and not isinstance(c, bool) else str(c) for c in df.columns])
    for start in range(0, len(df), XLSX_ROWS):
        part = df.iloc[start:start + XLSX_ROWS].astype(object)
        for row in part.where(part.notna(), None).to_numpy(dtype=object).tolist():
            sheet.append(row)
    book.save(path)


def _xlsx_rows(letters: list[str], columns: list, first: int):
    """``<row>`` elements from each column's cell bodies (null: no cell), numbered from ``first``, as one buffer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not columns:
        return b""
    n = len(columns[0])
    r = pc.cast(pa.array(range(first, first + n), pa.int64()), pa.large_string())
    join = pc.binary_join_element_wise
    cells = [join(_text(f'<c r="{letter}'), r, _text('"'), body, _text(""), null_handling="emit_null")
             for letter, body in zip(letters, columns)]
    rows = join(_text('<row r="'), r, _text('">'), *cells, _text("</row>"), _text(""),
                null_handling="replace", null_replacement="")
    return pc.binary_join(pa.LargeListArray.from_arrays(pa.array([0, n], pa.int64()), rows), _text(""))[0].as_buffer()


def _xlsx_column(column):
    """The cell bodies of one column, what follows ``<c r="A2"``, as an Arrow array (null: no cell)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pa.array([_BOOL_CELLS[v] for v in column.tolist()], pa.large_string())
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        return pa.array([_xlsx_number(v) for v in column.tolist()], pa.large_string())
    if pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype) and dtype != object:
        return _xlsx_texts(pa.array(column, from_pandas=True))
    if dtype == object or isinstance(dtype, pd.CategoricalDtype) or (
            isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iufb"):
        return _xlsx_cells(column.astype(object).tolist())
    raise _NotPlain  # dates, times, periods …: openpyxl gives them a number format


def _xlsx_cells(values: list):
    """Cell bodies of values of any kind (an object column, the header): the texts together, then the rest."""
    import pyarrow as pa

    texts = [k for k, v in enumerate(values) if isinstance(v, str)]
    bodies = [None if isinstance(v, str) else _xlsx_value(v) for v in values]
    for k, body in zip(texts, _xlsx_texts(pa.array([values[k] for k in texts], pa.large_string())).to_pylist()):
        bodies[k] = body
    return pa.array(bodies, pa.large_string())


def _xlsx_texts(values):
    """Cell bodies of text values (null or empty: no cell), escaped for XML; whitespace kept at either end.

    Text is cut at :data:`XLSX_TEXT_MAX` characters; a CR is written as a character reference (XML
    reads a bare one as a line feed). A character no XML can hold (:func:`xml_clean` takes them out
    first): :class:`_NotPlain`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.cast(values, pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pc.any(pc.match_substring_regex(values, _XML_ILLEGAL_UTF8)).as_py():
        raise _NotPlain
    present = pc.and_(pc.is_valid(values), pc.greater(pc.binary_length(values), 0))
    values = pc.utf8_slice_codeunits(values, 0, XLSX_TEXT_MAX)  # code points, as Python slices
    space = pc.match_substring_regex(values, _SPACE_AT_END)
    for char, reference in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        values = pc.replace_substring(values, char, reference)
    head = pc.if_else(space, _text(' t="inlineStr"><is><t xml:space="preserve">'), _text(' t="inlineStr"><is><t>'))
    body = pc.binary_join_element_wise(head, values, _text("</t></is></c>"), _text(""))
    return pc.if_else(present, body, pa.scalar(None, pa.large_string()))


def _text(value: str):
    import pyarrow as pa

    return pa.scalar(value, pa.large_string())


def _xlsx_number(v: int | float) -> str | None:
    """A Python number's cell: as many digits as read back the same number (the CSV's), as ``repr``."""
    if v != v:  # NaN: a missing value
        return None
    return f' t="n"><v>{v!r}</v></c>' if abs(v) != _INF else ' t="n"><v></v></c>'  # inf: as openpyxl


def _xlsx_value(v) -> str | None:
    """The cell body of one value other than text (None: no cell)."""
    import numpy as np
    import pandas as pd

    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return _BOOL_CELLS[bool(v)]
    if isinstance(v, (int, float)):
        return _xlsx_number(v)
    if isinstance(v, (np.integer, np.floating)):
        return _xlsx_number(v.item())
    raise _NotPlain


_INF = float("inf")
_BOOL_CELLS = (' t="b"><v>0</v></c>', ' t="b"><v>1</v></c>')
# What str.isspace() finds at either end (RE2's \s alone is ASCII); the control characters it
# also finds are refused before.
_SPACE_AT_END = r"^[\s\p{Z}\x{85}]|[\s\p{Z}\x{85}]$"


__all__ = ["read_xlsx", "write_xlsx", "xml_clean"]
