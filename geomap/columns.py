"""Finding the columns of an address list by their headers, and the row that holds them.

An exported list names its columns in many ways (住所, 所在地, 住所1 + 住所2, split 都道府県 /
市区町村 / 町域 / 番地, 緯度 / 経度, 名称, 種別 …). Header text is compared folded
(:func:`fold_header`: NFKC, lower case, no spaces or brackets), so 「 住 所 」 and ＡＤＤＲＥＳＳ
match too. :func:`find_columns` says what was found; :func:`require_columns` turns "nothing
usable" into a message that lists the columns and suggests one; :func:`join_address` makes
one address per row; :func:`has_point` says which latitude/longitude pairs are usable
points (the one test of that in the package). :func:`find_header` tells which of a file's first rows is the header
(titles and dates above it are skipped); the readers (:mod:`geomap.io`, :mod:`geomap.xlsx`)
use it.
"""

from __future__ import annotations

import collections
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from .errors import InputError, UsageError

# -- header names -------------------------------------------------------------------
def fold_header(name) -> str:
    """Header text folded for matching: NFKC, lower case, no spaces, brackets or _-・."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return re.sub(r"[\s_\-・/()（）\[\]「」:：.]", "", text)


ADDRESS_HEADERS = {"住所", "所在地", "所在地住所", "住所地", "所在", "施設住所", "施設所在地", "所在地の住所",
                   "address", "addr", "fulladdress", "住所所在地", "じゅうしょ"}
PREF_HEADERS = {"都道府県", "都道府県名", "都道府県名称", "県", "都府県", "prefecture", "pref"}
CITY_HEADERS = {"市区町村", "市区町村名", "市町村", "市町村名", "市区郡町村", "市区郡町村名", "市区町村名称", "区市町村",
                "区市町村名", "自治体", "自治体名", "city", "municipality"}
TOWN_HEADERS = {"町域", "町域名", "町名", "町丁目", "町丁目名", "大字町丁目", "大字町丁目名", "町字", "大字", "町村",
                "town", "町丁", "地区"}
BLOCK_HEADERS = {"番地", "番地等", "丁目番地", "番地号", "地番", "番地以下", "丁目番地号", "street", "block", "banchi"}
LAT_HEADERS = {"緯度", "lat", "latitude", "y座標緯度", "緯度10進"}
LON_HEADERS = {"経度", "lon", "lng", "long", "longitude", "x座標経度", "経度10進"}
NAME_HEADERS = {"名称", "施設名", "施設名称", "名前", "事業所名", "事業所名称", "店舗名", "事業者名", "name", "title", "名"}
POSTAL_HEADERS = {"郵便番号", "〒", "郵便", "郵便番号7桁", "〒番号", "zip", "zipcode", "postalcode", "postcode", "postal"}
CATEGORY_HEADERS = {"種別", "分類", "種類", "区分", "カテゴリ", "カテゴリー", "業種", "category", "type", "kind", "class"}
_NOT_ADDRESS = ("郵便", "〒", "mail", "メール", "url", "電話", "tel", "fax", "カナ", "かな", "フリガナ", "ふりがな",
                "よみ", "読み", "ローマ", "english", "英")

#: Header names recognised as the address column (folded as by matching).
ADDRESS_NAMES = sorted(ADDRESS_HEADERS)

# Header names that mark the header row: the address, its parts, coordinates. One-letter
# names (県) are left out; they are too likely as a value.
HEADER_NAMES = {n for n in ADDRESS_HEADERS | PREF_HEADERS | CITY_HEADERS | LAT_HEADERS | LON_HEADERS if len(n) > 1}
_NOT_HEADER = ("一覧", "名簿", "リスト", "list", "年度", "現在")
#: Key in ``DataFrame.attrs`` where :func:`geomap.io.read_table` says what it read: ``header_row``
#: (the row read as the header, from 1; None when the list has no header), ``sheet`` (the
#: .xlsx sheet, else None), ``sheets`` (how many sheets the workbook has) and, for a
#: workbook, ``sheet_names`` (the worksheets' names in order, for a page's sheet choice).
READ_INFO = "geomap_read"
#: Rows that are looked at when finding the header (titles, dates and notes above it).
HEADER_SCAN = 30
#: A header spread over rows by merged cells takes at most this many rows.
HEADER_ROWS_MAX = 4


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
        if column not in used and fold_header(column) in names:
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
        found.address = _first(columns, ADDRESS_HEADERS)
        if found.address is None:
            # 住所1 + 住所2, 施設の所在地 …: any header that says 住所/所在地/address and is not
            # a postal code, a reading or a mail address.
            loose = [c for c in columns
                     if any(w in fold_header(c) for w in ("住所", "所在地", "address"))
                     and not any(w in fold_header(c) for w in _NOT_ADDRESS)]
            if len(loose) == 1:
                found.address = loose[0]
            elif loose:
                found.parts = loose
    pref = _first(columns, PREF_HEADERS)
    city = _first(columns, CITY_HEADERS)
    if found.address is None and not found.parts:
        town = _first(columns, TOWN_HEADERS)
        block = _first(columns, BLOCK_HEADERS)
        if city or (pref and town):
            found.parts = [c for c in (pref, city, town, block) if c]
    elif found.address is not None and address_column is None:
        # 都道府県 / 市区町村 columns beside a 住所 column that may leave them out.
        found.parts = [c for c in (pref, city) if c and c != found.address]
    postal = _first(columns, POSTAL_HEADERS, set(found.used()))
    if postal is not None:  # a 郵便番号 column: written before the address as 〒330-0063 (join_address)
        found.parts = [postal, *found.parts]
    found.lat = _first(columns, LAT_HEADERS) or next((c for c in columns if fold_header(c).startswith("緯度")), None)
    found.lon = _first(columns, LON_HEADERS) or next((c for c in columns if fold_header(c).startswith("経度")), None)
    if not (found.lat and found.lon):
        found.lat = found.lon = None
    taken = set(found.used())
    found.name = _first(columns, NAME_HEADERS, taken)
    found.category = _first(columns, CATEGORY_HEADERS, taken | {found.name})
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
                and not any(w in fold_header(name) for w in _NOT_HEADER) and not re.search(r"\d", name)):
            return name
    return "住所"


def check_column(df: pd.DataFrame, column: str, option: str) -> str:
    """``column`` if ``df`` has it (also matched ignoring width and spaces), else UsageError."""
    if column in df.columns:
        return column
    matches = [c for c in df.columns if fold_header(c) == fold_header(column)]
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
    in front only on the rows whose address does not already contain it. An address column
    alone is returned as text of the dtype ``astype(str)`` gives (Arrow-backed in pandas 3),
    not made a Python string per row.
    """
    if not found.has_address:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    postal = [c for c in found.parts if fold_header(c) in POSTAL_HEADERS]
    if postal:  # 〒330-0063 before the rest, where the address does not write that code already
        rest = join_address(df, Columns(address=found.address, parts=[c for c in found.parts if c not in postal]))
        codes = postal_codes(df[postal[0]])
        return pd.Series([f"〒{c} {a}".strip() if c and c not in a and c.replace("-", "") not in a else a
                          for c, a in zip(codes, rest)], index=df.index, dtype=object)
    parts = [df[c].fillna("").astype(str).str.strip() for c in found.parts]
    if found.address is None:
        out = parts[0]
        for p in parts[1:]:
            out = out + p
        return out.astype(object)
    address = df[found.address].fillna("").astype(str).str.strip()
    if not parts:
        return address.rename(None)
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


