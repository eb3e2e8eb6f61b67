"""Stated ages (INDICATORS.md §5.1), never clamped to 18+.

A stated 16 is reported as 16: the likely-minor score depends on seeing it. Client-age clauses ("30+
only", "gentlemen over 40") describe clients, not the provider, and are excluded, as are heights,
weights and body measurements that share the same two-digit shapes.
"""

from __future__ import annotations

import re
from typing import Final

from lantern.extract import numwords
from lantern.extract.normalise import fold_case
from lantern.extract.spans import SpanSet

MIN_AGE: Final = 10
MAX_AGE: Final = 75

_SPELLED_AGE: Final = (
    r"(?:(?:twenty|twenny|tw3nty|thirty|th1rty|forty|fourty|fifty|sixty)(?:[\s-]?(?:one|two|three|four|five"
    r"|six|seven|eight|nine))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
    r"|eightteen|e1ghteen|nineteen|n1neteen|ninteen|sevnteen)"
)
_NUM: Final = rf"(\d\s?\d|{_SPELLED_AGE})"
_DIGIT: Final = re.compile(r"\d")
_SPELLED_NUMBER: Final = re.compile(_SPELLED_AGE)
"""Every age pattern (and the title suffix) holds a ``_NUM``: a digit or a spelled number. A text with
neither (most titles) holds no age, and the four anchor scans are skipped. The digit is looked for first,
alone: one character class, which ``re`` scans in C (the spelled words are tried at every letter)."""
_RANGE: Final = rf"{_NUM}(?:\s*(?:-|–|to|/)\s*{_NUM})?"
_SEP: Final = r"[\s\-~#*=+/_:;.,]*"
_YEARS: Final = r"(?:years?|yrs?|yr|y/o|y\.o\.?|yo)\b(?:\s*old)?"

_NAMED: Final = re.compile(
    # A07 an age right after an introduced name: "I'm Jess, 24", "Call me Mia (21)", "my name is Ana, 30"
    rf"(?i:\b(?:i\s?am|i'm|i’m|im|my\s+name\s+is|call\s+me|this\s+is|it'?s)\s+)"
    rf"[A-Z][a-z]{{1,14}}(?:[- ][A-Z][a-z]{{1,14}})?\s*(?:,\s*|\(\s*)(?i:{_NUM})(?![\w'’\"])"
)
_PATTERNS: Final = [
    # A01 "age: 22", "age 19-21", "aged nineteen"
    re.compile(rf"(?<![a-z])(?:age|aged|my age is){_SEP}{_RANGE}"),
    # A02 "22 years old", "19yo", "twenty two yrs", "19-21 years"
    re.compile(rf"(?<![\w$.])\b{_RANGE}\s*-?\s*{_YEARS}"),
    # A03 "I'm 23", "im nineteen"
    re.compile(rf"(?<![a-z])(?:i\s?am|i'm|i’m|iam|im|i\s?m)\s+(?:only\s+|just\s+)?{_NUM}(?![\w'’\"])"),
    _NAMED,
]
_ANCHORS: Final = (
    (re.compile(r"age"), 4, 40),
    (re.compile(r"y(?:ears?|rs?|/o|\.o|o)(?![a-z])"), 40, 12),
    (re.compile(r"i(?:\s?am|'m|’m|m|\s?m)\s"), 1, 40),
    (re.compile(r"(?:i\s?am|i'm|i’m|im|my\s+name\s+is|call\s+me|this\s+is|it'?s)\s"), 1, 60),
)
"""Per pattern: the keyword every match contains, and how far before and after it a match can reach.
Patterns run only in those windows, so a text without the keyword costs one quick scan. An anchor may
over-match (a window too many costs little), so none opens with a look-behind: ``re`` skips ahead in C
only to the first character of a pattern that starts with a literal or a character class, and a leading
look-behind turns that off (four times slower on ordinary text)."""


def _anchored(
    pattern: re.Pattern[str], anchor: re.Pattern[str], target: str, low: str, before: int, after: int
) -> list[re.Match[str]]:
    """Matches of ``pattern`` in ``target`` inside the merged windows around ``anchor`` hits in ``low``."""
    windows: list[list[int]] = []
    for a in anchor.finditer(low):
        lo, hi = max(0, a.start() - before), min(len(low), a.end() + after)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    found: list[re.Match[str]] = []
    last = -1
    for lo, hi in windows:
        for m in pattern.finditer(target, lo, hi):
            if m.start() >= last:
                found.append(m)
                last = m.end()
    return found


