"""Big maps are refused politely, and long steps say they are working (issue 15 item 4)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from click.testing import CliRunner

import geomap
from conftest import town_rows
from geomap import pipeline, spatial, steps
from geomap.areas import town_area_count, town_areas
from geomap.cli import main
from geomap.errors import UsageError
from geomap.maps import MapOptions, build
from geomap.maps import html as map_html


def write_list(path, rows) -> None:
    pd.DataFrame({"名称": rows["name"], "住所": rows["address"]}).to_csv(path, index=False)


@pytest.mark.parametrize(
    ("codes", "options"),
    [
        (["13108"], MapOptions(category="category")),
        (["13108", "13102", "13107"], MapOptions()),
        ([f"131{i:02d}" for i in range(1, 24)], MapOptions(by="town")),
    ],
    ids=["points", "municipalities", "towns"],
)
def test_the_estimate_is_close_to_the_page(codes, options):
    model = build(town_rows(codes), options)
    page = len(map_html.draw(model).get_root().render().encode("utf-8"))
    assert 0.8 < map_html.estimate_bytes(model) / page < 1.3


def test_save_html_refuses_a_page_over_the_limit(tmp_path, koto_rows):
    m = geomap.make_map(koto_rows)
    with pytest.raises(UsageError) as err:
        map_html.save_html(m, tmp_path / "map.html", max_bytes=100_000)
    assert err.value.key == "map_too_large" and err.value.params["limit"] == "0"
    assert not (tmp_path / "map.html").exists()
    assert map_html.save_html(m, tmp_path / "map.html").exists()  # no limit: written


def test_render_refuses_a_big_map_before_drawing_it_unless_forced(tmp_path, monkeypatch):
    rows = town_rows(["13108", "13102"])
    write_list(tmp_path / "list.csv", rows)
    monkeypatch.setattr(map_html, "MAX_HTML_BYTES", 200_000)
    drawn = []
    monkeypatch.setattr(map_html, "draw", lambda model: drawn.append(model) or pytest.fail("drawn"))
    with pytest.raises(UsageError) as err:
        pipeline.render(tmp_path / "list.csv")
    assert err.value.key == "map_too_large" and not drawn
    assert not (tmp_path / "list.html").exists()
    monkeypatch.undo()
    monkeypatch.setattr(map_html, "MAX_HTML_BYTES", 200_000)
    assert pipeline.render(tmp_path / "list.csv", force=True).html.exists()


def test_town_areas_over_all_japan_are_refused_before_they_are_made(tmp_path, monkeypatch):
    from geomap.gazetteer import towns

    index = towns()
    rows = town_rows(sorted(index["code"].unique())).groupby("code").head(1)  # one row per municipality
    write_list(tmp_path / "japan.csv", rows)
    assert town_area_count(rows["code"]) * map_html.TOWN_AREA_BYTES > map_html.MAX_HTML_BYTES
    monkeypatch.setattr(spatial, "town_areas", lambda codes: pytest.fail("town areas were made"))
    result = CliRunner().invoke(main, ["render", str(tmp_path / "japan.csv"), "--by", "town"])
    assert result.exit_code == 2
    assert "--by municipality" in result.output and "--no-points" in result.output and "--force" in result.output
    assert not (tmp_path / "japan.html").exists()


def test_town_area_count_is_the_number_of_town_areas():
    assert town_area_count(["13108", "13108", None, ""]) == len(town_areas(["13108"]))
    assert town_area_count([]) == 0


def test_a_long_step_gets_a_line_that_ends_when_it_does():
    stream = io.StringIO()
    with pipeline.Steps(True, "ja", stream=stream, after=0)("step_drawing"):
        assert stream.getvalue() == "\r地図を描いています… 0 秒"
    assert stream.getvalue().endswith("\r地図を描いています… 完了（0 秒）\n")
    quiet = io.StringIO()
    with pipeline.Steps(False, "ja", stream=quiet, after=0)("step_drawing"):
        pass
    with pipeline.Steps(True, "en", stream=quiet)("step_drawing"):
        pass  # a step shorter than STEP_NOTICE_SECONDS: nothing
    assert quiet.getvalue() == ""


def test_render_shows_its_long_steps_on_a_terminal(tmp_path, koto_rows, monkeypatch, capsys):
    write_list(tmp_path / "list.csv", koto_rows.head(20))
    monkeypatch.setattr(steps, "STEP_NOTICE_SECONDS", 0)  # every step counts as long
    pipeline.render(tmp_path / "list.csv", png=True, progress=True)
    text = capsys.readouterr().err
    for label in ("住所を検索しています", "区域ごとに集計しています", "地図を描いています", "画像を描いています"):
        assert f"\r{label}… 0 秒" in text and f"{label}… 完了（" in text
    pipeline.render(tmp_path / "list.csv", tmp_path / "quiet.html", progress=False)
    assert capsys.readouterr().err == ""
