"""``lantern spark link``: extracted Parquet -> one network id per record, with suppressed hubs.

The job equals one ``Linker(config).add(docs)`` over all valid records in posting order (posted_at, then
key): the same evidence, the same groups, the same hub decisions and the same founder-based ids.

* Identifiers (phones, emails, handles, payment handles; image SHA-256 with ``images``/``all``),
  normalised by the linker's own ``normalise`` in the extract job; each identifier is one piece of
  evidence.
* Near-duplicate images (``images``/``all``): the records' distinct pHashes (16 hex digits, see
  below) are joined when at most ``hamming_radius`` bits apart. The
  search is the linker's multi-index hashing in DataFrames: the hash is cut into the same bands
  (``band_spans``), one side is exploded into every probe of ``probe_masks`` (values within
  ``radius // bands`` bits), joined on (band, value) with the other side, and each candidate is verified
  by ``bit_count(a ^ b) <= radius``. By the pigeonhole principle every pair within the radius shares a
  probe, so the pairs are exactly the linker's. Connected components of those pairs are the image groups
  (the linker's ``uf_img``); a group touches every record carrying one of its hashes and is named, as
  ``ImageEvidence.group_value`` names it, after its smallest hash as an unsigned number. Hashes are
  handled with the sign bit flipped, so Spark's signed order is the unsigned order and a component's
  minimum is that founder.
* Near-duplicate text (``all``): each record's text (``link_doc``'s title + body, kept by the extract
  job) is MinHashed with ``lantern.link.text.minhash`` and ``band_hashes`` with the linker's ``lsh_params``
  and settings, in the Python workers (signatures depend on the text only, never on the batch). Within
  one ``add`` the linker inserts every record into the LSH buckets and then compares each record with
  the ``lsh_bucket_cap + 1`` *oldest* records of each of its buckets (smallest record index, i.e. earliest
  in posting order, itself included and skipped). Here each (band, bucket) ranks its records by node
  number, which is that order, and joins every record with the bucket's first ``lsh_bucket_cap + 1``:
  the same candidate pairs. Candidates are kept when the estimated Jaccard passes
  ``minhash_threshold``, decided by the number of equal signature positions, whose cut-off is computed
  once with the linker's ``jaccard`` itself (its float32 rounding included). Connected components of the
  kept pairs are the text groups (templates), named ``short_id("T-", key)`` after their earliest record
  (the extract job's ``template_name``); each record's group of 2+ is written as ``template_id``.
* Hubs: identifiers are judged first, in the linker's order (most records first, then first
  appearance), each one's spread leaving out the identifiers already judged hubs, exactly as
  ``IdentifierEvidence.spread`` does within one batch. Image and text groups are judged after them, so their
  spread leaves out every identifier hub; their order among themselves changes nothing. Only evidence in
  >= ``hub_min_records`` records can be a hub, so each candidate's statistics (records per source,
  cities, distinct other contacts) are computed in Spark and the few candidates are judged on the driver
  by ``lantern.link.decide.hub`` with the same ``LinkConfig``.
* Networks: every kept piece of evidence joins its records (a star to its earliest record); connected
  components (components.py) end at each network's smallest node number, its founder, and the id is
  ``short_id("N-", founder key)``, as ``Linker.network_id_of_founder`` names it.

What differs from the local linker in normal use: the local linker is incremental (ingest links each
batch; ``lantern link --full`` links batches of 20,000 to 100,000 records ordered by posted_at, then store
id rather than key). Each batch re-judges its standing boilerplate hubs against their grown sources, so
evidence suppressed on a young site's first records links again once the site has grown, but a hub's
spread (which leaves out identifiers judged hubs at the time) and network founders can still depend on
arrival order, and so can its LSH candidates when records arrive out of posting order: a back-filled record is indexed after the
records already there, so it is not one of its buckets' "oldest" as it would be here. This job is always
the single-batch computation in posting order. A key present twice in the input is linked once (an
arbitrary copy). pHash strings are parsed as exactly 16 hex digits (what the extract job writes);
``parse_phash`` would also accept a few exotic forms Python's ``int`` tolerates (``0x``/sign prefixes,
underscores), which no extractor produces. A hub's reported ``cities`` count trims city names with
Spark's ``trim`` (spaces) rather than Python's ``strip``; it is shown, never part of the decision.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lantern.link import decide
from lantern.link.config import CONTACT_TYPES, LinkConfig
from lantern.link.hubs import SuppressedHub
from lantern.spark.components import connected_components

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

    from lantern.link.doc import LinkDoc

HUBS_FILE = "_lantern_hubs.json"
"""Written inside the output Parquet folder; Spark and PyArrow skip ``_``-prefixed files when reading."""
EVIDENCE_LEVELS = ("phones", "contacts", "images", "all")
SIGN_BIT = -(1 << 63)
"""XOR with this maps a uint64 hash's unsigned order onto a signed long's order (and back)."""
SIGNATURE_DDL = "node long, sig array<int>, bands array<long>"
SIGNATURE_CHUNK = 4096
"""Texts MinHashed per ``minhash`` call in a worker: large enough for its vectorised chunks."""


@dataclass
class SparkLinkSummary:
    """What one link job did, for the CLI line and the benchmark."""

    records: int = 0
    networks: int = 0
    """Networks of 2+ records."""
    largest: int = 0
    hubs: list[SuppressedHub] = field(default_factory=list)
    image_pairs: int = 0
    """Pairs of distinct pHashes within the Hamming radius."""
    text_pairs: int = 0
    """Verified near-duplicate text pairs (LSH candidates that passed the Jaccard threshold)."""
    rounds: int = 0
    """Connected-component rounds of the network graph."""
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"linked {self.records} records: {self.networks} networks of 2+ records (largest {self.largest}), "
            f"{len(self.hubs)} suppressed hubs, {self.image_pairs} near-duplicate image pairs, "
            f"{self.text_pairs} near-duplicate text pairs, {self.rounds} component rounds, "
            f"{self.seconds:.1f} s"
        )


@dataclass
class _HubContext:
    """What judging any evidence needs besides its own records."""

    nodes: DataFrame
    contacts: DataFrame
    """(node, other): the contact identifiers of each record (what hub spread counts)."""
    source_names: list[str]
    """In the linker's interning order (first appearance)."""
    totals: np.ndarray
    """Records per source, same order."""

    @property
    def source_index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.source_names)}


