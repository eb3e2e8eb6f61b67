"""Structural indicators S01-S16 (INDICATORS.md §3) over a group of ads: a linked network or one phone's ads.

These are the signals MEMEX-era systems relied on most: one number advertising a roster of names, the
same photo under different personas, a template filled in for several people, a phone touring cities.
They need many ads at once, so they are computed per group; the core passes network members or the
ads of one phone. Exact reposts are collapsed first (Rivas 2024) so bumping does not inflate counts.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from lantern.assess.catalogue import Catalogue, Rule
from lantern.assess.record import Indicator, make_indicator

DAY = 86_400.0


@dataclass(slots=True)
class GroupMember:
    """One ad as the structural rules see it; the core fills these from the store.

    ``indicators`` are the ad's own firings (from ``assess_record``), used for minor propagation, the
    incall/outcall mix (S10) and flag shares (S16); ``ages`` (stated ages) for the likely-minor rules M3, M6
    and M7. ``posted_at`` may be a datetime or ISO 8601 text.
    """

    key: str
    posted_at: datetime | str | None = None
    city: str | None = None
    phones: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    image_hashes: list[str] = field(default_factory=list)
    price_per_hour: float | None = None
    source: str | None = None
    template_id: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)


@dataclass
class PriceStats:
    """Running hourly-price mean and spread per city (Welford), for the metro price anomaly (S11)."""

    n: dict[str, int] = field(default_factory=dict)
    mean: dict[str, float] = field(default_factory=dict)
    m2: dict[str, float] = field(default_factory=dict)

    def add(self, city: str | None, price: float | None) -> None:
        if not city or price is None:
            return
        n = self.n.get(city, 0) + 1
        mean = self.mean.get(city, 0.0)
        delta = price - mean
        mean += delta / n
        self.n[city], self.mean[city] = n, mean
        self.m2[city] = self.m2.get(city, 0.0) + delta * (price - mean)

    def z(self, city: str, price: float, min_n: int) -> float | None:
        n = self.n.get(city, 0)
        if n < max(min_n, 2):
            return None
        std = (self.m2[city] / (n - 1)) ** 0.5
        return (price - self.mean[city]) / std if std > 0 else None


def _seconds(value: datetime | str | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value.timestamp()


def _max_in_window(times: list[float], window: float) -> int:
    """Largest number of events within any window of ``window`` seconds (times sorted)."""
    best = left = 0
    for right, moment in enumerate(times):
        while moment - times[left] > window:
            left += 1
        best = max(best, right - left + 1)
    return best


@dataclass
class _Ad:
    member: GroupMember
    time: float | None
    hour: int | None


class StructuralRules:
    """The structural part of the catalogue; each S rule is a small method over the deduplicated ads."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.rules = {r.id: r for r in catalogue.rules if r.kind == "structural" and r.implemented}
        self._checks: dict[str, Callable[[Rule, list[_Ad]], list[Indicator]]] = {
            "S01": self._s01, "S02": self._s02, "S03": self._s03, "S05": self._s05, "S06": self._s06,
            "S07": self._s07, "S08": self._s08, "S10": self._s10, "S12": self._s12, "S13": self._s13,
            "S16": self._s16,
        }  # fmt: skip
        self.price_stats: PriceStats | None = None
        self.base_rates: dict[str, float] = {}

    def fire(self, members: list[GroupMember]) -> list[Indicator]:
        ads = _dedupe(members)
        out: list[Indicator] = []
        for rule_id, rule in self.rules.items():
            check = self._checks.get(rule_id)
            if rule_id == "S11":
                out += self._s11(rule, ads)
            elif check is not None:
                out += check(rule, ads)
        return out

    def _ind(self, rule: Rule, value: Any, detail: str, text: str = "") -> Indicator:
        return make_indicator(rule, self.catalogue, field=None, span=None, text=text or str(value),
                              value=value, detail=detail)  # fmt: skip

    @staticmethod
    def _by_phone(ads: list[_Ad]) -> dict[str, list[_Ad]]:
        groups: dict[str, list[_Ad]] = defaultdict(list)
        for ad in ads:
            for phone in dict.fromkeys(ad.member.phones):
                groups[phone].append(ad)
        return groups

    def _s01(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        min_ads = int(rule.params.get("min_ads", 30))
        window = float(rule.params.get("window_days", 30)) * DAY
        out = []
        for phone, group in sorted(self._by_phone(ads).items()):
            times = sorted(a.time for a in group if a.time is not None)
            peak = _max_in_window(times, window) if times else len(group)
            if peak >= min_ads:
                out.append(
                    self._ind(
                        rule, phone, f"{peak} distinct ads within {rule.params.get('window_days', 30)} days"
                    )
                )
        return out

    def _s02(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        min_cities = int(rule.params.get("min_cities", 3))
        out = []
        for phone, group in sorted(self._by_phone(ads).items()):
            cities = sorted({a.member.city for a in group if a.member.city})
            if len(cities) >= min_cities:
                shown = ", ".join(cities[:8]) + (" ..." if len(cities) > 8 else "")
                out.append(self._ind(rule, phone, f"{len(cities)} cities ({shown})"))
        return out

    def _s03(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        min_moves = int(rule.params.get("min_moves", 3))
        window = float(rule.params.get("window_days", 30)) * DAY
        out = []
        for phone, group in sorted(self._by_phone(ads).items()):
            timed = sorted((a.time, a.member.city) for a in group if a.time is not None and a.member.city)
            moves: list[tuple[float, str, str]] = []
            for (_, before), (moment, after) in itertools.pairwise(timed):
                if after != before:
                    moves.append((moment, before, after))
            peak = _max_in_window([m[0] for m in moves], window) if moves else 0
            sequence = [c for _, c in timed]
            collapsed = [c for i, c in enumerate(sequence) if i == 0 or c != sequence[i - 1]]
            revisits = len(collapsed) - len(set(collapsed))
            if peak >= min_moves or (revisits >= 1 and len(set(collapsed)) >= 2 and len(collapsed) >= 4):
                route = " -> ".join(collapsed[:8]) + (" ..." if len(collapsed) > 8 else "")
                kind = "in a repeated circuit" if revisits else "quickly"
                out.append(self._ind(rule, phone, f"{kind}: {peak} city changes within "
                                                  f"{rule.params.get('window_days', 30)} days; route {route}"))  # fmt: skip
        return out

    def _s05(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        least = int(rule.params.get("min_cooccurring", 3))
        partners: dict[str, set[str]] = defaultdict(set)
        for ad in ads:
            phones = set(ad.member.phones)
            for phone in phones:
                partners[phone] |= phones - {phone}
        out = []
        for phone, others in sorted(partners.items()):
            if len(others) >= least:
                shown = ", ".join(sorted(others)[:5])
                out.append(self._ind(rule, phone, f"{len(others)} other phones ({shown})"))
        return out

    def _s06(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        min_names = int(rule.params.get("min_names", 3))
        min_phones = int(rule.params.get("min_phones_per_name", 3))
        out = []
        for phone, group in sorted(self._by_phone(ads).items()):
            names = sorted({n.strip().title() for a in group for n in a.member.names if n.strip()})
            if len(names) >= min_names:
                shown = ", ".join(names[:8])
                out.append(self._ind(rule, phone, f"Phone {phone} advertises {len(names)} names ({shown})"))
        phones_of: dict[str, set[str]] = defaultdict(set)
        for ad in ads:
            for name in ad.member.names:
                phones_of[name.strip().title()] |= set(ad.member.phones)
        for name, phones in sorted(phones_of.items()):
            if name and len(phones) >= min_phones:
                out.append(self._ind(rule, name, f"Name {name} rotates through {len(phones)} phones"))
        return out

    def _s07(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        low = int(rule.params.get("min_size", 3))
        high = int(rule.params.get("max_size", 50))
        min_names = int(rule.params.get("min_names", 2))
        clusters: dict[str, list[_Ad]] = defaultdict(list)
        for ad in ads:
            if ad.member.template_id:
                clusters[ad.member.template_id].append(ad)
        out = []
        for template, group in sorted(clusters.items()):
            names = {n.strip().title() for a in group for n in a.member.names}
            if low <= len(group) <= high and len(names) >= min_names:
                out.append(self._ind(rule, template, f"{len(group)} ads under {len(names)} names"))
        return out

    def _s08(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        least = int(rule.params.get("min_personas", 2))
        personas: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for ad in ads:
            persona = tuple(sorted({n.strip().title() for n in ad.member.names})) or tuple(
                sorted(ad.member.phones)
            )
            if not persona:
                continue
            for image in dict.fromkeys(ad.member.image_hashes):
                personas[image].add(persona)
        out = []
        for image, found in sorted(personas.items()):
            if len(found) >= least:
                shown = "; ".join(", ".join(p) for p in sorted(found)[:4])
                out.append(self._ind(rule, image, f"{len(found)} different personas ({shown})"))
        return out

    def _s10(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        counts = {"incall": 0, "outcall": 0, "both": 0}
        for ad in ads:
            words = " ".join(i["text"].lower() for i in ad.member.indicators if i["id"] == "T15")
            has_in, has_out = "incall" in words, "outcall" in words
            if has_in and has_out:
                counts["both"] += 1
            elif has_in:
                counts["incall"] += 1
            elif has_out:
                counts["outcall"] += 1
        if not any(counts.values()):
            return []
        detail = ", ".join(f"{v} {k}" for k, v in counts.items())
        return [self._ind(rule, "venue", detail)]

    def _s11(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        stats = self.price_stats
        if stats is None:
            return []
        min_z = float(rule.params.get("min_z", 2.0))
        min_n = int(rule.params.get("min_city_ads", 20))
        low, high = float(rule.params.get("min_price", 20)), float(rule.params.get("max_price", 9000))
        out = []
        for ad in ads:
            price, city = ad.member.price_per_hour, ad.member.city
            if price is None or not city or not low <= price <= high:
                continue
            z = stats.z(city, price, min_n)
            if z is not None and abs(z) >= min_z:
                out.append(self._ind(rule, round(price), f"{city} is {z:+.1f} standard deviations from the metro "
                                                          f"mean ({ad.member.key})"))  # fmt: skip
                break
        return out

    def _s12(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        sites = sorted({a.member.source for a in ads if a.member.source})
        if len(sites) >= int(rule.params.get("min_sites", 3)):
            return [self._ind(rule, len(sites), f"{len(sites)} sites ({', '.join(sites[:8])})")]
        return []

    def _s13(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        times = sorted(a.time for a in ads if a.time is not None)
        if len(times) < int(rule.params.get("min_posts", 10)):
            return []
        gaps = [(b - a) / 3600 for a, b in itertools.pairwise(times)]
        middle = median(gaps)
        hours = [a.hour for a in ads if a.hour is not None]
        night = sum(1 for h in hours if h < 5) / len(hours) if hours else 0.0
        reasons = []
        if middle <= float(rule.params.get("max_median_hours", 6.0)):
            reasons.append(f"median {middle:.1f} h between {len(times)} posts")
        if night >= float(rule.params.get("night_share", 0.4)):
            reasons.append(f"{night:.0%} of posts between midnight and 5am (UTC)")
        return [self._ind(rule, len(times), "; ".join(reasons))] if reasons else []

    def _s16(self, rule: Rule, ads: list[_Ad]) -> list[Indicator]:
        if len(ads) < int(rule.params.get("min_size", 3)):
            return []
        min_share = float(rule.params.get("min_share", 0.5))
        min_excess = float(rule.params.get("min_excess", 0.3))
        out = []
        for flag in rule.params.get("flags", []):
            share = sum(1 for a in ads if any(i["id"] == flag for i in a.member.indicators)) / len(ads)
            base = self.base_rates.get(flag, 0.0)
            if share >= min_share and share - base >= min_excess:
                out.append(self._ind(rule, flag, f"{flag} in {share:.0%} of the group's {len(ads)} ads "
                                                  f"(base rate {base:.0%})"))  # fmt: skip
        return out


def _dedupe(members: list[GroupMember]) -> list[_Ad]:
    """Collapse exact reposts (same phones, names, city, images, price, template) to their first post."""
    seen: set[tuple[Any, ...]] = set()
    ads: list[_Ad] = []
    for member in members:
        signature = (tuple(sorted(member.phones)), tuple(sorted(member.names)), member.city,
                     tuple(sorted(member.image_hashes)), member.price_per_hour, member.template_id,
                     member.source)  # fmt: skip
        moment = _seconds(member.posted_at)
        if signature in seen and member.template_id:
            continue
        seen.add(signature)
        hour = int((moment % DAY) // 3600) if moment is not None else None
        ads.append(_Ad(member, moment, hour))
    return ads
