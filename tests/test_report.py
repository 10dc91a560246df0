"""Which rows go on the map, why the others do not, and the unmatched list (geomap.report)."""

from __future__ import annotations

import pandas as pd
import pytest

from geomap.columns import find_columns
from geomap.geocoding import geocode_table
from geomap.report import unplaced_reasons


REASONS = [
    ("", "住所が空", "address is empty"),
    ("府中市", "候補が複数（府中市（東京都）・府中市（広島県））", "several candidates (府中市（東京都）・府中市（広島県）)"),
    ("ほげほげ", "都道府県・市区町村が見つからない", "no prefecture or municipality found"),
    ("東京都江東区存在しない町1-1", "町名が見つからない(市区町村までは特定)：町名「存在しない町」はデータに無い（データより新しい町名・旧町名の可能性）",
     "town not found (municipality only): town 存在しない町 is not in the data (possibly newer than the data, or an old name)"),
]


@pytest.mark.parametrize("address, ja, en", REASONS, ids=["empty", "ambiguous", "nothing", "no town"])
def test_unplaced_reasons_in_both_languages(address, ja, en):
    df = pd.DataFrame({"住所": [address, "東京都江東区東陽4-11-28"]})
    found = find_columns(df)
    # the geocoder's note (why a town was not found) is in the run's language too
    assert unplaced_reasons(geocode_table(df, lang="ja"), found, "ja").tolist() == [ja]
    assert unplaced_reasons(geocode_table(df, lang="en"), found, "en").tolist() == [en]


# -- the rule -------------------------------------------------------------------------


def test_placed_rows_need_a_point_and_town_level_or_input_coordinates():
    from geomap.report import placed_rows

    frame = pd.DataFrame({
        "lat": [35.6, 35.6, 35.6, None, 35.6],
        "lon": [139.8, 139.8, 139.8, None, 139.8],
        "level": [3, 2, 4, 3, 0],
        "source": ["offline", "offline", "input", "offline", "input"],
    })
    assert placed_rows(frame).tolist() == [True, False, True, False, False]
    assert placed_rows(frame, min_level=2).tolist() == [True, True, True, False, False]


def test_a_failed_row_names_the_services_passed_in():
    from geomap.report import readable_errors

    frame = geocode_table(pd.DataFrame({"住所": ["ほげ"]}))
    frame["error"] = ["geocoder_unavailable"]
    found = find_columns(pd.DataFrame({"住所": ["ほげ"]}))
    assert unplaced_reasons(frame, found, "en", services=["gsi"]).tolist() == [
        "online search failed: could not reach the GSI address search (gsi)"]
    assert readable_errors(frame, "en", ["gsi"])["error"].tolist() == ["could not reach the GSI address search (gsi)"]
    assert "gsi" not in unplaced_reasons(frame, found, "en").iloc[0]  # not named unless passed


def test_counts_take_what_the_online_services_did_as_an_argument():
    from geomap.report import counts

    frame = geocode_table(pd.DataFrame({"住所": ["東京都江東区東陽4-11-28", "ほげ"]}))
    assert counts(frame)["online"] == {}
    done = counts(frame, 3, {"gsi": {"asked": 1, "answered": 1, "failed": 0}})
    assert done["online"] == {"gsi": {"asked": 1, "answered": 1, "failed": 0}}
    assert (done["rows"], done["placed"], done["unplaced"], done["levels"][3]) == (2, 1, 1, 1)


# -- the unmatched list ---------------------------------------------------------------


def test_unmatched_path_never_names_the_output(tmp_path):
    from geomap.report import unmatched_path

    assert unmatched_path("in/list.csv", tmp_path / "out.csv") == tmp_path / "list_unmatched.csv"
    assert unmatched_path("in/b.csv", tmp_path / "b_unmatched.csv") == tmp_path / "b_unmatched_unmatched.csv"


def test_write_unmatched_writes_the_reasons_first_or_removes_its_own_stale_list(tmp_path):
    from geomap.report import write_unmatched

    df = pd.DataFrame({"名称": ["A", "B"], "住所": ["東京都江東区東陽4-11-28", ""]})
    frame, found = geocode_table(df), find_columns(df)
    path = write_unmatched(frame, found, "ja", 3, tmp_path / "u.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back.columns[0] == "理由" and back.to_dict("list")["名称"] == ["B"]
    assert back["理由"].tolist() == ["住所が空"]
    placed = geocode_table(df.iloc[:1])
    assert write_unmatched(placed, found, "ja", 3, tmp_path / "u.csv") is None
    assert not path.exists()


def test_coarse_rows_read_the_notes_of_rows_placed_at_a_town_only():
    from geomap.report import coarse_rows

    note = "9丁目はデータに無いため町全体の代表点"
    frame = pd.DataFrame({
        "lat": [35.6, 35.6, None, 35.6, 35.6, 35.6],
        "lon": [139.8, 139.8, 139.8, 139.8, 139.8, 139.8],
        "level": [3, 2, 3, 3, 3, 4],
        "note": [note, note, note, None, "ほかの注記", note],
    }, index=[7, 7, 3, 0, 1, 2])  # labels repeat: rows are told by position
    assert coarse_rows(frame).tolist() == [True, False, False, False, False, False]
    assert coarse_rows(frame).index.tolist() == [7, 7, 3, 0, 1, 2]
    assert coarse_rows(frame.drop(columns="note")).tolist() == [False] * 6


def test_the_unmatched_list_and_counts_are_the_same_given_the_placed_rows(tmp_path):
    from geomap.report import counts, placed_rows, unmatched_rows

    df = pd.DataFrame({"住所": ["東京都江東区東陽4-11-28", "", "東京都江東区東陽9丁目1", "府中市", "ほげ"]})
    frame, found = geocode_table(df), find_columns(df)
    placed = placed_rows(frame, 3)
    pd.testing.assert_frame_equal(unmatched_rows(frame, found, "en", 3, placed=placed),
                                  unmatched_rows(frame, found, "en", 3))
    assert counts(frame, 3, placed=placed) == counts(frame, 3)
    assert len(unmatched_rows(frame, found, "en", 3)) == 4  # three not placed, one placed at the whole town