_TITLE_SUFFIX: Final = re.compile(r"\s-\s(\d\d)\s*$")

_CLIENT_AFTER: Final = re.compile(
    r"^\s*(?:\+|plus\b|and\s+(?:up|over|older)|or\s+(?:older|over|more)|&\s*(?:up|over)|only\b"
    r"|(?:years?|yrs?)\s*(?:\+|and\s+(?:up|over|older)|or\s+older|only)|welcome|min(?:imum)?\b)",
)
_CLIENT_BEFORE: Final = re.compile(
    r"(?:gent(?:lemen|leman|s)?|men|guys|clients?|customers?|callers?|must\s+be|over|under|older\s+than"
    r"|younger\s+than|at\s+least|ages?\s+of|minimum|min|mature)\s*[:\-]?\s*$",
)
_MEASURE_AFTER: Final = re.compile(
    r"^\s*(?:'|’|\"|”|ft|feet|in\b|inch|cm|lbs?|kg|pounds|%|[a-h]{1,3}\b|-\d\d\s*-\s*\d\d|\s*/\s*\d\d\s*/|"
    r"\s*[:.]\d|\s*(?:am|pm)\b|\s*hr|\s*min|\s*roses|\s*usd|\s*dollars)",
)


class AgeHit:
    """An age stated in one field: value, normalised span and whether it was spelled out.

    A plain class rather than a dataclass, as ``normalise.TraceStep`` says why."""

    __slots__ = ("end", "spelled", "start", "value")

    def __init__(self, value: int, start: int, end: int, spelled: bool) -> None:
        self.value = value
        self.start = start
        self.end = end
        self.spelled = spelled

    def __repr__(self) -> str:
        return f"AgeHit({self.value}, {self.start}, {self.end}, spelled={self.spelled})"


def _value(raw: str) -> tuple[int | None, bool]:
    raw = raw.strip()
    digits = raw.replace(" ", "")
    if digits.isdigit():
        return int(digits), " " in raw
    words = [w for w in re.split(r"[\s-]+", raw) if w]
    return numwords.words_to_number(words), True


def find_ages(text: str, masked: SpanSet, title: bool = False, low: str | None = None) -> list[AgeHit]:
    """Provider ages stated in ``text``; spans in ``masked`` (phones, prices...) are skipped.

    Each pattern runs only when its keyword is present (a cheap gate), and on ``low``
    (``fold_case(text)``) except A07, which needs the capital of the introduced name.
    """
    out: list[AgeHit] = []
    seen: set[int] = set()
    low = fold_case(text) if low is None else low
    if not _DIGIT.search(low) and not _SPELLED_NUMBER.search(low):
        return out
    for pattern, (anchor, before_chars, after_chars) in zip(_PATTERNS, _ANCHORS, strict=True):
        for m in _anchored(
            pattern, anchor, text if pattern is _NAMED else low, low, before_chars, after_chars
        ):
            if masked.overlaps(m.start(), m.end()):
                continue
            before = low[max(0, m.start() - 25) : m.start()]
            if _CLIENT_BEFORE.search(before):
                continue
            after = low[m.end() : m.end() + 20]
            if _CLIENT_AFTER.match(after):
                continue
            last_group = m.lastindex or 0
            groups = [i for i in range(1, last_group + 1) if m.group(i)]
            if pattern is not _PATTERNS[1] and _MEASURE_AFTER.match(after):
                continue
            for gi in groups:
                value, spelled = _value(m.group(gi))
                if value is None or not (MIN_AGE <= value <= MAX_AGE):
                    continue
                start = m.start(gi)
                if start in seen:
                    continue
                seen.add(start)
                out.append(AgeHit(value, start, m.end(gi), spelled))
    suffix = _TITLE_SUFFIX.search(text) if title else None
    if suffix and suffix.start(1) not in seen:
        age = int(suffix.group(1))
        if MIN_AGE <= age <= MAX_AGE and not masked.overlaps(suffix.start(), suffix.end()):
            out.append(AgeHit(age, suffix.start(1), suffix.end(1), False))
    return out
