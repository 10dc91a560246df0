"""No silent wrong town (issue 11): every town of the index, written the ways lists write it.

For every town of the index (with a point), the forms of ``tests/notation_forms.py`` that apply
to it — written in full or with its 丁目 as the first number, and each family of notation of
issue 11 whose kind it is — must reach that town, or an ambiguous answer that lists it, and
never another town. A town written without its municipality and a name with an unreadable
character may also find nothing (the answer then says why); they are checked on every eighth
town, as they search all of Japan.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest

import notation_forms as nf

SEARCHING = ("10 ", "12 ")  # families that may honestly find nothing, checked on a sample
SAMPLE = 8


@pytest.fixture(scope="module")
def outcomes():
    from geomap import gazetteer
    from geomap.address.normalize import normalize
    from geomap.geocoders.index import town_index
    from geomap.geocoders.matcher import Matcher

    towns = nf.Towns(gazetteer.towns(), gazetteer.municipalities())
    matcher = Matcher(town_index())
    rng = random.Random(11)
    counts: dict[str, Counter] = defaultdict(Counter)
    examples: dict[tuple[str, str], list] = defaultdict(list)
    for n, (pref, city, code, town) in enumerate(towns.rows):
        forms = [*nf.general_forms(pref, city, town, rng), *nf.family_forms(towns, pref, city, code, town, rng)]
        for family, address in forms:
            if family.startswith(SEARCHING) and n % SAMPLE:
                continue
            form = nf.Form(family, address, pref, city, code, town)
            m = matcher.match(normalize(address))
            outcome = nf.outcome(form, m.level, m.code, m.town, m.ambiguous)
            counts[family][outcome] += 1
            if outcome in ("wrong", "missed") and len(examples[family, outcome]) < 5:
                examples[family, outcome].append((address, town, m.level, m.city + m.town, m.ambiguous[:60]))
    return counts, examples


def test_every_family_is_made_from_the_index(outcomes):
    counts, _ = outcomes
    families = {f.split()[0] for f in counts}
    assert {str(i) for i in range(1, 13)} <= families
    assert all(sum(c.values()) >= 500 for c in counts.values())


def test_no_form_reaches_another_town(outcomes):
    counts, examples = outcomes
    wrong = {family: c["wrong"] for family, c in counts.items() if c["wrong"]}
    assert not wrong, {family: examples[family, "wrong"] for family in wrong}


def test_every_form_reaches_its_town_or_lists_it(outcomes):
    counts, examples = outcomes
    missed = {family: c["missed"] for family, c in counts.items() if c["missed"] and not family.startswith(SEARCHING)}
    assert not missed, {family: examples[family, "missed"] for family in missed}


@pytest.mark.parametrize("family", ["10 ", "12 "])
def test_searching_families_place_most_forms(outcomes, family):
    counts, _ = outcomes
    (c,) = [c for f, c in counts.items() if f.startswith(family)]
    assert (c["right"] + c["listed"]) / sum(c.values()) >= 0.95
