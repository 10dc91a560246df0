"""Shared by the benchmarks: synthetic national lists as files, and whole processes measured from outside.

The lists are distinct addresses made from the embedded town index in varied notation
(:func:`bench_geocode.synthetic`), written as a CSV with four columns (番号, 名称, 住所,
定員) as a municipal list would have them, or as Parquet files for dask. They are cached
in ``--cache`` (default: a folder in the system's temporary folder) so a second run does
not make them again.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
NATIONAL = os.path.join(REPO, "..", "shared", "data", "dev-addresses", "schools-japan-dev.txt")
CLI = "from geomap.cli import run; run()"  # what the console command geomap runs
CACHE = os.path.join(tempfile.gettempdir(), "geomap-bench-lists")
# The processes timed use compiled bytecode, as a user's install does (pip compiles it at install
# time; Python caches it on first import). This workplace sets PYTHONDONTWRITEBYTECODE, under which
# every "warm" run would compile geomap's modules again (about 60 ms), so it is not passed on.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def synthetic_rows(n: int, seed: int = 1) -> list[str]:
    sys.path.insert(0, HERE)
    from bench_geocode import synthetic

    return synthetic(n, seed)[0]


def synthetic_csv(n: int, cache: str = CACHE, seed: int = 1) -> str:
    """A CSV of ``n`` distinct synthetic addresses (made once per cache folder, in a process of its own).

    Made apart so that the benchmark's process stays small: a child process's peak RSS
    (``ru_maxrss``) starts from its parent's size when it was started.
    """
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, f"synthetic_{n}_{seed}.csv")
    if not os.path.exists(path):
        subprocess.run([sys.executable, __file__, "csv", str(n), str(seed), path], check=True)
    return path


def synthetic_parquet(n: int, files: int, cache: str = CACHE, seed: int = 1) -> str:
    """A folder of ``files`` Parquet files holding ``n`` distinct synthetic addresses (made apart, once)."""
    folder = os.path.join(cache, f"synthetic_{n}_{seed}_{files}.parquet")
    if not os.path.exists(folder):
        src = synthetic_csv(n, cache, seed)
        subprocess.run([sys.executable, __file__, "parquet", src, str(files), folder], check=True)
    return folder


def _make_csv(n: int, seed: int, path: str) -> None:
    addresses = synthetic_rows(n, seed)
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["番号", "名称", "住所", "定員"])
        for i, a in enumerate(addresses):
            w.writerow([i + 1, f"施設{i + 1}", a, (i * 37) % 200])
    os.replace(tmp, path)


KINDS = ("小学校", "中学校", "高等学校", "保育園", "幼稚園", "図書館", "公民館", "避難所")


def schools_csv(n: int, cache: str = CACHE) -> str | None:
    """A CSV of ``n`` rows (名称, 種別, 住所, 定員) from the real national list, or None without it.

    The 29,326 school addresses, as written, are taken in turn; from the second pass on the
    last number of each address is raised by the pass number (美原３丁目４８番６号 →
    ４８番７号), so most addresses differ, as in a real list of that size, and keep their
    notation (full-width digits, 番地, 丁目, hyphens). Made once per cache folder.
    """
    if not os.path.exists(NATIONAL):
        return None
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, f"schools_{n}.csv")
    if not os.path.exists(path):
        import re
        import unicodedata

        with open(NATIONAL, encoding="utf-8") as f:
            lines = f.read().splitlines()
        last = re.compile(r"([0-9０-９]+)([^0-9０-９]*)$")

        def vary(address: str, k: int) -> str:
            m = last.search(address)
            if not k or not m:
                return address
            number = str(int(unicodedata.normalize("NFKC", m.group(1))) + k)
            if not m.group(1).isascii():
                number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            return address[:m.start()] + number + m.group(2)

        tmp = path + ".part"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["名称", "種別", "住所", "定員"])
            for i in range(n):
                k, j = divmod(i, len(lines))
                kind = KINDS[(i * 7) % len(KINDS)]
                w.writerow([f"（架空）{kind}{i + 1}", kind, vary(lines[j], k), (i * 37) % 200])
        os.replace(tmp, path)
    return path


def _make_parquet(src: str, files: int, folder: str) -> None:
    import pandas as pd

    frame = pd.read_csv(src, dtype=str, keep_default_na=False)
    tmp = folder + ".part"
    os.makedirs(tmp, exist_ok=True)
    step = -(-len(frame) // files)
    for k in range(files):
        frame.iloc[k * step:(k + 1) * step].to_parquet(os.path.join(tmp, f"part-{k:03d}.parquet"))
    os.replace(tmp, folder)


def national_csv(cache: str = CACHE) -> str | None:
    """The real national list (one address per line) as a one-column CSV, or None if it is not there."""
    if not os.path.exists(NATIONAL):
        return None
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, "national.csv")
    with open(NATIONAL, encoding="utf-8") as f:
        lines = f.read().splitlines()
    with open(path, "w", encoding="utf-8") as f:
        f.write("住所\n" + "\n".join(lines) + "\n")
    return path


@dataclass
class Run:
    """One child process measured from outside."""

    wall: float  # seconds
    rss_mb: float  # peak RSS of the process itself
    tree_mb: float  # largest sum of the RSS of the process and all its descendants (workers), sampled
    cpu: float  # user + sys seconds of the process itself (and the children it waited for)
    tree_cpu: float  # user + sys seconds of the process and every descendant, each its own, sampled every 0.2 s
    load: tuple  # the machine's 1-minute load average before and after

    def line(self, rows: int | None = None) -> str:
        rate = f", {rows / self.wall:,.0f} addresses/s" if rows else ""
        tree = f" (with its workers {self.tree_mb:,.0f} MB)" if self.tree_mb > self.rss_mb * 1.05 else ""
        cpu = f"CPU {self.cpu:.1f} s" + (f" (with its workers {self.tree_cpu:.1f} s)"
                                          if self.tree_cpu > self.cpu * 1.05 else "")
        return (f"{self.wall:7.2f} s{rate}, peak RSS {self.rss_mb:,.0f} MB{tree}, {cpu}, "
                f"load {self.load[0]:.1f} -> {self.load[1]:.1f}")


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_sample(pid: int) -> tuple[float, dict[int, float]]:
    """The RSS (MB) of ``pid`` and every process below it now, and each one's CPU seconds so far (Linux /proc)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return 0.0, {}
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, cpu, todo = 0, {}, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        if p in stats:
            cpu[p] = (int(stats[p][11]) + int(stats[p][12])) / _TICKS  # utime, stime
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1])
        except OSError:
            pass
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20, cpu


def run_measured(args: list[str], cwd: str = REPO, env: dict | None = None) -> Run:
    """Wall time, peak RSS and CPU time of one child process (its own figures, not the benchmark's)."""
    import threading

    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd,
                            env={**os.environ, **(env or {})})
    tree, cpu, done = [0.0], {}, threading.Event()

    def sample():
        while not done.wait(0.2):
            rss, seconds = tree_sample(proc.pid)
            tree[0] = max(tree[0], rss)
            for p, s in seconds.items():
                cpu[p] = max(cpu.get(p, 0.0), s)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed: {err[-2000:]}")
    rss, own = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    # /proc gives each process's own time, without its children's: their sum is the whole tree's (to 0.2 s)
    return Run(wall, rss, max(tree[0], rss), own, max(sum(cpu.values()), own), (load, os.getloadavg()[0]))


def geocode_command(src: str, out: str, *extra: str) -> list[str]:
    return [sys.executable, "-c", CLI, "geocode", src, "-o", out, "-q", *extra]


if __name__ == "__main__":  # the lists are made here, in a process of their own
    if sys.argv[1] == "csv":
        _make_csv(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        _make_parquet(sys.argv[2], int(sys.argv[3]), sys.argv[4])
