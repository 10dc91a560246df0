"""MapOptions: the one place that knows the map options' allowed values and rules."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from click.testing import CliRunner

import geomap
from geomap.cli import main
from geomap.errors import UsageError
from geomap.maps import TILE_PROVIDERS, MapOptions, build, make_map, save_image
from geomap.maps.options import AGG, BY, CLASSIFICATIONS, FIELDS, TILES, check_choice, map_options
from geomap.messages import LANGS, MESSAGES, message
from geomap.pipeline import render

BAD = [
    ({"by": "ward"}, "bad_choice", "by"),
    ({"agg": "max", "value": "定員"}, "bad_choice", "agg"),
    ({"tiles": "google"}, "bad_choice", "tiles"),
    ({"classification": "jenks"}, "bad_choice", "classification"),
    ({"lang": "fr"}, "bad_choice", "lang"),
    ({"k": 1}, "bad_k", None),
    ({"k": 10}, "bad_k", None),
    ({"k": 3.0}, "bad_k", None),
    ({"breaks": [1, float("inf")]}, "bad_breaks", None),
    ({"breaks": ["x"]}, "bad_breaks", None),
    ({"classification": "user"}, "breaks_required", None),
    ({"min_count": 0}, "min_count_invalid", None),
    ({"min_count": True}, "min_count_invalid", None),
    ({"min_count": 2.5}, "min_count_invalid", None),
    ({"by": "none", "points": False}, "nothing_to_draw", None),
    ({"agg": "sum"}, "value_required", None),
]


@pytest.mark.parametrize("options, key, option", BAD)
def test_every_rule_has_one_key(options, key, option):
    with pytest.raises(UsageError) as err:
        MapOptions(**options)
    assert err.value.key == key and err.value.key in MESSAGES
    assert err.value.params.get("option") == option


@pytest.mark.parametrize("options, key, option", BAD)
def test_the_map_functions_refuse_what_map_options_refuses(tmp_path, koto_rows, options, key, option):
    src = tmp_path / "a.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    for attempt in (
        lambda: make_map(koto_rows, **options),
        lambda: save_image(koto_rows, tmp_path / "a.png", **options),
        lambda: render(src, **options),
        lambda: make_map(koto_rows, MapOptions(), **options),
    ):
        with pytest.raises(UsageError) as err:
            attempt()
        assert (err.value.key, err.value.params.get("option")) == (key, option)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]  # refused before anything was written


def test_values_are_put_in_one_form():
    options = MapOptions(breaks=["10", 5, 2.5], address=["都道府県", "住所"], k=4, min_count=3)
    assert options.breaks == (2.5, 5.0, 10.0) and options.classification == "user"
    assert options.address == ("都道府県", "住所") and options.address_columns == ["都道府県", "住所"]
    assert MapOptions(address="住所").address_columns == ["住所"] and MapOptions(address=[]).address is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.by = "town"


def test_replace_checks_again_and_keywords_win():
    base = MapOptions(by="town", min_count=3)
    assert base.replace() is base
    changed = map_options(base, lang="en", min_count=5)
    assert (changed.by, changed.lang, changed.min_count) == ("town", "en", 5)
    assert (base.lang, base.min_count) == ("ja", 3)
    with pytest.raises(UsageError) as err:
        base.replace(points=False, by="none")
    assert err.value.key == "nothing_to_draw"
    with pytest.raises(TypeError):
        map_options(base, colour="red")
    with pytest.raises(TypeError):
        map_options({"by": "town"})


def test_one_list_of_allowed_values():
    assert set(TILE_PROVIDERS) | {"none"} == set(TILES)
    assert geomap.pipeline.BY_CHOICES is BY and geomap.pipeline.AGG_CHOICES is AGG
    assert geomap.pipeline.TILES_CHOICES is TILES and geomap.pipeline.LANG_CHOICES is LANGS
    assert geomap.pipeline.SCHEME_CHOICES is CLASSIFICATIONS
    with pytest.raises(UsageError) as err:
        check_choice("extent", "most", ("data", "all"))
    assert err.value.params == {"option": "extent", "value": "most", "choices": "data, all"}
    with pytest.raises(UsageError) as err:  # aggregate's areas are the embedded levels of BY
        geomap.aggregate(geomap.to_points(_one_row()), by="auto")
    assert err.value.params["choices"] == "prefecture, municipality, town"


def _one_row():
    import pandas as pd

    return pd.DataFrame({"lat": [35.67], "lon": [139.82]})


def test_every_option_is_a_keyword_of_the_map_functions():
    for func in (make_map, save_image, render, geomap.make_map):
        params = inspect.signature(func).parameters
        assert set(FIELDS) <= set(params), func.__name__
        for name in FIELDS:
            default = next(f.default for f in dataclasses.fields(MapOptions) if f.name == name)
            assert params[name].default == default and params[name].kind is inspect.Parameter.KEYWORD_ONLY


def test_the_command_names_the_flag_the_user_typed(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("住所\n東京都江東区東陽4-11-28\n", encoding="utf-8")
    for args, flag in ((["--scheme", "jenks"], "--scheme"), (["--by", "ward"], "--by"), (["--lang", "fr"], "--lang")):
        result = CliRunner().invoke(main, ["render", str(src), *args])
        assert result.exit_code == 2, result.output
        value = args[1]
        assert message("bad_choice", "ja", option=flag, value=value, choices="").split("。")[0] in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_the_command_offers_the_allowed_values():
    text = CliRunner().invoke(main, ["render", "--help"], terminal_width=200).output
    for values in (BY, AGG, TILES):
        assert " | ".join(values) in text


def test_the_map_texts_come_from_the_messages(wards_rows):
    model = build(wards_rows, MapOptions(by="municipality", lang="en", min_count=10_000))
    assert model.title == message("map_title_areas", "en", measure=message("map_count", "en"),
                                  level=message("map_level_municipality", "en"))
    assert model.unit == "" and model.text("count_unit") == ""  # English counts have no unit
    assert model.area_items[-2].label == message("map_suppressed_legend", "en", k=10_000)
    assert model.area_items[-1].label == message("map_context_municipality", "en")
    assert model.notes == ["Rows that could not be placed: 0"]
    for key in MESSAGES:
        if key.startswith("map_"):
            assert set(MESSAGES[key]) == set(LANGS)
