"""Turn a word list into a trie-shaped regex.

Python's ``re`` tries the branches of an alternation one by one at every position, so a lexicon of a
hundred words written as ``a|b|c...`` is slow on long text. A trie-shaped pattern shares prefixes and
fails after one character on most positions, which keeps lexicon matching cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def trie_pattern(words: Iterable[str]) -> str:
    """A non-capturing regex matching exactly the given words (longest match preferred)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _render(trie)


def trie_pattern_not_after(words: Iterable[str], not_after: str) -> str:
    """``(?<!not_after)`` + ``trie_pattern(words)``, written so that ``re`` still skips ahead in C.

    A pattern that opens with a look-behind makes ``re`` try it at every character (``scan.py``). This
    one opens by consuming one of the words' first characters (a character class, which ``re`` jumps
    to), then checks the character before that one with a fixed-width look-behind (``not_after``, a
    one-character class such as ``[a-z0-9]``), then reads the rest of the word behind a one-character
    look-behind that names the first character. It matches exactly what the plain form matches.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    firsts = sorted(ch for ch in trie if ch)
    head = "[" + "".join(re.escape(ch) for ch in firsts) + "]"
    rests = "|".join(f"(?<={re.escape(ch)}){_render(trie[ch])}" for ch in firsts)
    return f"{head}(?<!{not_after}.)(?:{rests})"


def _render(node: dict) -> str:
    end = "" in node
    branches = [re.escape(ch) + _render(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    if len(branches) == 1:
        body = branches[0]
        if end:
            return f"(?:{body})?"
        return body
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if end else body
