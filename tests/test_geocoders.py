"""The adapter contract: name table, get_geocoder, the offline+gsi chain, and no network by default."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import socket

import pytest
from test_gsi import TOYO, TOYO_POINT, FakeClock, cache_home, feature, gsi_server  # noqa: F401 (fixtures)

import geomap
import geomap.geocoders as geocoders
from geomap.errors import UsageError
from geomap.geocoders import (
    ERROR_COLUMN,
    GEOCODERS,
    RESULT_COLUMNS,
    CombinedGeocoder,
    Geocoder,
    GsiGeocoder,
    HTTPGeocoder,
    OfflineGeocoder,
    get_geocoder,
)

# -- the name table ---------------------------------------------------------------------


def _adapter_classes():
    """Every concrete adapter class with a name, defined in a module of the package."""
    found = {}
    for info in pkgutil.iter_modules(geocoders.__path__):
        module = importlib.import_module(f"geomap.geocoders.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                obj.__module__ == module.__name__
                and issubclass(obj, Geocoder)
                and not inspect.isabstract(obj)
                and obj.name
            ):
                found[obj.name] = obj
    return found


def test_table_modules_and_all_agree():
    classes = _adapter_classes()
    assert {"offline", "gsi"} <= set(classes)
    assert classes == GEOCODERS
    exported = [getattr(geocoders, name) for name in geocoders.__all__]  # each name resolves
    assert all(cls in exported for cls in GEOCODERS.values())
    assert len(geocoders.__all__) == len(set(geocoders.__all__))


def test_online_adapters_go_through_the_http_base():
    for name, cls in GEOCODERS.items():
        assert isinstance(cls.online, bool), name
        assert cls.online == issubclass(cls, HTTPGeocoder), name
    assert not GEOCODERS["offline"].online and GEOCODERS["gsi"].online


def test_default_is_offline_and_sends_nothing():
    geocoder = get_geocoder()
    assert isinstance(geocoder, OfflineGeocoder) and not geocoder.online
    assert geocoder.count_to_send(["東京都江東区東陽4-11-28"]) == {}


def test_unknown_name_lists_the_names_there_are():
    with pytest.raises(UsageError) as info:
        get_geocoder("google")
    assert info.value.key == "unknown_geocoder"
    assert info.value.params["choices"] == "gsi, offline"


@pytest.mark.parametrize(
    "name, options, key",
    [
        ("gsi+gsi", {}, "duplicate_geocoder"),
        ("offline+nominatim", {}, "unknown_geocoder"),
        ("offline", {"url": "http://127.0.0.1/"}, "unknown_geocoder_option"),
        ("offline+gsi", {"colour": "red"}, "unknown_geocoder_option"),
    ],
)
def test_bad_names_and_options(name, options, key):
    with pytest.raises(UsageError) as info:
        get_geocoder(name, **options)
    assert info.value.key == key


def test_register_refuses_names_that_cannot_be_asked_for():
    for bad in ["", "offline+x", "GSI", "offline"]:
        cls = type("Bad", (OfflineGeocoder,), {"name": bad})
        with pytest.raises(UsageError):
            geocoders.register(cls)
    assert GEOCODERS["offline"] is OfflineGeocoder


def test_options_go_to_the_adapters_that_take_them():
    geocoder = get_geocoder("offline+gsi", default_city="江東区", url="http://127.0.0.1:9/x", timeout=2)
    assert isinstance(geocoder, CombinedGeocoder)
    assert geocoder.name == "offline+gsi" and geocoder.online
    offline, gsi = geocoder.geocoders
    assert offline.default_city == gsi.default_city == "江東区"
    assert gsi.url == "http://127.0.0.1:9/x" and gsi.timeout == 2


# -- the chain sends only what the index cannot place ------------------------------------

PLACED = "東京都江東区東陽4-11-28"  # the index: town level
UNKNOWN_TOWN = "東京都江東区ありえない町1-2"  # the index: municipality only
NO_CITY = "東陽4-11-28"  # the index: nothing, without context
FAILING = "東京都千代田区ありえない町"  # municipality; the service fails for it


@pytest.fixture
def chain(gsi_server):  # noqa: F811 (fixture imported above)
    fake, url = gsi_server
    fake.answer(UNKNOWN_TOWN, ("json", [feature(TOYO, *TOYO_POINT)]))
    fake.answer(NO_CITY, ("json", [feature(TOYO, *TOYO_POINT)]))
    fake.answer(FAILING, ("status", 500, {}))
    clock = FakeClock()

    def make(**options):
        return get_geocoder("offline+gsi", url=url, clock=clock, sleep=clock.sleep, max_retries=0, **options)

    return fake, make


def test_chain_sends_only_rows_below_town_level(chain):
    fake, make = chain
    addresses = [PLACED, UNKNOWN_TOWN, NO_CITY, None, FAILING, UNKNOWN_TOWN]
    geocoder = make()
    assert geocoder.count_to_send(addresses) == {"gsi": 3}
    result = geocoder.geocode(addresses)
    assert sorted(fake.queries) == sorted([UNKNOWN_TOWN, NO_CITY, FAILING])
    assert list(result.columns) == RESULT_COLUMNS + [ERROR_COLUMN]
    assert result["source"].tolist() == ["offline", "gsi", "gsi", "offline", "offline", "gsi"]
    assert result["level"].tolist() == [3, 3, 3, 0, 2, 3]
    assert result[ERROR_COLUMN].tolist() == ["", "", "", "", "geocoder_unavailable", ""]
    # the service failed for one row: it keeps what the index found
    assert result.loc[4, "city"] == "千代田区"
    # an offline answer at town level is the index's, untouched
    offline = geomap.geocode([PLACED]).iloc[0]
    assert result.loc[0, ["lat", "lon", "town", "rest"]].tolist() == offline[["lat", "lon", "town", "rest"]].tolist()


def test_chain_with_context_sends_less(chain):
    fake, make = chain
    addresses = [PLACED, NO_CITY]
    geocoder = make(default_city="江東区")
    assert geocoder.count_to_send(addresses) == {"gsi": 0}
    result = geocoder.geocode(addresses)
    assert fake.queries == []
    assert result["level"].tolist() == [3, 3]


def test_chain_keeps_the_better_answer(chain):
    fake, make = chain
    # the service knows only the prefecture: worse than the index's municipality
    fake.answer(UNKNOWN_TOWN, ("json", [feature("東京都", 35.69, 139.69)]))
    result = make().geocode([UNKNOWN_TOWN])
    assert fake.queries == [UNKNOWN_TOWN]
    assert result.loc[0, "source"] == "offline" and result.loc[0, "level"] == 2


def test_chain_second_run_is_served_from_cache(chain):
    fake, make = chain
    addresses = [PLACED, UNKNOWN_TOWN, NO_CITY]
    first = make().geocode(addresses)
    assert len(fake.queries) == 2
    assert make().count_to_send(addresses) == {"gsi": 0}
    assert make().geocode(addresses).equals(first)
    assert len(fake.queries) == 2


# -- nothing leaves the machine by default ------------------------------------------------


class NetworkUsed(OSError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection raises, and is recorded."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed("network use in a test of the offline path")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_offline_default_opens_no_socket(no_network):
    addresses = [PLACED, UNKNOWN_TOWN, NO_CITY, "大阪府大阪市北区梅田1-1"]
    assert (geomap.geocode(addresses)["level"] > 0).sum() == 3
    assert get_geocoder().geocode(addresses)["level"].tolist() == geomap.geocode(addresses)["level"].tolist()
    assert get_geocoder().count_to_send(addresses) == {}
    assert no_network == []


def test_the_guard_would_see_an_online_adapter(no_network):
    # The same guard catches what an online adapter does, so the test above can fail.
    result = GsiGeocoder(url="http://127.0.0.1:9/x", max_retries=0).geocode([PLACED])
    assert result.loc[0, ERROR_COLUMN] == "geocoder_unavailable"
    assert len(no_network) == 1


def test_endpoints_say_where_addresses_go():
    assert get_geocoder().endpoints() == {}
    assert get_geocoder("gsi").endpoints() == {"gsi": "https://msearch.gsi.go.jp/address-search/AddressSearch"}
    chain = get_geocoder("offline+gsi", url="http://127.0.0.1:9/x")
    assert chain.endpoints() == {"gsi": "http://127.0.0.1:9/x"}


def test_render_of_a_sample_opens_no_socket(no_network, tmp_path):
    from pathlib import Path

    from click.testing import CliRunner

    from geomap.cli import main

    sample = Path(__file__).parents[1] / "sample_data" / "koto_facilities.csv"
    html = tmp_path / "koto.html"
    result = CliRunner().invoke(main, ["render", str(sample), "-o", str(html), "--png"])
    assert result.exit_code == 0, result.output
    assert html.exists() and html.with_suffix(".png").exists()
    assert no_network == []
