"""Hub suppression: evidence that joins otherwise unrelated records must not merge them.

A site's boilerplate phone, a stock photo, a copied stock paragraph all touch many records, but so does a
busy operator's phone. What separates them, measured on the data:

* spread: the number of distinct *other* contact identifiers (phones, emails, handles, payment handles)
  among the records the evidence touches. An operator re-uses a handful of contacts across many ads;
  boilerplate and stock images bring a new poster, hence a new contact, with almost every ad.
* the share of one source's records it appears in (boilerplate sits in a large share of one site's ads).

Rule (thresholds in LinkConfig): evidence touching n >= hub_min_records records is a hub when
  spread >= hub_min_spread and spread / n >= hub_min_spread_ratio              ("diverse"), or
  spread >= hub_min_spread and it is in >= hub_site_share of a source with
  >= hub_site_min_records records                                             ("boilerplate").
Evidence an investigator listed in ``never_hub`` is always kept. Records without other contacts add no
spread, so text-only and image-only operators are never mistaken for hubs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from lantern.link.config import LinkConfig


@dataclass(frozen=True)
class SuppressedHub:
    """One piece of evidence the linker refused to link through, with the numbers behind the decision."""

    kind: str
    """phone, email, handle, payment, image or text."""
    value: str
    """The identifier (``+17135550142``), ``phash:<hex>`` / ``sha256:<hex>`` or a template id."""
    reason: str
    """``diverse`` or ``boilerplate``."""
    records: int
    other_identifiers: int
    spread_ratio: float
    sources: int
    cities: int
    top_source: str
    top_source_share: float
    """Share of top_source's records that carry this evidence."""

    def describe(self) -> str:
        """One line an investigator can read."""
        text = (
            f"{self.kind} {self.value} suppressed ({self.reason}): in {self.records} records carrying "
            f"{self.other_identifiers} distinct other contacts ({self.spread_ratio:.2f} per record), "
            f"{self.sources} sources, {self.cities} cities"
        )
        if self.reason == "boilerplate":
            text += f"; in {self.top_source_share:.0%} of {self.top_source}'s records"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def judge(
    config: LinkConfig,
    kind: str,
    value: str,
    records: np.ndarray,
    other_contacts: int,
    source_ids: np.ndarray,
    source_totals: np.ndarray,
    source_names: list[str],
    city_ids: np.ndarray,
) -> SuppressedHub | None:
    """Apply the module's rule to one piece of evidence; None when it is kept.

    ``records`` are the record indexes it touches, ``source_ids``/``city_ids`` theirs (cities -1 = none),
    ``source_totals`` the record count of every source.
    """
    n = len(records)
    if n < config.hub_min_records or f"{kind}:{value}" in config.never_hub or value in config.never_hub:
        return None
    ratio = other_contacts / n
    counts = np.bincount(source_ids, minlength=len(source_totals))
    totals = np.maximum(source_totals[: len(counts)], 1)
    shares = np.where(source_totals[: len(counts)] >= config.hub_site_min_records, counts / totals, 0.0)
    top = int(np.argmax(shares)) if shares.size else 0
    top_share = float(shares[top]) if shares.size else 0.0
    reason = None
    if other_contacts >= config.hub_min_spread and ratio >= config.hub_min_spread_ratio:
        reason = "diverse"
    elif other_contacts >= config.hub_min_spread and top_share >= config.hub_site_share:
        reason = "boilerplate"
    if reason is None:
        return None
    cities = np.unique(city_ids[city_ids >= 0]).size
    return SuppressedHub(
        kind=kind,
        value=value,
        reason=reason,
        records=n,
        other_identifiers=int(other_contacts),
        spread_ratio=round(float(ratio), 4),
        sources=int(np.count_nonzero(counts)),
        cities=int(cities),
        top_source=source_names[top] if source_names else "",
        top_source_share=round(top_share, 4),
    )
