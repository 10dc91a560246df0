"""The offline geocoder in chunks and over worker processes: what ``jobs`` does.

:func:`run_offline` geocodes a column of addresses in chunks: in this process, or, for
``jobs`` above 1, in a :class:`concurrent.futures.ProcessPoolExecutor` whose workers
start from a fork server (a fresh interpreter that imports geomap once; never a fork of a
caller that may run threads) and read the embedded index themselves in their initializer.
Only the chunks' address strings and the options (``pref``, ``city``, ``lang``) cross to a
worker, never the index; the chunks' results are joined in row order, so the result is the
same as in one process. On Ctrl-C or any error the chunks left are cancelled and the
workers ended. A script that uses workers needs ``if __name__ == "__main__":`` (workers
import the main module again), as every Python program that starts processes does.
"""

from __future__ import annotations

import gc
import logging
import math
import multiprocessing
import os
import signal

import numpy as np
import pandas as pd

from .errors import GeomapError, UsageError
from .geocoders.offline import OfflineGeocoder, geocode_strings
from .messages import message
from .textrows import release_arrow_memory

log = logging.getLogger(__name__)

#: Addresses the offline geocoder takes at a time in one process: its working lists are
#: freed after each chunk, so a list of millions never holds them all at once (20,000 rather
#: than 50,000: 45 MB less at the peak of a million rows, for the same answers).
OFFLINE_CHUNK = 20_000
#: The fewest addresses a worker is given at a time.
MIN_CHUNK = 2000
#: With ``jobs="auto"``, lists with fewer addresses than this are geocoded in this process.
#: Workers cost about a second before they answer (the fork server's imports, then in each
#: worker the index and the town keys of every prefecture its rows reach), which a
#: national list of about 45,000 addresses earns back on two cores (bench_geocode.py).
#: Above it, one process per :data:`AUTO_ROWS_PER_JOB` addresses, at most one per core.
AUTO_JOBS_MIN_ROWS = 50_000
AUTO_ROWS_PER_JOB = 25_000


def check_jobs(jobs) -> int | str:
    """``jobs`` as :func:`resolve_jobs` takes it: a whole number from 0, or ``"auto"`` (None too).

    Raises
    ------
    geomap.errors.UsageError
        ``bad_jobs`` for anything else (a negative number, a fraction, other text).
    """
    if jobs is None or (isinstance(jobs, str) and jobs.strip().lower() == "auto"):
        return "auto"
    number = None
    if isinstance(jobs, str) and jobs.strip().isdecimal():  # ２ (full width) too; not ², which int() refuses
        number = int(jobs.strip())
    elif isinstance(jobs, (int, np.integer)) and not isinstance(jobs, bool):
        number = int(jobs)
    if number is None or number < 0:
        raise UsageError(f"jobs must be a whole number from 0, or 'auto', not {jobs!r}", key="bad_jobs",
                         value=str(jobs))
    return number


def cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs, addresses: int, step: int = MIN_CHUNK) -> int:
    """How many processes geocode ``addresses`` offline addresses for the given ``jobs``.

    ``N`` gives N (never more than chunks of ``step`` addresses); ``0`` one per core;
    ``"auto"`` (or None) 1 below :data:`AUTO_JOBS_MIN_ROWS` addresses, else one per
    :data:`AUTO_ROWS_PER_JOB` addresses up to one per core. Inside a daemonic process (a
    ``multiprocessing`` or dask worker, which may not start processes of its own) always 1.

    Examples
    --------
    >>> resolve_jobs("auto", 5_000), resolve_jobs(1, 1_000_000)
    (1, 1)
    """
    jobs = check_jobs(jobs)
    if jobs == "auto":
        wanted = 1 if addresses < AUTO_JOBS_MIN_ROWS else min(cores(), addresses // AUTO_ROWS_PER_JOB)
    else:
        wanted = cores() if jobs == 0 else jobs
    wanted = max(1, min(wanted, math.ceil(addresses / step)))
    if wanted > 1 and multiprocessing.current_process().daemon:
        log.debug("a daemonic process geocodes in one process")
        return 1
    return wanted


def prepare_workers(jobs, geocoder="offline") -> None:
    """Start the fork server now if workers will be asked for, so it imports geomap while the list is read.

    Only for an explicit ``jobs`` above 1 (or 0 on a machine of several cores) and the
    offline geocoder; ``"auto"`` waits until the number of addresses is known.
    """
    jobs = check_jobs(jobs)
    offline = type(geocoder) is OfflineGeocoder or (isinstance(geocoder, str) and geocoder.strip().lower() == "offline")
    if jobs in ("auto", 1) or (jobs == 0 and cores() == 1) or not offline or multiprocessing.current_process().daemon:
        return
    if _start_method().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _chunk_size(n: int, jobs: int, in_steps: bool, step: int) -> int:
    """Addresses per chunk: ``step`` for a progress bar, else few chunks per worker."""
    if jobs > 1:
        return min(OFFLINE_CHUNK, max(step, math.ceil(n / (jobs * 16))))
    return step if in_steps else OFFLINE_CHUNK


def _progress_counter(progress, total: int, lang: str, bar_from: int):
    """A function told the rows done so far, and a function that closes the bar (if any)."""
    if callable(progress):
        return (lambda done: progress(done, total)), (lambda: None)
    if not progress or total < bar_from:
        return (lambda done: None), (lambda: None)
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit=message("progress_unit", lang), disable=None, leave=False)
    return (lambda done: bar.update(done - bar.n)), bar.close


