"""Writing results safely: atomically, never over the input, with formula injection guarded.

Every output goes to a temporary file in the target folder and is renamed into place
(:func:`atomic_path`), so an interrupted run leaves no half-written file; the input is
never an output (:func:`check_output`, :func:`same_file`). :func:`write_table` picks the
format from the extension: CSV is UTF-8 with BOM so Excel opens it; in CSV, TSV and .xlsx
the cells a spreadsheet would run as formulas are neutralised (:func:`neutralize_formulas`);
.xlsx loses the characters no XML can hold (:func:`output_cleaned` counts the cells), CSV keeps them;
GeoJSON and GeoPackage get their points from :func:`geomap.spatial.to_points`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from .delimited import write_delimited
from .errors import OutputError, UsageError
from .textrows import unencodable_cell

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

    Only the cells whose first character could start a formula are looked at one by one
    (:func:`_formula_cells`); columns with nothing to change are shared with ``df``, not copied.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralize_formulas(pd.DataFrame({"a": ["=1+1", "-3", "@x", "＝1", "住所"]}))["a"].tolist()
    ["'=1+1", '-3', "'@x", "'＝1", '住所']
    """

    def fix(value):
        return "'" + value if formula_like(value) else value

    out = df.copy(deep=False)
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
            continue
        flagged = _formula_cells(column)
        if flagged is None:  # not all text (numbers, dates … in an object column): cell by cell
            out.isetitem(i, column.map(fix))
        elif len(flagged):
            fixed = column.copy()
            fixed.iloc[flagged] = ["'" + value for value in column.iloc[flagged].tolist()]
            out.isetitem(i, fixed)
    out.columns = [fix(str(c)) for c in out.columns]
    return out


@functools.lru_cache(maxsize=4096)
def _never_starts_formula(char: str) -> bool:
    """True if no text starting with ``char`` is :func:`formula_like`, whatever follows.

    That is a character :func:`formula_like` stops at (not a space or a format character)
    which is neither a tab, CR or LF nor folds (NFKC) to ``= + - @``: letters, digits, kana,
    kanji and most punctuation. ``""`` (an empty cell) is never formula-like either.
    """
    if not char:
        return True
    if char in _CONTROL_START or char.isspace() or unicodedata.category(char) == "Cf":
        return False
    return unicodedata.normalize("NFKC", char) not in _FORMULA_START


def _formula_cells(column: pd.Series):
    """Positions of the cells of a text column that :func:`formula_like` flags, or None.

    None when the column holds something other than text and missing values. The test runs
    on the column's Arrow form: the cells' first characters are told apart once each
    (:func:`_never_starts_formula`), and only cells starting with one that could start a
    formula go to :func:`formula_like`.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pa.array(column, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if pa.types.is_null(values.type):
        return np.array([], dtype=np.intp)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return None
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    first = pc.dictionary_encode(pc.utf8_slice_codeunits(values, 0, 1))
    # one more entry, never looked at, for the missing cells
    starts = [not _never_starts_formula(char) for char in first.dictionary.to_pylist()] + [False]
    if not any(starts):
        return np.array([], dtype=np.intp)
    indices = pc.fill_null(first.indices, len(starts) - 1).to_numpy(zero_copy_only=False)
    look = np.flatnonzero(np.array(starts, dtype=bool)[indices])
    texts = values.take(pa.array(look)).to_pylist()
    return look[np.fromiter((formula_like(t) for t in texts), dtype=bool, count=len(texts))]


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


def output_cleaned(df, path) -> int:
    """How many cells (names included) :func:`write_table` writes to ``path`` without some characters.

    Only .xlsx loses any: the control characters, U+FFFE, U+FFFF and lone surrogates no XML can
    hold (:func:`geomap.xlsx.xml_clean`); Excel would not open a sheet holding them.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"名称\\x01": ["a\\x0bb", "c"]})
    >>> output_cleaned(df, "out.xlsx"), output_cleaned(df, "out.csv")
    (2, 0)
    """
    if Path(path).suffix.lower() != ".xlsx":
        return 0
    from .xlsx import xml_clean

    return xml_clean(df)[1]


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
    quotes, so a line break or a bare CR inside a cell stays inside it; .xlsx cells and names
    lose the characters no XML can hold (:func:`output_cleaned`). ``.geojson`` and ``.gpkg``:
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
    return write_table_cleaned(df, path, protect=protect, lat=lat, lon=lon)[0]


def write_table_cleaned(df: pd.DataFrame, path, *, protect=(), lat: str = "lat",
                        lon: str = "lon") -> tuple[Path, int]:
    """:func:`write_table`, and the number :func:`output_cleaned` gives for it.

    The cells of an .xlsx are looked at once for both (``geomap geocode`` prints the count),
    not once more for the count.
    """
    p = Path(path)
    suffix = table_format(p)
    cleaned = 0
    try:
        if suffix in (".csv", ".tsv"):
            with atomic_path(p, protect=protect) as tmp:
                write_delimited(neutralize_formulas(df), tmp, sep="\t" if suffix == ".tsv" else ",")
        elif suffix == ".xlsx":
            from .xlsx import write_xlsx, xml_clean  # only for workbooks

            with atomic_path(p, protect=protect) as tmp:
                # cleaned before the guard: "\x01=1+1" must not become a formula once cleaned;
                # write_xlsx then cleans only the names the guard made text, not every cell again
                df, cleaned = xml_clean(df)
                write_xlsx(neutralize_formulas(df), tmp, clean_cells=False)
        else:
            import geopandas as gpd

            from .spatial import to_points

            # Geometries a GeoDataFrame brings are replaced by the points, as documented; text
            # columns the format reserves are renamed, never dropped.
            shapes = [c for c in df.columns if isinstance(df[c].dtype, gpd.array.GeometryDtype)]
            frame = pd.DataFrame(df.drop(columns=shapes))
            # to_points is the one place lat/lon become geometry; the rows it leaves out (no
            # usable coordinates) are written without one. Positions, not labels: an index may repeat.
            coords = frame[[lat, lon]] if lat in frame.columns and lon in frame.columns else frame
            points = to_points(coords.set_axis(pd.RangeIndex(len(frame))), lat=lat, lon=lon)
            geometry = points.geometry.reindex(pd.RangeIndex(len(frame))).array
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
    except UnicodeEncodeError as exc:  # a lone surrogate, which only a frame from Python can hold
        where = unencodable_cell(df, exc)
        raise OutputError(f"cannot write {str(p)!r}: column {where['column']!r}, row {where['row']} holds "
                          f"{where['char']}", key="output_unencodable", path=str(p), **where) from None
    return p, cleaned



__all__ = [
    "TABLE_SUFFIXES",
    "atomic_path",
    "check_output",
    "formula_like",
    "neutralize_formulas",
    "output_cleaned",
    "output_renames",
    "same_file",
    "table_format",
    "write_table",
    "write_table_cleaned",
]
