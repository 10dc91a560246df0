"""CSV and TSV as pandas' ``to_csv(index=False, encoding="utf-8-sig", quoting=csv.QUOTE_NONNUMERIC)`` writes them, faster.

:func:`write_delimited` makes the same bytes column by column with Arrow string kernels
(one join per row, the quotes, separators and line end as constant pieces; each distinct
number formatted once), a block of rows at a time; a table it does not take goes to pandas.
:func:`geomap.output.write_table` calls it on a temporary path, after the formula guard.
"""

from __future__ import annotations

import codecs
import csv
import io
import os

import pandas as pd

from .textrows import release_arrow_memory

#: Rows turned into CSV text at a time by :func:`write_delimited`.
CSV_ROWS = 100_000


def write_delimited(df: pd.DataFrame, path, *, sep: str = ",") -> None:
    """Write ``df`` as ``df.to_csv(path, index=False, encoding="utf-8-sig", sep=sep, quoting=csv.QUOTE_NONNUMERIC)`` does.

    The same bytes, made column by column with Arrow string kernels when every column is
    text, float64 or a numpy integer and every column name is text (:func:`_csv_pieces`);
    any other table goes to pandas. Text is in double quotes with its quotes doubled,
    missing values are ``""``, numbers are written as Python writes them. Not atomic:
    :func:`write_table` gives it a temporary path.
    """
    pieces = _csv_pieces(df, sep)
    if pieces is None:
        df.to_csv(path, index=False, encoding="utf-8-sig", sep=sep, quoting=csv.QUOTE_NONNUMERIC)
        return
    with open(path, "wb") as f:
        f.write(codecs.BOM_UTF8)
        for piece in pieces:
            f.write(piece)
    release_arrow_memory()  # the lines made for each block of rows


def _csv_pieces(df: pd.DataFrame, sep: str):
    """The CSV bytes of ``df`` (without the BOM) as an iterator of buffers, or None if pandas must write it."""
    import numpy as np
    import pyarrow as pa

    if df.shape[1] == 0 or isinstance(df.columns, pd.MultiIndex) or not all(isinstance(c, str) for c in df.columns):
        return None
    columns = []
    for i in range(df.shape[1]):
        column = df.iloc[:, i]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            return None
        if dtype == object or pd.api.types.is_string_dtype(dtype):
            try:
                values = pa.array(column, from_pandas=True)
            except (pa.ArrowException, TypeError, ValueError):
                return None
            if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
                    or pa.types.is_null(values.type)):
                return None
            columns.append(("text", values))
        elif isinstance(dtype, np.dtype) and dtype.kind in "iuf" and (dtype.kind != "f" or dtype == np.float64):
            columns.append(("number", column.to_numpy()))
        else:
            return None
    header = io.StringIO()
    csv.writer(header, delimiter=sep, quoting=csv.QUOTE_NONNUMERIC, lineterminator=os.linesep).writerow(
        list(df.columns))

    def pieces():
        yield header.getvalue().encode("utf-8")
        for start in range(0, len(df), CSV_ROWS):
            yield from _csv_rows(columns, start, min(start + CSV_ROWS, len(df)), sep)

    return pieces()


def _csv_rows(columns: list, start: int, end: int, sep: str):
    """Rows ``start:end`` as CSV bytes (the buffers of one Arrow string array, one line per row)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    # One join per row: the fields with the quotes, separators and the line end between them
    # as constant pieces (text fields quoted, numbers not, as QUOTE_NONNUMERIC writes them).
    pieces: list = []
    constant = ""
    for i, (kind, values) in enumerate(columns):
        constant += sep if i else ""
        if kind == "text":
            part = values.slice(start, end - start)
            if pa.types.is_null(part.type):
                part = pa.nulls(end - start, pa.large_string())
            # Quotes doubled inside the quotes; a missing value is the empty text.
            field = pc.replace_substring(pc.fill_null(part.cast(pa.large_string()), ""), '"', '""')
            constant += '"'
        else:
            field = _number_texts(values[start:end])
        pieces += [pa.scalar(constant, pa.large_string()), field]
        constant = '"' if kind == "text" else ""
    pieces.append(pa.scalar(constant + os.linesep, pa.large_string()))
    lines = pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))
    for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=len(chunk) + 1,
                                    offset=chunk.offset * 8)
            yield memoryview(chunk.buffers()[2])[offsets[0]:offsets[-1]]


def _number_texts(values):
    """Numbers as the csv module writes them (``str()``), NaN as ``""``.

    Floats are written by Arrow where its text is Python's (:func:`_float_texts`); integers
    are formatted once per distinct value.
    """
    import numpy as np
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    if values.dtype.kind == "f":
        return _float_texts(values)
    codes, distinct = pd.factorize(values)
    texts = [str(v) for v in distinct.tolist()]
    return pa.array(np.array(texts, dtype=object)[codes], pa.large_string())


#: Where ``repr`` writes a float without an exponent: ``1e-4 <= |x| < 1e16``.
_FIXED = (1e-4, 1e16)


def _float_texts(values):
    """``str(x)`` of float64 values as an Arrow text array (``""`` for NaN).

    Arrow's cast writes the same shortest digits as Python. Where both write them without
    an exponent, its text is Python's but for the ``.0`` Python adds to a whole number; the
    other values (an exponent in either, 0.0, -0.0, inf, NaN) are written by Python.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array(values).cast(pa.large_string())
    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        fixed = (size >= _FIXED[0]) & (size < _FIXED[1])
    fixed &= ~_flags(pc.match_substring(texts, "e"))
    whole = fixed & ~_flags(pc.match_substring(texts, "."))
    if whole.any():
        texts = pc.if_else(pa.array(whole), pc.binary_join_element_wise(texts, pa.scalar(".0", pa.large_string()),
                                                                    pa.scalar("", pa.large_string())), texts)
    other = np.flatnonzero(~fixed)
    if len(other):
        by_python = ['""' if v != v else str(v) for v in values[other].tolist()]
        texts = pc.replace_with_mask(texts, pa.array(~fixed), pa.array(by_python, pa.large_string()))
    return texts


def _flags(values):
    """A boolean Arrow array without nulls as numpy."""
    import numpy as np

    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)


__all__ = ["CSV_ROWS", "write_delimited"]
