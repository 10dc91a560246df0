"""大字, 字 and 町 inside a town name, written or left out.

After municipal mergers the index often keeps the old town's name before the 大字:
門田町大字面川 (会津若松市), 笠利町大字笠利 (奄美市), 浪岡大字浪岡 (青森市). Lists write
``門田町面川``, and often drop the old town's 町 as well: ``高野口名倉`` for 高野口町名倉
(橋本市), ``初狩中初狩`` for 初狩町中初狩 (大月市). In Okinawa and Iwate a 字 sits between
the old village and the 字: 玉城字志堅原 (南城市), 沢内字長瀬野 (西和賀町), written
``玉城志堅原``.

- :func:`inner_aza` (a key rule): the name without a 大字 inside it; 大字 is a marker and
  never part of a word, so it is dropped wherever it stands.
- :func:`inner_words` (a rule over a municipality's keys): a 字 inside a name is dropped
  where at least two names share the part before it (玉城字…), since 字 is also part of
  words (十字, 文字); a 町 inside a name is dropped where at least two names share the old
  town's name before it (高野口町…). A name without its inner 町 is weak: trusted only
  before a number, a 字 or the end, like every name with a 町 left out.

The old town written alone for its 大字 of the same name (浜島町1112 for 浜島町浜島) is
:func:`old_town_alone`. The 大字/字 at the start of a name (大字上深野 written 上深野) is the general rule of
:mod:`geomap.geocoders.index_build`; a 字 the list adds inside a name where the index has none
(藤岡町大字赤麻 for 藤岡町赤麻) is read at run time (:func:`without_inner_aza`). Where one way of writing fits two towns, a name reached by dropping only a
大字/字 wins over one that needed its 町 dropped too (川守田 is 大字川守田, not 大字川守田町),
and two towns reached alike make the answer ambiguous.

Keys are made at data-build time (a change needs a rebuild: ``tools/build_data.py``).
Cases: ``oaza_inside_names`` and ``cho_left_out`` in ``tests/test_geocode_cases.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from .answer import match_without

_INNER_OAZA = re.compile(r"(?<=.)大字(?=.)")
_INNER_AZA = re.compile(r"(?<=[^\d大字])字(?=.)")  # not the 字 of 大字
_INNER_CHO = re.compile(r"(?<=[^\d])町(?=.)")
SHARED = 2  # names sharing the part before an inner 字 or 町 for it to count as a prefix


def inner_aza(form: str) -> set[str]:
    """The key ``form`` without a 大字 inside it.

    Examples
    --------
    >>> inner_aza("門田町大字面川"), inner_aza("大字上深野"), inner_aza("東陽4丁目")
    ({'門田町面川'}, set(), set())
    """
    out = _INNER_OAZA.sub("", form)
    return {out} if out != form else set()


def _prefixes(k: str, pattern: re.Pattern) -> list[int]:
    return [m.start() for m in pattern.finditer(k)]


def inner_words(keys: Sequence[str]) -> Iterable[tuple[str, str, int | None, bool]]:
    """A 字 or 町 inside the names of one municipality, left out where the part before it is shared.

    Yields ``(alias, key, None, weak)`` (see :data:`geomap.geocoders.families.CITY_ALIASES`).

    Examples
    --------
    >>> sorted(inner_words(["玉城字志堅原", "玉城字前川", "十字町", "大字野", "大字大野"]))
    [('玉城前川', '玉城字前川', None, False), ('玉城志堅原', '玉城字志堅原', None, False)]
    >>> sorted(inner_words(["高野口町名倉", "高野口町小田", "本町通2丁目"]))
    [('高野口名倉', '高野口町名倉', None, True), ('高野口小田', '高野口町小田', None, True)]
    >>> sorted(inner_words(["町北町大字上荒久田", "町北町大字中沢"]))[:2]
    [('町北上荒久田', '町北町大字上荒久田', None, True), ('町北中沢', '町北町大字中沢', None, True)]
    """
    forms = {k: _INNER_OAZA.sub("", k) for k in keys}
    aza = Counter(f[: i + 1] for f in forms.values() for i in _prefixes(f, _INNER_AZA))
    for k, form in forms.items():
        starts = [i for i in _prefixes(form, _INNER_AZA) if aza[form[: i + 1]] >= SHARED]
        if starts:
            yield "".join(ch for i, ch in enumerate(form) if i not in starts), k, None, False
    cho = Counter(f[: i + 1] for f in forms.values() for i in _prefixes(f, _INNER_CHO))
    for k, form in forms.items():
        for i in _prefixes(form, _INNER_CHO):
            if cho[form[: i + 1]] >= SHARED:
                short = form[:i] + form[i + 1:]
                yield short, k, None, True
                without_aza = re.sub(r"^字", "", short[i:])
                if without_aza != short[i:]:
                    yield short[:i] + without_aza, k, None, True
                break  # the first shared 町 is the old town's name


_OLD_TOWN = re.compile(r"(.{2,}?)([町村])(?:大字|字)?(.+)")


def old_town_alone(keys: Sequence[str]) -> Iterable[tuple[str, str, None, bool]]:
    """The old town's name alone for its 大字 of the same name: 浜島町 for 浜島町浜島 (志摩市).

    After a merger the old town's main 大字 often bears the town's own name (浜島町浜島,
    与板町与板, 本庄町大字本庄); lists write the old town and the block number, ``浜島町1112``.
    Yields ``(alias, key, None, True)`` (weak: only before a number, a lot 甲乙丙 or the end).

    Examples
    --------
    >>> list(old_town_alone(["浜島町浜島", "浜島町迫子", "本庄町大字本庄", "町田町"]))
    [('浜島町', '浜島町浜島', None, True), ('本庄町', '本庄町大字本庄', None, True)]
    """
    for k in keys:
        m = _OLD_TOWN.fullmatch(k)
        if m and m.group(3) == m.group(1):
            yield m.group(1) + m.group(2), k, None, True


_WRITTEN_AZA = re.compile(r"大字|字(?=[^\d\-#])")  # a 大字/字 written inside the name part


def without_inner_aza(match_at: Callable, text: str, pos: int):
    """A 大字/字 the list writes inside a name where the index has none, read as if not written.

    藤岡町大字赤麻 for 藤岡町赤麻, 榎林字家ノ前 for 字榎林家ノ前. ``match_at(text, pos)`` is the
    matcher's town match at ``pos``; the hit (or hits) is returned with its end in ``text``,
    or None. A town that ends before the 字 was written with a 小字 after it, not read here.

    Examples
    --------
    >>> seen = []
    >>> class Hit:
    ...     end = 5
    >>> def match_at(other, at):
    ...     seen.append(other)
    ...     return Hit()
    >>> without_inner_aza(match_at, "藤岡町大字赤麻1703", 0).end, seen
    (7, ['藤岡町赤麻1703'])
    """
    marker = _WRITTEN_AZA.search(text, pos + 1)
    if marker is None:
        return None
    return match_without(match_at, text, pos, marker.start(), marker.end())


__all__ = ["inner_aza", "inner_words", "old_town_alone", "without_inner_aza"]
