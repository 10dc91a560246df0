"""How long the embedded data takes to load, and how much memory it holds (prints numbers).

    python benchmarks/bench_load.py

Each measurement runs in a fresh interpreter so nothing is cached: the town index
(all of Japan), the geocoder's lookup structures for municipalities and prefectures,
and the municipal boundary polygons.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import json, resource, time
import pandas, geopandas  # imported before timing: we measure geomap's data, not library imports
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
from geomap import gazetteer
towns = gazetteer.towns()
t1 = time.perf_counter()
from geomap.geocoders.index import town_index
index = town_index()
t2 = time.perf_counter()
from geomap import boundaries
mun = boundaries.municipalities()
t3 = time.perf_counter()
print(json.dumps({
    "towns": len(towns),
    "town_index_load_s": round(t1 - t0, 3),
    "town_index_memory_mb": round(towns.memory_usage(deep=True).sum() / 2**20, 1),
    "lookup_structures_s": round(t2 - t1, 3),
    "municipal_boundaries": len(mun),
    "boundaries_load_s": round(t3 - t2, 3),
    "rss_added_by_data_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024, 1),
    "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
}))
"""


def main() -> int:
    runs = [json.loads(subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    for run in runs:
        print(json.dumps(run, ensure_ascii=False))
    best = min(r["town_index_load_s"] for r in runs)
    print(f"town index (all of Japan, {runs[0]['towns']:,} entries): best load {best:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
