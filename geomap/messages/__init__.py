"""Every user-facing message, in Japanese (the default) and English, by key.

Errors carry a key and their parameters (:class:`geomap.errors.GeomapError`); the CLI
turns them into one line with :func:`message`. A message says what is wrong and, where
the user can do something about it, what to do. The texts live in this package's modules,
one per topic (files, options, reports …); this module joins them into :data:`MESSAGES`
and is the only place that formats them.
"""

from __future__ import annotations

import re
import string

from . import app, files, maps, notes, options, reports

LANGS = ("ja", "en")


def _join(*tables: dict) -> dict[str, dict[str, str]]:
    joined: dict[str, dict[str, str]] = {}
    for table in tables:
        twice = joined.keys() & table.keys()
        if twice:
            raise RuntimeError(f"message keys defined twice: {sorted(twice)}")
        joined.update(table)
    return joined


MESSAGES: dict[str, dict[str, str]] = _join(files.TEXTS, options.TEXTS, reports.TEXTS, maps.TEXTS, notes.TEXTS,
                                             app.TEXTS)


class _Keep(dict):
    """Format mapping that leaves unknown ``{name}`` fields as they are."""

    def __missing__(self, key):
        return "{" + key + "}"


SERVICE_NAMES = {"gsi": {"ja": "国土地理院の住所検索 (gsi)", "en": "the GSI address search (gsi)"}}


def service_name(name: str, lang: str = "ja") -> str:
    """How messages name an online service (``gsi`` → 国土地理院の住所検索 (gsi))."""
    return SERVICE_NAMES.get(name, {}).get(lang, name)


def row_error(key: str, services, lang: str = "ja") -> str:
    """One online geocoder's failure for one row, as a short phrase (empty for no failure).

    ``services`` are the names of the online adapters that were asked (``["gsi"]``).
    """
    if not isinstance(key, str) or not key:
        return ""
    names = [service_name(s, lang) for s in services] or ["online"]
    who = ("、" if lang == "ja" else ", ").join(names)
    row_key = "row_" + key
    return message(row_key if row_key in MESSAGES else key, lang, service=who)


def message(key: str, lang: str = "ja", **params) -> str:
    """The text of ``key`` in ``lang`` (``"ja"`` or ``"en"``), with ``params`` filled in.

    A list parameter is joined with 「、」 (Japanese) or ", " (English). An unknown
    language falls back to Japanese; an unknown key gives the key and its parameters, so a message is never lost; a missing parameter stays as ``{name}``.

    Examples
    --------
    >>> message("reason_ambiguous", "en", candidates="A・B")
    'several candidates (A・B)'
    """
    texts = MESSAGES.get(key)
    if texts is None:
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{key}: {detail}" if detail else key
    text = texts.get(lang, texts["ja"])  # an empty text is a translation too (map_count_unit)
    sep = ", " if lang == "en" else "、"
    params = {k: sep.join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in params.items()}
    return string.Formatter().vformat(text, (), _Keep(params))


# What a terminal acts on rather than prints: escape sequences (OSC \x1b]0;title\x07 sets the
# window title, CSI \x1b[2J clears the screen), other C0 and C1 controls, DEL, and the bidi
# controls that reorder what is shown. A whole 7-bit OSC/DCS/CSI sequence goes, its text too;
# anything else goes one character at a time (a lone introducer is harmless without it).
_TERMINAL_CONTROLS = re.compile(
    "\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)"  # OSC … BEL or ST
    "|\x1b[P^_X][^\x1b]*\x1b\\\\"  # DCS, PM, APC, SOS … ST
    "|\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI
    "|\x1b[ -/]*[0-~]"  # other escapes (ESC c, ESC ( B …)
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def terminal_text(text, *, keep_lines: bool = False) -> str:
    r"""``text`` safe to print on a terminal: control characters and escape sequences removed.

    User text (a header, a sheet name, a file name) reaches messages and the summary; an
    escape sequence in it would act on the terminal (set its title, clear it, hide text),
    also when the output is piped into a log that is shown later. Tabs and line breaks
    become spaces, so a message stays one line, unless ``keep_lines`` (line breaks kept).

    Examples
    --------
    >>> terminal_text("住所\x1b]0;pwned\x07\x1b[31m赤\x1b[0m\r\n")
    '住所赤 '
    """
    lines = str(text).replace("\r\n", "\n").split("\n")
    cleaned = [_TERMINAL_CONTROLS.sub("", line.replace("\t", " ")) for line in lines]
    return ("\n" if keep_lines else " ").join(cleaned)


def note_text(note, lang: str = "ja") -> str:
    """A geocoder note as text in ``lang``: ``(key, params)`` from the matcher, ``()`` for none.

    Several notes, ``((key, params), (key, params))``, are joined with 「；」 (``"; "`` in English).

    Examples
    --------
    >>> note_text(("note_no_such_chome", {"n": "9"}), "en"), note_text(())
    ('chōme 9 is not in the data: placed at the whole town', '')
    >>> note_text((("note_old_name", {"old": "浦和市", "new": "さいたま市浦和区"}), ("note_whole_town", {})))
    '旧浦和市 → さいたま市浦和区；丁目が無いため町全体の代表点'
    """
    if not note:
        return ""
    if not isinstance(note[0], str):
        return ("; " if lang == "en" else "；").join(note_text(n, lang) for n in note if n)
    key, params = note
    return message(key, lang, **params)


def error_message(error: BaseException, lang: str = "ja") -> str:
    """One line for ``error``: its message key translated, or its own text."""
    key = getattr(error, "key", None)
    if key and key in MESSAGES:
        return message(key, lang, **getattr(error, "params", {}))
    return str(error)


__all__ = ["LANGS", "MESSAGES", "error_message", "message", "note_text", "terminal_text"]
