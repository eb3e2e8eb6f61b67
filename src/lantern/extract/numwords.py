"""Number words as written in disguised contacts and ages (INDICATORS.md §4.1 O01-O07, §5.1 A06).

One table serves phones and ages so that a misspelling learnt for one is learnt for both. Each entry
maps a written form to its digits and to the trace step that names the disguise.
"""

from __future__ import annotations

import re
from typing import Final

from lantern.extract.trie import trie_pattern

UNITS: Final = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
TEENS: Final = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
TENS: Final = {
    "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
    "eighty": "8", "ninety": "9",
}  # fmt: skip
MISSPELLED: Final = {
    # leet and misspelled forms (pnmatcher prep_misspelled_numeral_words, HTI Small): value word
    "zer0": "zero", "z3ro": "zero", "zeero": "zero", "0ne": "one", "on3": "one", "tw0": "two",
    "thr33": "three", "thr3e": "three", "thre3": "three", "tree": "three", "f0ur": "four",
    "fuor": "four", "foor": "four", "f1ve": "five", "fiv3": "five", "fyve": "five", "fith": "five",
    "s1x": "six", "sixx": "six", "sev3n": "seven", "s3ven": "seven", "s3v3n": "seven", "sven": "seven", "seben": "seven", "e1ght": "eight",
    "eigth": "eight", "n1ne": "nine", "nin3": "nine", "nien": "nine", "th1rty": "thirty",
    "fourty": "forty", "n1neteen": "nineteen", "ninteen": "nineteen", "eightteen": "eighteen",
    "e1ghteen": "eighteen", "sevnteen": "seventeen", "twenny": "twenty", "tw3nty": "twenty",
}  # fmt: skip
HOMOPHONES: Final = {"for": "four", "to": "two", "too": "two", "ate": "eight", "won": "one"}
"""Words that are digits only when other digits surround them; ``weak`` tokens in the tokenizer."""

OH: Final = {"oh": "0", "o": "0"}
MAGNITUDE: Final = {"hundred": "00", "thousand": "000"}
MULTIPLIERS: Final = {"double": 2, "triple": 3}

_ALL: Final = {**UNITS, **TEENS, **{k: k for k in TENS}, **{k: k for k in MISSPELLED},
        **{k: k for k in HOMOPHONES}, **OH, **MAGNITUDE, **{k: k for k in MULTIPLIERS}}  # fmt: skip
ALL_WORDS: Final[list[str]] = sorted((w for w in _ALL if w != "o"), key=len, reverse=True)
_WORDS: Final = ALL_WORDS
WORD_ALT: Final[str] = trie_pattern(_WORDS)
"""Trie-shaped regex of every number word (greedy, so ``seventeen`` wins over ``seven``)."""

_SPLIT: Final = re.compile(WORD_ALT, re.IGNORECASE)


def canonical(word: str) -> str:
    """The dictionary form of a written number word (``f1ve`` -> ``five``)."""
    w = word.lower()
    if w in MISSPELLED:
        return MISSPELLED[w]
    return w


def split_words(run: str) -> list[tuple[int, int, str]]:
    """Split a concatenated run such as ``eightzero`` into ``(start, end, word)`` parts."""
    return [(m.start(), m.end(), m.group(0)) for m in _SPLIT.finditer(run)]


def word_digits(word: str) -> str | None:
    """Digits for a single (canonical or misspelled) number word, or None for multipliers/tens."""
    w = canonical(word)
    if w in HOMOPHONES:
        w = HOMOPHONES[w]
    if w in UNITS:
        return UNITS[w]
    if w in TEENS:
        return TEENS[w]
    if w in TENS:
        return TENS[w] + "0"
    if w in OH:
        return OH[w]
    if w in MAGNITUDE:
        return MAGNITUDE[w]
    return None


def is_tens(word: str) -> bool:
    return canonical(word) in TENS


def is_unit(word: str) -> bool:
    w = canonical(word)
    return HOMOPHONES.get(w, w) in UNITS and w != "zero"


def is_misspelled(word: str) -> bool:
    w = word.lower()
    return w in MISSPELLED and w not in HOMOPHONES and MISSPELLED[w] != w


def is_homophone(word: str) -> bool:
    return word.lower() in HOMOPHONES


def multiplier(word: str) -> int:
    return MULTIPLIERS.get(word.lower(), 0)


def words_to_number(words: list[str]) -> int | None:
    """Value of a spelled age such as ``twenty two`` or ``nineteen`` (None if not a plain number)."""
    total = 0
    pending_tens = False
    for word in words:
        w = canonical(word)
        if w in TENS:
            if total:
                return None
            total = int(TENS[w]) * 10
            pending_tens = True
        elif w in UNITS and pending_tens:
            total += int(UNITS[w])
            pending_tens = False
        elif w in TEENS and not total:
            total = int(TEENS[w])
        elif w in UNITS and not total:
            total = int(UNITS[w])
        else:
            return None
    return total or None
