"""The public face of assessment: load the catalogue once, then score ads and groups of ads.

Two scores are kept apart (PRINCIPLES.md §3): ``trafficking`` and ``minor``. Each is a logistic of a
bias plus the weights of the rules that fired (log-odds points, INDICATORS.md §7), so a score can be
taken apart into its reasons. Network scores add the structural firings and the likely-minor
propagation M5, whose explanation names the path of shared identifiers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lantern.assess.catalogue import Catalogue, Rule, load_catalogue
from lantern.assess.record import Indicator, RecordRules, make_indicator, rule_sums, sigmoid
from lantern.assess.structural import GroupMember, PriceStats, StructuralRules
from lantern.records import InputRecord

MANAGED_RULES = ("S05", "S06", "S07", "S08")
"""Structural rules that show third-party management; they corroborate youth cues and young stated ages
(rules M6 and M7)."""


@dataclass
class GroupAssessment:
    """What ``assess_group`` found: the group's firings and scores, and each member's adjusted risk.

    ``members`` maps a member key to ``{"trafficking", "minor"}`` after adding the group's evidence to the
    ad's own; ``propagated`` maps a member key to the M5-M7 indicators the group added to it.
    """

    indicators: list[Indicator] = field(default_factory=list)
    risk: dict[str, float] = field(default_factory=lambda: {"trafficking": 0.0, "minor": 0.0})
    members: dict[str, dict[str, float]] = field(default_factory=dict)
    propagated: dict[str, list[Indicator]] = field(default_factory=dict)
    image_review: list[str] = field(default_factory=list)


class Assessor:
    """Scores records and groups with one compiled catalogue. Build it once with ``Assessor.load``."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self._record = RecordRules(catalogue)
        self._structural = StructuralRules(catalogue)
        self._rules = self._record.by_id

    @classmethod
    def load(cls, override_path: str | Path | None = None, *, use_env: bool = True) -> Assessor:
        """The shipped catalogue plus an override file (argument, else ``LANTERN_INDICATORS``)."""
        return cls(load_catalogue(override_path, use_env=use_env))

    @property
    def catalogue(self) -> list[Rule]:
        """Every rule, in catalogue order, for display with its sources."""
        return list(self._catalogue.rules)

    @property
    def catalogue_info(self) -> Catalogue:
        """The catalogue with its version, sources and scoring constants."""
        return self._catalogue

    @property
    def price_stats(self) -> PriceStats | None:
        return self._structural.price_stats

    @price_stats.setter
    def price_stats(self, stats: PriceStats | None) -> None:
        """Metro hourly-price statistics for S11; without them S11 stays silent."""
        self._structural.price_stats = stats

    @property
    def base_rates(self) -> dict[str, float]:
        return self._structural.base_rates

    @base_rates.setter
    def base_rates(self, rates: dict[str, float]) -> None:
        """Corpus share of ads carrying each flag, for S16's comparison (default 0)."""
        self._structural.base_rates = dict(rates)

    # -- one ad -------------------------------------------------------------------------------------

    def indicators_for(self, fields: dict[str, str], mentions: list[dict[str, Any]]) -> list[Indicator]:
        """The firings for raw texts and mentions (used by ``assess_record`` and by tests)."""
        return self._record.firings(fields, mentions)

    def assess_record(self, record: InputRecord, extracted: dict[str, Any]) -> None:
        """Fill ``extracted["indicators"]`` and ``extracted["risk"]`` in place for one record."""
        indicators = self._record.firings(record.text_fields(), extracted.get("mentions") or [])
        extracted["indicators"] = indicators
        extracted["risk"] = self._record.risk(indicators)

    def risk_of(self, indicators: list[Indicator]) -> dict[str, float]:
        """Scores from a list of firings, each rule counted once."""
        return self._record.risk(indicators)

    # -- a group ------------------------------------------------------------------------------------

    def assess_group(self, members: list[GroupMember]) -> GroupAssessment:
        """Structural firings, network-level scores and likely-minor propagation for one group."""
        result = GroupAssessment()
        if not members:
            return result
        structural = self._structural.fire(members)
        result.indicators = list(structural)
        group_sums = rule_sums(structural)
        managed = [i for i in structural if i["id"] in MANAGED_RULES and i["weight"] > 0]
        propagated = self._propagate(members)
        bias = self._record.bias
        member_logits: list[dict[str, float]] = []
        own_sums = [rule_sums(member.indicators) for member in members]
        for member, own in zip(members, own_sums, strict=True):
            extra: list[Indicator] = list(propagated.get(member.key, []))
            extra += self._corroborated(member, managed)
            if extra:
                result.propagated[member.key] = extra
            extra_sums = rule_sums(extra)
            logits = {
                "trafficking": bias["trafficking"] + own["trafficking"] + group_sums["trafficking"],
                "minor": bias["minor"] + own["minor"] + extra_sums["minor"],
            }
            member_logits.append(logits)
            result.members[member.key] = {k: round(sigmoid(v), 6) for k, v in logits.items()}
        texts = [own["trafficking"] for own in own_sums]
        network_traff = bias["trafficking"] + group_sums["trafficking"] + sum(texts) / len(texts)
        network_minor = max(v["minor"] for v in member_logits)
        result.risk = {
            "trafficking": round(sigmoid(network_traff), 6),
            "minor": round(sigmoid(network_minor), 6),
        }
        return result

    @staticmethod
    def _has(member: GroupMember, rule_id: str) -> bool:
        return any(i["id"] == rule_id for i in member.indicators)

    def _member_tags(self, member: GroupMember) -> dict[str, Indicator]:
        """The tags a member's own firings carry (first firing per tag), ages included by value."""
        tags: dict[str, Indicator] = {}
        for ind in member.indicators:
            rule = self._rules.get(ind["id"])
            for tag in rule.tags if rule is not None else ():
                tags.setdefault(tag, ind)
        for age in member.ages:
            for tag in self._record.age_tags(age):
                cue = {"field": None, "span": None, "text": f"stated age {age}"}
                tags.setdefault(tag, next((i for i in member.indicators if i.get("value") == age), cue))
        return tags

    def _corroborated(self, member: GroupMember, managed: list[Indicator]) -> list[Indicator]:
        """M6/M7 at group level: a member's youth cues or young stated age, corroborated by the group's
        management signals (a rule whose ``also_any`` names ``managed``)."""
        if not managed:
            return []
        tags = self._member_tags(member)
        out: list[Indicator] = []
        for rule in self._record.derived:
            if "managed" not in rule.also_any or self._has(member, rule.id):
                continue
            if any(t in tags for t in rule.unless_any):
                continue
            cue = next((tags[t] for t in rule.when_any if t in tags), None)
            if cue is None:
                continue
            detail = f'{managed[0]["explanation"].rstrip(".")} (cue: "{cue["text"]}")'
            out.append(make_indicator(rule, self._catalogue, field=cue["field"], span=cue["span"],
                                      text=cue["text"], detail=detail))  # fmt: skip
        return out

    @staticmethod
    def _network_ids(member: GroupMember) -> list[str]:
        ids = [f"phone {p}" for p in member.phones] + [f"image {h}" for h in member.image_hashes]
        if member.template_id:
            ids.append(f"template {member.template_id}")
        return ids

    def _propagate(self, members: list[GroupMember]) -> dict[str, list[Indicator]]:
        """M5: every member linked to an ad that fired M1 inherits a minor signal, with the path."""
        rule = self._rules.get("M5")
        if rule is None or not rule.implemented:
            return {}
        sources = set(rule.propagate_from) or {"M1"}

        def fired(member: GroupMember) -> list[Indicator]:
            return [i for i in member.indicators if i["id"] in sources]

        seeds = [m for m in members if fired(m)]
        if not seeds:
            return {}
        graph: dict[str, set[str]] = {}
        for member in members:
            node = "ad:" + member.key
            graph.setdefault(node, set())
            for ident in self._network_ids(member):
                graph[node].add(ident)
                graph.setdefault(ident, set()).add(node)
        parent: dict[str, str | None] = {}
        queue: deque[str] = deque()
        for seed in seeds:
            parent["ad:" + seed.key] = None
            queue.append("ad:" + seed.key)
        while queue:
            node = queue.popleft()
            for nxt in sorted(graph.get(node, ())):
                if nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        evidence = {m.key: fired(m)[0] for m in seeds}
        out: dict[str, list[Indicator]] = {}
        seed_keys = {m.key for m in seeds}
        for member in members:
            node = "ad:" + member.key
            if member.key in seed_keys:
                continue
            path: list[str] = []
            if node in parent:
                step: str | None = node
                while step is not None:
                    path.append(step)
                    step = parent[step]
            else:
                # Not linked by a shared identifier inside the group: the group itself is the link.
                path = [node, "same network", "ad:" + seeds[0].key]
            origin = path[-1][3:]
            hops = " -> ".join(p[3:] if p.startswith("ad:") else f"via {p}" for p in path)
            why = evidence[origin]
            detail = f"ad {origin} ({why['explanation'].split(':', 1)[-1].strip().rstrip('.')}); path: {hops}"
            item = make_indicator(rule, self._catalogue, field=None, span=None, text=origin, detail=detail)
            item["path"] = [p[3:] if p.startswith("ad:") else p for p in path]
            out[member.key] = [item]
        return out