def _hub_context(nodes: DataFrame) -> _HubContext:
    from pyspark.sql import functions as F

    postings = nodes.select("node", F.explode("identifiers").alias("other"))
    contacts = postings.where(F.substring_index("other", ":", 1).isin(list(CONTACT_TYPES)))
    sources = nodes.groupBy("source").agg(F.count("*").alias("n"), F.min("node").alias("first")).collect()
    sources.sort(key=lambda r: r["first"])  # the linker interns sources in arrival order
    return _HubContext(
        nodes=nodes,
        contacts=contacts,
        source_names=[r["source"] for r in sources],
        totals=np.asarray([r["n"] for r in sources], dtype=np.int64),
    )


def _judge(
    config: LinkConfig,
    context: _HubContext,
    kind: str,
    value: str,
    records: int,
    spread: int,
    per_source: dict[str, int],
    cities: int,
) -> SuppressedHub | None:
    """``decide.hub`` on one candidate's aggregates (records per source in the linker's source order)."""
    counts = np.zeros(len(context.source_names), dtype=np.int64)
    index = context.source_index
    for source, count in per_source.items():
        counts[index[source]] = count
    stats = decide.evidence_stats(
        config, records, spread, counts, context.totals, context.source_names, cities
    )
    return decide.hub(config, kind, value, stats)


def _member_stats(
    members: DataFrame, context: _HubContext
) -> tuple[dict[Any, dict[str, int]], dict[Any, int]]:
    """Per label of (label, node) members: records per source, and distinct non-blank cities."""
    from pyspark.sql import functions as F

    placed = members.join(context.nodes.select("node", "source", "city"), "node")
    per_source: dict[Any, dict[str, int]] = {}
    for r in placed.groupBy("label", "source").count().collect():
        per_source.setdefault(r["label"], {})[r["source"]] = r["count"]
    cities = {
        r["label"]: r["k"]
        for r in placed.where(F.trim("city") != "")
        .groupBy("label")
        .agg(F.countDistinct(F.trim("city")).alias("k"))
        .collect()
    }
    return per_source, cities