# -- lists of persons ----------------------------------------------------------------

#: The one list of headers that make a list look like data about persons (a 名簿), not
#: places. ``alone``: a header holding one of these words is enough (氏名, 生年月日,
#: 要介護度 …). ``together``: these words count only in twos and one of them a person's
#: name (名前 with 電話, フリガナ with 携帯): a place list has 電話 or FAX too. A header
#: holding a word of ``not_personal`` names a place or a number (施設名, 世帯数, 対象年齢)
#: and never counts. Headers are compared folded (:func:`fold_header`), English in lower case.
PERSONAL_HEADERS = {
    "alone": ("氏名", "姓名", "生年月日", "誕生日", "年齢", "性別", "要介護", "介護度", "要支援", "障害", "障がい",
              "世帯", "続柄", "保護者", "児童", "生徒", "患者", "被保険者", "受給者", "利用者", "個人番号",
              "マイナンバー", "住民票", "宛名", "本籍", "birth", "gender", "fullname", "mynumber"),
    "together": ("名前", "ふりがな", "フリガナ", "カナ", "電話", "携帯", "tel", "fax", "メール", "mail", "phone"),
    "names": ("名前", "ふりがな", "フリガナ", "カナ"),
    "not_personal": ("施設", "事業所", "店舗", "名称", "会社", "団体", "法人", "学校", "病院", "館", "数", "対象",
                     "定員", "可能"),
}


