"""Real town boundaries from e-Stat 小地域 in one command, as the README shows (issue 15 item 5)."""

from __future__ import annotations

import json
import re
import zipfile

import pandas as pd
from click.testing import CliRunner

from conftest import town_rows
from geomap import spatial
from geomap.areas import town_areas
from geomap.cli import main


def estat_zip(tmp_path, code: str):
    """A boundary file as e-Stat ships it: r2ka<code>.zip, a Shapefile in JGD2000 longitude/latitude,
    attributes in Shift_JIS without a .cpg, KEY_CODE (11 digits) and S_NAME (blank for water)."""
    towns = town_areas([code]).reset_index(drop=True)  # stand-ins for the real polygons
    frame = towns[["town", "geometry"]].rename(columns={"town": "S_NAME"})
    frame.insert(0, "KEY_CODE", [f"{code}{i + 1:04d}00" for i in range(len(frame))])
    frame.insert(1, "PREF_NAME", "東京都")
    frame.insert(2, "CITY_NAME", "江東区")
    frame.loc[len(frame) - 1, "S_NAME"] = None  # 水面調査区
    frame = frame.set_crs(spatial.WGS84, allow_override=True).to_crs("EPSG:4612")
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / f"r2ka{code}.shp", encoding="cp932", engine="pyogrio")
    (folder / f"r2ka{code}.cpg").unlink(missing_ok=True)
    path = tmp_path / f"r2ka{code}.zip"
    with zipfile.ZipFile(path, "w") as z:
        for part in folder.iterdir():
            z.write(part, part.name)
    return path, frame


def test_estat_boundaries_in_one_command(tmp_path):
    boundaries, frame = estat_zip(tmp_path, "13108")
    rows = town_rows(["13108"]).head(60)
    src = tmp_path / "一覧.csv"
    pd.DataFrame({"名称": rows["name"], "住所": rows["address"]}).to_csv(src, index=False)
    result = CliRunner().invoke(main, ["render", str(src), "--by", "town", "--boundaries", str(boundaries),
                                       "--boundary-key", "KEY_CODE", "--boundary-name", "S_NAME", "--png"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "一覧.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="geomap-data">(.*?)</script>', page, re.S).group(1))
    tips = [f["properties"]["tip"] for f in data["shapes"]["areas"][0]["data"]["features"]]
    assert any(t.startswith(f"{rows['town'].iloc[0]}: ") for t in tips)  # the S_NAME, read from Shift_JIS
    assert not any(t.startswith("None") for t in tips)
    assert "おおよその範囲" not in data["panels"]["legend"]  # real boundaries: not approximate
    assert sum(int(re.search(r": (\d+)件", t).group(1)) for t in tips if re.search(r": (\d+)件", t)) == 60
    assert (tmp_path / "一覧.png").stat().st_size > 0
    result = CliRunner().invoke(main, ["render", str(src), "--boundaries", str(boundaries),
                                       "--boundary-key", "KEY_CODE", "--boundary-name", "NAME", "-o",
                                       str(tmp_path / "b.html")])
    assert result.exit_code == 2 and "--boundary-name" in result.output