def judge_hubs(
    nodes: DataFrame, config: LinkConfig, context: _HubContext | None = None
) -> list[SuppressedHub]:
    """Hubs among identifiers, by the local linker's rule and order (see the module docstring)."""
    from pyspark.sql import functions as F

    context = context or _hub_context(nodes)
    postings = nodes.select(
        "node", "source", "city", F.posexplode("identifiers").alias("pos", "ident")
    ).withColumn("kind", F.substring_index("ident", ":", 1))
    linking = postings.where(F.col("kind").isin(decide.linking_kinds(config)))
    stats = linking.groupBy("ident").agg(
        F.count("*").alias("n"), F.min(F.struct("node", "pos")).alias("first")
    )
    candidates = stats.where(F.col("n") >= config.hub_min_records).localCheckpoint()
    rows = candidates.select("ident", "n", "first.node", "first.pos").collect()
    if not rows:
        return []
    cand_postings = (
        linking.join(F.broadcast(candidates.select("ident")), "ident")
        .select(F.col("ident").alias("label"), "node")
        .localCheckpoint()
    )
    per_source, cities = _member_stats(cand_postings, context)
    others = (
        cand_postings.join(context.contacts, "node")
        .where(F.col("label") != F.col("other"))
        .select("label", "other")
        .distinct()
        .localCheckpoint()
    )
    spread_total = {
        r["label"]: r["k"] for r in others.groupBy("label").agg(F.count("*").alias("k")).collect()
    }
    among: dict[str, set[str]] = {}
    for r in others.join(F.broadcast(candidates.select(F.col("ident").alias("other"))), "other").collect():
        among.setdefault(r["label"], set()).add(r["other"])

    hubs: dict[str, SuppressedHub] = {}
    for row in sorted(rows, key=lambda r: (-r["n"], r["node"], r["pos"])):
        ident = row["ident"]
        kind, _, value = ident.partition(":")
        if kind == "sha256":
            kind, value = "image", "sha256:" + value
        spread = spread_total.get(ident, 0) - len(among.get(ident, set()) & hubs.keys())
        hub = _judge(
            config, context, kind, value, row["n"], spread, per_source.get(ident, {}), cities.get(ident, 0)
        )
        if hub is not None:
            hubs[ident] = hub
    return list(hubs.values())


def judge_groups(
    members: DataFrame,
    config: LinkConfig,
    context: _HubContext,
    kind: str,
    describe: Callable[[list[int]], dict[int, str]],
    ident_hubs: list[str],
) -> dict[int, SuppressedHub]:
    """Hubs among image or text groups, given as distinct (label, node) members.

    ``describe`` names the candidate labels (``phash:<hex>``, a template id). The spread leaves out
    every identifier hub, as the linker's does once its identifiers are judged; nothing else depends on
    the order of the groups.
    """
    from pyspark.sql import functions as F

    sizes = members.groupBy("label").agg(F.count("*").alias("n"))
    candidates = sizes.where(F.col("n") >= config.hub_min_records).localCheckpoint()
    rows = candidates.collect()
    if not rows:
        return {}
    cand_members = members.join(F.broadcast(candidates.select("label")), "label").localCheckpoint()
    per_source, cities = _member_stats(cand_members, context)
    spread = {
        r["label"]: r["k"]
        for r in cand_members.join(context.contacts, "node")
        .where(~F.col("other").isin(ident_hubs))
        .groupBy("label")
        .agg(F.countDistinct("other").alias("k"))
        .collect()
    }
    values = describe([r["label"] for r in rows])
    hubs: dict[int, SuppressedHub] = {}
    for row in sorted(rows, key=lambda r: (-r["n"], r["label"])):
        label = row["label"]
        hub = _judge(
            config,
            context,
            kind,
            values[label],
            row["n"],
            spread.get(label, 0),
            per_source.get(label, {}),
            cities.get(label, 0),
        )
        if hub is not None:
            hubs[label] = hub
    return hubs


