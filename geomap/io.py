"""Reading address tables (CSV, TSV, text, .xlsx) and writing results safely.

Reading: the encoding is found (strict UTF-8 first, then charset-normalizer, with CP932
preferred over Shift_JIS because Excel writes CP932); every cell is read as a string so
postal codes and leading zeros survive; problems become :class:`~geomap.errors.InputError`
with a message key.

Writing: every output goes to a temporary file in the target folder and is renamed into
place (:func:`atomic_path`), so an interrupted run leaves no half-written file; the input
is never an output; CSV is UTF-8 with BOM so Excel opens it, with formula injection
neutralised.
"""

from __future__ import annotations

import bisect
import codecs
import collections
import contextlib
import csv
import gc
import io
import itertools
import operator
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import GeomapError, InputError, OutputError, UsageError

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


# -- column names ---------------------------------------------------------------------
def _norm(name) -> str:
    """Header text folded for matching: NFKC, lower case, no spaces, brackets or _-・."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return re.sub(r"[\s_\-・/()（）\[\]「」:：.]", "", text)


_ADDRESS = {"住所", "所在地", "所在地住所", "住所地", "所在", "施設住所", "施設所在地", "所在地の住所",
            "address", "addr", "fulladdress", "住所所在地", "じゅうしょ"}
_PREF = {"都道府県", "都道府県名", "都道府県名称", "県", "都府県", "prefecture", "pref"}
_CITY = {"市区町村", "市区町村名", "市町村", "市町村名", "市区郡町村", "市区郡町村名", "市区町村名称", "区市町村",
         "区市町村名", "自治体", "自治体名", "city", "municipality"}
_TOWN = {"町域", "町域名", "町名", "町丁目", "町丁目名", "大字町丁目", "大字町丁目名", "町字", "大字", "町村",
         "town", "町丁", "地区"}
_BLOCK = {"番地", "番地等", "丁目番地", "番地号", "地番", "番地以下", "丁目番地号", "street", "block", "banchi"}
_LAT = {"緯度", "lat", "latitude", "y座標緯度", "緯度10進"}
_LON = {"経度", "lon", "lng", "long", "longitude", "x座標経度", "経度10進"}
_NAME = {"名称", "施設名", "施設名称", "名前", "事業所名", "事業所名称", "店舗名", "事業者名", "name", "title", "名"}
_CATEGORY = {"種別", "分類", "種類", "区分", "カテゴリ", "カテゴリー", "業種", "category", "type", "kind", "class"}
_NOT_ADDRESS = ("郵便", "〒", "mail", "メール", "url", "電話", "tel", "fax", "カナ", "かな", "フリガナ", "ふりがな",
                "よみ", "読み", "ローマ", "english", "英")

#: Header names recognised as the address column (folded as by matching).
ADDRESS_NAMES = sorted(_ADDRESS)


@dataclass
class Columns:
    """The columns :func:`find_columns` chose.

    Attributes
    ----------
    address : str or None
        The single address column.
    parts : list of str
        Split address columns in order (都道府県, 市区町村, 町域, 番地 …); joined into one
        address. With ``address`` also set, only the parts its rows lack are put before it.
    lat, lon : str or None
        Latitude and longitude columns, used as they are (not geocoded).
    name, category : str or None
        Columns for marker labels and colours.
    """

    address: str | None = None
    parts: list = field(default_factory=list)
    lat: str | None = None
    lon: str | None = None
    name: str | None = None
    category: str | None = None

    @property
    def has_address(self) -> bool:
        return bool(self.address or self.parts)

    @property
    def has_latlon(self) -> bool:
        return bool(self.lat and self.lon)

    def used(self) -> list[str]:
        """The columns that feed the geocoder or the coordinates, in table order."""
        cols = ([self.address] if self.address else []) + list(self.parts)
        if self.has_latlon:
            cols += [self.lat, self.lon]
        return cols


def _first(columns, names: set, used=()) -> str | None:
    for column in columns:
        if column not in used and _norm(column) in names:
            return column
    return None


def find_columns(df: pd.DataFrame, *, address_column: str | None = None) -> Columns:
    """Find the address, split-address, latitude/longitude, name and category columns.

    Parameters
    ----------
    df : pandas.DataFrame
        A table as :func:`read_table` returns it.
    address_column : str, optional
        Use this column as the address (the user knows best); it must exist.

    Returns
    -------
    Columns
        What was found. The caller decides what to do when nothing is; see
        :func:`require_columns`.

    Raises
    ------
    geomap.errors.UsageError
        ``column_not_found`` if ``address_column`` is not a column of ``df``.

    Examples
    --------
    >>> import pandas as pd
    >>> find_columns(pd.DataFrame(columns=["名称", "所在地", "緯度", "経度"])).address
    '所在地'
    """
    columns = [c for c in df.columns]
    found = Columns()
    if address_column is not None:
        found.address = check_column(df, address_column, "--address-column")
    else:
        found.address = _first(columns, _ADDRESS)
        if found.address is None:
            # 住所1 + 住所2, 施設の所在地 …: any header that says 住所/所在地/address and is not
            # a postal code, a reading or a mail address.
            loose = [c for c in columns
                     if any(w in _norm(c) for w in ("住所", "所在地", "address"))
                     and not any(w in _norm(c) for w in _NOT_ADDRESS)]
            if len(loose) == 1:
                found.address = loose[0]
            elif loose:
                found.parts = loose
    pref = _first(columns, _PREF)
    city = _first(columns, _CITY)
    if found.address is None and not found.parts:
        town = _first(columns, _TOWN)
        block = _first(columns, _BLOCK)
        if city or (pref and town):
            found.parts = [c for c in (pref, city, town, block) if c]
    elif found.address is not None and address_column is None:
        # 都道府県 / 市区町村 columns beside a 住所 column that may leave them out.
        found.parts = [c for c in (pref, city) if c and c != found.address]
    found.lat = _first(columns, _LAT) or next((c for c in columns if _norm(c).startswith("緯度")), None)
    found.lon = _first(columns, _LON) or next((c for c in columns if _norm(c).startswith("経度")), None)
    if not (found.lat and found.lon):
        found.lat = found.lon = None
    taken = set(found.used())
    found.name = _first(columns, _NAME, taken)
    found.category = _first(columns, _CATEGORY, taken | {found.name})
    return found


def require_columns(df: pd.DataFrame, found: Columns) -> Columns:
    """Raise ``no_address_column`` unless ``found`` has an address or lat/lon columns.

    The message lists the columns, suggests the one whose values look most like
    addresses, and, for a table from :func:`read_table`, says which row (and sheet) was
    read as the header, since a wrong header row is the usual cause.
    """
    if not found.has_address and not found.has_latlon:
        columns = [str(c) for c in df.columns]
        info = df.attrs.get(READ_INFO) or {}
        row, sheet = info.get("header_row"), info.get("sheet")
        key, where = "no_address_column", {}
        if row and sheet is not None and info.get("sheets", 0) > 1:
            key, where = "no_address_column_sheet", {"row": row, "sheet": sheet}
        elif row:
            key, where = "no_address_column_row", {"row": row}
        raise InputError(
            f"no address or latitude/longitude column; columns are {columns!r}",
            key=key,
            columns=columns or ["-"],
            example=_example_column(df),
            **where,
        )
    return found


_ADDRESS_LIKE = re.compile(r"[都道府県市区町村郡].*[0-9０-９一二三四五六七八九十]")


def _example_column(df: pd.DataFrame) -> str:
    """The column to suggest for ``--address-column``: values most like addresses, else a plain name.

    A long name, or one like 「令和6年度 施設一覧」, is a title read as a header and is never
    suggested.
    """
    best, score = None, 0.0
    for column in df.columns:
        values = df[column].head(500).fillna("").astype(str).str.strip()
        values = values[values != ""]
        if len(values):
            share = float(values.str.contains(_ADDRESS_LIKE).mean())
            if share > score:
                best, score = column, share
    if best is not None and score >= 0.3:
        return str(best)
    for column in df.columns:
        name = str(column)
        if (name and not name.startswith("Unnamed: ") and len(name) <= 20
                and not any(w in _norm(name) for w in _NOT_HEADER) and not re.search(r"\d", name)):
            return name
    return "住所"


def check_column(df: pd.DataFrame, column: str, option: str) -> str:
    """``column`` if ``df`` has it (also matched ignoring width and spaces), else UsageError."""
    if column in df.columns:
        return column
    matches = [c for c in df.columns if _norm(c) == _norm(column)]
    if len(matches) == 1:
        return matches[0]
    raise UsageError(
        f"{option}: no column {column!r}; columns are {list(map(str, df.columns))!r}",
        key="column_not_found",
        option=option,
        column=str(column),
        columns=[str(c) for c in df.columns],
    )


def join_address(df: pd.DataFrame, found: Columns) -> pd.Series:
    """One address string per row from the columns in ``found`` (empty string if none).

    Split columns are concatenated with nothing between them (``東京都`` + ``江東区`` +
    ``東陽四丁目`` + ``11-28``). With an address column, a 都道府県/市区町村 part is put
    in front only on the rows whose address does not already contain it.
    """
    if not found.has_address:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    parts = [df[c].fillna("").astype(str).str.strip() for c in found.parts]
    if found.address is None:
        out = parts[0]
        for p in parts[1:]:
            out = out + p
        return out.astype(object)
    address = df[found.address].fillna("").astype(str).str.strip()
    out = []
    for i, text in enumerate(address.tolist()):
        prefix = ""
        if text:
            for p in parts:
                value = p.iloc[i]
                if value and value not in text:
                    prefix += value
        out.append(prefix + text)
    return pd.Series(out, index=df.index, dtype=object)


# -- reading --------------------------------------------------------------------------

#: Key in ``DataFrame.attrs`` where :func:`read_table` says what it read: ``header_row``
#: (the row read as the header, from 1; None when the list has no header), ``sheet`` (the
#: .xlsx sheet, else None), ``sheets`` (how many sheets the workbook has) and, for a
#: workbook, ``sheet_names`` (the worksheets' names in order, for a page's sheet choice).
READ_INFO = "geomap_read"
#: Rows that are looked at when finding the header (titles, dates and notes above it).
HEADER_SCAN = 30
#: A header spread over rows by merged cells takes at most this many rows.
HEADER_ROWS_MAX = 4
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

# Header names that mark the header row: the address, its parts, coordinates. One-letter
# names (県) are left out; they are too likely as a value.
_HEADER_NAMES = {n for n in _ADDRESS | _PREF | _CITY | _LAT | _LON if len(n) > 1}
_NOT_HEADER = ("一覧", "名簿", "リスト", "list", "年度", "現在")


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
        rows, merges, info = _read_xlsx(data, shown, sheet, header_row)
        df, header = _frame(rows, shown, header_row=header_row, merges=merges)
    else:
        text = _decode(data, shown, encoding)
        rows, delimited = _read_text(text, shown, suffix)
        with _bulk():
            df, header = _frame(rows, shown, header_row=header_row, strict=delimited)
    df = _tidy(df, shown)
    df.attrs[READ_INFO] = {"header_row": header, **info}
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


def _read_text(text: str, shown: str, suffix: str) -> tuple[list, bool]:
    """The non-blank rows of a text file as ``(line number, cells)``, and whether it is delimited.

    A file that is not delimited has one address per line: commas inside an address are
    not separators.
    """
    text = text.lstrip("\ufeff")
    sample = list(itertools.islice((ln for ln in io.StringIO(text) if ln.strip()), HEADER_SCAN))
    if not sample:
        raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
    sep = _separator(sample, suffix)
    if sep is None:
        return [(n, [ln.strip()]) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()], False
    with _bulk():
        return _split(text, shown, sep), True


@contextlib.contextmanager
def _bulk():
    """Hold the cyclic garbage collector while a table's rows are built as lists.

    The rows hold only strings, so they make no cycles; without this a large list is
    traversed again and again as it grows, which doubles the time to read it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _separator(sample: list[str], suffix: str) -> str | None:
    tabs = sum("\t" in ln for ln in sample)
    commas = sum("," in ln for ln in sample)
    if suffix in (".tsv", ".tab"):
        return "\t"
    if suffix == ".csv":
        return "\t" if tabs > commas else ","
    if tabs and tabs >= commas:
        return "\t"
    names = _HEADER_NAMES | _NAME
    if any(_norm(h) in names for ln in sample if "," in ln for h in next(csv.reader([ln]), [])):
        return ","  # a .txt that is really a CSV with a header
    return None


