"""Rows of a text list, one at a time: its lines, its separator, its CSV records, and text columns.

:func:`geomap.io.read_table` reads a decoded text through these, so that a list of
millions is never held as one list of rows or one copy of the text: lines are cut a block
of the text at a time (:func:`csv_lines`, :func:`text_lines`, exactly where ``csv.reader``
on a file opened with ``newline=""``, or ``str.splitlines``, would cut them), records come
one at a time (:func:`records`), and every :data:`BATCH` rows become columns of the dtype
``astype(str)`` gives (:class:`TextColumns`; Arrow-backed text in pandas 3). A list with one
address per line is read row by row only up to its header; the lines below it go into its
one column a block at a time (:class:`LineRows`).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import re

import pandas as pd

from .columns import HEADER_NAMES, NAME_HEADERS, fold_header
from .errors import InputError

#: Rows turned into the frame's columns at a time.
BATCH = 50_000

# Lines as csv.reader reads them from a file opened with newline="": ended by \r\n, \r or \n,
# the ends kept. Made a block of the text at a time, never as one list or a copy of the text.
_CSV_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# The line ends str.splitlines() knows besides \r and \n.
_OTHER_LINE_ENDS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Lines as the separator is guessed from them: cut at \n only (what io.StringIO(text) gives).
_SAMPLE_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def sample_lines(text: str):
    """The lines the separator is guessed from, as ``io.StringIO(text)`` gives them (cut at \\n only)."""
    return (m.group() for m in _SAMPLE_LINE.finditer(text))
#: Characters of text cut into lines at a time.
LINES_BLOCK = 1 << 20


def blocks(text: str):
    """``text`` in pieces of about :data:`LINES_BLOCK` characters, each ending just after a \\n."""
    n, start = len(text), 0
    while start < n:
        end = text.find("\n", start + LINES_BLOCK)
        end = n if end < 0 else end + 1
        yield text[start:end]
        start = end


def csv_lines(text: str):
    """``list(io.StringIO(text, newline=""))``, a block at a time."""
    if _OTHER_LINE_ENDS.search(text):  # splitlines would cut there too: the slower exact way
        return (m.group() for m in _CSV_LINE.finditer(text))
    return (line for block in blocks(text) for line in block.splitlines(keepends=True))


def text_lines(text: str):
    """``text.splitlines()``, a block at a time (a block ends after \\n, so no line end is cut in two)."""
    return (line for block in blocks(text) for line in block.splitlines())


class LineRows:
    """The non-blank lines of a text with one address per line, stripped, as ``(line number, [line])`` rows.

    The rows :func:`text_lines` gives (blank ones left out), made a block of the text at a
    time. :func:`geomap.io.read_table` reads the first rows one by one to find the header;
    :meth:`column` then takes the rest at once, a block at a time, as text arrays: each
    line is never made a row of its own.
    """

    def __init__(self, text: str):
        self._blocks = blocks(text)
        self._lines: list[str] = []  # the current block's lines, stripped (blank ones as "")
        self._next = 0  # the index in _lines of the next line to look at
        self._before = 0  # lines in the blocks before the current one

    def __iter__(self):
        return self

    def __next__(self) -> tuple[int, list[str]]:
        while True:
            while self._next >= len(self._lines):
                self._read_block()  # StopIteration at the end of the text
            i = self._next
            self._next += 1
            if self._lines[i]:
                return self._before + i + 1, [self._lines[i]]

    def _read_block(self) -> None:
        block = next(self._blocks)
        self._before += len(self._lines)
        self._lines, self._next = list(map(str.strip, block.splitlines())), 0

    def column(self, before: list[str]) -> pd.Series:
        """``before``, then the lines not read yet, as one text column (every :data:`BATCH` lines an array)."""
        out = TextColumns(1)
        out.add_cells(list(before))
        while True:
            out.add_cells(list(filter(None, self._lines[self._next:])))  # the lines not blank
            self._next = len(self._lines)
            try:
                self._read_block()
            except StopIteration:
                return out.column(0)


class Lenient(Exception):
    """The strict CSV reader refused a quote (``"a"b``): read again as Excel reads it."""


@contextlib.contextmanager
def bulk(*, restore: bool = True):
    """Hold the cyclic garbage collector while large structures are built, then as it was.

    A table's rows hold only strings, and the geocoder's index and answers live until the
    end, so they make no cycles to collect; without this the collector walks them again and
    again as they grow (reading a list takes twice as long, geocoding a sixth longer).
    ``restore=False`` leaves it off: for a process that ends right after, whose first
    collection would walk everything just made.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled and restore:
            gc.enable()


