"""What the matcher answers: :class:`Match` for an address, :class:`TownHit` for a town found in it.

Apart from :mod:`geomap.geocoders.matcher` so that the family modules the matcher calls
(:mod:`~geomap.geocoders.bare_town`, :mod:`~geomap.geocoders.unreadable`) make answers without
importing it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .index import Town

_UNEXPLAINED_CHOME = re.compile(r"\d+(?:丁目|条|線)")  # a number the town does not explain: 丁目, 条 or 線
# What ends the name written for a town: a number, a dash, #, a bracket. Every module that looks
# for the end of a written name builds its pattern from this one class.
NAME_STOPS = r"\d\-#(（"
NAME_END = re.compile(rf"[{NAME_STOPS}]|$")  # what follows a town's name that runs to the end of the written name


@dataclass
class Match:
    """The outcome for one address (before it becomes a row)."""

    level: int = 0
    pref: str = ""
    city: str = ""
    town: str = ""
    code: str = ""
    lat: float = math.nan
    lon: float = math.nan
    end: int = 0  # normalized position where the matched part ends
    start: int = 0  # normalized position where the town's part begins (after the municipality)
    ambiguous: str = ""
    note: tuple = ()  # (key, params): a note_ key of geomap.messages.notes


@dataclass
class TownHit:
    town: Town
    end: int
    name: str
    lat: float
    lon: float
    level: int
    note: tuple = ()
    alias: bool = False  # reached through another way of writing the name, not the name

    def quality(self, text: str) -> int:
        """How well the hit explains the address, to choose among candidate municipalities.

        A real name beats an alias; a town followed by a 丁目 it does not have (岡山市北区
        昭和町 for 北区昭和町2丁目) explains less than one that has it.
        """
        score = 2 if self.alias else 3
        if _UNEXPLAINED_CHOME.match(text, self.end):
            score -= 3
        elif not NAME_END.match(text, self.end):
            score -= 1  # more of the name follows: 岡山市北区小山 for 北区小山西元町 explains less
        return score


def best_explained(hits: list[tuple[str, TownHit]], text: str) -> list[tuple[str, TownHit]]:
    """The ``(code, hit)`` pairs whose hit explains ``text`` best (:meth:`TownHit.quality`), in order."""
    if len(hits) <= 1:
        return hits
    scores = [h.quality(text) for _, h in hits]
    best = max(scores)
    return [hit for hit, score in zip(hits, scores) if score == best]


def match_without(match_at, text: str, pos: int, start: int, end: int):
    """The town match at ``pos`` of ``text`` read without ``text[start:end]`` (a word the list
    adds that the index lacks), with its end (or the ends of its hits) in ``text``; None if no
    town is found or the name stops before the word left out. ``match_at(other, at)`` is the
    matcher's town match in another text."""
    hit = match_at(text[:start] + text[end:], pos)
    if hit is None:
        return None
    hits = hit if isinstance(hit, list) else [hit]
    if any(h.end <= start for h in hits):
        return None
    for h in hits:
        h.end += end - start
    return hit


def notes_of(note) -> list[tuple]:
    """A match's note as a list of ``(key, params)`` (none, one or several)."""
    if not note:
        return []
    return [note] if isinstance(note[0], str) else [n for n in note if n]


def with_notes(m: Match, *notes: tuple, first: bool = False) -> Match:
    """``m`` with ``notes`` added after (or, ``first``, before) its own."""
    have = notes_of(m.note)
    joined = [*notes, *have] if first else [*have, *notes]
    m.note = joined[0] if len(joined) == 1 else tuple(joined)
    return m


def is_valid_point(lat: float, lon: float) -> bool:
    return not (math.isnan(lat) or math.isnan(lon))


__all__ = ["NAME_END", "NAME_STOPS", "Match", "TownHit", "best_explained", "is_valid_point", "match_without", "notes_of", "with_notes"]