def _split(text: str, shown: str, sep: str) -> list:
    """``(line number, cells)`` for each non-blank record of delimited text.

    The line number is the line the record starts on (a quoted cell may hold line breaks).
    Quotes are read strictly first, so a quote left open is reported rather than taking
    the rest of the file into one cell; text after a closing quote (``"a"b``) is then read
    as Excel reads it.
    """
    for strict in (True, False):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=strict)
        rows, line = [], 0
        try:
            for cells in reader:
                start, line = line + 1, reader.line_num
                if "".join(cells).strip():
                    rows.append((start, cells))
            return rows
        except csv.Error as exc:
            reason = str(exc)
            if "field limit" in reason:
                raise InputError(f"{shown!r}: a field starting on line {line + 1} is too long",
                                 key="csv_field_too_long", path=shown, line=line + 1) from exc
            if "end of data" in reason:
                raise InputError(f"{shown!r}: a quote opened on line {line + 1} is never closed",
                                 key="csv_unclosed_quote", path=shown, line=line + 1) from exc
            if not strict:
                raise InputError(f"cannot parse {shown!r}: {reason}", key="csv_malformed", path=shown,
                                 reason=f"{line + 1}: {reason}") from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _filled(cells) -> list[str]:
    return [v for v in cells if v.strip()]


