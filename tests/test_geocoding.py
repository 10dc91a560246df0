"""Geocoding a table: its columns found by their headers, its own coordinates kept (geomap.geocoding)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geomap.columns import find_columns
from geomap.errors import InputError
from geomap.geocoders.base import RESULT_COLUMNS, Geocoder, empty_result
from geomap.geocoding import INPUT_LEVEL, PROGRESS_MIN_ROWS, geocode_rows, geocode_table
from geomap.report import placed_rows, unplaced_reasons


def test_input_columns_then_result_columns():
    df = pd.DataFrame({"名称": ["A", "B"], "住所": ["東京都江東区東陽4-11-28", "東京都千代田区麹町2-8"]})
    out = geocode_table(df)
    assert list(out.columns[:2]) == ["名称", "住所"]
    assert [c for c in RESULT_COLUMNS if c in out.columns] == RESULT_COLUMNS
    assert out["town"].tolist() == ["東陽四丁目", "麹町二丁目"]
    assert out["level"].tolist() == [3, 3]
    assert df.columns.tolist() == ["名称", "住所"]  # the caller's frame is not changed


def test_city_gives_context():
    df = pd.DataFrame({"住所": ["東陽4-11-28"]})
    assert geocode_table(df)["level"].iloc[0] < 3
    out = geocode_table(df, city="江東区")
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


class DownService(Geocoder):
    """An online adapter whose service (named gsi) fails for every row it is asked."""

    name = "down"
    online = True

    def endpoints(self):
        return {"gsi": "http://127.0.0.1:9/"}

    def count_to_send(self, addresses):
        return {"gsi": len(addresses)}

    def geocode(self, addresses):
        out = empty_result(len(addresses), "gsi")
        out["error"] = ["geocoder_unavailable" if a.strip() else "" for a in addresses]
        return out


def test_geocode_rows_says_which_services_were_asked_and_what_they_did():
    df = pd.DataFrame({"住所": ["東京都江東区東陽4-11-28", "", "東京都千代田区麹町2-8"]})
    done = geocode_rows(df, geocoder=DownService(), notify=lambda *a: None)
    assert done.services == ["gsi"]
    assert done.online == {"gsi": {"asked": 2, "answered": 0, "failed": 2}}
    assert done.columns.address == "住所"
    assert done.frame.attrs == {}  # nothing travels hidden in the frame
    offline = geocode_rows(df)
    assert (offline.services, offline.online) == ([], {})


def test_input_columns_renamed_for_the_result_are_followed_in_the_columns_used():
    df = pd.DataFrame({"address": ["東京都江東区東陽4-11-28"], "lat": ["35.67"], "lon": ["139.81"]})
    done = geocode_rows(df)
    assert (done.columns.lat, done.columns.lon) == ("lat_input", "lon_input")
    assert done.frame["source"].tolist() == ["input"] and done.frame["lat"].tolist() == [35.67]


@pytest.mark.parametrize("lang, unit", [("ja", "件"), ("en", "rows")])
def test_the_progress_bar_counts_in_the_language_of_the_run(monkeypatch, lang, unit):
    import tqdm.auto

    units = []
    real = tqdm.auto.tqdm

    def recording(*args, **kwargs):
        units.append(kwargs.get("unit"))
        return real(*args, **{**kwargs, "disable": True})

    monkeypatch.setattr(tqdm.auto, "tqdm", recording)
    df = pd.DataFrame({"住所": ["東京都江東区東陽4-11-28"] * PROGRESS_MIN_ROWS})
    geocode_table(df, progress=True, lang=lang)
    assert units == [unit]
