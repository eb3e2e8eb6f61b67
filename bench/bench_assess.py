"""Benchmark of indicators and risk on a synthetic world: ranking quality against ground truth, and speed.

Generates a world with ``lantern.synth``, extracts and assesses every record in memory (no database),
links records into networks with ``lantern.link`` (hub identifiers such as site support lines are
dropped from the group inputs, as the linker suppressed them), runs ``assess_group`` per network and
reports, for the ad-level and the network-adjusted scores:

* minor-risk average precision (positive: ground truth ``minor``),
* trafficking-risk average precision (positive: the record belongs to an operator, not an independent),
* precision in the top 100 of each ranking and how many independents' records land in the top 100,

beside single-indicator baselines (each indicator alone as a 0/1 score). Ties in a baseline are broken
in expectation (a random order among tied records), so a 0/1 baseline is not flattered or punished by
record order. Nothing here reads the generator's internals: only records.jsonl and truth.jsonl.

Usage:  .venv/bin/python bench/bench_assess.py [--ads 10000] [--seed 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lantern.assess import Assessor, GroupMember, PriceStats
from lantern.evaluate.metrics import average_precision, expected_in_top
from lantern.extract import ExtractConfig, extract_record
from lantern.link import LinkDoc, Linker
from lantern.records import InputRecord
from lantern.synth import RECORDS_FILE, TRUTH_FILE, generate

TOP = 100


def hourly(prices: list[dict[str, Any]]) -> float | None:
    for price in prices:
        minutes = price.get("minutes")
        if minutes:
            return float(price["amount"]) * 60.0 / float(minutes)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        generate(out, args.ads, seed=args.seed)
        raw = (out / RECORDS_FILE).read_bytes().splitlines()
        truth = [orjson.loads(line) for line in (out / TRUTH_FILE).read_bytes().splitlines()]

    assessor = Assessor.load(use_env=False)
    config = ExtractConfig()
    records = [InputRecord.model_validate(orjson.loads(line)) for line in raw]
    extracted: list[dict[str, Any]] = []
    assess_seconds = 0.0
    for record in records:
        fields = extract_record(record, config)
        started = time.perf_counter()
        assessor.assess_record(record, fields)
        assess_seconds += time.perf_counter() - started
        extracted.append(fields)

    # Networks from the linker; identifiers it suppressed as hubs are not group evidence either.
    docs = []
    for record, fields in zip(records, extracted, strict=True):
        city = fields["locations"][0]["name"] if fields["locations"] else record.location
        docs.append(LinkDoc(key=record.key, source=record.source, posted_at=record.posted_at.isoformat()
                            if record.posted_at else None, city=city, phones=list(fields["phones"]),
                            emails=list(fields["emails"]), names=list(fields["names"]),
                            text=f"{record.title or ''}\n{record.body or ''}"))  # fmt: skip
    started = time.perf_counter()
    result = Linker().add(docs)
    link_seconds = time.perf_counter() - started
    hubs = {h.value for h in result.suppressed_hubs if h.kind == "phone"}
    prices = PriceStats()
    members: dict[str, list[GroupMember]] = defaultdict(list)
    for record, fields, doc in zip(records, extracted, docs, strict=True):
        price = hourly(fields["prices"])
        prices.add(doc.city, price)
        member = GroupMember(key=record.key, posted_at=record.posted_at, city=doc.city,
                             phones=[p for p in fields["phones"] if p not in hubs], names=list(fields["names"]),
                             price_per_hour=price, source=record.source, indicators=fields["indicators"])  # fmt: skip
        members[result.network_of(record.key)].append(member)
    assessor.price_stats = prices
    flags = ("T01", "T02", "T03")
    assessor.base_rates = {f: sum(any(i["id"] == f for i in e["indicators"]) for e in extracted) / len(extracted)
                           for f in flags}  # fmt: skip
    adjusted: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    for group in members.values():
        adjusted.update(assessor.assess_group(group).members)
    group_seconds = time.perf_counter() - started

    minor = [bool(t["minor"]) for t in truth]
    operator = [t["operator"].startswith("op-") for t in truth]
    independent = [t["operator"].startswith("ind") for t in truth]
    keys = [r.key for r in records]

    def has(rule_id: str) -> Callable[[int], float]:
        return lambda i: float(any(x["id"] == rule_id for x in extracted[i]["indicators"]))

    def age_18_19(i: int) -> float:
        return float(any(a in (18, 19) for a in extracted[i]["ages"]))

    def in_group(rule_id: str) -> Callable[[int], float]:
        firing: dict[str, float] = {}
        for group in members.values():
            fired = (
                any(x["id"] == rule_id for x in assessor.assess_group(group).indicators)
                if len(group) > 1
                else False
            )
            for m in group:
                firing[m.key] = float(fired)
        return lambda i: firing[keys[i]]

    n = len(records)
    rankers: list[tuple[str, list[float]]] = [
        ("assess: ad risk", []),
        ("assess: network-adjusted risk", []),
    ]
    baselines = [
        ("obscured phone alone (T02)", has("T02")),
        ("youth language alone (T03)", has("T03")),
        ("stated age 18-19 alone", age_18_19),
        ("trust language alone (T01)", has("T01")),
        ("youth emoji alone (E04)", has("E04")),
        ("third-party voice alone (T09)", has("T09")),
        ("names per phone alone (S06, network)", in_group("S06")),
    ]
    print(f"world: {n} records, seed {args.seed}; {sum(minor)} minor records, {sum(operator)} operator records, "
          f"{sum(independent)} independents' records; {len(members)} networks")  # fmt: skip
    print(f"assess_record: {assess_seconds / n * 1e6:.1f} us/record; assess_group over all networks: "
          f"{group_seconds:.2f} s; linking {link_seconds:.2f} s")  # fmt: skip
    print(
        f"catalogue {assessor.catalogue_info.version}: expert priors (calibrated={assessor.catalogue_info.calibrated})"
    )
    header = f"{'ranking':40s} {'minor AP':>9s} {'P@100':>6s} {'ind@100':>8s} | {'traff AP':>9s} {'P@100':>6s} {'ind@100':>8s}"
    print(header)
    print("-" * len(header))
    for name, _ in rankers:
        field = "network" if "network" in name else "ad"
        minor_scores = [adjusted[k]["minor"] if field == "network" else e["risk"]["minor"]
                        for k, e in zip(keys, extracted, strict=True)]  # fmt: skip
        traff_scores = [adjusted[k]["trafficking"] if field == "network" else e["risk"]["trafficking"]
                        for k, e in zip(keys, extracted, strict=True)]  # fmt: skip
        report(name, minor_scores, traff_scores, minor, operator, independent)
    for name, fn in baselines:
        scores = [fn(i) for i in range(n)]
        report(name, scores, scores, minor, operator, independent)


def report(name: str, minor_scores: list[float], traff_scores: list[float], minor: list[bool],
           operator: list[bool], independent: list[bool]) -> None:  # fmt: skip
    m_ap = average_precision(minor_scores, minor)
    m_pos = expected_in_top(minor_scores, minor, TOP)
    m_ind = expected_in_top(minor_scores, independent, TOP)
    t_ap = average_precision(traff_scores, operator)
    t_pos = expected_in_top(traff_scores, operator, TOP)
    t_ind = expected_in_top(traff_scores, independent, TOP)
    print(
        f"{name:40s} {m_ap:9.3f} {m_pos / TOP:6.2f} {m_ind:8.1f} | {t_ap:9.3f} {t_pos / TOP:6.2f} {t_ind:8.1f}"
    )


if __name__ == "__main__":
    main()