def _components(pairs: DataFrame, checkpoint_every: int) -> tuple[DataFrame, int]:
    """(u, v = component minimum) for nodes in ``pairs`` (columns a, b); no rows for an empty graph."""
    from pyspark.sql import functions as F

    edges = pairs.select(F.col("a").alias("u"), F.col("b").alias("v"))
    if edges.isEmpty():
        return edges, 0
    return connected_components(edges, checkpoint_every=checkpoint_every)


def _labelled(members: DataFrame, key: str, components: DataFrame) -> DataFrame:
    """Replace ``key`` by its component minimum (itself when it is in no pair) as ``label``."""
    from pyspark.sql import functions as F

    return (
        members.join(components.withColumnRenamed("u", key), key, "left")
        .select("node", F.coalesce("v", key).alias("label"))
        .distinct()
    )


# -- images ---------------------------------------------------------------------------------------------
def image_pairs(hashes: DataFrame, radius: int) -> DataFrame:
    """Pairs (a < b) of distinct hashes (column ``x``, sign-flipped longs) within ``radius`` bits.

    The linker's multi-index hashing (``lantern.link.images``), with its bands and probes, as a join.
    """
    from pyspark.sql import functions as F

    from lantern.link.images import band_spans, probe_masks

    spans = band_spans(radius)
    sub = radius // len(spans)
    index_parts, probe_parts = [], []
    for band, (shift, width) in enumerate(spans):
        mask = (1 << width) - 1 if width < 64 else -1
        value = F.shiftrightunsigned("x", shift).bitwiseAND(F.lit(mask))
        index_parts.append(hashes.select("x", F.lit(band).alias("band"), value.alias("value")))
        masks = F.array(*[F.lit(int(m)) for m in probe_masks(width, sub).tolist()])
        probes = hashes.select(
            F.col("x").alias("q"), F.lit(band).alias("band"), value.alias("base"), F.explode(masks).alias("m")
        )
        probe_parts.append(probes.select("q", "band", F.col("base").bitwiseXOR(F.col("m")).alias("value")))
    index = _union_all(index_parts)
    probes = _union_all(probe_parts)
    candidates = probes.join(index, ["band", "value"]).where(F.col("q") < F.col("x"))
    return (
        candidates.select(F.col("q").alias("a"), F.col("x").alias("b"))
        .distinct()
        .where(F.bit_count(F.col("a").bitwiseXOR(F.col("b"))) <= radius)
    )


def _union_all(parts: list[DataFrame]) -> DataFrame:
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part)
    return out


def _phash_postings(nodes: DataFrame) -> DataFrame:
    """Distinct (node, x) of every record's valid pHash, ``x`` = the 64-bit value with its sign bit flipped."""
    from pyspark.sql import functions as F

    text = F.lower(F.trim(F.col("phash")))
    value = F.conv(text, 16, -10).cast("long")  # negative to_base: the 64 bits as a signed long
    return (
        nodes.select("node", F.explode("phashes").alias("phash"))
        .where(text.rlike("^[0-9a-f]{16}$"))
        .select("node", value.bitwiseXOR(F.lit(SIGN_BIT)).alias("x"))
        .distinct()
    )


def phash_hex(x: int) -> str:
    """A sign-flipped hash back as the linker shows it (16 hex digits of the unsigned value)."""
    return format((x ^ SIGN_BIT) & 0xFFFF_FFFF_FFFF_FFFF, "016x")


def image_groups(nodes: DataFrame, radius: int, checkpoint_every: int) -> tuple[DataFrame, int]:
    """Distinct (node, label) of every record in an image group (label = the group's founder hash, ``x``
    form), and the number of near-duplicate hash pairs."""
    postings = _phash_postings(nodes).localCheckpoint()
    pairs = image_pairs(postings.select("x").distinct(), radius).localCheckpoint()
    count = pairs.count()
    components, _ = _components(pairs, checkpoint_every)
    return _labelled(postings, "x", components).localCheckpoint(), count


