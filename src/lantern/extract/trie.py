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
