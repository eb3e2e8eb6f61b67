"""The kept evidence among a set of records: what ties them, with the kind and strength of each tie.

This is the evidence ``lantern explain`` and the network page walk (``lantern.link.explain``): shared
identifiers, the same or a near-duplicate picture, text that follows one template; never a suppressed hub.
:func:`evidence_links` is the one place the exports ask the linker for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lantern.link import LinkResult
from lantern.link.explain import Search, neighbours

PHASH_BITS = 64


@dataclass(frozen=True)
class EvidenceLink:
    """Two records tied by one piece of kept evidence."""

    a: str
    b: str
    """Record keys (``source:id``)."""
    kind: str
    """phone, email, handle, payment, image or text."""
    value: str
    """The identifier; ``sha256:<hex>`` for the same picture; ``<phash>~<phash>`` for near-duplicate
    pictures (each record's own hash first); the template id for text."""
    strength: float
    """1.0 for a shared identifier or the same picture; 1 - distance/64 for near-duplicate pictures; the
    estimated Jaccard similarity of the two texts for a template."""
    evidence: str
    """How the linker words it, e.g. ``image phash distance 4``."""


def evidence_links(result: LinkResult, keys: Sequence[str]) -> list[EvidenceLink]:
    """Every tie of kept evidence between two of ``keys`` (records the linker does not know are left out).

    Each identifier and picture is expanded once for the whole set, so a phone on 5,000 records costs one
    listing of its holders, not 5,000.
    """
    linker = result._check()  # the explanation API reads the linker itself
    docs: list[int] = []
    for key in keys:
        try:
            docs.append(linker.index_of(key))
        except KeyError:
            continue
    allowed = np.zeros(linker.n, dtype=bool)
    allowed[docs] = True
    search = Search(allowed)
    seen: set[tuple[str, str, str, str]] = set()
    links: list[EvidenceLink] = []
    for doc in sorted(docs):
        for other, hop in neighbours(linker, doc, search):
            if not allowed[other]:
                continue
            a, b, value = hop.source, hop.target, hop.value
            if hop.kind == "image" and "~" not in value:
                value = f"sha256:{value}"
            if a > b:  # one orientation per pair, each record's own picture hash on its side
                a, b = b, a
                if "~" in value:
                    value = "~".join(reversed(value.split("~")))
            if (a, b, hop.kind, value) in seen:
                continue
            seen.add((a, b, hop.kind, value))
            links.append(EvidenceLink(a, b, hop.kind, value, _strength(hop), hop.evidence))
    return links


def _strength(hop) -> float:
    if hop.kind == "image" and hop.score is not None:
        return round(1 - float(hop.score) / PHASH_BITS, 4)
    if hop.kind == "text" and hop.score is not None:
        return float(hop.score)
    return 1.0
