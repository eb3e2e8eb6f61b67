"""Template micro-clusters in the InfoShield manner: what a cluster of near-duplicate ads shares, and where
the ads differ.

InfoShield (Lee et al., ICDE 2021) aligns the documents of a cluster and keeps the constant tokens as the
template and the varying runs as slots. We reimplement the idea (its code has no licence): the cluster's
representative (the member with the most tokens in common with the others, approximated by the longest
member) is aligned with every other member (difflib matching blocks, which are monotonic); a token of the
representative is *constant* when every member matches it; between consecutive constant tokens, any
member with something else there makes a slot, shown as ``<slot>``, with each member's filling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from lantern.link.text import tokenize

SLOT = "<slot>"


@dataclass
class Template:
    """The shared text of a cluster, its slots and each member's slot values."""

    id: str
    members: list[str]
    """Record keys, in the order the values below follow."""
    template: str
    """Constant tokens, with ``<slot>`` where members differ."""
    slots: list[list[str]] = field(default_factory=list)
    """``slots[i][j]``: the text member j has in slot i ("" when it has nothing there)."""
    coverage: float = 0.0
    """Share of the representative's tokens that are constant across the cluster."""


def _alignment(rep: list[str], other: list[str]) -> dict[int, int]:
    """Representative position -> matching position in ``other``."""
    matcher = SequenceMatcher(None, rep, other, autojunk=False)
    mapping: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            mapping[block.a + offset] = block.b + offset
    return mapping


def build_template(template_id: str, keys: list[str], texts: list[str], max_tokens: int = 2000) -> Template:
    """Align the texts of one cluster and report the template and its slots."""
    tokens = [tokenize(text, max_tokens) for text in texts]
    if not tokens:
        return Template(template_id, [], "", [], 0.0)
    rep_index = max(range(len(tokens)), key=lambda i: (len(tokens[i]), -i))
    rep = tokens[rep_index]
    maps = [
        {i: i for i in range(len(rep))} if j == rep_index else _alignment(rep, tokens[j])
        for j in range(len(tokens))
    ]
    constant = [i for i in range(len(rep)) if all(i in m for m in maps)]
    # Anchors: constant representative positions, with sentinels before the first and after the last.
    parts: list[str] = []
    slots: list[list[str]] = []
    prev_pos = [-1] * len(tokens)
    for i in [*constant, len(rep)]:
        at_end = i == len(rep)
        cur_pos = [len(t) for t in tokens] if at_end else [maps[j][i] for j in range(len(tokens))]
        fillings = [" ".join(tokens[j][prev_pos[j] + 1 : cur_pos[j]]) for j in range(len(tokens))]
        if any(fillings):
            parts.append(SLOT)
            slots.append(fillings)
        if i < len(rep):
            parts.append(rep[i])
        prev_pos = cur_pos
    coverage = len(constant) / len(rep) if rep else 0.0
    return Template(template_id, list(keys), " ".join(parts), slots, coverage)
