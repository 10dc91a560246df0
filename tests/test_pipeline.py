"""Whole files: the library functions behind ``geomap render`` and ``geomap geocode`` (geomap.pipeline)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from geomap.errors import InputError, UsageError
from geomap.geocoders.base import Geocoder, empty_result
from geomap.pipeline import geocode_file, render

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -- files ----------------------------------------------------------------------------


def test_geocode_file_writes_result_and_unmatched(tmp_path):
    src = tmp_path / "list.csv"
    src.write_text("名称,住所\nA,東京都江東区東陽4-11-28\nB,府中市\nC,\n", encoding="utf-8")
    before = digest(src)
    result = geocode_file(src, tmp_path / "out.csv", lang="en")
    assert digest(src) == before
    assert (result.rows, result.placed, result.unplaced) == (3, 1, 2)
    assert result.levels == {0: 2, 1: 0, 2: 0, 3: 1, 4: 0}
    out = pd.read_csv(result.output, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert out["名称"].tolist() == ["A", "B", "C"]
    assert result.unmatched == tmp_path / "list_unmatched.csv"
    assert result.unmatched.read_bytes().startswith(b"\xef\xbb\xbf")
    unmatched = pd.read_csv(result.unmatched, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert unmatched.columns[0] == "reason"
    assert unmatched["名称"].tolist() == ["B", "C"]
    assert unmatched["reason"].tolist()[1] == "address is empty"


def test_geocode_file_default_output_name(tmp_path):
    src = tmp_path / "list.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    result = geocode_file(src)
    assert result.output == tmp_path / "list_geocoded.csv"
    assert result.unmatched is None and not (tmp_path / "list_unmatched.csv").exists()


def test_geocode_file_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "list.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    before = digest(src)
    with pytest.raises(UsageError) as err:
        geocode_file(src, src)
    assert err.value.key == "same_as_input"
    assert digest(src) == before


@pytest.mark.parametrize(
    "sample",
    ["koto_facilities.csv", "koto_facilities_sjis.csv", "koto_facilities.xlsx", "koto_facilities_latlon.csv",
     "tokyo_wards_facilities.csv"],
)
def test_samples_are_placed_completely(tmp_path, sample):
    result = geocode_file(SAMPLES / sample, tmp_path / "out.csv")
    assert 50 <= result.rows <= 200
    assert result.unplaced == 0
    if "latlon" in sample:
        assert result.from_input == result.rows
    else:
        assert result.levels[3] + result.levels[4] == result.rows


def test_samples_are_the_same_list_in_every_format():
    from geomap.io import read_table

    utf8 = read_table(SAMPLES / "koto_facilities.csv")
    sjis = read_table(SAMPLES / "koto_facilities_sjis.csv")
    xlsx = read_table(SAMPLES / "koto_facilities.xlsx")
    assert (SAMPLES / "koto_facilities_sjis.csv").read_bytes().count(b"\r\n") == len(utf8) + 1
    assert utf8["名称"].tolist() == sjis["名称"].tolist() == xlsx["名称"].tolist()
    assert utf8["定員"].tolist() == xlsx["定員"].tolist()
    assert all(name.startswith("（架空）") for name in utf8["名称"])


def test_make_samples_is_deterministic(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES.parent / "tools" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(str(tmp_path / "a"))
    module.main(str(tmp_path / "b"))
    for path in sorted((tmp_path / "a").iterdir()):
        assert digest(path) == digest(tmp_path / "b" / path.name), path.name
        assert digest(path) == digest(SAMPLES / path.name), f"sample_data/{path.name} is not what the script makes"


# -- render ---------------------------------------------------------------------------


def test_render_writes_a_map_beside_the_input(tmp_path):
    src = tmp_path / "wards.csv"
    src.write_bytes((SAMPLES / "tokyo_wards_facilities.csv").read_bytes() + "（架空）X,公園,府中市,\n".encode())
    before = digest(src)
    result = render(src)
    assert digest(src) == before
    assert result.html == tmp_path / "wards.html" and result.html.exists()
    page = result.html.read_text(encoding="utf-8")
    assert "（架空）" in page
    assert result.unplaced == 1 and result.unmatched == tmp_path / "wards_unmatched.csv"
    assert result.placed == result.rows - 1


def test_render_png_beside_the_map(tmp_path):
    pytest.importorskip("matplotlib")
    src = tmp_path / "k.csv"
    src.write_bytes((SAMPLES / "koto_facilities.csv").read_bytes())
    result = render(src, tmp_path / "map.html", png=True, tiles="none")
    assert result.images == [tmp_path / "map.png"]
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG")


def test_render_nothing_placed_writes_reasons_and_no_map(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("住所\nほげ\n府中市\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        render(src)
    assert err.value.key == "nothing_placed"
    assert not (tmp_path / "bad.html").exists()
    assert (tmp_path / "bad_unmatched.csv").exists()


def test_render_checks_the_value_column_before_geocoding(tmp_path, monkeypatch):
    import geomap.geocoding as geocoding

    src = tmp_path / "v.csv"
    src.write_text("住所,定員\n東京都江東区東陽4-11-28,十人\n", encoding="utf-8")

    def must_not_run(*args, **kwargs):
        raise AssertionError("geocoded before the options were checked")

    monkeypatch.setattr(geocoding, "geocode_rows", must_not_run)
    with pytest.raises(InputError) as err:
        render(src, value="定員", agg="sum")
    assert err.value.key == "value_not_numeric"
    with pytest.raises(UsageError) as err:
        render(src, agg="sum")
    assert err.value.key == "value_required"
    with pytest.raises(UsageError) as err:
        render(src, value="人数")
    assert err.value.key == "column_not_found"


@pytest.mark.parametrize(
    "options, key",
    [
        ({"by": "ward"}, "bad_choice"),
        ({"agg": "max"}, "bad_choice"),
        ({"tiles": "google"}, "bad_choice"),
        ({"lang": "fr"}, "bad_choice"),
        ({"min_count": 0}, "min_count_invalid"),
        ({"boundary_key": "KEY_CODE"}, "invalid_option"),
        ({"by": "none", "points": False}, "nothing_to_draw"),
    ],
)
def test_render_option_errors(tmp_path, options, key):
    src = tmp_path / "a.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        render(src, **options)
    assert err.value.key == key
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_municipality_rows_count_when_only_municipalities_are_drawn(tmp_path):
    src = tmp_path / "m.csv"
    src.write_text("市区町村,人数\n東京都江東区,5\n東京都墨田区,3\n", encoding="utf-8")
    with pytest.raises(InputError):
        render(src)  # markers need town level
    result = render(src, by="municipality", points=False, value="人数", agg="sum")
    assert result.placed == 2 and result.unplaced == 0


def test_a_rerun_that_places_every_row_removes_the_stale_unmatched_file(tmp_path):
    src = tmp_path / "list.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n東京都江東区どこか1\n", encoding="utf-8")
    first = render(src, tiles="none")
    assert first.unmatched is not None and first.unmatched.exists()
    src.write_text("住所\n東京都江東区東陽4-11-28\n東京都江東区南砂2-3\n", encoding="utf-8")
    second = render(src, tiles="none")
    assert second.unmatched is None
    assert not first.unmatched.exists()


def test_a_file_of_the_users_with_the_unmatched_name_is_left_alone(tmp_path):
    src = tmp_path / "list.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    theirs = tmp_path / "list_unmatched.csv"
    theirs.write_text("メモ,内容\n1,大事なメモ\n", encoding="utf-8")
    render(src, tiles="none")
    assert theirs.read_text(encoding="utf-8") == "メモ,内容\n1,大事なメモ\n"


@pytest.mark.parametrize("lang,phrase", [("ja", "データに無い"), ("en", "not in the data")])
def test_the_geocoders_note_reaches_the_reason_in_the_chosen_language(tmp_path, lang, phrase):
    src = tmp_path / "list.csv"
    src.write_text("住所\n東京都新市町1-1\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    result = geocode_file(src, tmp_path / "out.csv", lang=lang)
    unmatched = pd.read_csv(result.unmatched, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(unmatched) == 1
    assert phrase in unmatched.iloc[0, 0] and "新市町" in unmatched.iloc[0, 0]
    assert phrase in unmatched["note"].iloc[0]


def test_an_online_failure_names_the_service_that_failed_in_both_files(tmp_path):
    class Down(Geocoder):
        """An online adapter whose service cannot be reached: every row fails."""

        name = "down"
        online = True

        def endpoints(self):
            return {"gsi": "http://127.0.0.1:9/"}

        def count_to_send(self, addresses):
            return {"gsi": len(addresses)}

        def geocode(self, addresses):
            out = empty_result(len(addresses), "gsi")
            out["error"] = "geocoder_unavailable"
            return out

    src = tmp_path / "list.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    result = geocode_file(src, tmp_path / "out.csv", geocoder=Down(), lang="en", notify=lambda *a: None)
    out = pd.read_csv(result.output, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert out["error"].tolist() == ["could not reach the GSI address search (gsi)"]
    unmatched = pd.read_csv(result.unmatched, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert unmatched["reason"].tolist() == ["online search failed: could not reach the GSI address search (gsi)"]


@pytest.mark.parametrize("points", [True, False])
def test_the_summary_says_of_the_unmatched_file_what_it_would_count_itself(tmp_path, points):
    """The coarse rows and 候補 the pipeline hands the summary are those the summary would find."""
    import dataclasses

    from geomap.summary import summary_lines

    src = tmp_path / "a.csv"
    src.write_text("住所\n東京都町田市金井ヶ丘１－３０－１\n東京都江東区東陽9丁目1\n東京都江東区東陽4-11-28\nほげ\n"
                   "東京都江東区\n", encoding="utf-8")
    table = geocode_file(src, tmp_path / "out.csv")
    shown = render(src, tmp_path / "map.html", by="municipality", points=points)
    assert table.coarse == 1 and table.suggestions[0].startswith("金井ヶ")
    # without points a row placed at its municipality is on the map: not listed, no 候補
    assert shown.coarse == 1 and bool(shown.suggestions) == points
    for result, kind in ((table, "table"), (shown, "map")):
        again = dataclasses.replace(result, coarse=None, suggestions=None)
        assert (summary_lines(result, "en", input_path="a.csv", kind=kind)
                == summary_lines(again, "en", input_path="a.csv", kind=kind))
