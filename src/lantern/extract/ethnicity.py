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
def _lexicon() -> tuple[re.Pattern[str], dict[str, str]]:
    raw = json.loads(resources.files("lantern.extract").joinpath("data/ethnicity.json").read_text("utf-8"))
    canon: dict[str, str] = {}
    for term, forms in raw["terms"].items():
        for form in forms:
            canon[form.lower()] = term
    body = (
        trie_pattern({f.replace(" ", "\0") for f in canon}).replace("\\\x00", r"\s+").replace("\x00", r"\s+")
    )
    pattern = re.compile(body + r"(?![a-z])")
    return pattern, canon


def find_ethnicity(text: str) -> list[tuple[int, int, str, bool]]:
    """``(start, end, canonical term, letter_spaced)`` for each marketing term (case-insensitive)."""
    text = fold_case(text)
    pattern, canon = _lexicon()
    out: list[tuple[int, int, str, bool]] = []
    for m in matches_not_after(pattern, text, LETTERS):
        term = canon.get(" ".join(m.group(0).lower().split()))
        if term:
            out.append((m.start(), m.end(), term, False))
    for m in matches_not_after(_SPACED, text, LETTERS) if _SPACED_GATE.search(text) else ():
        squashed = _SPACE_CHARS.sub("", m.group(0)).lower()
        term = canon.get(squashed)
        if term and len(squashed) >= 4:
            out.append((m.start(), m.end(), term, True))
    return out
