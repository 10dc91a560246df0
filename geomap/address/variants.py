"""Character folding for matching Japanese addresses (pure, table-driven).

Everything here maps one character to at most one character, so positions in a
folded string can be traced back to the text the user wrote (see
:func:`geomap.address.normalize.normalize`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

# Every dash, hyphen, minus and long bar that people type between numbers.
HYPHENS = (
    "-"  # U+002D hyphen-minus
    "\u2010"  # ‐ hyphen
    "\u2011"  # ‑ non-breaking hyphen
    "\u2012"  # ‒ figure dash
    "\u2013"  # – en dash
    "\u2014"  # — em dash
    "\u2015"  # ― horizontal bar
    "\u2043"  # ⁃ hyphen bullet
    "\u2212"  # − minus sign
    "\u02d7"  # ˗ modifier minus
    "\u2500"  # ─ box drawing light horizontal
    "\u2501"  # ━ box drawing heavy horizontal
    "\u23af"  # ⎯ horizontal line extension
    "\u2796"  # ➖ heavy minus
    "\u30fc"  # ー katakana prolonged sound mark
    "\u30fb"  # ・ katakana middle dot (used as a separator in some lists)
    "\ufe58"  # ﹘ small em dash
    "\ufe63"  # ﹣ small hyphen-minus
    "\uff0d"  # － fullwidth hyphen-minus
    "\uff70"  # ｰ halfwidth prolonged sound mark
)

SPACES = " \t\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff\r\n"

# ケ written in its small and hiragana/katakana forms (旭ヶ丘, 旭が丘, 旭ガ丘, 旭ケ丘).
KE_FORMS = "ヶヵケ"
# の written as ノ, 之 or 乃 (日の出, 日乃出, 東坂之上).
NO_FORMS = "ノ之乃"

KANJI_DIGITS = "〇一二三四五六七八九"

_KANJI = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]"
# が/ガ before a kanji is the ケ of 旭が丘, あさひが丘, 美しが丘 (not the particle of kana words).
_GA_BEFORE_KANJI = re.compile(rf"[がガ](?={_KANJI})")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
# Katakana that lists type for a look-alike kanji (ニ日市 for 二日市, 十ニ丁目): folded where a
# kanji follows and no katakana is next to it. Not before a digit or at the end: there they
# are the イロハ numbering of lots (湯ノ上町ハ24, 字ロ).
LOOK_ALIKES = {"ニ": "二", "ロ": "口", "エ": "工", "カ": "力", "タ": "夕"}
_LOOK_ALIKE = re.compile(rf"(?<![\u30a1-\u30fa\u30fc])[{''.join(LOOK_ALIKES)}](?={_KANJI})")


@lru_cache(maxsize=1)
def variant_table() -> dict[str, str]:
    """Variant kanji → canonical kanji, from the table shipped as package data."""
    text = resources.files("geomap").joinpath("data/itaiji.tsv").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        variant, canonical = line.split("\t")
        table[variant] = canonical
    return table


def _nfkc_single(ch: str) -> str | None:
    out = unicodedata.normalize("NFKC", ch)
    return out if len(out) == 1 and out != ch else None


@lru_cache(maxsize=1)
def translation() -> dict[int, str | None]:
    """The one-character-to-one-character translate table used by :func:`fold_chars`."""
    table: dict[int, str | None] = {}
    ranges = [
        (0xFF01, 0xFF60),  # fullwidth ASCII
        (0xFFE0, 0xFFEF),  # fullwidth signs
        (0x2460, 0x2468),  # ①..⑨
        (0x2F00, 0x2FDF),  # Kangxi radicals pasted from PDFs (⼀ → 一)
        (0x2E80, 0x2EFF),  # CJK radicals supplement
        (0xF900, 0xFAFF),  # CJK compatibility ideographs
    ]
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            single = _nfkc_single(chr(cp))
            if single is not None:
                table[cp] = single
    for ch, canonical in variant_table().items():
        table[ord(ch)] = canonical
    for ch in HYPHENS:
        table[ord(ch)] = "-"
    for ch in SPACES:
        table[ord(ch)] = None
    for ch in KE_FORMS:
        table[ord(ch)] = "ケ"
    for ch in NO_FORMS:
        table[ord(ch)] = "の"
    table[ord("ッ")] = "ツ"  # 一ッ橋 / 一ツ橋
    table[ord("〒")] = "〒"
    return table


@lru_cache(maxsize=1)
def _translation_list() -> list[int | str | None]:
    """:func:`translation` as a list indexed by code point, up to the last character it maps.

    Every character the table lacks maps to itself (its code point), so ``str.translate``
    gives the same text with either; with the dictionary each such character (most of an
    address) costs a failed lookup, with the list an index (an address folds in 0.6 of the
    time). Characters past the list's end are left as they are, as the table leaves them.
    """
    table = translation()
    points: list[int | str | None] = list(range(max(table) + 1))
    for cp, to in table.items():
        points[cp] = to
    return points


def prepare(text: str) -> str:
    """Whole-string NFKC only where half-width katakana would otherwise lose 濁点."""
    if _HALFWIDTH_KANA.search(text):
        return unicodedata.normalize("NFKC", text)
    return text


def fold_chars(text: str) -> str:
    """Fold width, hyphens, spaces (removed), ケ/の forms, variant kanji and katakana look-alikes of kanji."""
    folded = text.translate(_translation_list())
    if "が" in folded or "ガ" in folded:
        folded = _GA_BEFORE_KANJI.sub("ケ", folded)
    if ("ニ" in folded or "ロ" in folded or "エ" in folded or "カ" in folded or "タ" in folded) and _LOOK_ALIKE.search(folded):
        folded = _LOOK_ALIKE.sub(lambda m: LOOK_ALIKES[m.group()], folded)
    return folded


def fold_variants(text: str) -> str:
    """Fold a name for comparison (no number conversion): used for joining sources."""
    return fold_chars(prepare(text))