def personal_columns(columns) -> list[str]:
    """The headers that make a list look like data about persons, in table order (empty if none).

    ``geomap render`` reads a list with such headers safely by default: no points or
    addresses on the map, small area counts hidden (see :data:`PERSONAL_HEADERS`).

    Examples
    --------
    >>> personal_columns(["氏名", "住所", "要介護度"])
    ['氏名', '要介護度']
    >>> personal_columns(["名前", "電話番号", "住所"])  # a name beside a telephone number
    ['名前', '電話番号']
    >>> personal_columns(["施設名", "住所", "電話番号", "FAX", "対象年齢", "世帯数"])
    []
    """
    folded = {c: fold_header(c) for c in columns}
    kept = {c: f for c, f in folded.items() if not any(w in f for w in PERSONAL_HEADERS["not_personal"])}
    alone = {c for c, f in kept.items() if any(w in f for w in PERSONAL_HEADERS["alone"])}
    together = {c for c, f in kept.items() if any(w in f for w in PERSONAL_HEADERS["together"])}
    named = {c for c in together if any(w in kept[c] for w in PERSONAL_HEADERS["names"])}
    found = alone | (together if named and len(together) >= 2 else set())
    return [str(c) for c in columns if c in found]


def postal_codes(values: pd.Series) -> list[str]:
    """The postal codes of a 郵便番号 column as ``330-0063`` (``""`` where a value is not one).

    Full-width digits, 〒, hyphens of any kind and a number that lost its leading 0 in a
    spreadsheet (600042 for 060-0042) are read.

    Examples
    --------
    >>> postal_codes(pd.Series(["〒330-0063", "３３０－００６３", 600042, "3300063.0", "", None, "TEL"]))
    ['330-0063', '330-0063', '060-0042', '330-0063', '', '', '']
    """
    out = []
    for value in values.tolist():
        text = "" if value is None or value != value else unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"\.0$", "", text)
        digits = re.sub(r"[〒\s\-‐‑‒–—―−ー]", "", text)
        if len(digits) == 6 and digits.isdigit() and text == digits:
            digits = "0" + digits  # a number in a spreadsheet cell: its leading 0 is gone
        out.append(f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 and digits.isdigit() else "")
    return out


# -- coordinates ---------------------------------------------------------------------


def typed_numbers(series: pd.Series) -> pd.Series:
    """The numbers in a column as people type them (full-width digits, ``−``); NaN where none."""
    text = series.fillna("").astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip().replace("−", "-"))
    return pd.to_numeric(text, errors="coerce")


def has_point(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """True where ``lat``/``lon`` are numbers within -90..90 / -180..180: a usable point.

    Examples
    --------
    >>> has_point(pd.Series([35.6, None, 95.0, "35.6"]), pd.Series([139.8, 139.8, 139.8, "139.8"])).tolist()
    [True, False, False, True]
    """
    y = pd.to_numeric(lat, errors="coerce")
    x = pd.to_numeric(lon, errors="coerce")
    return y.between(-90, 90) & x.between(-180, 180)


# -- the header row -----------------------------------------------------------------


def typical_width(counts: list[int]) -> int:
    """How many filled cells a row of the table has: the commonest count of 2 or more."""
    wide = collections.Counter(c for c in counts if c >= 2)
    if not wide:
        return 1
    return max(wide.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _names_address(values, loose: bool) -> bool:
    """True if ``values`` (a row's filled cells) name an address, its parts or coordinates."""
    for value in values:
        name = fold_header(value)
        if name in HEADER_NAMES:
            return True
        if (loose and len(name) <= 12 and any(w in name for w in ("住所", "所在地", "address"))
                and not any(w in name for w in _NOT_ADDRESS + _NOT_HEADER)):
            return True
    return False


def find_header(head: list[list[str]]) -> tuple[int, bool]:
    """The index of the header among the first rows (their filled cells), and whether it names an address.

    The header is the first row with an address-like name whose rows above are all
    narrower (titles, dates); failing that, the first row as wide as the table.
    """
    counts = [len(values) for values in head]
    typical = typical_width(counts)
    for i, values in enumerate(head):
        above = counts[:i]
        if all(c == 1 or c < counts[i] for c in above) and _names_address(values, counts[i] >= typical):
            return i, True
    for i, count in enumerate(counts):
        if not (count < typical and 2 * count <= typical):
            return i, False
    return 0, False


__all__ = [
    "ADDRESS_NAMES",
    "Columns",
    "HEADER_NAMES",
    "READ_INFO",
    "check_column",
    "find_columns",
    "find_header",
    "fold_header",
    "has_point",
    "join_address",
    "require_columns",
    "typed_numbers",
    "typical_width",
]
