"""Linker settings: which evidence links records, and the thresholds that decide what a hub is.

Every threshold is here, not in code, so an evaluation can sweep them and an ablation can switch evidence
types off (phones only, then contacts, then images, then text) against the same ground truth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

EVIDENCE_TYPES = ("phone", "email", "handle", "payment", "image", "text")
"""Evidence kinds the linker can use. ``image`` covers both exact SHA-256 and near-duplicate pHash."""

CONTACT_TYPES = ("phone", "email", "handle", "payment")


@dataclass(frozen=True)
class LinkConfig:
    """All linker settings. The defaults suit ads of a few dozen to a few hundred words."""

    evidence: tuple[str, ...] = EVIDENCE_TYPES
    """Enabled evidence kinds (see EVIDENCE_TYPES)."""

    hamming_radius: int = 4
    """Two pHashes at most this many bits apart are the same picture (re-encoded, resized, cropped a little)."""

    minhash_threshold: float = 0.6
    """Estimated word-shingle Jaccard at or above which two texts are near-duplicates."""
    num_perm: int = 128
    shingle_size: int = 3
    """Words per shingle. Ads are short; 5-word shingles (InfoShield) miss templates whose slots are dense."""
    min_text_tokens: int = 12
    """Shorter texts carry too few shingles to tell a shared template from a shared stock phrase."""
    max_text_tokens: int = 2000
    """Bound on the words read per record (hostile input)."""
    lsh_bucket_cap: int = 4
    """Each record is compared with at most this many earlier records per LSH bucket. Enough to connect a
    template cluster, and it keeps the candidate count linear in the number of records."""
    seed: int = 1

    hub_min_records: int = 10
    """Identifiers, image groups and text groups touching fewer records are never hubs."""
    hub_min_spread: int = 5
    """A hub must bring together at least this many distinct other contact identifiers."""
    hub_min_spread_ratio: float = 0.3
    """... and that many per record touched: one operator re-uses a handful of contacts across many ads,
    boilerplate and stock images bring a new contact with almost every ad."""
    hub_site_share: float = 0.25
    """Boilerplate: present in at least this share of one source's records ..."""
    hub_site_min_records: int = 20
    """... of a source with at least this many records (then hub_min_spread alone suffices, no ratio)."""
    never_hub: frozenset[str] = field(default_factory=frozenset)
    """Identifiers (``phone:+1...``) an investigator has confirmed are not hubs."""

    keep_text: bool = True
    """Keep texts in memory and in the state so templates can be shown without the store. Turn off at
    scale and pass ``text_of`` to ``LinkResult.template`` instead."""

    def __post_init__(self) -> None:
        unknown = set(self.evidence) - set(EVIDENCE_TYPES)
        if unknown:
            raise ValueError(f"unknown evidence types: {sorted(unknown)}")
        if not 0 <= self.hamming_radius < 32:
            raise ValueError("hamming_radius must be in 0..31")
        if not 0.0 < self.minhash_threshold <= 1.0:
            raise ValueError("minhash_threshold must be in (0, 1]")
        if self.num_perm < 8 or self.shingle_size < 1:
            raise ValueError("num_perm must be >= 8 and shingle_size >= 1")

    def uses(self, kind: str) -> bool:
        """Whether evidence of this kind links records."""
        return kind in self.evidence

    @classmethod
    def ablation(cls, level: str, **overrides: Any) -> LinkConfig:
        """Presets for the ablation ladder: ``phones``, ``contacts``, ``images`` (contacts + images), ``all``."""
        ladder = {
            "phones": ("phone",),
            "contacts": CONTACT_TYPES,
            "images": (*CONTACT_TYPES, "image"),
            "all": EVIDENCE_TYPES,
        }
        return cls(evidence=ladder[level], **overrides)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the state so a reload links new records the same way."""
        data = asdict(self)
        data["evidence"] = list(self.evidence)
        data["never_hub"] = sorted(self.never_hub)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkConfig:
        """Inverse of to_dict."""
        data = dict(data)
        data["evidence"] = tuple(data.get("evidence", EVIDENCE_TYPES))
        data["never_hub"] = frozenset(data.get("never_hub", ()))
        return cls(**data)
