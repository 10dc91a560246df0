"""``geomap geocode -o x.xlsx`` on 100,000 rows (issue 15 item 4; prints numbers, checks nothing).

    python benchmarks/bench_xlsx.py [--rows 100000] [--runs 3] [--old]

The list is the real national list of school addresses made into ``--rows`` rows of 名称,
種別, 住所, 定員 (:func:`_lists.schools_csv`: the addresses as written, their last number
raised on each further pass, so most rows differ).

(a) The whole command as a new process, ``geocode in.csv -o out.xlsx`` and the same with
    ``-o out.csv``, which separates geocoding from writing: wall time, peak RSS (of the
    process; with its workers when ``--jobs auto`` starts some), the machine's load.
    The first run is "cold". Target: the .xlsx command under 15 s.
(b) The writer alone, in a process of its own: the list geocoded once, then
    ``write_table(frame, out.xlsx)`` (formula guard and writer) timed, with the peak RSS
    before and after it; ``--old`` also times openpyxl's own write-only stream, a cell
    object per value (what the writer did before). Then the .xlsx is read back and compared
    with the .csv, cell for cell (``geomap.io.read_table``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _lists import REPO, geocode_command, run_measured, schools_csv  # noqa: E402

WRITER = r"""
import json, resource, sys, time
import geomap
from geomap.io import read_table
from geomap.output import neutralize_formulas, write_table

src, out, old = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
frame = geomap.geocode_file(src, out + ".csv", jobs=1).frame
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
result = {"rows": len(frame), "columns": frame.shape[1], "rss_before": peak()}
t = time.perf_counter()
write_table(frame, out + ".xlsx")
result["write_table"] = time.perf_counter() - t
result["rss_after"] = peak()
if old:
    from geomap.xlsx import _write_xlsx_openpyxl
    t = time.perf_counter()
    _write_xlsx_openpyxl(neutralize_formulas(frame), out + "_old.xlsx")
    result["old_stream"] = time.perf_counter() - t
t = time.perf_counter()
result["same_as_csv"] = read_table(out + ".xlsx").equals(read_table(out + ".csv"))
result["read_back"] = time.perf_counter() - t
print(json.dumps(result))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3, help="processes per measurement (the first is 'cold')")
    ap.add_argument("--old", action="store_true", help="also time openpyxl's own stream (about 15 s)")
    ap.add_argument("--skip-command", action="store_true", help="only (b), the writer alone")
    args = ap.parse_args()
    src = schools_csv(args.rows)
    if src is None:
        print("the national list ../shared/data/dev-addresses/schools-japan-dev.txt is not there")
        return 1
    print(f"list: {src} ({args.rows:,} rows), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_command:
            print("(a) geomap geocode as a new process")
            for suffix in (".xlsx", ".csv"):
                for k in range(args.runs):
                    run = run_measured(geocode_command(src, os.path.join(tmp, f"out{suffix}")))
                    label = "cold" if k == 0 else f"run {k + 1}"
                    print(f"  -o out{suffix:5} {label:6} {run.line()}")
        print("(b) the writer alone (the frame geocoded first, in the same process)")
        out = subprocess.run([sys.executable, "-c", WRITER, src, os.path.join(tmp, "out"), "1" if args.old else "0"],
                             cwd=REPO, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  write_table(.xlsx) {r['rows']:,} rows x {r['columns']} columns: {r['write_table']:.2f} s, "
              f"peak RSS {r['rss_before']:,.0f} MB before, {r['rss_after']:,.0f} MB after, "
              f"load {os.getloadavg()[0]:.1f}")
        if "old_stream" in r:
            print(f"  openpyxl's own write-only stream (before): {r['old_stream']:.2f} s")
        print(f"  read back ({r['read_back']:.1f} s): the .xlsx holds what the .csv holds: {r['same_as_csv']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
