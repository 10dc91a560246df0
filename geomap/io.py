"""Reading address tables: CSV, TSV, text with one address per line, and .xlsx.

The kind of file is told from its first bytes, then its extension. For text, the encoding
is found (strict UTF-8 first, then charset-normalizer, with CP932 preferred over Shift_JIS
because Excel writes CP932); .xlsx rows come from :mod:`geomap.xlsx`. Every cell is read
as a string so postal codes and leading zeros survive; titles above the header are skipped
(:func:`geomap.columns.find_header`); problems become :class:`~geomap.errors.InputError`
with a message key.

Finding the columns is :mod:`geomap.columns`; writing results is :mod:`geomap.output`.
"""

from __future__ import annotations

import codecs
import itertools
import operator
import re
import unicodedata
from pathlib import Path

import pandas as pd

from .columns import (
    ADDRESS_HEADERS,
    HEADER_ROWS_MAX,
    HEADER_SCAN,
    LAT_HEADERS,
    NAME_HEADERS,
    READ_INFO,
    find_header,
    fold_header,
)
from . import textrows
from .errors import InputError, UsageError
from .textrows import Lenient, LineRows, TextColumns, bulk, records, release_arrow_memory, sample_lines, separator

# -- magic bytes ----------------------------------------------------------------------
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # CFB: old .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")
_BINARY_MAGIC = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7z",
    b"SQLite format 3": "SQLite",
    b"MZ": "program",
}
XLSX_SUFFIXES = (".xlsx", ".xlsm")
TEXT_READ_LIMIT = 8192

# -- encodings ------------------------------------------------------------------------
# charset-normalizer's names for the Japanese encodings, mapped to the codec we decode with.
_JAPANESE = {
    "shift_jis": "cp932",  # Excel writes CP932, a superset (①, ㈱, 髙 …)
    "cp932": "cp932",
    "ms932": "cp932",
    "shift_jis_2004": "cp932",
    "shift_jisx0213": "cp932",
    "euc_jp": "euc_jp",
    "euc_jis_2004": "euc_jp",
    "euc_jisx0213": "euc_jp",
    "iso2022_jp": "iso2022_jp",
}

# -- reading --------------------------------------------------------------------------


