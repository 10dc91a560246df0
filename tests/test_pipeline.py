"""The library functions behind ``geomap render`` and ``geomap geocode``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geomap.errors import InputError, UsageError
from geomap.geocoders.base import RESULT_COLUMNS, Geocoder, empty_result
from geomap.io import find_columns
from geomap.pipeline import (
    INPUT_LEVEL,
    PROGRESS_MIN_ROWS,
    geocode_file,
    geocode_table,
    placed_rows,
    render,
    unplaced_reasons,
)

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_input_columns_then_result_columns():
    df = pd.DataFrame({"名称": ["A", "B"], "住所": ["東京都江東区東陽4-11-28", "東京都千代田区麹町2-8"]})
    out = geocode_table(df)
    assert list(out.columns[:2]) == ["名称", "住所"]
    assert [c for c in RESULT_COLUMNS if c in out.columns] == RESULT_COLUMNS
    assert out["town"].tolist() == ["東陽四丁目", "麹町二丁目"]
    assert out["level"].tolist() == [3, 3]
    assert df.columns.tolist() == ["名称", "住所"]  # the caller's frame is not changed


def test_default_city_gives_context():
    df = pd.DataFrame({"住所": ["東陽4-11-28"]})
    assert geocode_table(df)["level"].iloc[0] < 3
    out = geocode_table(df, default_city="江東区")
    assert (out["city"].iloc[0], out["town"].iloc[0], out["level"].iloc[0]) == ("江東区", "東陽四丁目", 3)


def test_latlon_columns_are_used_as_given_and_not_geocoded():
    df = pd.DataFrame({
        "住所": ["東京都千代田区麹町2-8", "東京都江東区東陽4-11-28", "", ""],
        "緯度": ["35.5", "", "abc", "139.8"],
        "経度": ["１３９．５", "", "139.8", "35.6"],
    })
    out = geocode_table(df)
    assert out["lat"].iloc[0] == 35.5 and out["lon"].iloc[0] == 139.5  # full-width digits too
    assert (out["level"].iloc[0], out["source"].iloc[0]) == (INPUT_LEVEL, "input")
    assert out["town"].iloc[0] == ""  # not geocoded, although the address would match
    assert (out["level"].iloc[1], out["town"].iloc[1]) == (3, "東陽四丁目")  # blank coordinates: geocoded
    assert out["level"].iloc[2] == 0 and np.isnan(out["lat"].iloc[2])
    assert out["level"].iloc[3] == 0
    assert placed_rows(out).tolist() == [True, True, False, False]
    reasons = unplaced_reasons(out, find_columns(df), "ja")
    assert reasons.tolist() == ["緯度経度が不正", "緯度経度が不正（緯度と経度が逆かもしれません）"]


def test_input_columns_named_like_result_columns_are_kept():
    df = pd.DataFrame({"address": ["東京都江東区東陽4-11-28"], "code": ["A-1"], "level": ["high"]})
    out = geocode_table(df)
    assert out["code_input"].iloc[0] == "A-1" and out["level_input"].iloc[0] == "high"
    assert out["code"].iloc[0] == "13108" and out["level"].iloc[0] == 3


def test_no_address_column():
    with pytest.raises(InputError) as err:
        geocode_table(pd.DataFrame({"名前": ["A"], "電話": ["03"]}))
    assert err.value.key == "no_address_column"


REASONS = [
    ("", "住所が空", "address is empty"),
    ("府中市", "候補が複数（府中市（東京都）・府中市（広島県））", "several candidates (府中市（東京都）・府中市（広島県）)"),
    ("ほげほげ", "都道府県・市区町村が見つからない", "no prefecture or municipality found"),
    ("東京都江東区存在しない町1-1", "町名が見つからない(市区町村までは特定)", "town not found (municipality only)"),
]


@pytest.mark.parametrize("address, ja, en", REASONS, ids=["empty", "ambiguous", "nothing", "no town"])
def test_unplaced_reasons_in_both_languages(address, ja, en):
    df = pd.DataFrame({"住所": [address, "東京都江東区東陽4-11-28"]})
    out = geocode_table(df)
    found = find_columns(df)
    assert unplaced_reasons(out, found, "ja").tolist() == [ja]
    assert unplaced_reasons(out, found, "en").tolist() == [en]


def test_progress_gives_the_same_result_in_chunks():
    addresses = ["東京都江東区東陽4-11-28", "府中市", "", "東京都千代田区麹町2-8"] * (PROGRESS_MIN_ROWS // 4 + 600)
    df = pd.DataFrame({"住所": addresses})
    pd.testing.assert_frame_equal(geocode_table(df, progress=True), geocode_table(df))


class CountingOnline(Geocoder):
    """A test double for an online adapter: records what happened, in order."""

    name = "fakeonline"
    online = True

    def __init__(self):
        self.events = []

    def count_to_send(self, addresses):
        self.events.append(("count", len(addresses)))
        return {"fakeonline": len(addresses)}

    def geocode(self, addresses):
        self.events.append(("send", len(addresses)))
        return empty_result(len(addresses), source="fakeonline")


def test_online_geocoder_is_announced_before_anything_is_sent():
    coder = CountingOnline()
    heard = []
    df = pd.DataFrame({"住所": ["a", "b", "c"]})
    geocode_table(df, geocoder=coder, notify=lambda counts, partial: heard.append((counts, partial, list(coder.events))))
    assert heard == [({"fakeonline": 3}, False, [("count", 3)])]
    assert coder.events == [("count", 3), ("send", 3)]


def test_offline_geocoder_announces_nothing():
    heard = []
    geocode_table(pd.DataFrame({"住所": ["東京都江東区東陽4-11-28"]}), notify=lambda *a: heard.append(a))
    assert heard == []


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
    import geomap.pipeline as pipeline

    src = tmp_path / "v.csv"
    src.write_text("住所,定員\n東京都江東区東陽4-11-28,十人\n", encoding="utf-8")

    def must_not_run(*args, **kwargs):
        raise AssertionError("geocoded before the options were checked")

    monkeypatch.setattr(pipeline, "_geocode_table", must_not_run)
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
