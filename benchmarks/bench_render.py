"""Render time, HTML size and browser load time of point maps: 1,000 / 10,000 / 100,000 points.

The points are real town locations from the embedded town index (all of Japan), sampled
with replacement, with a jitter of up to about 100 m so that repeated towns do not sit
on one pixel. Each row has a name, a category (one of five) and the town's address, as a
geocoded list would. Nothing here is a test: it prints numbers, it asserts nothing.

Targets (issue 4): 100,000 points render in under 10 s, make an HTML under 15 MB, and
load in the browser in under 5 s.

Browser load time is measured with Debian's chromium (``/usr/bin/chromium``) driven by
Playwright, every non-local request blocked, from navigation until the points layer
holds every point and clusters are on screen. Skipped if chromium is absent.

Usage::

    python benchmarks/bench_render.py [--sizes 1000 10000 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geomap.gazetteer import towns
from geomap.maps import make_map, save_html

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
from _chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the browser tests launch it the same way)


def sample_rows(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` rows at real town points (sampled with replacement, jittered ≤ ~100 m)."""
    rng = np.random.default_rng(seed)
    index = towns()
    index = index[(index["koaza"] == "") & index["lat"].notna()].reset_index(drop=True)
    pick = index.iloc[rng.integers(0, len(index), n)].reset_index(drop=True)
    jitter = rng.uniform(-0.001, 0.001, size=(n, 2))
    return pd.DataFrame(
        {
            "name": [f"地点{i + 1}" for i in range(n)],
            "category": rng.choice(["学校", "病院", "公園", "図書館", "その他施設"], n),
            "address": pick["pref"].astype(str) + pick["city"].astype(str) + pick["town"].astype(str),
            "lat": pick["lat"].to_numpy() + jitter[:, 0],
            "lon": pick["lon"].to_numpy() + jitter[:, 1],
            "code": pick["code"].astype(str).to_numpy(),
        }
    )


def browser_load(path: Path, n: int) -> float | None:
    """Seconds from navigation until all ``n`` points are in the layer and drawn."""
    if not os.path.exists(CHROMIUM):
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(
            "**/*",
            lambda route: route.continue_()
            if route.request.url.startswith(("file:", "data:", "about:"))
            else route.abort(),
        )
        start = time.perf_counter()
        page.goto(path.resolve().as_uri(), timeout=120_000)
        page.wait_for_function(
            f"""() => window.__geomap && window.__geomap.points
                && window.__geomap.points.getLayers().length === {n}
                && document.querySelectorAll('.marker-cluster, path.geomap-point').length > 0""",
            timeout=120_000,
            polling=50,
        )
        elapsed = time.perf_counter() - start
        browser.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--keep", type=Path, help="directory to keep the HTML files in")
    args = parser.parse_args()

    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="geomap-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"{'points':>8} {'render s':>9} {'save s':>7} {'HTML MB':>8} {'browser s':>10}")
    for n in args.sizes:
        df = sample_rows(n)
        start = time.perf_counter()
        m = make_map(df, category="category", name="name", address="address", by="none", tiles="gsi")
        html = m.get_root().render()
        render_s = time.perf_counter() - start
        path = out_dir / f"bench_{n}.html"
        start = time.perf_counter()
        save_html(m, path)  # renders again, plus the offline check and the atomic write
        save_s = time.perf_counter() - start
        size_mb = len(html.encode("utf-8")) / 1e6
        load = browser_load(path, n)
        load_txt = "n/a" if load is None else f"{load:.2f}"
        print(f"{n:>8,} {render_s:>9.2f} {save_s:>7.2f} {size_mb:>8.2f} {load_txt:>10}", flush=True)
        if args.keep is None:
            path.unlink()
    if args.keep is None:
        out_dir.rmdir()


if __name__ == "__main__":
    main()
