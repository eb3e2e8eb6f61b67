"""Regex scanning that keeps ``re``'s fast skip-ahead.

``re`` jumps in C to the next possible start of a match only when a pattern opens with a literal or a
character class. A leading look-behind such as ``(?<![a-z])`` turns that off, and the engine then tries
the whole pattern at every character: three to five times slower on ordinary ad text. Patterns here are
written without the leading look-behind, and the "not glued to the previous character" test is made in
Python on the few places the pattern matched, with the same result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
LOWER_ALNUM: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
"""What ``(?<![a-z0-9])`` refuses before a match in a ``fold_case`` copy."""


class _WordChars:
    """Any character ``\\w`` matches (Unicode letters and digits, and ``_``): the test ``\\b`` makes."""

    def __contains__(self, ch: object) -> bool:
        return isinstance(ch, str) and (ch.isalnum() or ch == "_")


WORD: Final = _WordChars()


def matches_not_after(
    pattern: re.Pattern[str],
    text: str,
    glued: frozenset[str] | _WordChars,
    pos: int = 0,
    endpos: int | None = None,
) -> Iterator[re.Match[str]]:
    """What ``finditer`` would give for ``(?<![glued])`` + ``pattern``: each match whose first character
    does not follow one of ``glued``. A rejected start is retried one character later, so a match that
    begins inside a rejected one is still found, exactly as the look-behind form would find it."""
    end = len(text) if endpos is None else endpos
    while pos <= end:
        m = pattern.search(text, pos, end)
        if m is None:
            return
        start = m.start()
        if start and text[start - 1] in glued:
            pos = start + 1
            continue
        yield m
        pos = m.end() if m.end() > start else start + 1