def read_table(path, *, sheet=None, encoding: str | None = None, header_row: int | None = None) -> pd.DataFrame:
    """Read an address list: CSV, TSV, a text file with one address per line, or .xlsx.

    Parameters
    ----------
    path : str or path-like
        The file. The kind is told from its first bytes, then its extension.
    sheet : str or int, optional
        For .xlsx: the sheet name, or its number from 1. By default the first sheet whose
        header has an address-like column (住所, 所在地, 都道府県 + 市区町村, 緯度 + 経度 …),
        else the first that holds a table.
    encoding : str, optional
        For text files: the encoding; found automatically by default (UTF-8, UTF-8 with
        BOM, UTF-16 with BOM, CP932/Shift_JIS, EUC-JP).
    header_row : int, optional
        The row holding the column names, from 1 (the row number Excel shows; the line
        number of a text file). Rows above it are left out. By default the first row with
        an address-like column name, else the first row as wide as the table: titles and
        dates above the header are skipped.

    Returns
    -------
    pandas.DataFrame
        Every cell a string (empty string for a blank cell); header names stripped;
        rows and unnamed columns that are entirely blank dropped. A text file with one
        column and no recognised header gets the single column ``住所``.
        ``df.attrs[READ_INFO]`` says which row was the header and which sheet was read.

    Raises
    ------
    geomap.errors.InputError
        With the key ``file_not_found``, ``not_a_file``, ``file_unreadable``,
        ``file_empty``, ``header_only``, ``binary_file``, ``undecodable``,
        ``bad_encoding``, ``csv_malformed``, ``csv_wide_row``, ``csv_unclosed_quote``,
        ``csv_field_too_long``, ``xlsx_invalid``, ``xlsx_too_large``, ``xlsx_too_sparse``,
        ``xlsx_encrypted`` or ``xls_old_format``.
    geomap.errors.UsageError
        ``sheet_not_found``, ``unknown_encoding``, ``unusable_encoding``,
        ``bad_header_row``, ``header_row_blank`` or ``header_row_beyond``.

    Examples
    --------
    >>> import geomap
    >>> table = geomap.read_table("sample_data/koto_facilities_sjis.csv")  # Shift_JIS, as Excel saves it
    >>> table.columns.tolist(), len(table)
    (['名称', '種別', '住所', '定員'], 120)
    >>> geomap.read_table("sample_data/koto_facilities.xlsx", sheet=1).shape
    (120, 4)
    """
    header_row = _check_header_row(header_row)
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise InputError(f"input file {shown!r} does not exist", key="file_not_found", path=shown)
    if p.is_dir():
        raise InputError(f"{shown!r} is a directory", key="not_a_file", path=shown)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {shown!r}: {exc}", key="file_unreadable", path=shown,
                         reason=exc.strerror or exc.__class__.__name__) from exc
    if not data.strip(b" \t\r\n\x00\x1a") or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
    suffix = p.suffix.lower()
    if data.startswith(OLE2_MAGIC):
        if _ENCRYPTED_OOXML in data:
            raise InputError(f"{shown!r} is password-protected", key="xlsx_encrypted", path=shown)
        if suffix in XLSX_SUFFIXES:
            raise InputError(f"{shown!r} is not an .xlsx workbook", key="xlsx_invalid", path=shown)
        raise InputError(f"{shown!r} is an old .xls workbook", key="xls_old_format", path=shown)
    info = {"sheet": None, "sheets": 0}
    if data.startswith(ZIP_MAGIC) or suffix in XLSX_SUFFIXES:
        if not data.startswith(ZIP_MAGIC):
            raise InputError(f"{shown!r} is not an .xlsx workbook", key="xlsx_invalid", path=shown)
        from .xlsx import read_xlsx  # only for workbooks: a CSV list does not load it

        rows, merges, info = read_xlsx(data, shown, sheet, header_row)
        df, header = _frame(rows, shown, header_row=header_row, merges=merges)
    else:
        text = _decode(data, shown, encoding)
        del data  # the text is all that is read from now on
        df, header = _read_text(text, shown, suffix, header_row)
        del text
    df = _tidy(df, shown)
    df.attrs[READ_INFO] = {"header_row": header, **info}
    release_arrow_memory()  # the batches' and _tidy's freed arrays, kept by Arrow's allocator
    return df


