"""Render the README's pictures from the bundled samples with the public API.

Writes into ``docs/images/``:

- ``koto_facilities_points.png``: ``sample_data/koto_facilities.csv``, one point per
  facility, coloured by 種別 (what ``geomap render ... --png`` draws for one ward);
- ``tokyo_wards_choropleth.png``: ``sample_data/tokyo_wards_facilities.csv``, wards
  coloured by their number of facilities (the default for a list spanning several wards).

**Regenerate them whenever the look of the maps changes** (``geomap/maps/``) or the samples
change, and commit the PNGs::

    python tools/make_readme_images.py

The images are A4 at the library's own resolution (``save_image``'s default dpi), so the
README shows exactly what a user gets. Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geomap
from geomap.maps import MapOptions

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
MAX_BYTES = 600_000  # keep the repository light; the README shows both images

IMAGES = {
    "koto_facilities_points.png": (
        "koto_facilities.csv",
        MapOptions(by="none", category="種別", name="名称", address="住所", title="江東区の施設（架空のサンプル）"),
    ),
    "tokyo_wards_choropleth.png": (
        "tokyo_wards_facilities.csv",
        MapOptions(by="municipality", title="区ごとの施設数（架空のサンプル）"),
    ),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Render the README's pictures into docs/images/.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="folder to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    too_big = []
    for image, (sample, options) in IMAGES.items():
        table = geomap.geocode_table(geomap.read_table(SAMPLES / sample))
        placed = table[table["level"] >= 3]
        if len(placed) != len(table):
            print(f"{sample}: {len(table) - len(placed)} rows not placed", file=sys.stderr)
            return 1
        path = geomap.save_image(placed, args.out / image, options)
        size = path.stat().st_size
        print(f"{path} {size // 1000} KB")
        if size > MAX_BYTES:
            too_big.append(f"{path.name} ({size // 1000} KB)")
    if too_big:
        print(f"larger than {MAX_BYTES // 1000} KB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
