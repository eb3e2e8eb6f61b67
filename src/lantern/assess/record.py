"""Per-ad assessment: text, emoji, mention and age rules, then the derived likely-minor rules.

Every firing becomes an indicator dict with its field, span, text, weight, citation and a filled
explanation, so an investigator sees exactly why an ad rose in the queue (PRINCIPLES.md §1). A rule
counts once per ad however often it matches; repeated matches are kept as extra evidence spans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lantern.assess.catalogue import Catalogue, Rule
from lantern.assess.text import TextMatcher

Indicator = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Fact:
    """Evidence behind a tag: where it was seen and how to describe it in an explanation."""

    field: str | None
    span: list[int] | None
    text: str
    label: str


def sigmoid(x: float) -> float:
    """Log-odds to probability, safe for large magnitudes."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def rule_sums(indicators: list[Indicator]) -> dict[str, float]:
    """Log-odds points per score, each rule id counted once (its first firing's weight)."""
    seen: set[str] = set()
    sums = {"trafficking": 0.0, "minor": 0.0}
    for item in indicators:
        rule_id = item["id"]
        if rule_id in seen:
            continue
        seen.add(rule_id)
        sums[item.get("score", "trafficking")] += float(item.get("weight", 0.0))
    return sums


def _fill(template: str, **values: Any) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def make_indicator(rule: Rule, catalogue: Catalogue, *, field: str | None, span: list[int] | None,
                   text: str, value: Any = "", detail: str = "", weight: float | None = None) -> Indicator:  # fmt: skip
    """The stored form of one firing (the ``indicators`` entries of the extracted-fields object).

    An age firing keeps its ``value`` so that group rules (M7) can read the stated age back.
    """
    indicator: Indicator = {
        "id": rule.id,
        "span": span,
        "field": field,
        "text": text[:200],
        "weight": rule.weight if weight is None else weight,
        "score": rule.score,
        "source": catalogue.cite(rule),
        "explanation": _fill(rule.explanation, text=text[:120], value=value, detail=detail),
    }
    if rule.kind == "age" and isinstance(value, int):
        indicator["value"] = value
    return indicator


