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
from conftest import find_cycle as _find_cycle, imports_of
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
    geocoder = get_geocoder("offline+gsi", city="江東区", url="http://127.0.0.1:9/x", timeout=2)
    assert isinstance(geocoder, CombinedGeocoder)
    assert geocoder.name == "offline+gsi" and geocoder.online
    offline, gsi = geocoder.geocoders
    assert offline.city == gsi.city == "江東区"
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
    geocoder = make(city="江東区")
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


# -- the package's shape: contract, transport, name table, no import cycle -----------------

PACKAGE = "geomap.geocoders"


def _package_modules() -> dict[str, "Path"]:
    """Module name → source file, for the package and each of its modules."""
    from pathlib import Path

    folder = Path(geocoders.__file__).parent
    found = {PACKAGE: folder / "__init__.py"}
    found.update({f"{PACKAGE}.{p.stem}": p for p in sorted(folder.glob("*.py")) if p.stem != "__init__"})
    return found


def _imports_of(module: str, path) -> set[str]:
    """The package's modules that ``module`` imports anywhere in its source (functions included).

    The package itself counts too: nothing in it may import the package's own table.
    """
    return imports_of(module, path, set(_package_modules()), with_ancestors=True)


def test_the_cycle_finder_finds_cycles():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_import_reader_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "from .base import Geocoder\nfrom .. import errors\n\ndef f():\n    from . import gsi, combined\n"
        "    import geomap.geocoders.http\n", encoding="utf-8")
    assert _imports_of(f"{PACKAGE}.sample", source) == {
        f"{PACKAGE}.base", f"{PACKAGE}.gsi", f"{PACKAGE}.combined", f"{PACKAGE}.http"}


def test_no_import_cycle_in_the_package():
    graph = {module: _imports_of(module, path) for module, path in _package_modules().items()}
    assert graph[PACKAGE] >= {f"{PACKAGE}.{name}" for name in ("base", "gsi", "offline", "combined", "http")}
    assert _find_cycle(graph) is None, " → ".join(_find_cycle(graph))
    # the contract depends on nothing in the package; the package's own table on everything
    assert graph[f"{PACKAGE}.base"] == set()
    assert not any(PACKAGE in graph[m] for m in graph if m != PACKAGE)


def test_each_module_imports_alone_in_a_fresh_interpreter():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(geomap.__file__).parents[1])
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    children = {
        module: subprocess.Popen(
            [sys.executable, "-c", "import importlib, sys; m = importlib.import_module(sys.argv[1]); print(m.__file__)",
             module],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        for module in _package_modules()
    }
    for module, child in children.items():
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, f"{module}: {err}"
        assert out.strip() == str(_package_modules()[module])  # this checkout's module, not another


def test_base_holds_the_contract_only():
    from geomap.geocoders import base, http

    assert not hasattr(base, "HTTPGeocoder") and not hasattr(base, "GEOCODERS") and not hasattr(base, "get_geocoder")
    assert HTTPGeocoder is http.HTTPGeocoder and issubclass(HTTPGeocoder, base.Geocoder)
    assert type(GEOCODERS) is dict and GEOCODERS == {"offline": OfflineGeocoder, "gsi": GsiGeocoder}


def test_gsi_uses_the_offline_geocoders_public_context_only():
    import ast

    path = _package_modules()[f"{PACKAGE}.gsi"]
    taken = {
        alias.name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module in ("offline", f"{PACKAGE}.offline")
        for alias in node.names
    }
    assert taken == {"OfflineGeocoder"}


@pytest.mark.parametrize(
    "context, addresses, expected",
    [
        ({"city": "江東区"}, ["東陽4-11-28", "千代田区麹町2-8", None, "", "北海道札幌市北1条西2丁目"],
         ["東京都江東区東陽4-11-28", "千代田区麹町2-8", None, "", "北海道札幌市北1条西2丁目"]),
        ({"city": "札幌市"}, ["北1条西2丁目"], ["北海道札幌市北1条西2丁目"]),
        ({"pref": "東京都"}, ["江東区東陽4-11-28", "東陽4-11-28"], ["江東区東陽4-11-28", "東京都東陽4-11-28"]),
        ({}, ["東陽4-11-28"], ["東陽4-11-28"]),
        # 北区 is a ward of several cities: the municipality written is only inferred, so the
        # prefecture goes before it, once, and the ward is not written twice; with another
        # note (栄ー丁目 read as 一丁目) as well as the inferred one, the same.
        ({"pref": "東京都", "city": "北区"}, ["北区赤羽一丁目1-1", "北区赤羽ー丁目1-1", "東京都北区赤羽一丁目1-1", "赤羽一丁目1-1"],
         ["東京都北区赤羽一丁目1-1", "東京都北区赤羽ー丁目1-1", "東京都北区赤羽一丁目1-1", "東京都北区赤羽一丁目1-1"]),
        ({"pref": "東京都"}, ["北区赤羽ー丁目1-1"], ["東京都北区赤羽ー丁目1-1"]),
    ],
)
def test_apply_context_writes_the_context_before_bare_addresses(context, addresses, expected):
    assert OfflineGeocoder(**context).apply_context(addresses) == expected


def test_apply_context_refuses_an_unknown_place():
    with pytest.raises(UsageError) as info:
        OfflineGeocoder(city="存在しない市").apply_context(["東陽4-11-28"])
    assert info.value.key == "unknown_city"


def test_service_counts_say_what_the_service_answered(chain):
    fake, make = chain
    geocoder = make()
    assert geocoder.service_counts() == {}
    geocoder.geocode([PLACED, UNKNOWN_TOWN, NO_CITY, None, FAILING, UNKNOWN_TOWN])
    # 4 rows went to gsi (the placed and the blank did not); 3 answered (one twice), 1 failed
    assert geocoder.service_counts() == {"gsi": {"asked": 4, "answered": 3, "failed": 1}}
    assert get_geocoder().service_counts() == {}


@pytest.mark.parametrize("name", ["offline", "gsi", "offline+gsi"])
@pytest.mark.parametrize("old, new", [("default_pref", "pref"), ("default_city", "city")])
def test_adapters_take_pref_city_and_the_old_names_for_one_release(name, old, new):
    value = {"pref": "東京都", "city": "江東区"}[new]
    options = {} if name == "offline" else {"url": "http://127.0.0.1:9/x"}
    current = get_geocoder(name, **{new: value}, **options)
    with pytest.warns(DeprecationWarning, match=f"{old}= is deprecated; use {new}="):
        old_style = get_geocoder(name, **{old: value}, **options)
    for adapter in getattr(current, "geocoders", [current]) + getattr(old_style, "geocoders", [old_style]):
        assert getattr(adapter, new) == value
    with pytest.raises(TypeError):
        get_geocoder(name, **{new: value, old: value}, **options)
