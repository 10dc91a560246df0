"""Write the example inputs in ``sample_data/`` from the embedded town index.

    python tools/make_samples.py [OUTDIR]

Deterministic: the same town index gives byte-identical files (fixed random seed, sorted
towns, fixed timestamps inside the .xlsx). The facility names, block numbers, building
names, postal codes and capacities are made up; the towns and their representative
points are real (Geolonia 住所データ, CC BY 4.0).
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
import zipfile
from pathlib import Path

from geomap.gazetteer import towns

SEED = 20240401
KANJI = "〇一二三四五六七八九"
CHOME = re.compile(r"^(?P<base>.+?)(?P<num>[一二三四五六七八九十]+)丁目$")
FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
# Hyphens staff lists really contain: ASCII, full-width, hyphen, minus, katakana long bar, dash.
HYPHENS = ["-", "－", "‐", "−", "ー", "―"]
# CP932 cannot hold U+2212 (minus) or U+2015 (horizontal bar); Excel would have saved these.
CP932_SAFE = str.maketrans({"−": "－", "―": "－"})
CATEGORIES = {
    "保育園": ("さくら", "ひまわり", "たんぽぽ", "わかば", "すみれ", "こすもす"),
    "児童館": ("なかよし", "げんき", "みらい"),
    "図書館": ("まなび", "ことのは"),
    "集会所": ("ふれあい", "いこい", "みんなの"),
    "高齢者施設": ("やすらぎ", "ゆうゆう", "けやき"),
    "公園": ("せせらぎ", "みどり", "ひだまり"),
}
CAPACITY = {"保育園": (40, 150), "児童館": (20, 80), "図書館": (50, 200), "集会所": (30, 120),
            "高齢者施設": (20, 100), "公園": (0, 0)}
BUILDINGS = ["（架空）東陽ハイツ", "（架空）リバーサイドビル3階", "（架空）みなとマンション101号室", "（架空）第二ビル 2F"]
# Different sizes per ward, so the default map shows a choropleth with several classes.
WARDS = {"江東区": 45, "墨田区": 25, "江戸川区": 35, "中央区": 12, "台東区": 20, "荒川区": 8}


def kanji_number(text: str) -> int:
    """一 … 九十九 as an int (what 丁目 numbers use)."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (KANJI.index(tens) if tens else 1) * 10 + (KANJI.index(ones) if ones else 0)
    return KANJI.index(text)


def kanji(n: int) -> str:
    if n < 10:
        return KANJI[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else KANJI[tens]) + "十" + (KANJI[ones] if ones else "")


def ward_towns(city: str):
    t = towns()
    rows = t[(t["pref"] == "東京都") & (t["city"] == city) & (t["koaza"] == "") & t["lat"].notna()]
    rows = rows[~rows["town"].str.endswith("地先")]
    return rows.sort_values("town").reset_index(drop=True)


def address(rng: random.Random, city: str, town: str, style: int) -> str:
    """One address in town ``town`` with made-up block numbers, in notation ``style``."""
    m = CHOME.match(town)
    base, chome = (m["base"], kanji_number(m["num"])) if m else (town, None)
    ban, go = rng.randint(1, 30), rng.randint(1, 25)
    pref = "" if style in (1, 5, 8) else "東京都"
    if chome is None:  # a town without 丁目: 千田 12-3
        numbers = [
            f"{ban}-{go}", f"{ban}番{go}号", f"{ban}番地{go}", f"{ban}－{go}".translate(FULLWIDTH),
        ][style % 4]
        return f"{pref}{city}{base}{numbers}"
    h = HYPHENS[style % len(HYPHENS)]
    forms = [
        f"{base}{chome}{h}{ban}{h}{go}",                           # 東陽4-11-28 and its hyphens
        f"{base}{chome}-{ban}-{go}".translate(FULLWIDTH),          # 東陽４－１１－２８
        f"{base}{kanji(chome)}丁目{ban}番{go}号",                   # 東陽四丁目11番28号
        f"{base}{chome}丁目{ban}番地{go}",                          # 東陽4丁目11番地28
        f"{base}{kanji(chome)}丁目{ban}{h}{go}",                    # 東陽四丁目11-28
        f"{base}{chome}丁目{ban}-{go}".translate(FULLWIDTH),       # 東陽４丁目１１－２８
        f"{base}{kanji(chome)}丁目{kanji(ban)}番{kanji(go)}号",      # 東陽四丁目十一番二十八号
        f"{base}{chome}{h}{ban}{h}{go} {BUILDINGS[style % len(BUILDINGS)]}",  # with a building
        f"{base}{chome}丁目{ban}の{go}",                            # 東陽4丁目11の28
    ]
    return f"{pref}{city}{forms[style % len(forms)]}"


