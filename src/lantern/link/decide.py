"""Every linking decision, in one place, for the local linker and the Spark job alike.

The two linkers gather evidence differently (numpy arrays over a growing corpus; DataFrames over one
snapshot), but what they conclude from it is decided here, from plain numbers, so they cannot drift apart:

* ``hub``: whether a piece of evidence (an identifier, an image group, a text group) joins so many
  unrelated posters that it must not link (see ``lantern.link.hubs`` for the rule and its reasons);
* ``texts_link`` / ``min_equal_positions``: whether two MinHash signatures are near-duplicate texts;
* ``images_link``: whether two perceptual hashes are the same picture;
* ``linking_kinds``: which identifier kinds link at all under a configuration.

Thresholds live in ``LinkConfig``; nothing here reads arrays of records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lantern.link.config import LinkConfig
from lantern.link.hubs import SuppressedHub
from lantern.link.identifiers import KINDS, evidence_type


@dataclass(frozen=True)
class EvidenceStats:
    """What the hub rule needs to know about one piece of evidence, however it was counted."""

    records: int
    """Records it touches."""
    other_contacts: int
    """Distinct contact identifiers among those records, itself and identifiers judged hubs left out."""
    sources: int
    """Sources its records come from."""
    cities: int
    """Distinct non-blank cities of its records (shown, not decided on)."""
    top_source: str
    """The source, among those with at least ``hub_site_min_records`` records, where it is in the largest
    share of records (the first such source in interning order on a tie); "" when there is none."""
    top_source_share: float


def evidence_stats(
    config: LinkConfig,
    records: int,
    other_contacts: int,
    source_counts: np.ndarray,
    source_totals: np.ndarray,
    source_names: list[str],
    cities: int,
) -> EvidenceStats:
    """``EvidenceStats`` from per-source counts (aligned with ``source_totals``/``source_names``, the
    linker's interning order)."""
    counts = np.asarray(source_counts)
    totals = np.asarray(source_totals)[: len(counts)]
    shares = np.where(totals >= config.hub_site_min_records, counts / np.maximum(totals, 1), 0.0)
    top = int(np.argmax(shares)) if shares.size else 0
    return EvidenceStats(
        records=records,
        other_contacts=other_contacts,
        sources=int(np.count_nonzero(counts)),
        cities=cities,
        top_source=source_names[top] if source_names else "",
        top_source_share=float(shares[top]) if shares.size else 0.0,
    )


def hub(config: LinkConfig, kind: str, value: str, stats: EvidenceStats) -> SuppressedHub | None:
    """The hub rule (``lantern.link.hubs``) for one piece of evidence; None when it is kept."""
    n = stats.records
    if n < config.hub_min_records or f"{kind}:{value}" in config.never_hub or value in config.never_hub:
        return None
    ratio = stats.other_contacts / n
    reason = None
    if stats.other_contacts >= config.hub_min_spread and ratio >= config.hub_min_spread_ratio:
        reason = "diverse"
    elif stats.other_contacts >= config.hub_min_spread and stats.top_source_share >= config.hub_site_share:
        reason = "boilerplate"
    if reason is None:
        return None
    return SuppressedHub(
        kind=kind,
        value=value,
        reason=reason,
        records=n,
        other_identifiers=int(stats.other_contacts),
        spread_ratio=round(float(ratio), 4),
        sources=stats.sources,
        cities=stats.cities,
        top_source=stats.top_source,
        top_source_share=round(stats.top_source_share, 4),
    )


def linking_kinds(config: LinkConfig) -> list[str]:
    """Identifier kinds that link under ``config`` (``sha256`` is image evidence; names never link)."""
    return [kind for kind in KINDS if kind != "name" and config.uses(evidence_type(kind))]


def texts_link(similarity: np.ndarray, config: LinkConfig) -> np.ndarray:
    """Whether pairs of texts with these estimated Jaccard similarities are near-duplicates."""
    return similarity >= config.minhash_threshold


def min_equal_positions(config: LinkConfig) -> int:
    """Fewest equal signature positions for which ``texts_link`` holds (its float32 rounding included),
    for a linker that counts equal positions instead of estimating the similarity."""
    from lantern.link.text import jaccard

    n = config.num_perm
    agree = np.arange(n + 1)
    sig = np.zeros((n + 2, n), dtype=np.uint32)
    sig[1:] = (np.arange(n)[None, :] >= agree[:, None]).astype(np.uint32)  # row c + 1: c leading zeros
    estimate = jaccard(sig, np.zeros(n + 1, dtype=np.int64), agree + 1)
    return int(np.flatnonzero(texts_link(estimate, config))[0])


def images_link(distance: np.ndarray, config: LinkConfig) -> np.ndarray:
    """Whether pairs of perceptual hashes this many bits apart show the same picture."""
    return distance <= config.hamming_radius