def _width(cells) -> int:
    """The number of cells up to the last that holds something."""
    for i in range(len(cells) - 1, -1, -1):
        if cells[i].strip():
            return i + 1
    return 0


def _typical(counts: list[int]) -> int:
    """How many filled cells a row of the table has: the commonest count of 2 or more."""
    wide = collections.Counter(c for c in counts if c >= 2)
    if not wide:
        return 1
    return max(wide.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _names_address(values, loose: bool) -> bool:
    """True if ``values`` (a row's filled cells) name an address, its parts or coordinates."""
    for value in values:
        name = _norm(value)
        if name in _HEADER_NAMES:
            return True
        if (loose and len(name) <= 12 and any(w in name for w in ("住所", "所在地", "address"))
                and not any(w in name for w in _NOT_ADDRESS + _NOT_HEADER)):
            return True
    return False


def _find_header(head: list[list[str]]) -> tuple[int, bool]:
    """The index of the header among the first rows (their filled cells), and whether it names an address.

    The header is the first row with an address-like name whose rows above are all
    narrower (titles, dates); failing that, the first row as wide as the table.
    """
    counts = [len(values) for values in head]
    typical = _typical(counts)
    for i, values in enumerate(head):
        above = counts[:i]
        if all(c == 1 or c < counts[i] for c in above) and _names_address(values, counts[i] >= typical):
            return i, True
    for i, count in enumerate(counts):
        if not (count < typical and 2 * count <= typical):
            return i, False
    return 0, False


def _frame(rows: list, shown: str, *, header_row: int | None = None, strict: bool = False,
           merges=()) -> tuple[pd.DataFrame, int | None]:
    """A DataFrame from ``(row number, cells)`` rows, and the number of the row read as the header.

    ``strict``: a delimited text file, where a row with more fields than the header means
    an unquoted separator (``江東区三好3-15-12, 2F``) and is refused, never shifted.
    ``merges``: merged cells of an .xlsx sheet as ``(first row, last row, anchor index,
    column indexes)``; a header merged over several rows is read as one.
    """
    if not rows:
        raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
    if header_row is not None:
        h = next((i for i, (n, _) in enumerate(rows) if n >= header_row), None)
        if h is None:
            raise UsageError(f"header row {header_row} is below the last row ({rows[-1][0]})",
                             key="header_row_beyond", row=header_row, last=rows[-1][0])
        if rows[h][0] != header_row:
            raise UsageError(f"header row {header_row} is blank", key="header_row_blank", row=header_row)
    else:
        h, _ = _find_header([_filled(cells) for _, cells in rows[:HEADER_SCAN]])
    number, header = rows[h]
    names, data = _header_names(rows, h, merges)
    width = len(names)
    if strict:
        wide = [(n, w) for n, w in ((n, _width(cells)) for n, cells in data if len(cells) > width) if w > width]
        if wide:
            (line, fields), more = wide[0], len(wide) - 1
            raise InputError(
                f"{shown!r}: line {line} has {fields} fields, the header {width}",
                key="csv_wide_rows" if more else "csv_wide_row", path=shown, line=line, fields=fields,
                expected=width, more=more,
            )
    if _width(header) <= 1 and all(_width(cells) <= 1 for _, cells in data):
        first = header[0].strip()
        if header_row is None and _norm(first) not in _ADDRESS | _LAT | _NAME and not _looks_like_header(first):
            # One column whose first row is an address, not a header.
            values = [first] + [cells[0].strip() if cells else "" for _, cells in data]
            return pd.DataFrame({"住所": values}, dtype=object), None
        names, data = names[:1], [(n, cells[:1]) for n, cells in data]
        width = 1
    body = [cells if len(cells) == width else cells[:width] + [""] * (width - len(cells)) for _, cells in data]
    columns = _dedupe([name.strip() or f"Unnamed: {i}" for i, name in enumerate(names)])
    values = zip(*body) if body else [()] * width
    return pd.DataFrame(dict(zip(range(width), map(list, values))), dtype=object).set_axis(columns, axis=1), number


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


def _read_xlsx(data: bytes, shown: str, sheet, header_row: int | None) -> tuple[list, list, dict]:
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
        if _find_header(values)[1]:
            return ws
        some = some or ws
        if table is None and _typical([len(v) for v in values]) >= 2:
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


def _tidy(df: pd.DataFrame, shown: str) -> pd.DataFrame:
    df = df.copy()
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    df = df.fillna("").astype(str)
    blank = df.apply(lambda col: col.str.strip() == "")
    # Trailing commas from Excel give "Unnamed: 5" columns with nothing in them.
    drop = [c for c in df.columns if c.startswith("Unnamed: ") and blank[c].all()]
    df = df.drop(columns=drop)
    blank = blank.drop(columns=drop)
    df = df.loc[~blank.all(axis=1)].reset_index(drop=True)
    if df.shape[1] == 0:
        raise InputError(f"input file {shown!r} is empty", key="file_empty", path=shown)
    if len(df) == 0:
        raise InputError(f"input file {shown!r} has a header but no rows", key="header_only", path=shown)
    return df


# -- writing --------------------------------------------------------------------------

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".geojson", ".gpkg")
# A number as a spreadsheet reads one: -3, +81, 1e5, -1,234.5, 12%. Such a cell is data, not a formula.
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+(\.\d*)?|\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
# What OWASP lists as the start of a formula; full-width and small forms (＝ ＋ － ＠ ﹦ …) are
# compared after NFKC folding.
_FORMULA_START = frozenset("=+-@")
_CONTROL_START = frozenset("\t\r\n")
#: Temporary outputs are named ``.geomap-XXXXXXXX<suffix>``: short, so that a long final
#: name that fits the file system never fails because of its temporary name.
TEMP_PREFIX = ".geomap-"
_TEMP_SUFFIX_MAX = 16


