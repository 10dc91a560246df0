"""PNG/PDF memo maps with matplotlib's Agg backend: size, content, Japanese glyphs."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

from conftest import XSS
from geomap.errors import UsageError
from geomap.maps import save_image

PIL = pytest.importorskip("PIL.Image")


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _save_quietly(df, path, **options):
    """Save, returning every warning and log message matplotlib emitted meanwhile."""
    handler = _Records()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            save_image(df, path, **options)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    return [str(w.message) for w in caught] + handler.messages


def _glyph_problems(messages):
    return [m for m in messages if "Glyph" in m or "missing from" in m or "findfont" in m]


def _pixels(path):
    with PIL.open(path) as img:
        return img.size, np.asarray(img.convert("L"), dtype=float)


def test_png_points_with_japanese_labels(tmp_path, wards_rows):
    path = tmp_path / "points.png"
    messages = _save_quietly(
        wards_rows, path, by="none", category="category", title="江東区・中央区・墨田区の施設（テスト）"
    )
    assert _glyph_problems(messages) == []
    size, gray = _pixels(path)
    assert size == (2338, 1654)  # A4 landscape at 200 dpi
    assert gray.std() > 10  # not blank
    # the points (coloured) are drawn: tab10 colours are not grey
    with PIL.open(path) as img:
        rgb = np.asarray(img.convert("RGB"), dtype=int)
    saturated = (rgb.max(axis=2) - rgb.min(axis=2)) > 80
    assert saturated.sum() > 500


def test_png_choropleth_portrait_with_min_count(tmp_path, wards_rows):
    path = tmp_path / "areas.png"
    messages = _save_quietly(
        wards_rows, path, by="town", points=False, min_count=2, orientation="portrait", dpi=220, lang="ja"
    )
    assert _glyph_problems(messages) == []
    size, gray = _pixels(path)
    assert size == (int(8.27 * 220), int(11.69 * 220))
    assert gray.std() > 10


def test_png_escapes_nothing_but_draws_markup_as_text(tmp_path, koto_rows):
    # in a picture markup is just characters: drawing it must not fail or warn
    df = koto_rows.copy()
    df["category"] = XSS
    messages = _save_quietly(df, tmp_path / "x.png", by="municipality", category="category", title=XSS)
    assert _glyph_problems(messages) == []


def test_pdf(tmp_path, wards_rows):
    path = tmp_path / "memo.pdf"
    messages = _save_quietly(wards_rows, path, by="municipality", value=None, lang="en", title="Wards")
    assert _glyph_problems(messages) == []
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    assert b"IPAexGothic" in data  # the Japanese font is embedded


def test_image_options_are_checked(tmp_path, koto_rows):
    with pytest.raises(UsageError) as err:
        save_image(koto_rows, tmp_path / "map.jpg")
    assert err.value.key == "bad_image_format"
    with pytest.raises(UsageError) as err:
        save_image(koto_rows, tmp_path / "map.png", dpi=72)
    assert err.value.key == "bad_dpi"
    with pytest.raises(UsageError) as err:
        save_image(koto_rows, tmp_path / "map.png", orientation="square")
    assert err.value.key == "bad_choice"
    assert list(tmp_path.iterdir()) == []


def test_glyph_check_would_catch_a_font_without_japanese(tmp_path, koto_rows, monkeypatch):
    # the check above is only worth something if a missing glyph is seen: DejaVu has no kana
    import geomap.maps.static as static

    monkeypatch.setattr(static, "FONT", "DejaVu Sans")
    messages = _save_quietly(koto_rows.head(20), tmp_path / "tofu.png", by="none", title="江東区")
    assert _glyph_problems(messages)


def test_areas_are_named_on_the_memo_map_without_the_shared_prefecture(wards_rows):
    from geomap.maps import MapOptions, build
    from geomap.maps.static import draw

    model = build(wards_rows, MapOptions(by="municipality"))
    figure = draw(model)
    texts = {t.get_text() for ax in figure.axes for t in ax.texts}
    assert {"江東区", "中央区", "墨田区"} <= texts
    assert not any(t.startswith("東京都") for t in texts)


def test_area_labels_never_show_values(wards_rows):
    from geomap.maps import MapOptions, build
    from geomap.maps.static import draw

    model = build(wards_rows, MapOptions(by="municipality", min_count=10_000))
    texts = [t.get_text() for ax in draw(model).axes for t in ax.texts]
    assert not any(ch.isdigit() for t in texts for ch in t)


def test_every_map_says_how_many_rows_were_not_placed_even_none(koto_rows):
    from geomap.maps import MapOptions, build

    model = build(koto_rows, MapOptions(by="none"))
    assert model.unplaced_count == 0
    assert model.notes[0] == "地図に載せられなかった行: 0件"


def test_render_builds_the_map_once_for_the_page_and_both_images(tmp_path, monkeypatch):
    """``render --png --pdf``: one model drawn three times, its areas and outlines computed once."""
    import shutil
    from pathlib import Path

    import geomap.maps.model as model_module
    from geomap import spatial
    from geomap.pipeline import render

    calls = {"build": 0, "aggregate": 0}
    real_outlines, real_aggregate = model_module.outlines, spatial.aggregate

    def outlines(*args, **kwargs):  # every build ends here, once
        calls["build"] += 1
        return real_outlines(*args, **kwargs)

    def aggregate(*args, **kwargs):
        calls["aggregate"] += 1
        return real_aggregate(*args, **kwargs)

    monkeypatch.setattr(model_module, "outlines", outlines)
    monkeypatch.setattr(spatial, "aggregate", aggregate)
    src = tmp_path / "wards.csv"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_data" / "tokyo_wards_facilities.csv", src)
    done = render(src, png=True, pdf=True, tiles="none")
    assert [p.name for p in done.outputs] == ["wards.html", "wards.png", "wards.pdf"]
    assert calls == {"build": 1, "aggregate": 1}
    # the images were drawn from that model: the same title and choropleth as the page
    assert "wards" in done.html.read_text(encoding="utf-8")
    size, gray = _pixels(done.images[0])
    assert size == (2338, 1654) and gray.std() > 10


def test_a_built_model_is_saved_as_it_is(tmp_path, wards_rows):
    from geomap.maps import MapOptions, build

    model = build(wards_rows, MapOptions(by="municipality", points=False, title="区ごと"))
    assert save_image(model, tmp_path / "m.png").stat().st_size > 0
    for extra in ({"by": "town"}, {"options": MapOptions()}, {"unplaced": ["どこか"]}):
        with pytest.raises(TypeError, match="drawn as it was built"):
            save_image(model, tmp_path / "n.png", **extra)
    assert not (tmp_path / "n.png").exists()
