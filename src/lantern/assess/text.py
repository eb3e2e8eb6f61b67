"""Text and emoji rules compiled once into matchers that cost almost nothing when they cannot match.

Ingest calls the assessor per record, so speed matters: a regular expression per rule over every ad is
too slow in CPython (tens of microseconds each on wide strings), while most rules match nothing in most
ads. Each rule therefore carries ``keywords``: whole words (a keyword of several words needs all of
them). The ad's words are split once into a set, and a rule's expression only runs when one of its
keywords is present. Emoji rules are pure literals and use ``bytes.find``.

Matching runs on ASCII-lower-cased UTF-8 bytes (see TextMatcher), and spans are mapped back to
character offsets in the original field. Negative contexts ("virginia", "new york") suppress a match that
falls inside one of them, as HTI strips such phrases before matching (INDICATORS.md §2.7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lantern.assess.catalogue import Rule


@dataclass(frozen=True, slots=True)
class TextHit:
    """One match of a text rule: where, and the text as written."""

    rule: Rule
    field: str
    start: int
    end: int
    text: str


def _literal(pattern: str) -> str:
    """An emoji pattern from TOML (``'\\U0001F451'``) as the character itself."""
    return pattern.encode("ascii", "backslashreplace").decode("unicode_escape")


def _chars(data: bytes) -> int:
    """How many characters a UTF-8 byte run decodes to (a split character counts as none)."""
    try:
        return len(data.decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:
        return len(data.decode("utf-8", "ignore"))


_SEPARATORS = bytes(b if (48 <= b <= 57 or 97 <= b <= 122 or 65 <= b <= 90) else 32 for b in range(256))
"""Byte table: ASCII letters and digits kept, every other byte (punctuation, UTF-8 of emoji) a space."""


def _words(low: bytes) -> set[bytes]:
    return set(low.translate(_SEPARATORS).split())


_PIECES = re.compile(rb"\\(.)|[A-Z]", re.DOTALL)
"""An escape (its character captured) or a bare ASCII capital, read left to right so ``\\\\W`` is an
escaped backslash followed by a capital."""
_CASELESS_ESCAPES = frozenset(b"WSDBAZ")
"""Capital escapes whose meaning does not depend on case (non-word, non-space, non-digit, anchors)."""


def _case_dependent(pattern: bytes) -> bool:
    """Whether a pattern may name a capital: a bare one (a literal, or a range such as ``A-Z``), another
    capital escape, or a character written by code (``\\x4a``, ``\\112``; a back-reference ``\\1`` counts
    too, to stay simple)."""
    for piece in _PIECES.finditer(pattern):
        escaped = piece.group(1)
        if escaped is None:
            return True
        code = escaped[0]
        if code in b"x01234567" or (65 <= code <= 90 and code not in _CASELESS_ESCAPES):
            return True
    return False


def _compile(pattern: bytes) -> re.Pattern[bytes]:
    """A pattern for ASCII-lower-cased text: without ``re.IGNORECASE`` when that changes nothing.

    On text with no ASCII capital, a pattern that names none matches the same with or without the flag,
    and without it ``re`` compares bytes directly: about a quarter less time per field (shipped catalogue
    over world records). Patterns from an override file that may name a capital keep the flag.
    """
    return re.compile(pattern, re.IGNORECASE if _case_dependent(pattern) else 0)


class TextMatcher:
    """All text and emoji rules of a catalogue, ready to run over one field.

    Matching runs on the UTF-8 bytes of the field, ASCII-lower-cased: ``bytes.lower`` keeps every
    offset, keyword tests on bytes are several times faster than on wide strings (emoji make a ``str``
    four bytes per character), and byte offsets map back to characters only for the few hits.
    Patterns therefore use ASCII semantics (``\\b``, ``\\s``) and are written in lower case.
    """

    def __init__(self, rules: list[Rule], max_spans: int = 3) -> None:
        self.max_spans = max_spans
        self._regex: list[
            tuple[Rule, tuple[frozenset[bytes], ...], re.Pattern[bytes], re.Pattern[bytes] | None]
        ] = []
        self._emoji: list[tuple[Rule, tuple[bytes, ...]]] = []
        for rule in rules:
            if not rule.patterns or not rule.implemented:
                continue
            if rule.kind == "emoji":
                self._emoji.append((rule, tuple(_literal(p).encode("utf-8") for p in rule.patterns)))
            elif rule.kind == "text":
                body = "|".join(f"(?:{p})" for p in rule.patterns).encode("utf-8")
                negative = "|".join(f"(?:{p})" for p in rule.negative).encode("utf-8")
                self._regex.append((
                    rule,
                    tuple(frozenset(_words(k.lower().encode("utf-8"))) for k in rule.keywords),
                    _compile(body),
                    _compile(negative) if negative else None,
                ))  # fmt: skip
        # Keyword index: each keyword filed under one of its words, so a field's words find the few rules
        # they may trigger with one set intersection instead of a test of every keyword of every rule.
        self._always: list[int] = []
        self._by_word: dict[bytes, list[tuple[int, frozenset[bytes]]]] = {}
        for index, (_, keywords, _, _) in enumerate(self._regex):
            if not keywords:
                self._always.append(index)
            for keyword in keywords:
                if keyword:
                    self._by_word.setdefault(min(keyword), []).append((index, keyword))
                else:
                    self._always.append(index)
        self._index_words = frozenset(self._by_word)

    def _candidates(self, words: set[bytes]) -> list[int]:
        """Indexes of the rules whose keywords the field's words satisfy, in catalogue order."""
        chosen = set(self._always)
        for word in words & self._index_words:
            for index, keyword in self._by_word[word]:
                if index not in chosen and words.issuperset(keyword):
                    chosen.add(index)
        return sorted(chosen)

    def run(self, field: str, text: str) -> list[TextHit]:
        """Every rule hit in one field's text, at most ``max_spans`` per rule."""
        raw = text.encode("utf-8", "surrogatepass")
        low = raw.lower()
        ascii_only = len(raw) == len(text)
        spans: list[tuple[Rule, int, int]] = []
        for index in self._candidates(_words(low)):
            rule, _, regex, negative = self._regex[index]
            found = 0
            blocked: list[tuple[int, int]] | None = None
            for match in regex.finditer(low):
                start, end = match.span()
                if start == end:
                    continue
                if negative is not None:
                    if blocked is None:
                        blocked = [m.span() for m in negative.finditer(low)]
                    if any(b_start < end and start < b_end for b_start, b_end in blocked):
                        continue
                spans.append((rule, start, end))
                found += 1
                if found >= self.max_spans:
                    break
        if not ascii_only:
            for rule, literals in self._emoji:
                found = 0
                for literal in literals:
                    position = raw.find(literal)
                    while position >= 0 and found < self.max_spans:
                        spans.append((rule, position, position + len(literal)))
                        found += 1
                        position = raw.find(literal, position + len(literal))
        hits: list[TextHit] = []
        for rule, start, end in spans:
            if not ascii_only:
                start, end = _chars(raw[:start]), _chars(raw[:start]) + _chars(raw[start:end])
            hits.append(TextHit(rule, field, start, end, text[start:end]))
        return hits
