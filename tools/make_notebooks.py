"""Write the tutorial notebooks in ``notebooks/`` from the cell texts below.

The notebooks are kept in git without outputs (``execution_count`` null), so a diff shows
only what a reader will read. Edit the cells here, not in Jupyter, then run::

    python tools/make_notebooks.py            # rewrite notebooks/*.ipynb
    python tools/make_notebooks.py --check    # exit 1 if a notebook differs from this script

``tests/test_notebooks.py`` runs both notebooks from top to bottom with no network.
Each notebook writes its files to ``output/`` beside itself (``notebooks/output/``, ignored by git).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

# The first code cell of both notebooks: find sample_data/ (the repository's top level, or
# wherever the notebook was copied together with it) and make the output folder.
SETUP = '''\
from pathlib import Path

import pandas as pd
import geomap

# sample_data/ はリポジトリの最上位にあります（このノートブックの 1 つ上）。
# sample_data/ sits at the top of the repository, one level above this notebook.
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "sample_data").is_dir())
SAMPLE = ROOT / "sample_data"
OUT = Path("output")  # 作ったファイルの置き場所 / where the files made here go (ignored by git)
OUT.mkdir(exist_ok=True)
pd.set_option("display.max_columns", 20)
geomap.__version__'''


def quickstart() -> list:
    return [
        new_markdown_cell(
            "# はじめての geomap: 住所の一覧から地図まで\n"
            "\n"
            "同梱のサンプル（江東区の施設一覧。名称・番地は架空）を読み込み、住所から位置を求め（ジオコーディング）、"
            "一致の程度を確かめ、地図を表示して、HTML と PNG に保存します。\n"
            "\n"
            "- **ネットワークは使いません。** 住所の辞書と市区町村の境界は geomap に入っています。\n"
            "  背景の地理院タイルだけは、地図を開いたときにネットワークがあれば表示されます（無ければ境界線だけ）。\n"
            "- 上から順に実行してください（メニューの「Run All」）。作ったファイルは `output/` に入ります。\n"
            "\n"
            "*English: a quick tour — read the bundled sample, geocode it offline, check the match levels, "
            "show a point map and a ward choropleth inline, and save them as HTML and PNG into `output/`.*"
        ),
        new_code_cell(SETUP),
        new_markdown_cell(
            "## 1. 同梱データの出典\n"
            "\n"
            "位置はオープンデータ（CC BY 4.0）から求めます。地図には必ずこの出典が入ります。\n"
            "\n"
            "*The embedded data and the attribution every map carries.*"
        ),
        new_code_cell(
            'counts = {k: v for k, v in geomap.info().items() if k != "sources"}\n'
            "print(counts)\n"
            "print(geomap.attribution())"
        ),
        new_markdown_cell(
            "## 2. 住所を何件か試す: `geomap.geocode`\n"
            "\n"
            "全角数字・漢数字・いろいろなハイフン・建物名などの表記ゆれを読みます。"
            "`level` は一致の程度（0 = 特定できず、1 = 都道府県、2 = 市区町村、3 = 町丁目・大字、4 = 小字）、"
            "`rest` は一致した部分より後ろ（番地・建物名）です。位置は町丁目の代表点で、番地までは求めません。\n"
            "\n"
            "区を省いた住所は `city`（コマンドでは `--city`）で補えます。\n"
            "\n"
            "*`level` says how far an address matched; `rest` is what followed the match. "
            "`city` supplies the ward a list leaves out.*"
        ),
        new_code_cell(
            "addresses = [\n"
            '    "東京都江東区東陽４－１１－２８",\n'
            '    "江東区豊洲三丁目２番３号 豊洲ビル5F",\n'
            '    "札幌市中央区北1条西2丁目",\n'
            '    "江東区どこか町1-1",        # 町名が見つからない → 市区町村まで / town unknown\n'
            '    "〒135-0016 東陽4-11-28",   # 区が無い → 特定できず / no ward written\n'
            "]\n"
            'columns = ["level", "pref", "city", "town", "rest", "note"]\n'
            "geomap.geocode(addresses)[columns]"
        ),
        new_code_cell(
            "# 区を補うと最後の住所も町丁目まで一致します / with the ward supplied\n"
            'geomap.geocode(["〒135-0016 東陽4-11-28"], city="江東区")[columns]'
        ),
        new_markdown_cell(
            "## 3. Excel の一覧を読む: `geomap.read_table`\n"
            "\n"
            "CSV（UTF-8 でも Shift_JIS でも）、TSV、Excel（.xlsx）を読めます。文字コードは自動で判定します。"
            "元のファイルは変更しません。\n"
            "\n"
            "*Reads CSV/TSV/text/.xlsx; the encoding is detected; the file is never modified.*"
        ),
        new_code_cell(
            'table = geomap.read_table(SAMPLE / "koto_facilities.xlsx")\n'
            'print(len(table), "行")\n'
            "table.head()"
        ),
        new_markdown_cell(
            "## 4. 一覧をまとめてジオコーディング: `geomap.geocode_table`\n"
            "\n"
            "住所の列は見出し（住所・所在地など）から見つけます。元の列の後ろに `lat`（緯度）、`lon`（経度）、"
            "`level` などの列が付きます。\n"
            "\n"
            "*The address column is found by its header; the result columns are added after the table's own.*"
        ),
        new_code_cell(
            "result = geomap.geocode_table(table)\n"
            'result[["名称", "住所", "lat", "lon", "level", "town", "rest"]].head()'
        ),
        new_markdown_cell(
            "## 5. 一致レベルの集計\n"
            "\n"
            "地図に点を置くのは、町丁目・大字（3）か小字（4）まで一致した行です。"
            "0〜2 の行があれば、住所を直すか、都道府県・市区町村を補ってください。\n"
            "\n"
            "*Rows at level 3 or 4 go on the map; rows at 0–2 need a better address or more context.*"
        ),
        new_code_cell(
            "LEVELS = {0: \"0 特定できず\", 1: \"1 都道府県\", 2: \"2 市区町村\", 3: \"3 町丁目・大字\", 4: \"4 小字\"}\n"
            'summary = result["level"].map(LEVELS).value_counts().reindex(list(LEVELS.values()), fill_value=0)\n'
            'summary.rename("件数").to_frame()'
        ),
        new_code_cell(
            "# 地図に置けない行（このサンプルでは 0 行）/ rows that will not be placed\n"
            'result.loc[result["level"] < 3, ["名称", "住所", "level", "ambiguous", "note"]]'
        ),
        new_markdown_cell(
            "## 6. 地図を表示: `geomap.make_map`\n"
            "\n"
            "点は施設の種別で色分けし、クリックすると名称と住所が出ます。地図はこのノートブックの中に表示されます。\n"
            "\n"
            "*A self-contained folium map; displayed inline by leaving it as the cell's last value.*"
        ),
        new_code_cell(
            "points_map = geomap.make_map(\n"
            '    result, category="種別", name="名称", address="住所", title="江東区の施設（架空）"\n'
            ")\n"
            "points_map"
        ),
        new_markdown_cell(
            "## 7. 区ごとの色分け（コロプレス図）\n"
            "\n"
            "6 区にまたがる一覧（`tokyo_wards_facilities.csv`）を、区ごとの件数で塗り分けます。"
            "`geomap.aggregate` で同じ集計を表としても見られます。\n"
            "\n"
            "*A municipality choropleth of the six-ward sample, and the same counts as a table.*"
        ),
        new_code_cell(
            'wards = geomap.geocode_table(geomap.read_table(SAMPLE / "tokyo_wards_facilities.csv"))\n'
            'by_ward = geomap.aggregate(geomap.to_points(wards), by="municipality")\n'
            'by_ward.loc[by_ward["count"] > 0, ["name", "count"]].sort_values("count", ascending=False)'
        ),
        new_code_cell(
            'ward_map = geomap.make_map(wards, by="municipality", title="区ごとの施設数（架空）")\n'
            "ward_map"
        ),
        new_markdown_cell(
            "## 8. 保存: `geomap.save_html` と `geomap.save_image`\n"
            "\n"
            "HTML はブラウザで開く 1 つのファイルです（インターネットが無くても開けます）。"
            "PNG は A4 の画像で、Word や PowerPoint の資料に貼れます。\n"
            "\n"
            "*HTML for the browser (one file, works offline); PNG (A4) for memos.*"
        ),
        new_code_cell(
            'geomap.save_html(points_map, OUT / "koto_facilities.html")\n'
            "geomap.save_image(\n"
            '    result, OUT / "koto_facilities.png", category="種別", title="江東区の施設（架空）"\n'
            ")\n"
            'geomap.save_html(ward_map, OUT / "tokyo_wards.html")\n'
            'geomap.save_image(wards, OUT / "tokyo_wards.png", by="municipality", title="区ごとの施設数（架空）")\n'
            'sorted(p.name for p in OUT.glob("*.*"))'
        ),
        new_code_cell(
            "from IPython.display import Image\n"
            "\n"
            'Image(filename=OUT / "tokyo_wards.png", width=700)'
        ),
        new_markdown_cell(
            "## 9. 1 行で: `geomap.render`\n"
            "\n"
            "ファイルを読んで地図を書くまでを 1 回で行います（コマンドの `geomap render` と同じ）。"
            "Excel が保存する Shift_JIS の CSV もそのまま読めます。"
            "地図に置けない行があれば `<元の名前>_unmatched.csv` に理由付きで書き出します。\n"
            "\n"
            "*`render` does it all, like `geomap render`; rows not placed go to `<stem>_unmatched.csv` with a reason.*"
        ),
        new_code_cell(
            "done = geomap.render(\n"
            '    SAMPLE / "koto_facilities_sjis.csv", OUT / "koto_sjis.html", png=True, title="江東区の施設（架空）"\n'
            ")\n"
            'print("行数", done.rows, "/ 地図に置いた", done.placed, "/ 置けなかった", done.unplaced)\n'
            "[p.name for p in done.outputs]"
        ),
    ]


def town_level() -> list:
    return [
        new_markdown_cell(
            "# 町丁目ごとの集計と、個人情報への配慮\n"
            "\n"
            "1 つの区（江東区）の一覧を、町丁目ごと・地区ごとに集計します。\n"
            "\n"
            "1. 町丁目ごとの件数と合計（`by=\"town\"`）\n"
            "2. 件数の少ない区域を伏せる（`min_count`）、個々の点を地図に入れない（`points=False`）\n"
            "3. 自分の区域ファイル（地区割りなど）で集計する（`boundaries`）\n"
            "\n"
            "ネットワークは使いません。作ったファイルは `output/` に入ります。\n"
            "\n"
            "*English: town-level aggregation in one ward, hiding small counts, keeping points out of "
            "the page, and aggregating to your own boundary file. Offline; files go to `output/`.*"
        ),
        new_code_cell(SETUP),
        new_code_cell(
            'result = geomap.geocode_table(geomap.read_table(SAMPLE / "koto_facilities.csv"))\n'
            "points = geomap.to_points(result)  # 位置のある行の GeoDataFrame / rows with coordinates\n"
            'print(len(result), "行のうち", len(points), "行に位置があります")'
        ),
        new_markdown_cell(
            "## 1. 町丁目ごとの集計\n"
            "\n"
            "geomap は町丁目の境界線を持っていません。町丁目の区域は、各町丁目の代表点に一番近い範囲として"
            "**おおよそ**で作ります（地図にもそう書かれます）。正確な境界が必要なら、3. のように境界ファイルを使います。\n"
            "\n"
            "件数のほか、`value` と `agg` で数値の列（ここでは定員）の合計や平均も出せます。\n"
            "\n"
            "*Town areas are approximate (nearest town point, clipped to the ward); "
            "`value`/`agg` sum or average a numeric column.*"
        ),
        new_code_cell(
            'towns = geomap.aggregate(points, by="town", value="定員", agg="sum")\n'
            'print("おおよその区域:", towns.attrs["approximate"])\n'
            'towns.loc[towns["count"] > 0, ["name", "count", "value"]].sort_values("value", ascending=False).head(10)'
        ),
        new_code_cell(
            'geomap.make_map(result, by="town", value="定員", agg="sum", unit="人", title="町丁目ごとの定員（架空）")'
        ),
        new_markdown_cell(
            "## 2. 少ない件数を伏せる: `min_count`、点を入れない: `points=False`\n"
            "\n"
            "件数の少ない区域は、個人や世帯の特定につながることがあります。"
            "`min_count=3` にすると、3 件未満の区域は数を出さずに「3未満」と表示します"
            "（コマンドでは `--min-count 3`）。\n"
            "\n"
            "さらに `points=False` にすると、個々の行（名称・住所・位置）を地図のファイルに**書き込みません**。"
            "HTML を外に出すときはこの形にしてください。下のセルで、名称と住所がファイルに入っていないことを確かめます。\n"
            "\n"
            "*`min_count` hides small counts; `points=False` writes no individual row into the page — checked below.*"
        ),
        new_code_cell(
            "import json\n"
            "\n"
            "\n"
            "def rows_in_page(m, frame):\n"
            '    """名称・住所のうち、地図の HTML に書かれているものの数 / how many names and addresses the page holds."""\n'
            "    page = m.get_root().render()\n"
            '    texts = list(frame["名称"]) + list(frame["住所"])\n'
            "    # そのままの形と、JSON の \\u エスケープの形の両方を探します / plain and JSON-escaped\n"
            "    return sum(t in page or json.dumps(t)[1:-1] in page for t in texts)\n"
            "\n"
            "\n"
            'labels = dict(name="名称", address="住所")  # ポップアップに出す列 / columns shown in popups\n'
            'with_points = geomap.make_map(result, by="town", min_count=3, **labels)\n'
            "private = geomap.make_map(\n"
            '    result, by="town", min_count=3, points=False, title="町丁目ごとの件数（3未満は非表示）", **labels\n'
            ")\n"
            'print("点あり:", rows_in_page(with_points, result), "/ 点なし:", rows_in_page(private, result))\n'
            "assert rows_in_page(with_points, result) > 0 and rows_in_page(private, result) == 0\n"
            "private"
        ),
        new_markdown_cell(
            "このサンプルでは 1 つの町丁目に 1 施設しかないため、どの町丁目も「3未満」になります。"
            "町丁目では細かすぎるときは、次のように大きな区域にまとめて集計します。\n"
            "\n"
            "*Every town here has one facility, so all are hidden; larger areas help, as below.*"
        ),
        new_markdown_cell(
            "## 3. 自分の区域ファイルで集計する: `boundaries`\n"
            "\n"
            "地区割り・学区・e-Stat の小地域境界など、手元の境界ファイル（GeoJSON、GeoPackage、シェープファイル）で"
            "集計できます。区域を見分ける列（キー）を `boundary_key` で指定します。\n"
            "\n"
            "ここでは外部のファイルを使わずに済むよう、町丁目の区域を「丁目」を除いた名前（亀戸一〜九丁目 → 亀戸）で"
            "まとめた**練習用の地区ファイル**を作ります（区域は 1. と同じくおおよそです）。"
            "実際の業務では、区の地区割りなどのファイルをそのまま指定してください。\n"
            "\n"
            "*We build a practice district file (towns merged by name without 丁目) so no external file is needed; "
            "in real use, pass your own file.*"
        ),
        new_code_cell(
            'every_town = geomap.aggregate(points, by="town", extent="all")  # 区内のすべての町丁目 / every town of the ward\n'
            'district = every_town["name"].str.removeprefix("東京都江東区").str.replace(r"[一二三四五六七八九十]+丁目.*$", "", regex=True)\n'
            'districts = every_town.assign(地区名=district).dissolve(by="地区名", as_index=False)[["地区名", "geometry"]]\n'
            'districts.insert(0, "地区コード", [f"K{i:02d}" for i in range(1, len(districts) + 1)])\n'
            'district_file = OUT / "koto_districts.geojson"\n'
            'districts.to_file(district_file, driver="GeoJSON")\n'
            'print(len(districts), "地区 →", district_file)\n'
            'districts[["地区コード", "地区名"]].head()'
        ),
        new_code_cell(
            "from geomap.boundaries import read_boundaries\n"
            "\n"
            "areas = read_boundaries(district_file)  # どの座標系のファイルでも緯度経度に直して読みます / any CRS\n"
            'by_district = geomap.aggregate(points, boundaries=areas, key="地区コード", name="地区名")\n'
            'by_district[["key", "name", "count"]].sort_values("count", ascending=False).head(10)'
        ),
        new_code_cell(
            "district_map = geomap.make_map(\n"
            '    result, boundaries=areas, boundary_key="地区コード", boundary_name="地区名",\n'
            '    min_count=3, points=False, title="地区ごとの施設数（3未満は非表示）",\n'
            ")\n"
            'geomap.save_html(district_map, OUT / "koto_districts.html")\n'
            "district_map"
        ),
        new_markdown_cell(
            "同じことを 1 行で（コマンドでは "
            "`geomap render 一覧.csv --boundaries 地区.geojson --boundary-key 地区コード --min-count 3 --no-points --png`）:\n"
            "\n"
            "*The same in one call (and on the command line).*"
        ),
        new_code_cell(
            "done = geomap.render(\n"
            '    SAMPLE / "koto_facilities.csv", OUT / "koto_by_district.html",\n'
            '    boundaries=district_file, boundary_key="地区コード", min_count=3, points=False, png=True,\n'
            '    title="地区ごとの施設数（3未満は非表示）",\n'
            ")\n"
            "[p.name for p in done.outputs]"
        ),
    ]


def build() -> dict[str, nbformat.NotebookNode]:
    out = {}
    for name, cells in (("01_quickstart.ipynb", quickstart()), ("02_town_level_and_privacy.ipynb", town_level())):
        nb = new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        # nbformat gives every cell a random id; number them so the files are reproducible
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"cell-{i:02d}"
        nbformat.validate(nb)
        out[name] = nb
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the notebooks are up to date")
    args = parser.parse_args(argv)
    stale = []
    for name, nb in build().items():
        path = NOTEBOOKS / name
        text = nbformat.writes(nb) + "\n"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(path)
    if stale:
        print("out of date (run python tools/make_notebooks.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