def _check_header_row(value) -> int | None:
    if value is None:
        return None
    number = None
    if isinstance(value, str) and unicodedata.normalize("NFKC", value).strip().isdigit():
        number = int(unicodedata.normalize("NFKC", value))
    elif not isinstance(value, (bool, float, str)):
        try:
            number = operator.index(value)
        except TypeError:
            number = None
    if number is None or number < 1:
        raise UsageError(f"header_row must be a row number from 1, not {value!r}", key="bad_header_row",
                         value=str(value))
    return number


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:TEXT_READ_LIMIT]
    if b"\x00" in head:
        return "binary"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12, 26, 27))
    if controls > max(8, len(head) // 100):
        return "binary"
    return None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


_IMPLAUSIBLE = re.compile("[\x80-\x9f\ue000-\uf8ff]")


def _decode(data: bytes, shown: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except (LookupError, ValueError, TypeError):
            raise UsageError(f"unknown encoding {encoding!r}", key="unknown_encoding", encoding=encoding) from None
        try:
            return data.decode(encoding)
        except UnicodeError as exc:
            start = getattr(exc, "start", 0)
            raise InputError(
                f"{shown!r} cannot be decoded as {encoding}", key="bad_encoding", path=shown,
                encoding=encoding, line=_line_of(data, start if isinstance(start, int) else 0),
            ) from exc
        except (LookupError, ValueError, TypeError):
            # A codec that is not a text encoding (rot13, base64, zlib …): bytes.decode refuses it.
            raise UsageError(f"{encoding!r} is not a text encoding", key="unusable_encoding",
                             encoding=encoding) from None
    # Excel's "Unicode text" is UTF-16 with a BOM (and has NUL bytes, so look before sniffing binaries).
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"{shown!r} is not a text table ({kind})", key="binary_file", path=shown, kind=kind)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # Not UTF-8: let charset-normalizer rank the candidates, but only trust a Japanese
    # answer; on short files it often says cp1252 or similar for CP932 bytes.
    from charset_normalizer import from_bytes

    tried = []
    for match in from_bytes(data, cp_isolation=None):
        codec = _JAPANESE.get(codecs.lookup(match.encoding).name.replace("-", "_"))
        if codec and codec not in tried:
            tried.append(codec)
    for codec in tried + [c for c in ("cp932", "euc_jp") if c not in tried]:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        # Python's cp932 maps 0x80, 0xA0 and 0xFD-0xFF to C1 controls and private-use
        # characters instead of failing: text holding those was not written in CP932.
        if not _IMPLAUSIBLE.search(text):
            return text
    raise InputError(f"cannot tell the encoding of {shown!r}", key="undecodable", path=shown,
                     line=_line_of(data, first_bad))


def _read_text(text: str, shown: str, suffix: str, header_row: int | None) -> tuple[pd.DataFrame, int | None]:
    """The table of a text file and its header's row number (see :func:`_frame`).

    A file that is not delimited has one address per line: commas inside an address are
    not separators; its lines after the header are taken a block at a time
    (:class:`geomap.textrows.LineRows`). Rows of delimited text are read one at a time into
    the frame's columns. Either way a list of millions is never held as one Python list of rows.
    """
    text = text.lstrip("\ufeff")
    sample = list(itertools.islice((ln for ln in sample_lines(text) if ln.strip()), HEADER_SCAN))
    if not sample:
        raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
    sep = separator(sample, suffix)
    if sep is None:
        with bulk():
            return _frame(LineRows(text), shown, header_row=header_row)
    for strict in (True, False):
        try:
            with bulk():
                return _frame(records(text, shown, sep, strict), shown, header_row=header_row, strict=True)
        except Lenient:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _filled(cells) -> list[str]:
    return [v for v in cells if v.strip()]


def _width(cells) -> int:
    """The number of cells up to the last that holds something."""
    for i in range(len(cells) - 1, -1, -1):
        if cells[i].strip():
            return i + 1
    return 0




def _frame(rows, shown: str, *, header_row: int | None = None, strict: bool = False,
           merges=()) -> tuple[pd.DataFrame, int | None]:
    """A DataFrame from ``(row number, cells)`` rows, and the number of the row read as the header.

    ``rows`` may be an iterator: it is read once, and every :data:`geomap.textrows.BATCH` rows become
    text columns, so the cells are never all held as Python strings.
    ``strict``: a delimited text file, where a row with more fields than the header means
    an unquoted separator (``江東区三好3-15-12, 2F``) and is refused, never shifted.
    ``merges``: merged cells of an .xlsx sheet as ``(first row, last row, anchor index,
    column indexes)``; a header merged over several rows is read as one.
    Problems with the header are reported only after every row was read, so a file that
    cannot be parsed says so first, as when it was read whole.
    """
    rows = iter(rows)
    if header_row is not None:
        head, last = [], None
        for row in rows:
            last = row[0]
            if last >= header_row:
                head.append(row)
                break
        if not head:
            if last is None:
                raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
            raise UsageError(f"header row {header_row} is below the last row ({last})",
                             key="header_row_beyond", row=header_row, last=last)
        if head[0][0] != header_row:
            for _ in rows:  # a parse error further down is said first
                pass
            raise UsageError(f"header row {header_row} is blank", key="header_row_blank", row=header_row)
        h = 0
    else:
        head = list(itertools.islice(rows, HEADER_SCAN))
        if not head:
            raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
        h, _ = find_header([_filled(cells) for _, cells in head])
    # A header merged down over the next rows: they are in ``head`` too.
    head += itertools.islice(rows, max(0, h + HEADER_ROWS_MAX - len(head)))
    number, header = head[h]
    names, data = _header_names(head, h, merges)
    width = len(names)
    narrow = _width(header) <= 1  # one column, as long as no row is wider
    first = header[0].strip() if header else ""
    # One column whose first row is an address, not a header.
    address_first = narrow and header_row is None and (
        fold_header(first) not in ADDRESS_HEADERS | LAT_HEADERS | NAME_HEADERS and not _looks_like_header(first))
    if isinstance(rows, LineRows):  # one stripped cell a row: no row is wider, the rest is one column
        values = ([first] if address_first else []) + [cells[0] for _, cells in data]
        column = rows.column(before=values)
        del head, data, values
        if address_first:
            return pd.DataFrame({"住所": column}), None
        return pd.DataFrame({0: column}).set_axis(_dedupe([names[0].strip() or "Unnamed: 0"]), axis=1), number
    columns = TextColumns(width)
    stripped = TextColumns(1) if address_first else None  # the first cells stripped, while narrow
    wide, batch = [], []
    for n, cells in itertools.chain(data, rows):
        if strict and len(cells) > width:
            fields = _width(cells)
            if fields > width:
                wide.append((n, fields))
        if narrow and _width(cells) > 1:
            narrow, stripped = False, None
        if stripped is not None:
            stripped.add_cells([cells[0].strip() if cells else ""])
        batch.append(cells if len(cells) == width else cells[:width] + [""] * (width - len(cells)))
        if len(batch) == textrows.BATCH:
            columns.add(batch)
            batch = []
    columns.add(batch)
    del batch, head, data
    if wide:
        (line, fields), more = wide[0], len(wide) - 1
        raise InputError(
            f"{shown!r}: line {line} has {fields} fields, the header {width}",
            key="csv_wide_rows" if more else "csv_wide_row", path=shown, line=line, fields=fields,
            expected=width, more=more,
        )
    if narrow:
        if address_first:
            return pd.DataFrame({"住所": stripped.column(0, before=[first])}), None
        names, width = names[:1], 1
    labels = _dedupe([name.strip() or f"Unnamed: {i}" for i, name in enumerate(names)])
    return pd.DataFrame(dict(zip(range(width), (columns.column(j) for j in range(width))))).set_axis(
        labels, axis=1), number


def _header_names(rows: list, h: int, merges) -> tuple[list[str], list]:
    """The column names from row ``h`` and the rows below it.

    A header cell merged down over the next rows (an .xlsx header in two rows: 連絡先 over
    電話 and FAX) makes those rows part of the header; each name joins the texts above it.
    """
    number, header = rows[h]
    end = max((last for first, last, _, _ in merges if first == number and last > number), default=number)
    end = min(end, number + HEADER_ROWS_MAX - 1)
    k = h + 1
    while k < len(rows) and rows[k][0] <= end:
        k += 1
    if k == h + 1:
        return list(header), rows[h + 1:]
    block = {n: cells for n, cells in rows[h:k]}
    names = []
    for j in range(len(header)):
        parts = []
        for n in range(number, end + 1):
            value = block[n][j].strip() if n in block else ""
            if not value:
                for first, last, anchor, columns in merges:
                    if first <= n <= last and j in columns and anchor is not None and first in block:
                        value = block[first][anchor].strip()
                        break
            if value and value not in parts:
                parts.append(value)
        names.append(" ".join(parts))
    return names, rows[k:]


def _looks_like_header(value: str) -> bool:
    """A single-column first line is a header unless it looks like an address."""
    text = unicodedata.normalize("NFKC", str(value))
    return not (re.search(r"\d", text) or re.search(r"[都道府県市区町村郡]", text))




def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out




def _tidy(df: pd.DataFrame, shown: str) -> pd.DataFrame:
    df = df.copy()
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    df = df.fillna("").astype(str)
    blank = df.apply(lambda col: col.str.strip() == "")
    # Trailing commas from Excel give "Unnamed: 5" columns with nothing in them.
    drop = [c for c in df.columns if c.startswith("Unnamed: ") and blank[c].all()]
    if drop:  # else no new frame
        df, blank = df.drop(columns=drop), blank.drop(columns=drop)
    blank = blank.all(axis=1)
    if blank.any():  # else no copy of a large table
        df = df.loc[~blank]
    df = df.reset_index(drop=True)
    if df.shape[1] == 0:
        raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
    if len(df) == 0:
        raise InputError(f"input file {shown!r} has a header but no rows", key="header_only", path=shown)
    return df


__all__ = ["READ_INFO", "read_table"]
