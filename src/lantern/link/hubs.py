"""Hub suppression: evidence that joins otherwise unrelated records must not merge them.

A site's boilerplate phone, a stock photo, a copied stock paragraph all touch many records, but so does a
busy operator's phone. What separates them, measured on the data:

* spread: the number of distinct *other* contact identifiers (phones, emails, handles, payment handles)
  among the records the evidence touches. An operator re-uses a handful of contacts across many ads;
  boilerplate and stock images bring a new poster, hence a new contact, with almost every ad.
* the share of one source's records it appears in (boilerplate sits in a large share of one site's ads).

Rule (thresholds in LinkConfig; applied by ``lantern.link.decide.hub``): evidence touching
n >= hub_min_records records is a hub when
  spread >= hub_min_spread and spread / n >= hub_min_spread_ratio              ("diverse"), or
  spread >= hub_min_spread and it is in >= hub_site_share of a source with
  >= hub_site_min_records records                                             ("boilerplate").
Evidence an investigator listed in ``never_hub`` is always kept. Records without other contacts add no
spread, so text-only and image-only operators are never mistaken for hubs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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
