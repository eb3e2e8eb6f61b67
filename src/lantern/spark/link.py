"""``lantern spark link``: extracted Parquet -> one network id per record, with suppressed hubs.

What matches the local linker (``lantern.link.Linker`` run once over the whole corpus):

* evidence: shared identifiers (phones, emails, handles, payment handles, and image SHA-256 when image
  evidence is on), normalised by the linker's own ``normalise`` (done in the extract job);
* hubs: the same rule, *evaluated by* ``lantern.link.hubs.judge`` with the same ``LinkConfig`` thresholds.
  Only identifiers in >= ``hub_min_records`` records can be hubs, so their statistics (records per
  source, cities, distinct other contacts) are computed in Spark and the few candidates are judged on
  the driver in the linker's order (most records first, then first appearance), each one's spread
  leaving out the candidates already judged hubs, exactly as ``Linker._spread`` does within one batch;
* network ids: records are numbered in founder order (posted_at, then key), connected components
  (components.py) end at each component's smallest number, i.e. its founder, and the id is
  ``short_id("N-", founder key)``, as ``Linker.network_id_of_founder`` names it.

What differs: near-duplicate images (pHash within a Hamming radius) and near-duplicate text (MinHash/LSH
templates) are not linked here, nor judged as hubs; with ``images``/``all`` evidence only exact SHA-256
image identity is used. The local linker is incremental: across many batches its hub decisions and
founders can depend on arrival order, while this job is always a full recomputation (it equals a single
``Linker.add`` over all records in posting order, which is what ``lantern link --full`` approximates
with 20,000-record chunks). A key present twice in the input is linked once (an arbitrary copy).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lantern.link.config import CONTACT_TYPES, LinkConfig
from lantern.link.hubs import SuppressedHub, judge
from lantern.link.identifiers import evidence_type
from lantern.spark.components import connected_components

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

HUBS_FILE = "_lantern_hubs.json"
"""Written inside the output Parquet folder; Spark and PyArrow skip ``_``-prefixed files when reading."""
LINK_KINDS = ("phone", "email", "handle", "payment", "sha256")
EVIDENCE_LEVELS = ("phones", "contacts", "images", "all")


@dataclass
class SparkLinkSummary:
    """What one link job did, for the CLI line and the benchmark."""

    records: int = 0
    networks: int = 0
    """Networks of 2+ records."""
    largest: int = 0
    hubs: list[SuppressedHub] = field(default_factory=list)
    rounds: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"linked {self.records} records: {self.networks} networks of 2+ records (largest {self.largest}), "
            f"{len(self.hubs)} suppressed hubs, {self.rounds} component rounds, {self.seconds:.1f} s"
        )


def _linking_kinds(config: LinkConfig) -> list[str]:
    return [kind for kind in LINK_KINDS if config.uses(evidence_type(kind))]


def judge_hubs(spark: SparkSession, nodes: DataFrame, config: LinkConfig) -> list[SuppressedHub]:
    """Hubs among identifiers, by the local linker's rule and order (see the module docstring)."""
    from pyspark.sql import functions as F

    postings = nodes.select(
        "node", "source", "city", F.posexplode("identifiers").alias("pos", "ident")
    ).withColumn("kind", F.substring_index("ident", ":", 1))
    linking = postings.where(F.col("kind").isin(_linking_kinds(config)))
    stats = linking.groupBy("ident").agg(
        F.count("*").alias("n"), F.min(F.struct("node", "pos")).alias("first")
    )
    candidates = stats.where(F.col("n") >= config.hub_min_records).localCheckpoint()
    rows = candidates.select("ident", "n", "first.node", "first.pos").collect()
    if not rows:
        return []
    cand_postings = linking.join(F.broadcast(candidates.select("ident")), "ident").localCheckpoint()
    per_source = {
        (r["ident"], r["source"]): r["count"]
        for r in cand_postings.groupBy("ident", "source").count().collect()
    }
    cities = {
        r["ident"]: r["k"]
        for r in cand_postings.where(F.trim("city") != "")
        .groupBy("ident")
        .agg(F.countDistinct(F.trim("city")).alias("k"))
        .collect()
    }
    contacts = postings.where(F.col("kind").isin(list(CONTACT_TYPES))).select(
        "node", F.col("ident").alias("other")
    )
    others = (
        cand_postings.select("ident", "node")
        .join(contacts, "node")
        .where(F.col("ident") != F.col("other"))
        .select("ident", "other")
        .distinct()
        .localCheckpoint()
    )
    spread_total = {
        r["ident"]: r["k"] for r in others.groupBy("ident").agg(F.count("*").alias("k")).collect()
    }
    among: dict[str, set[str]] = {}
    for r in others.join(F.broadcast(candidates.select(F.col("ident").alias("other"))), "other").collect():
        among.setdefault(r["ident"], set()).add(r["other"])
    sources = nodes.groupBy("source").agg(F.count("*").alias("n"), F.min("node").alias("first")).collect()
    sources.sort(key=lambda r: r["first"])  # the linker interns sources in arrival order
    source_names = [r["source"] for r in sources]
    source_index = {name: i for i, name in enumerate(source_names)}
    totals = np.asarray([r["n"] for r in sources], dtype=np.int64)

    hubs: dict[str, SuppressedHub] = {}
    for row in sorted(rows, key=lambda r: (-r["n"], r["node"], r["pos"])):
        ident = row["ident"]
        kind, _, value = ident.partition(":")
        if kind == "sha256":
            kind, value = "image", "sha256:" + value
        spread = spread_total.get(ident, 0) - len(among.get(ident, set()) & hubs.keys())
        counts = [(source_index[s], c) for (i, s), c in per_source.items() if i == ident]
        source_ids = np.repeat(
            np.asarray([s for s, _ in counts], dtype=np.int64), np.asarray([c for _, c in counts])
        )
        hub = judge(
            config,
            kind,
            value,
            np.arange(row["n"]),
            spread,
            source_ids,
            totals,
            source_names,
            np.arange(cities.get(ident, 0)),
        )
        if hub is not None:
            hubs[ident] = hub
    return list(hubs.values())