# -- text -----------------------------------------------------------------------------------------------
def _signature_rows(
    rows: Iterable[tuple[int, str | None]], config: LinkConfig, bands: int, rows_per_band: int
) -> Iterator[tuple[int, list[int], list[int]]]:
    """(node, signature as int32 bits, band hashes) of every record whose text can be linked."""
    from lantern.link.text import band_hashes, minhash

    def sign(chunk: list[tuple[int, str | None]]) -> Iterator[tuple[int, list[int], list[int]]]:
        sig, ok = minhash(
            [text or "" for _, text in chunk],
            num_perm=config.num_perm,
            k=config.shingle_size,
            seed=config.seed,
            min_tokens=config.min_text_tokens,
            max_tokens=config.max_text_tokens,
        )
        kept = sig[ok]
        keys = band_hashes(kept, bands, rows_per_band)
        nodes = [node for (node, _), good in zip(chunk, ok.tolist(), strict=True) if good]
        yield from zip(nodes, kept.view(np.int32).tolist(), keys.tolist(), strict=True)

    chunk: list[tuple[int, str | None]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= SIGNATURE_CHUNK:
            yield from sign(chunk)
            chunk = []
    if chunk:
        yield from sign(chunk)


def signature_batches(
    batches: Iterable[Any], config: LinkConfig, bands: int, rows_per_band: int
) -> Iterator[Any]:
    """``mapInArrow`` form of ``_signature_rows``: Arrow batches of (node, text) in, SIGNATURE_DDL out."""
    import pyarrow as pa

    types = [pa.int64(), pa.list_(pa.int32()), pa.list_(pa.int64())]
    schema = pa.schema(list(zip(("node", "sig", "bands"), types, strict=True)))
    for batch in batches:
        pairs = zip(batch.column("node").to_pylist(), batch.column("text").to_pylist(), strict=True)
        out = list(_signature_rows(pairs, config, bands, rows_per_band))
        if out:
            columns = zip(*out, strict=True)
            arrays = [pa.array(list(column), type=kind) for column, kind in zip(columns, types, strict=True)]
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def text_signatures(spark: SparkSession, nodes: DataFrame, config: LinkConfig) -> DataFrame:
    """(node, sig, bands) for records with enough words, computed by the linker's own MinHash code."""
    from lantern.link.text import lsh_params
    from lantern.spark.session import arrow_udfs_available

    bands, rows_per_band = lsh_params(config.minhash_threshold, config.num_perm)
    texts = nodes.select("node", "text")
    if arrow_udfs_available():
        return texts.mapInArrow(
            lambda batches: signature_batches(batches, config, bands, rows_per_band), SIGNATURE_DDL
        )
    rdd = texts.rdd.mapPartitions(
        lambda rows: _signature_rows(((r[0], r[1]) for r in rows), config, bands, rows_per_band)
    )
    return spark.createDataFrame(rdd, SIGNATURE_DDL)


def _agreeing_positions(a: Column | str, b: Column | str) -> Column:
    from pyspark.sql import functions as F

    same = F.zip_with(a, b, lambda x, y: F.when(x == y, 1).otherwise(0))
    return F.aggregate(same, F.lit(0), lambda acc, v: acc + v)


def text_pairs(signatures: DataFrame, config: LinkConfig) -> DataFrame:
    """Verified near-duplicate pairs (a < b) as the linker finds them in one batch (module docstring)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    buckets = signatures.select("node", F.posexplode("bands").alias("band", "bucket"))
    ranked = buckets.withColumn(
        "rank", F.row_number().over(Window.partitionBy("band", "bucket").orderBy("node"))
    )
    anchors = ranked.where(F.col("rank") <= config.lsh_bucket_cap + 1).select(
        "band", "bucket", F.col("node").alias("anchor")
    )
    candidates = (
        buckets.join(anchors, ["band", "bucket"])
        .where(F.col("node") != F.col("anchor"))
        .select(F.least("node", "anchor").alias("a"), F.greatest("node", "anchor").alias("b"))
        .distinct()
    )
    sig = signatures.select("node", "sig")
    return (
        candidates.join(sig.withColumnsRenamed({"node": "a", "sig": "sa"}), "a")
        .join(sig.withColumnsRenamed({"node": "b", "sig": "sb"}), "b")
        .where(_agreeing_positions("sa", "sb") >= decide.min_equal_positions(config))
        .select("a", "b")
    )


def text_groups(
    spark: SparkSession, nodes: DataFrame, config: LinkConfig, checkpoint_every: int
) -> tuple[DataFrame, int]:
    """Distinct (node, label) of every linkable text (label = earliest record of its group), and the
    number of verified pairs."""
    from pyspark.sql import functions as F

    signatures = text_signatures(spark, nodes, config).localCheckpoint()
    pairs = text_pairs(signatures, config).localCheckpoint()
    count = pairs.count()
    components, _ = _components(pairs, checkpoint_every)
    members = signatures.select("node", F.col("node").alias("doc"))
    return _labelled(members, "doc", components).localCheckpoint(), count


# -- the job --------------------------------------------------------------------------------------------
def number_records(spark: SparkSession, extracted: DataFrame, *, with_text: bool = True) -> DataFrame:
    """Valid records, one per key, numbered 0.. in founder order (posted_epoch, then key), frozen.

    ``monotonically_increasing_id`` after a global sort increases in sort order (range partitions in
    order, rows in order within each); the ids are not consecutive, which nothing here needs: only their
    order matters (founders, LSH bucket ranks). The frame is checkpointed because that function is not
    deterministic under recomputation. ``text`` is kept only ``with_text`` (it is most of a row's bytes).
    """
    from pyspark.sql import functions as F

    valid = extracted.where(F.col("problem").isNull()).dropDuplicates(["key"])
    if not with_text or "text" not in valid.columns:
        valid = valid.withColumn("text", F.lit(None).cast("string"))
    if "template_name" not in valid.columns:  # written before the extract job named templates
        valid = valid.withColumn("template_name", F.lit(None).cast("string"))
    ordered = valid.orderBy("posted_epoch", "key")
    return ordered.select(
        F.monotonically_increasing_id().alias("node"),
        "source",
        "id",
        "key",
        "city",
        "network_name",
        "template_name",
        "identifiers",
        F.coalesce("phashes", F.array().cast("array<string>")).alias("phashes"),
        "text",
    ).localCheckpoint()


def _star_edges(members: DataFrame) -> DataFrame:
    """Edges (u, v) joining each label's records to its smallest record (enough for connectivity)."""
    from pyspark.sql import functions as F

    anchors = members.groupBy("label").agg(F.min("node").alias("v"))
    return members.join(anchors, "label").select(F.col("node").alias("u"), "v").where("u != v")


def link_frame(
    spark: SparkSession, extracted: DataFrame, config: LinkConfig, *, checkpoint_every: int = 3
) -> tuple[DataFrame, SparkLinkSummary]:
    """(source, id, key, network_id, network_size, template_id) per valid record, and the summary.

    ``template_id`` is the record's near-duplicate text group as ``LinkResult.template_of`` names it
    (null when its text has no near-duplicate or text evidence is off); hubs included, since a stock
    paragraph is still a template, only not evidence.
    """
    from pyspark.sql import functions as F

    if config.uses("text") and not {"text", "template_name"} <= set(extracted.columns):
        raise ValueError(
            "this extracted Parquet has no text column (written by an older `lantern spark extract`); "
            "extract again to link near-duplicate text"
        )
    started = time.perf_counter()
    summary = SparkLinkSummary()
    nodes = number_records(spark, extracted, with_text=config.uses("text"))
    context = _hub_context(nodes)
    ident_hubs = judge_hubs(nodes, config, context)
    hub_names = [
        ("sha256:" + h.value.removeprefix("sha256:")) if h.kind == "image" else f"{h.kind}:{h.value}"
        for h in ident_hubs
    ]
    summary.hubs = list(ident_hubs)
    postings = (
        nodes.select("node", F.explode("identifiers").alias("label"))
        .where(F.substring_index("label", ":", 1).isin(decide.linking_kinds(config)))
        .where(~F.col("label").isin(hub_names))
    )
    edge_parts = [_star_edges(postings)]

    if config.uses("image"):
        members, summary.image_pairs = image_groups(nodes, config.hamming_radius, checkpoint_every)
        hubs = judge_groups(
            members,
            config,
            context,
            "image",
            lambda labels: {x: "phash:" + phash_hex(x) for x in labels},
            hub_names,
        )
        summary.hubs.extend(hubs.values())
        edge_parts.append(_star_edges(members.where(~F.col("label").isin(list(hubs)))))

    if config.uses("text"):
        members, summary.text_pairs = text_groups(spark, nodes, config, checkpoint_every)

        names = nodes.select(F.col("node").alias("label"), F.col("template_name").alias("template_id"))

        def describe(labels: list[int]) -> dict[int, str]:
            return {r["label"]: r["template_id"] for r in names.where(F.col("label").isin(labels)).collect()}

        hubs = judge_groups(members, config, context, "text", describe, hub_names)
        summary.hubs.extend(hubs.values())
        edge_parts.append(_star_edges(members.where(~F.col("label").isin(list(hubs)))))
        shared = members.groupBy("label").count().where(F.col("count") >= 2).select("label")
        templates = members.join(shared, "label").join(names, "label").select("node", "template_id")
    else:
        templates = nodes.select("node", F.lit(None).cast("string").alias("template_id")).limit(0)

    edges = _union_all(edge_parts)
    components, summary.rounds = connected_components(edges, checkpoint_every=checkpoint_every)
    founders = nodes.select(F.col("node").alias("root"), F.col("network_name").alias("network_id"))
    labelled = (
        nodes.join(components.withColumnRenamed("u", "node"), "node", "left")
        .select("node", "source", "id", "key", F.coalesce("v", "node").alias("root"))
        .join(founders, "root")
    )
    sizes = labelled.groupBy("root").agg(F.count("*").alias("network_size"))
    result = (
        labelled.join(sizes, "root")
        .join(templates, "node", "left")
        .select("source", "id", "key", "network_id", "network_size", "template_id")
    )
    summary.seconds = time.perf_counter() - started
    return result, summary


def link_docs(
    spark: SparkSession, docs: list[LinkDoc], config: LinkConfig, *, checkpoint_every: int = 3
) -> tuple[dict[str, str], SparkLinkSummary]:
    """Each record's network id and the summary (hubs sorted as ``LinkResult.suppressed_hubs``) for
    records given as the linker's input, linked by ``link_frame``: for callers that hold ``LinkDoc``s
    rather than the extract job's Parquet, and for the test that holds both linkers to the same rules."""
    from lantern.spark.extract import OUTPUT_DDL, doc_row

    frame = spark.createDataFrame([doc_row(doc) for doc in docs], OUTPUT_DDL)
    result, summary = link_frame(spark, frame, config, checkpoint_every=checkpoint_every)
    summary.hubs.sort(key=lambda h: (-h.records, h.kind, h.value))
    return {row["key"]: row["network_id"] for row in result.collect()}, summary


def run_link(
    spark: SparkSession,
    extracted_path: str,
    output: str,
    *,
    evidence: str = "contacts",
    config: LinkConfig | None = None,
    checkpoint_every: int = 3,
) -> SparkLinkSummary:
    """Link the extract job's Parquet into ``output`` (Parquet folder, overwritten) plus its hubs file.

    ``evidence`` is the linker's ablation level (``LinkConfig.ablation``): ``phones``, ``contacts``,
    ``images`` (contacts + exact and near-duplicate images) or ``all`` (+ near-duplicate text); an
    explicit ``config`` replaces it.
    """
    from pyspark.sql import functions as F

    if config is None and evidence not in EVIDENCE_LEVELS:
        raise ValueError(f"evidence must be one of {', '.join(EVIDENCE_LEVELS)}")
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
    summary.hubs.sort(key=lambda h: (-h.records, h.kind, h.value))
    hubs: list[dict[str, Any]] = [hub.to_dict() for hub in summary.hubs]
    (Path(output) / HUBS_FILE).write_text(json.dumps(hubs, indent=1), encoding="utf-8")
    summary.seconds = time.perf_counter() - started
    return summary
