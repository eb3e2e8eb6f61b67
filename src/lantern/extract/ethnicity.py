"""Ethnicity and nationality marketing terms (INDICATORS.md §2.1 T04, §2.4).

The validated T04 indicator needs to know that an ad *markets* ethnicity. These terms are returned only
as mentions (type ``ethnicity``), never as a top-level field, so nothing can be scored on them alone.
The lexicon is data (``data/ethnicity.json``) because it changes faster than code.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Final

from lantern.extract.normalise import fold_case
from lantern.extract.scan import LETTERS, matches_not_after
from lantern.extract.trie import trie_pattern

_SPACED: Final = re.compile(r"(?:[a-z][\s.\-*_]){3,11}[a-z](?![a-z])")
"""Letter-spaced words such as ``a s i a n`` (HTI ``clean_part_ethn``)."""
_SPACE_CHARS: Final = re.compile(r"[\s.\-*_]")
_SPACED_GATE: Final = re.compile(r"[\s.\-*_][a-z][\s.\-*_][a-z][\s.\-*_]")
"""Every letter-spaced word of four or more letters holds two spaced letters in a row after its first;
most texts hold none, and then ``_SPACED`` (which tries every letter) never runs."""


@lru_cache(maxsize=1)
def _lexicon() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """The term pattern twice, and each written form's canonical term.

    The first pattern matches a term at the start of a text; the second consumes the non-letter before
    a term (its group 1 is the term). Opening with that one character class lets ``re`` skip in C to
    the next non-letter, instead of trying the lexicon at every letter and refusing the matches glued
    to a letter afterwards (three times slower on ordinary ad text). Every form begins and ends with a
    letter, so the two find exactly what a "not after a letter" look-behind form finds
    (``tests/extract/test_fast_scans.py``)."""
    raw = json.loads(resources.files("lantern.extract").joinpath("data/ethnicity.json").read_text("utf-8"))
    canon: dict[str, str] = {}
    for term, forms in raw["terms"].items():
        for form in forms:
            canon[form.lower()] = term
    body = (
        trie_pattern({f.replace(" ", "\0") for f in canon}).replace("\\\x00", r"\s+").replace("\x00", r"\s+")
    )
    at_start = re.compile(body + r"(?![a-z])")
    after_non_letter = re.compile(r"[^a-z](" + body + r")(?![a-z])")
    return at_start, after_non_letter, canon


def _term_spans(
    text: str, at_start: re.Pattern[str], after_non_letter: re.Pattern[str]
) -> list[tuple[int, int]]:
    """Spans of the lexicon's terms in ``text`` (lower case) that do not follow a letter."""
    spans: list[tuple[int, int]] = []
    pos = 0
    head = at_start.match(text)
    if head is not None:
        spans.append(head.span())
        pos = head.end()
    for m in after_non_letter.finditer(text, pos):
        spans.append(m.span(1))
    return spans


def find_ethnicity(text: str) -> list[tuple[int, int, str, bool]]:
    """``(start, end, canonical term, letter_spaced)`` for each marketing term (case-insensitive)."""
    text = fold_case(text)
    at_start, after_non_letter, canon = _lexicon()
    out: list[tuple[int, int, str, bool]] = []
    for start, end in _term_spans(text, at_start, after_non_letter):
        term = canon.get(" ".join(text[start:end].split()))
        if term:
            out.append((start, end, term, False))
    for m in matches_not_after(_SPACED, text, LETTERS) if _SPACED_GATE.search(text) else ():
        squashed = _SPACE_CHARS.sub("", m.group(0)).lower()
        term = canon.get(squashed)
        if term and len(squashed) >= 4:
            out.append((m.start(), m.end(), term, True))
    return out