def number_records(spark: SparkSession, extracted: DataFrame) -> DataFrame:
    """Valid records, one per key, numbered 0.. in founder order (posted_epoch, then key), frozen.

    ``monotonically_increasing_id`` after a global sort increases in sort order (range partitions in
    order, rows in order within each); the ids are not consecutive, which components do not need. The
    frame is checkpointed because that function is not deterministic under recomputation.
    """
    from pyspark.sql import functions as F

    valid = extracted.where(F.col("problem").isNull()).dropDuplicates(["key"])
    ordered = valid.orderBy("posted_epoch", "key")
    return ordered.select(
        F.monotonically_increasing_id().alias("node"),
        "source",
        "id",
        "key",
        "city",
        "network_name",
        "identifiers",
    ).localCheckpoint()


def link_frame(
    spark: SparkSession, extracted: DataFrame, config: LinkConfig, *, checkpoint_every: int = 3
) -> tuple[DataFrame, SparkLinkSummary]:
    """(source, id, key, network_id, network_size) per valid record, and the summary."""
    from pyspark.sql import functions as F

    started = time.perf_counter()
    summary = SparkLinkSummary()
    nodes = number_records(spark, extracted)
    summary.hubs = judge_hubs(spark, nodes, config)
    hub_names = [
        ("sha256:" + h.value.removeprefix("sha256:")) if h.kind == "image" else f"{h.kind}:{h.value}"
        for h in summary.hubs
    ]
    postings = (
        nodes.select("node", F.explode("identifiers").alias("ident"))
        .where(F.substring_index("ident", ":", 1).isin(_linking_kinds(config)))
        .where(~F.col("ident").isin(hub_names))
    )
    anchors = postings.groupBy("ident").agg(F.min("node").alias("v"))
    edges = postings.join(anchors, "ident").select(F.col("node").alias("u"), "v").where("u != v")
    components, summary.rounds = connected_components(edges, checkpoint_every=checkpoint_every)
    founders = nodes.select(F.col("node").alias("root"), F.col("network_name").alias("network_id"))
    labelled = (
        nodes.join(components.withColumnRenamed("u", "node"), "node", "left")
        .select("node", "source", "id", "key", F.coalesce("v", "node").alias("root"))
        .join(founders, "root")
    )
    sizes = labelled.groupBy("root").agg(F.count("*").alias("network_size"))
    result = labelled.join(sizes, "root").select("source", "id", "key", "network_id", "network_size")
    summary.seconds = time.perf_counter() - started
    return result, summary


def run_link(
    spark: SparkSession,
    extracted_path: str,
    output: str,
    *,
    evidence: str = "contacts",
    config: LinkConfig | None = None,
    checkpoint_every: int = 3,
) -> SparkLinkSummary:
    """Link the extract job's Parquet into ``output`` (Parquet folder, overwritten) plus its hubs file."""
    from pyspark.sql import functions as F

    started = time.perf_counter()
    config = config or LinkConfig.ablation(evidence)
    result, summary = link_frame(
        spark, spark.read.parquet(extracted_path), config, checkpoint_every=checkpoint_every
    )
    result.write.mode("overwrite").parquet(output)
    written = spark.read.parquet(output)
    stats = written.agg(
        F.count("*").alias("n"),
        F.countDistinct(F.when(F.col("network_size") >= 2, F.col("network_id"))).alias("networks"),
        F.max("network_size").alias("largest"),
    ).first()
    summary.records, summary.networks, summary.largest = (
        int(stats["n"]),
        int(stats["networks"]),
        int(stats["largest"] or 0),
    )
    hubs: list[dict[str, Any]] = [hub.to_dict() for hub in summary.hubs]
    (Path(output) / HUBS_FILE).write_text(json.dumps(hubs, indent=1), encoding="utf-8")
    summary.seconds = time.perf_counter() - started
    return summary
