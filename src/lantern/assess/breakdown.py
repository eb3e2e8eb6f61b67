"""How the weights of the rules that fired become a score, for anyone who must show it (the web pages,
the evidence report): logistic(bias + each rule's log-odds points, counted once at its first firing's
weight), the record's own rules first, then its network's, as the assessor adds them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lantern.assess.catalogue import load_catalogue
from lantern.assess.record import sigmoid

SCORES = ("minor", "trafficking")


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    weight: float
    origin: str  # record | network
    source: str | None


@dataclass(frozen=True)
class Breakdown:
    score: str
    bias: float
    terms: tuple[Term, ...]

    @property
    def logit(self) -> float:
        return self.bias + sum(t.weight for t in self.terms)

    @property
    def value(self) -> float:
        return sigmoid(self.logit)


@lru_cache(maxsize=1)
def _catalogue_facts() -> tuple[dict[str, float], dict[str, str]]:
    try:
        catalogue = load_catalogue()
        scoring, names = (
            catalogue.scoring,
            {rule_id: rule.name for rule_id, rule in catalogue.by_id().items()},
        )
    except Exception:  # a broken override file must not take the pages or the export down
        scoring, names = {}, {}
    bias = {
        "trafficking": float(scoring.get("trafficking_bias", -3.0)),
        "minor": float(scoring.get("minor_bias", -4.0)),
    }
    return bias, names


def rule_names() -> dict[str, str]:
    """Indicator names by rule id, from the catalogue."""
    return _catalogue_facts()[1]


def breakdown(own: object, network: object = None) -> list[Breakdown]:
    """The minor and trafficking breakdowns of a record's own indicator firings and its network's
    (stored JSON lists: malformed entries are skipped, not trusted)."""
    bias, names = _catalogue_facts()
    out = []
    for score in SCORES:
        seen: set[str] = set()
        terms = []
        for origin, items in (("record", own), ("network", network)):
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict) or item.get("score", "trafficking") != score:
                    continue
                rule_id = str(item.get("id") or "indicator")
                try:
                    weight = float(item.get("weight") or 0.0)
                except (TypeError, ValueError):
                    continue
                if rule_id in seen:
                    continue
                seen.add(rule_id)
                source = str(item["source"])[:400] if item.get("source") else None
                terms.append(Term(rule_id, names.get(rule_id, rule_id), weight, origin, source))
        out.append(Breakdown(score, bias[score], tuple(terms)))
    return out