def facilities(rng: random.Random, city: str, count: int, *, postal_every: int = 0):
    """``count`` fictitious facilities in ``city``: dicts with 名称, 種別, 住所, 定員, and the town's point."""
    pool = ward_towns(city)
    picks = sorted(rng.sample(range(len(pool)), min(count, len(pool))))
    while len(picks) < count:
        picks.append(rng.randrange(len(pool)))
    rows = []
    used = set()
    for i, k in enumerate(picks):
        town = pool.loc[k]
        category = list(CATEGORIES)[rng.randrange(len(CATEGORIES))]
        stem = CHOME.match(town["town"])["base"] if CHOME.match(town["town"]) else town["town"]
        name = f"（架空）{stem}{rng.choice(CATEGORIES[category])}{category}"
        while name in used:
            name = name.replace("（架空）", "（架空）第二")
        used.add(name)
        text = address(rng, city, town["town"], rng.randrange(9 * 4))
        if postal_every and i % postal_every == postal_every - 1:
            text = f"〒135-00{rng.randint(10, 99)} {text}"
        low, high = CAPACITY[category]
        rows.append({
            "名称": name,
            "種別": category,
            "住所": text,
            "定員": "" if high == 0 else str(rng.randint(low, high)),
            "緯度": f"{town['lat']:.6f}",
            "経度": f"{town['lon']:.6f}",
        })
    return rows


def write_csv(path: Path, rows, columns, *, encoding="utf-8", newline="\n", translate=None) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c].translate(translate) if translate else row[c] for c in columns])
    path.write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(path: Path, rows, columns) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "施設一覧"
    ws.append(columns)
    for row in rows:
        ws.append([int(row[c]) if c == "定員" and row[c] else row[c] for c in columns])
    note = wb.create_sheet("説明")
    note.append(["名称・番地・定員は架空です。町名は実在します（Geolonia 住所データ CC BY 4.0）。"])
    stamp = datetime(2024, 4, 1)
    wb.properties.created = wb.properties.modified = stamp
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps each zip entry with the current time; rewrite them with a fixed one.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                          b'<dcterms:modified xsi:type="dcterms:W3CDTF">2024-04-01T00:00:00Z</dcterms:modified>', data)
            info = zipfile.ZipInfo(item.filename, date_time=(2024, 4, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())


def main(outdir: str = "sample_data") -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    koto = facilities(rng, "江東区", 120, postal_every=60)
    columns = ["名称", "種別", "住所", "定員"]
    write_csv(out / "koto_facilities.csv", koto, columns)
    write_csv(out / "koto_facilities_sjis.csv", koto, columns, encoding="cp932", newline="\r\n", translate=CP932_SAFE)
    write_xlsx(out / "koto_facilities.xlsx", koto, columns)
    write_csv(out / "koto_facilities_latlon.csv", koto, ["名称", "種別", "住所", "緯度", "経度"])
    wards = []
    for city, count in WARDS.items():
        wards += facilities(rng, city, count)
    write_csv(out / "tokyo_wards_facilities.csv", wards, columns)
    for name in sorted(p.name for p in out.iterdir() if p.suffix in (".csv", ".xlsx")):
        print(out / name)


if __name__ == "__main__":
    main(*sys.argv[1:2])