class RecordRules:
    """The per-ad part of the catalogue, compiled."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        scoring = catalogue.scoring
        self.max_spans = int(scoring.get("max_spans_per_rule", 3))
        self.minor_age = int(scoring.get("minor_age", 18))
        self.young_adult = frozenset(int(a) for a in scoring.get("young_adult_ages", [18, 19]))
        self.adult_age = int(scoring.get("adult_age", 22))
        self.bias = {
            "trafficking": float(scoring.get("trafficking_bias", -3.0)),
            "minor": float(scoring.get("minor_bias", -4.0)),
        }
        active = [r for r in catalogue.rules if r.implemented]
        self.matcher = TextMatcher(active, self.max_spans)
        self.mention_rules = [r for r in active if r.kind == "mention"]
        self.age_rules = [r for r in active if r.kind == "age"]
        self.derived = [r for r in active if r.kind == "derived"]
        self.by_id = catalogue.by_id()

    # -- facts -------------------------------------------------------------------------------------

    def age_tags(self, value: int) -> tuple[str, ...]:
        """What a stated age says to the likely-minor rules: under 18, 18-19 (the youngest age a site
        accepts, where minors are advertised), or clearly adult (weak evidence against, §5.2)."""
        if value < self.minor_age:
            return ("age_under_18",)
        if value in self.young_adult:
            return ("age_18_19",)
        if value >= self.adult_age:
            return ("age_adult",)
        return ()

    def _mention_firings(self, mentions: list[dict[str, Any]]) -> list[Indicator]:
        out: list[Indicator] = []
        by_type: dict[Any, list[dict[str, Any]]] = {}
        for m in mentions:
            by_type.setdefault(m.get("type"), []).append(m)
        for rule in self.mention_rules:
            chosen = by_type.get(rule.mention_type, [])
            if rule.obscured is not None:
                chosen = [m for m in chosen if bool(m.get("obscured")) == rule.obscured]
            if rule.fields_only:
                in_body = {_key(m["value"]) for m in chosen if m.get("field") == "body"}
                chosen = [
                    m
                    for m in chosen
                    if m.get("field") in rule.fields_only and _key(m["value"]) not in in_body
                ]
            if not chosen:
                continue
            distinct = {_key(m["value"]) for m in chosen}
            if len(distinct) < rule.min_distinct:
                continue
            if rule.min_distinct > 1:
                names = ", ".join(sorted(str(v) for v in distinct)[:6])
                first = chosen[0]
                out.append(make_indicator(rule, self.catalogue, field=first.get("field"), span=first.get("span"),
                                          text=first.get("text", ""), value=len(distinct), detail=names))  # fmt: skip
                continue
            for m in chosen[: self.max_spans]:
                detail = ", ".join(m.get("techniques") or []) or m.get("field", "")
                out.append(make_indicator(rule, self.catalogue, field=m.get("field"), span=m.get("span"),
                                          text=m.get("text", ""), value=m.get("value"), detail=detail))  # fmt: skip
        return out

    def _ages(self, mentions: list[dict[str, Any]], tags: dict[str, list[Fact]]) -> list[Indicator]:
        out: list[Indicator] = []
        ages = [m for m in mentions if m.get("type") == "age" and isinstance(m.get("value"), int)]
        for m in ages:
            value = m["value"]
            fact = Fact(
                m.get("field"),
                m.get("span"),
                m.get("text", ""),
                f'stated age {value} ("{m.get("text", "")}")',
            )
            for tag in self.age_tags(value):
                tags.setdefault(tag, []).append(fact)
        for rule in self.age_rules:
            low = rule.age_min if rule.age_min is not None else -1
            high = rule.age_max if rule.age_max is not None else 1000
            for m in [m for m in ages if low <= m["value"] <= high][: self.max_spans]:
                out.append(make_indicator(rule, self.catalogue, field=m.get("field"), span=m.get("span"),
                                          text=m.get("text", ""), value=m["value"]))  # fmt: skip
                for tag in rule.tags:
                    tags.setdefault(tag, []).append(
                        Fact(m.get("field"), m.get("span"), m.get("text", ""), rule.name)
                    )
        return out

    # -- derived (likely-minor) rules ---------------------------------------------------------------

    def derive(self, tags: dict[str, list[Fact]]) -> list[Indicator]:
        """Fire the derived rules (M1-M4, M6, M7) over the tags the ad's firings produced."""
        out: list[Indicator] = []
        for rule in self.derived:
            if rule.when_all and not all(t in tags for t in rule.when_all):
                continue
            if rule.when_any and not any(t in tags for t in rule.when_any):
                continue
            if rule.also_any and not any(t in tags for t in rule.also_any):
                continue
            if rule.unless_any and any(t in tags for t in rule.unless_any):
                continue
            wanted = list(rule.when_all) + [t for t in rule.when_any if t in tags]
            facts = [tags[t][0] for t in dict.fromkeys(wanted) if t in tags]
            also = [tags[t][0] for t in rule.also_any if t in tags]
            weight = rule.weight
            boosted = [tags[t][0] for t in rule.boost_when_any if t in tags]
            if boosted:
                weight += rule.boost
            detail = "; ".join(f.label for f in facts)
            if also:
                detail = "; ".join(f.label for f in also)
                if facts:
                    detail = f"{detail} (youth cue: {facts[0].label})"
            if boosted:
                detail += f"; together with {boosted[0].label}"
            first = facts[0] if facts else None
            out.append(make_indicator(
                rule, self.catalogue, field=first.field if first else None, span=first.span if first else None,
                text=first.text if first else "", detail=detail, weight=weight,
            ))  # fmt: skip
        return out

    # -- the whole ad ------------------------------------------------------------------------------

    def firings(self, fields: dict[str, str], mentions: list[dict[str, Any]],
                extra_tags: dict[str, list[Fact]] | None = None) -> list[Indicator]:  # fmt: skip
        """Every indicator of one ad, in catalogue order within each family."""
        tags: dict[str, list[Fact]] = {k: list(v) for k, v in (extra_tags or {}).items()}
        plain: list[Indicator] = []
        conditional: list[Indicator] = []
        for field, text in fields.items():
            if field == "url":
                continue
            for hit in self.matcher.run(field, text):
                rule = hit.rule
                item = make_indicator(
                    rule, self.catalogue, field=field, span=[hit.start, hit.end], text=hit.text
                )
                (plain if rule.standalone else conditional).append(item)
                label = f'{rule.name.lower()} ("{hit.text}")'
                for tag in rule.tags:
                    tags.setdefault(tag, []).append(Fact(field, [hit.start, hit.end], hit.text, label))
        for item in self._mention_firings(mentions):
            rule = self.by_id[item["id"]]
            (plain if rule.standalone else conditional).append(item)
            for tag in rule.tags:
                tags.setdefault(tag, []).append(Fact(item["field"], item["span"], item["text"],
                                                     f"{rule.name.lower()} (\"{item['text']}\")"))  # fmt: skip
        plain += self._ages(mentions, tags)
        # Marketed ethnicity (and other non-standalone rules) count only beside another positive rule.
        if any(i["weight"] > 0 and i["score"] == "trafficking" for i in plain):
            plain += conditional
        plain += self.derive(tags)
        return plain

    def risk(self, indicators: list[Indicator]) -> dict[str, float]:
        sums = rule_sums(indicators)
        return {
            score: round(sigmoid(self.bias[score] + sums[score]), 6) for score in ("trafficking", "minor")
        }


def _key(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, str(v)) for k, v in value.items()))
    if isinstance(value, str):
        return value.lower()
    return value
