"""geomap.dask on a two-process cluster against one process, whole processes (prints numbers, checks nothing).

    python benchmarks/bench_dask.py [--rows 2000000] [--files 16] [--runs 1] [--cache DIR]

A folder of ``--files`` Parquet files holds ``--rows`` distinct synthetic addresses (made
from the embedded index in varied notation, see bench_geocode.py; cached in ``--cache``).
Each run is a fresh process that reads the folder with ``dask.dataframe.read_parquet``,
geocodes it with ``geomap.dask.geocode`` and writes Parquet:

- one process: dask's synchronous scheduler, everything in that one process;
- cluster: ``distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True)``,
  the cluster's start included.

Printed: wall time, addresses per second, the largest memory of the process and its workers
together, their CPU time, the load average before and after (other work on the machine
slows both), the ratio one process / cluster (two cores at most give 2), and whether the
two outputs hold the same rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _lists import CACHE, run_measured, synthetic_parquet  # noqa: E402

SCRIPT = r"""
import sys
import dask
import dask.dataframe as dd
import geomap

def main(mode, src, out):
    table = dd.read_parquet(src)
    result = geomap.dask.geocode(table, "住所")
    if mode == "one":
        with dask.config.set(scheduler="synchronous"):
            result.to_parquet(out, write_index=False)
    else:
        from distributed import Client, LocalCluster
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster, Client(cluster):
            result.to_parquet(out, write_index=False)

if __name__ == "__main__":
    main(*sys.argv[1:4])
"""


def same_rows(a: str, b: str) -> bool:
    import pandas as pd

    left, right = pd.read_parquet(a), pd.read_parquet(b)
    return left.shape == right.shape and left.equals(right)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--files", type=int, default=16)
    ap.add_argument("--runs", type=int, default=1, help="runs of each (the best is compared)")
    ap.add_argument("--cache", default=CACHE)
    args = ap.parse_args()

    src = synthetic_parquet(args.rows, args.files, args.cache)
    script = os.path.join(args.cache, "bench_dask_run.py")
    with open(script, "w", encoding="utf-8") as f:
        f.write(SCRIPT)
    print(f"geomap.dask.geocode, {args.rows:,} distinct synthetic addresses in {args.files} Parquet files, "
          f"read, geocoded and written as Parquet; whole processes")
    best = {}
    for _ in range(max(1, args.runs)):
        for mode, label in (("one", "one process"), ("cluster", "2-process cluster")):
            out = os.path.join(args.cache, f"dask_out_{mode}")
            shutil.rmtree(out, ignore_errors=True)
            run = run_measured([sys.executable, script, mode, src, out])
            print(f"    {label:18s} {run.line(args.rows)}")
            if mode not in best or run.wall < best[mode].wall:
                best[mode] = run
    ratio = best["one"].wall / best["cluster"].wall
    same = same_rows(os.path.join(args.cache, "dask_out_one"), os.path.join(args.cache, "dask_out_cluster"))
    print(f"    one process / 2-process cluster: {ratio:.2f} (best of {max(1, args.runs)}); same rows: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