def run_offline(coder: OfflineGeocoder, addresses: pd.Series, rows: np.ndarray, progress, jobs, *,
                step: int = MIN_CHUNK, bar_from: int = 3000) -> pd.DataFrame:
    """The offline geocoder's result for ``addresses.iloc[rows]``, in chunks, in row order.

    ``progress`` is True for a bar (from ``bar_from`` addresses) or ``progress(done, total)``,
    told the rows done after each chunk; with a progress, chunks are ``step`` addresses.
    """
    n = len(rows)
    if n == 0:  # the result's columns and dtypes, for no row
        return geocode_strings([], pref=coder.pref, city=coder.city, lang=coder.lang)
    workers = resolve_jobs(jobs, n, step)
    in_steps = callable(progress) or (bool(progress) and n >= bar_from)
    size = _chunk_size(n, workers, in_steps, step)
    # The addresses are geocoded in sorted order and the results put back in row order: the rows
    # of one town then come one after the other, and the matcher takes a sixth less CPU time
    # (200,000 synthetic addresses in 50,000-row chunks: 7.7 s, not 9.1 s). In one process each
    # chunk is sorted (its results are put back at once, so memory does not grow); for workers
    # the whole list is, so that the rows of one town fall in one chunk and one worker, not
    # each, makes that town's entries of the index.
    order = _sorted_order(addresses.iloc[rows]) if workers > 1 else None
    if order is not None:
        rows = rows[order]
    whole = order is None and n == len(addresses)

    def chunk(start: int) -> pd.Series:
        return addresses.iloc[start:start + size] if whole else addresses.iloc[rows[start:start + size]]

    starts = range(0, n, size)
    tell, close = _progress_counter(progress, n, coder.lang, bar_from)
    try:
        if workers == 1:
            parts = []
            for start in starts:
                parts.append(_geocode_sorted(chunk(start), coder))
                tell(min(start + size, n))
        else:
            parts = _in_workers(workers, [chunk(s).tolist() for s in starts], coder, tell)
    finally:
        close()
    result = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    del parts
    if order is not None:
        back = np.empty_like(order)
        back[order] = np.arange(n)
        result = _put_back(result, back)
    release_arrow_memory()
    return result


def _geocode_sorted(values: pd.Series, coder: OfflineGeocoder) -> pd.DataFrame:
    """``geocode_strings`` of ``values``, asked in sorted order, the rows in the order of ``values``."""
    order = _sorted_order(values)
    if order is None:
        return geocode_strings(values.tolist(), pref=coder.pref, city=coder.city, lang=coder.lang)
    result = geocode_strings(values.take(order).tolist(), pref=coder.pref, city=coder.city, lang=coder.lang)
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return result.take(back).reset_index(drop=True)


def _put_back(result: pd.DataFrame, back: np.ndarray) -> pd.DataFrame:
    """``result.take(back)``, a column at a time, each old column's memory given back before the next."""
    columns = {}
    for name in list(result.columns):
        columns[name] = result.pop(name).take(back).reset_index(drop=True)
        release_arrow_memory()  # else Arrow's allocator keeps the old column too: the result held twice
    return pd.DataFrame(columns)


def _sorted_order(values: pd.Series) -> np.ndarray | None:
    """Positions that sort ``values`` (text; missing values last), or None if they cannot be sorted."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        return np.asarray(pc.sort_indices(pa.array(values, from_pandas=True)))  # missing values last
    except (ImportError, TypeError, ValueError, pa.ArrowException):
        return None


def _start_worker() -> None:
    """Run in each worker as it starts: Ctrl-C is the parent's to handle, and the index is read here.

    A worker lives for one call and only geocodes: the cyclic garbage collector is off in
    it, as in the ``geomap`` command (:func:`geomap.cli.run`). Its chunks' lists and frames
    are freed by reference counting; the collector would walk the growing index again and
    again and find little to collect.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()
    from .geocoders.index import town_index

    town_index()


def _geocode_chunk(values: list, pref, city, lang: str) -> pd.DataFrame:
    return geocode_strings(values, pref=pref, city=city, lang=lang)


def _start_method():
    """The start method of the workers: a fork server where there is one (POSIX), else spawn.

    Plain ``fork`` would copy a parent that may run threads (pyarrow's, a server's); the
    fork server is a fresh interpreter that imports geomap once and forks each worker
    from there.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["geomap.workers"])
        return ctx
    return multiprocessing.get_context("spawn")


def _in_workers(workers: int, chunks: list[list], coder: OfflineGeocoder, tell) -> list[pd.DataFrame]:
    """Geocode ``chunks`` in ``workers`` processes; the results in the chunks' order.

    On any error, and on Ctrl-C, the pending chunks are cancelled and every worker is
    stopped before the exception goes on.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    executor = ProcessPoolExecutor(max_workers=workers, mp_context=_start_method(), initializer=_start_worker)
    try:
        futures = {executor.submit(_geocode_chunk, values, coder.pref, coder.city, coder.lang): i
                   for i, values in enumerate(chunks)}
        sizes = [len(values) for values in chunks]
        del chunks
        parts: list = [None] * len(futures)
        pending, done_rows = set(futures), 0
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                i = futures[future]
                parts[i] = future.result()
                done_rows += sizes[i]
            tell(done_rows)
    except BrokenProcessPool as exc:  # a worker died: killed for memory, or a script without a main guard
        _stop(executor)
        raise GeomapError(f"a geocoding worker process stopped: {exc}", key="jobs_workers_failed") from exc
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown(wait=True)
    return parts


def _stop(executor) -> None:
    """Cancel what is left and end the worker processes now (Ctrl-C, an error)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


__all__ = ["AUTO_JOBS_MIN_ROWS", "AUTO_ROWS_PER_JOB", "check_jobs", "cores", "prepare_workers", "resolve_jobs",
           "run_offline"]