def formula_like(text: str) -> bool:
    """True if a spreadsheet could read ``text`` as a formula (CSV / formula injection).

    That is text starting with ``=``, ``+``, ``-``, ``@`` (or their full-width forms
    ``＝ ＋ － ＠``), or with a tab, CR or LF, also after leading spaces; numbers such as
    ``-1`` or ``+81`` are data and are not formula-like.

    Examples
    --------
    >>> [formula_like(t) for t in ["=1+1", "　＝A1", "-1", "－１", "3-15-12", "\\t1"]]
    [True, True, False, False, False, True]
    """
    if not isinstance(text, str):
        return False
    start = 0
    for start, char in enumerate(text):
        if char in _CONTROL_START:
            return True
        if not (char.isspace() or unicodedata.category(char) == "Cf"):
            break
    else:
        return False
    if unicodedata.normalize("NFKC", text[start]) not in _FORMULA_START:
        return False
    return not _NUMBER.match(unicodedata.normalize("NFKC", text[start:]).strip())


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` in which text cells a spreadsheet would run as formulas start with ``'``.

    Text that :func:`formula_like` flags (a leading ``=``, ``+``, ``-``, ``@``, their
    full-width forms, a tab, CR or LF, also after spaces) gets a leading apostrophe; the
    text itself is kept. Numbers written as text (``-1`` as a block number, ``+81``) and
    numeric columns (lat, lon) are left as they are. Header names too.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralize_formulas(pd.DataFrame({"a": ["=1+1", "-3", "@x", "＝1", "住所"]}))["a"].tolist()
    ["'=1+1", '-3', "'@x", "'＝1", '住所']
    """

    def fix(value):
        return "'" + value if formula_like(value) else value

    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(fix)
    out.columns = [fix(str(c)) for c in out.columns]
    return out


def same_file(a, b) -> bool:
    """True if paths ``a`` and ``b`` name the same file (existing or not)."""
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def check_output(path, *, protect=(), example=None, probe: bool = False) -> Path:
    """Check that ``path`` can be an output, before any work is done.

    Parameters
    ----------
    path : path-like
    protect : iterable of path-like
        Files that must never be written (the input).
    example : path-like, optional
        The file name suggested when ``path`` is a folder (default ``<path>/result.csv``).
    probe : bool
        Also create and remove a temporary file in the folder, so a read-only folder, a
        read-only disk or a full one is reported now rather than after the work.

    Raises
    ------
    geomap.errors.UsageError
        ``same_as_input`` if it names a protected file (the input), also through a link.
    geomap.errors.OutputError
        ``output_is_directory``, ``output_not_regular`` (a device, a pipe …),
        ``output_dir_missing``, ``output_parent_not_folder`` or ``output_unwritable``.
    """
    p = Path(path)
    for other in protect:
        if other is not None and same_file(p, other):
            raise UsageError(f"output {str(p)!r} is the input file", key="same_as_input", path=str(p))
    if p.is_dir():
        raise OutputError(f"output {str(p)!r} is a directory", key="output_is_directory", path=str(p),
                          example=str(example if example is not None else p / "result.csv"))
    if p.exists() and not p.is_file():
        # Renaming over a device or a pipe (-o /dev/null as root) would replace it.
        raise OutputError(f"output {str(p)!r} is not a regular file", key="output_not_regular", path=str(p))
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise OutputError(f"output folder {str(parent)!r} does not exist", key="output_dir_missing", dir=str(parent))
    if not parent.is_dir():
        raise OutputError(f"output folder {str(parent)!r} is a file", key="output_parent_not_folder",
                          dir=str(parent))
    if probe:
        try:
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=parent)
        except OSError as exc:
            raise _output_error(p, exc) from exc
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return p


@contextlib.contextmanager
def atomic_path(path, *, protect=(), create: bool = True):
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    The temporary file is ``.geomap-XXXXXXXX`` plus the extension of ``path`` (writers
    pick their format from it), short whatever the final name. On any error, or on Ctrl-C,
    it is removed and ``path`` is left as it was. A ``path`` that is a symbolic link is
    replaced by the new file: the file the link points to is never written.

    Parameters
    ----------
    path : path-like
        The final output.
    protect : iterable of path-like
        Files that must never be written (the input).
    create : bool
        False for writers that refuse an existing file (GeoPackage): the temporary name is
        reserved, then removed before the writer runs.
    """
    p = check_output(path, protect=protect)
    suffix = p.suffix if len(p.suffix.encode("utf-8")) <= _TEMP_SUFFIX_MAX else ".part"
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix or ".part",
                                   dir=p.parent if str(p.parent) else ".")
    except OSError as exc:
        raise _output_error(p, exc) from exc
    try:
        os.close(fd)
        if not create:
            os.unlink(tmp)
        yield Path(tmp)
        try:
            # mkstemp makes the file private (0600); an output should get the usual mode.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, p)
        except OSError as exc:
            raise _output_error(p, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _output_error(p: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {str(p)!r}: {exc}", key="output_unwritable", path=str(p),
                       reason=exc.strerror or exc.__class__.__name__)


# Names a spatial format keeps for itself: the geometry column, and GeoPackage's feature id
# and geometry field (GDAL compares GeoPackage field names without case).
_RESERVED_NAMES = {".geojson": {"geometry"}, ".gpkg": {"geometry", "fid", "geom"}}


def output_renames(columns, path) -> dict[str, str]:
    """Columns the format of ``path`` cannot hold under their own name, and their new names.

    A list with a column ``geometry`` (GeoJSON, GeoPackage), ``fid`` or ``geom``
    (GeoPackage), or two names that differ only in case (GeoPackage), would lose a column
    or fail; :func:`write_table` writes such a column as ``<name>_input``.

    Examples
    --------
    >>> output_renames(["fid", "住所", "lat"], "out.gpkg")
    {'fid': 'fid_input'}
    >>> output_renames(["fid", "住所"], "out.csv")
    {}
    """
    suffix = Path(path).suffix.lower()
    reserved = _RESERVED_NAMES.get(suffix)
    if reserved is None:
        return {}
    fold = str.casefold if suffix == ".gpkg" else (lambda s: s)
    names = [str(c) for c in columns]
    given = {fold(n) for n in names}
    used = {fold(r) for r in reserved}
    renames = {}
    for name in names:
        if fold(name) in used:
            new = f"{name}_input"
            while fold(new) in used or fold(new) in given:
                new += "_"
            renames[name] = new
            name = new
        used.add(fold(name))
    return renames


def table_format(path) -> str:
    """The extension of ``path`` (lower case) if :func:`write_table` can write it.

    Raises
    ------
    geomap.errors.UsageError
        ``output_format_unknown``.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise UsageError(f"cannot write {suffix or 'no extension'!r} files", key="output_format_unknown",
                         path=str(p), suffix=suffix or "(なし)", choices=", ".join(TABLE_SUFFIXES))
    return suffix


def write_table(df: pd.DataFrame, path, *, protect=(), lat: str = "lat", lon: str = "lon") -> Path:
    """Write ``df`` atomically; the format follows the extension of ``path``.

    ``.csv`` (UTF-8 with BOM, for Excel), ``.tsv`` and ``.xlsx``: formula injection
    neutralised (:func:`neutralize_formulas`); in CSV and TSV every text field is in double
    quotes, so a line break or a bare CR inside a cell stays inside it. ``.geojson`` and ``.gpkg``:
    points from the ``lat``/``lon`` columns (rows without coordinates have no geometry),
    EPSG:4326; a column the format reserves is written as ``<name>_input``
    (:func:`output_renames`).

    Parameters
    ----------
    df : pandas.DataFrame
    path : path-like
    protect : iterable of path-like
        Files that must not be overwritten (the input): UsageError ``same_as_input``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    geomap.errors.UsageError
        ``output_format_unknown`` or ``same_as_input``.
    geomap.errors.OutputError
        ``output_dir_missing``, ``output_is_directory`` or ``output_unwritable``.
    """
    p = Path(path)
    suffix = table_format(p)
    try:
        if suffix in (".csv", ".tsv"):
            with atomic_path(p, protect=protect) as tmp:
                neutralize_formulas(df).to_csv(tmp, index=False, encoding="utf-8-sig",
                                               sep="\t" if suffix == ".tsv" else ",",
                                               quoting=csv.QUOTE_NONNUMERIC)
        elif suffix == ".xlsx":
            with atomic_path(p, protect=protect) as tmp:
                neutralize_formulas(df).to_excel(tmp, index=False, engine="openpyxl")
        else:
            import geopandas as gpd

            from .spatial import placed_mask

            # Geometries a GeoDataFrame brings are replaced by the points, as documented; text
            # columns the format reserves are renamed, never dropped.
            shapes = [c for c in df.columns if isinstance(df[c].dtype, gpd.array.GeometryDtype)]
            frame = pd.DataFrame(df.drop(columns=shapes))
            ok = placed_mask(frame, lat=lat, lon=lon)
            geometry = gpd.points_from_xy(pd.to_numeric(frame[lon], errors="coerce"),
                                          pd.to_numeric(frame[lat], errors="coerce"))
            geometry[~ok.to_numpy()] = None
            frame.columns = [str(c) for c in frame.columns]
            frame = frame.rename(columns=output_renames(frame.columns, p))
            gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
            driver = "GeoJSON" if suffix == ".geojson" else "GPKG"
            with atomic_path(p, protect=protect, create=False) as tmp:
                gdf.to_file(tmp, driver=driver, **({"layer": p.stem} if driver == "GPKG" else {}))
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise _output_error(p, exc) from exc
    return p


__all__ = [
    "ADDRESS_NAMES",
    "Columns",
    "atomic_path",
    "check_column",
    "check_output",
    "find_columns",
    "formula_like",
    "join_address",
    "neutralize_formulas",
    "output_renames",
    "read_table",
    "require_columns",
    "same_file",
    "table_format",
    "write_table",
]
