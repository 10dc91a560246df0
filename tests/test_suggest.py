"""The 候補 of a row not placed (geomap.suggest): names filed lazily answer as names filed all at once.

:class:`~geomap.suggest.Names` files a name the first time a written part can meet it, and
:class:`~geomap.suggest.TownNames` reads a town's name only when asked; these tests hold both
to the plain definitions: every name sharing a one-character deletion with a part, and the
names a municipality's town keys show as :meth:`~geomap.geocoders.index.TownIndex.city_towns`
assembles them.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap import suggest
from geomap.geocoders.index import town_index
from geomap.suggest import Names, best, town_names

# Few characters, so that names and parts often meet; a newline and the empty key included.
KEYS = st.text(alphabet="ab東陽洋町\n", max_size=5)


def _deletions(text: str) -> set[str]:
    return {text, *(text[:i] + text[i + 1:] for i in range(len(text)))}


class Filed(Names):
    """Every name filed at once and every part measured against all of them: the definition."""

    def near(self, part: str) -> set[str]:
        return {k for k in self.shown if _deletions(k) & _deletions(part)}

    def reach(self, written: str) -> int:
        return max(map(len, self.shown), default=0)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, st.text(max_size=3), max_size=12), st.lists(KEYS, max_size=6))
def test_lazy_filing_meets_every_name_within_one_deletion(names, parts):
    lazy, filed = Names(names), Filed(names)
    for part in parts:  # one Names asked many times: later parts see what earlier ones filed
        assert lazy.near(part) == filed.near(part)
        if len(part) >= 2:
            assert all(len(k) <= lazy.reach(part) for k in filed.near(part))
        assert best(part + "町1", lazy) == best(part + "町1", Filed(names))


def test_a_name_no_line_holds_is_filed_at_once():
    names = {"東陽\n町": "東陽\n町", "東陽": "東陽", "a": "A", "": "none"}
    lazy = Names(names)
    assert lazy.near("東陽\n街") == {"東陽\n町"}
    assert lazy.near("東") == {"東陽", "a", ""}
    assert lazy.reach("東陽\n") == 4
    assert best("東洋\n町1", Names(names)) == [("東洋\n町", "東陽\n町")]


def _city_towns_names(code: str) -> dict[str, str]:
    """The names of a municipality's towns from the assembled dictionaries: name keys, then 丁目 bases."""
    towns = town_index().city_towns(code)
    names = {k: found[0].name for k, found in towns.exact.items()
             if k not in towns.alias_keys and not re.search(r"\d", k)}
    names.update((k, re.sub(r"[〇一二三四五六七八九十]+丁目$", "", town.name)) for k, town in towns.whole.items()
                 if k not in towns.alias_keys)
    return names


# 江東区, 札幌市中央区 (条・丁目), 京都市中京区 (通り名), 鷹栖町 (an empty key), 色丹村 (no town at all)
@pytest.mark.parametrize("code", ["13108", "01101", "26104", "01452", "01695"])
def test_town_names_are_read_as_city_towns_assembles_them(code):
    shown = town_names(code).shown
    expected = _city_towns_names(code)
    assert list(shown.items()) == list(expected.items())
    assert len(shown) == len(expected)
    assert "存在しない町" not in shown and 3 not in shown
    for absent in ("存在しない町", 3):
        with pytest.raises(KeyError):
            shown[absent]


@pytest.mark.parametrize("code", ["13108", "01101", "26104"])
def test_town_suggestions_are_those_of_every_name_filed_at_once(code):
    names = town_names(code)
    everything = Filed(dict(names.shown))
    rnd = random.Random(code)
    keys = list(everything.shown)
    for k in rnd.sample(keys, min(60, len(keys))):
        i = rnd.randrange(len(k))
        for written in (k + "1-2", k[:i] + "洋" + k[i + 1:] + "4-11", k[:i] + k[i + 1:] + "1", k[:i] + "町" + k[i:]):
            assert best(written, names) == best(written, everything), written


def test_the_documented_suggestions():
    assert suggest.suggest(2, "東京都", "13108", "東洋4-11-28") == "東洋 → 東陽"
    assert suggest.suggest(2, "東京都", "13108", "東陽4-11-28") == ""  # a name itself: nothing to suggest
    assert suggest.suggest(0, "", "", "大坂市北区梅田1") == "大坂市北区 → 大阪市北区"