def separator(sample: list[str], suffix: str) -> str | None:
    tabs = sum("\t" in ln for ln in sample)
    commas = sum("," in ln for ln in sample)
    if suffix in (".tsv", ".tab"):
        return "\t"
    if suffix == ".csv":
        return "\t" if tabs > commas else ","
    if tabs and tabs >= commas:
        return "\t"
    names = HEADER_NAMES | NAME_HEADERS
    if any(fold_header(h) in names for ln in sample if "," in ln for h in next(csv.reader([ln]), [])):
        return ","  # a .txt that is really a CSV with a header
    return None


def records(text: str, shown: str, sep: str, strict: bool):
    """``(line number, cells)`` for each non-blank record of delimited text, one at a time.

    The line number is the line the record starts on (a quoted cell may hold line breaks).
    Quotes are read strictly first, so a quote left open is reported rather than taking
    the rest of the file into one cell; a strict reader that meets text after a closing
    quote (``"a"b``) raises :class:`Lenient`, and the file is read again as Excel reads it.
    """
    reader = csv.reader(csv_lines(text), delimiter=sep, strict=strict)
    line = 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if "".join(cells).strip():
                yield start, cells
    except csv.Error as exc:
        reason = str(exc)
        if "field limit" in reason:
            raise InputError(f"{shown!r}: a field starting on line {line + 1} is too long",
                             key="csv_field_too_long", path=shown, line=line + 1) from exc
        if "end of data" in reason:
            raise InputError(f"{shown!r}: a quote opened on line {line + 1} is never closed",
                             key="csv_unclosed_quote", path=shown, line=line + 1) from exc
        if strict:
            raise Lenient() from exc
        raise InputError(f"cannot parse {shown!r}: {reason}", key="csv_malformed", path=shown,
                         reason=f"{line + 1}: {reason}") from exc


@functools.lru_cache(maxsize=1)
def text_dtype():
    """The dtype every column of a table read gets: what ``astype(str)`` gives (Arrow-backed text in pandas 3)."""
    return pd.Series([""], dtype=object).astype(str).dtype


def text_array(values):
    """``pd.array(values, dtype=text_dtype())``; through Arrow directly when the dtype is Arrow-backed text."""
    dtype = text_dtype()
    if hasattr(dtype, "__from_arrow__"):
        import pyarrow as pa

        try:
            return dtype.__from_arrow__(pa.array(values, pa.large_string()))
        except (pa.ArrowException, TypeError, ValueError):
            pass
    return pd.array(values, dtype=dtype)


class TextColumns:
    """Columns of text filled a batch of rows at a time, each batch kept in the final dtype."""

    def __init__(self, width: int):
        self.parts: list[list] = [[] for _ in range(width)]
        self.pending: list[str] = []

    def add(self, rows: list) -> None:
        if rows:
            for part, values in zip(self.parts, zip(*rows)):
                part.append(text_array(values))

    def add_cells(self, values: list) -> None:
        """One column's values, a few at a time (a batch is made every :data:`BATCH`)."""
        self.pending += values
        if len(self.pending) >= BATCH:
            self.parts[0].append(text_array(self.pending))
            self.pending = []

    def column(self, j: int, before: list | None = None) -> pd.Series:
        parts = list(self.parts[j])
        if before:
            parts.insert(0, text_array(before))
        if self.pending:
            parts.append(text_array(self.pending))
        if not parts:
            return pd.Series(text_array([]))
        return pd.concat([pd.Series(p) for p in parts], ignore_index=True) if len(parts) > 1 else pd.Series(parts[0])


def release_arrow_memory() -> None:
    """Give back to the system what Arrow's allocator keeps of freed memory (mimalloc and jemalloc keep it)."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # pragma: no cover - an older pyarrow
        pass


_SURROGATE = re.compile("[\ud800-\udfff]")


def unencodable_cell(df: pd.DataFrame, exc: UnicodeEncodeError) -> dict[str, str]:
    """Where the text UTF-8 could not hold (``exc``) is in ``df``, as an error's parameters.

    ``column`` and ``row`` (from 1, "-" for a column name) of the first such text and
    ``char`` (``U+DC80``). Only a lone surrogate is one, and only a frame made in Python can
    hold one (a file is decoded strictly): it is named so the user can fix it.
    """
    where = {"column": "", "row": "-", "char": f"U+{ord(exc.object[exc.start]):04X}"}
    for name in df.columns:
        if isinstance(name, str) and _SURROGATE.search(name):
            return {**where, "column": name}
    for i in range(df.shape[1]):
        column = df.iloc[:, i]
        if column.dtype == object:
            found = column.map(lambda v: isinstance(v, str) and _SURROGATE.search(v) is not None).to_numpy(dtype=bool)
            if found.any():
                return {**where, "column": str(df.columns[i]), "row": str(int(found.argmax()) + 1)}
    return where


__all__ = ["BATCH", "LINES_BLOCK", "Lenient", "LineRows", "TextColumns", "bulk", "csv_lines", "records", "release_arrow_memory",
           "sample_lines", "separator", "text_array", "text_dtype", "text_lines",
           "unencodable_cell"]
