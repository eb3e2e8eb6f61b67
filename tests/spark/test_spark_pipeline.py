"""The Spark pipeline (local mode) against the local one on the same synthetic corpus.

Why these checks: the point of ``lantern spark`` is that scale changes nothing an investigator sees. So
every record's extracted fields (image hashes included) must equal what ingest stores, and the networks
(partition *and* ids) and suppressed hubs must equal one run of the local linker with the same evidence:
contacts on a world without images, and all evidence (exact and near-duplicate images, near-duplicate
text) on a world with images, where image and text groups are also judged as hubs. One SparkSession
serves the module; start-up dominates.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from lantern.assess import Assessor
from lantern.extract import ExtractConfig, extract_record
from lantern.ingest.images import ImagePreserver
from lantern.ingest.parse import parse_item
from lantern.ingest.reader import preserve_images
from lantern.link import LinkConfig, LinkDoc, Linker
from lantern.link.hubs import SuppressedHub
from lantern.link.timeutil import to_epoch
from lantern.networks.inputs import link_doc
from lantern.records import InputRecord
from lantern.sources.files import RawItem
from lantern.synth import RECORDS_FILE, generate

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17+ and `java` is not on PATH"),
]

pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed")


@pytest.fixture(scope="module")
def spark():
    from lantern.spark.session import get_session

    session = get_session("local[2]", app_name="lantern-tests", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spark-world")
    generate(folder, 300, seed=5)
    return folder / RECORDS_FILE


@pytest.fixture(scope="module")
def spark_run(spark, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from lantern.spark.extract import run_extract
    from lantern.spark.link import run_link

    out = tmp_path_factory.mktemp("spark-out")
    counts = run_extract(spark, [str(corpus)], str(out / "extracted.parquet"))
    summary = run_link(
        spark, str(out / "extracted.parquet"), str(out / "networks.parquet"), evidence="contacts"
    )
    return {"out": out, "counts": counts, "summary": summary}


@pytest.fixture(scope="module")
def image_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 records whose ads show photo variants and stock images (files beside the records).

    Seed 3 gives near-duplicate image groups and templates big enough to be judged, some of them hubs.
    """
    folder = tmp_path_factory.mktemp("spark-image-world")
    generate(folder, 600, seed=3, images=True)
    return folder / RECORDS_FILE


@pytest.fixture(scope="module")
def image_run(spark, image_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from lantern.spark.extract import run_extract
    from lantern.spark.link import run_link

    out = tmp_path_factory.mktemp("spark-image-out")
    counts = run_extract(spark, [str(image_corpus)], str(out / "extracted.parquet"))
    summary = run_link(spark, str(out / "extracted.parquet"), str(out / "networks.parquet"), evidence="all")
    return {"out": out, "counts": counts, "summary": summary}


def local_records(corpus: Path) -> list[tuple[InputRecord, dict[str, Any]]]:
    """What ingest would store for each record: extract_record + assess_record, and its images' hashes,
    written out here rather than through the shared reader, so the test does not grade the reader by
    itself."""
    config, assessor = ExtractConfig(default_region="US"), Assessor.load()
    images = ImagePreserver(None, max_bytes=50 * 1024 * 1024, max_pixels=64_000_000)
    found = []
    for line in corpus.read_bytes().splitlines():
        if not line.strip():
            continue
        item = RawItem("test", 0, line, "jsonl", corpus.parent)
        record = parse_item(item)
        assert isinstance(record, InputRecord)
        stored = preserve_images(record, item, images)
        assert isinstance(stored, list)
        fields = extract_record(record, config)
        assessor.assess_record(record, fields)
        fields["images"] = [{"sha256": image.sha256, "phash": image.phash} for image in stored]
        found.append((record, fields))
    return found


def local_docs(corpus: Path) -> list[LinkDoc]:
    """The linker's input for every record, in posting order (what a full relink adds in one batch)."""
    docs = [
        link_doc(
            {
                "source": record.source,
                "record_id": record.id,
                "posted_at": record.posted_at,
                "location": record.location,
                "title": record.title,
                "body": record.body,
                "extracted": fields,
            }
        )
        for record, fields in local_records(corpus)
    ]
    docs.sort(key=lambda doc: (to_epoch(doc.posted_at), doc.key))
    return docs


def spark_networks(run: dict[str, Any]) -> dict[str, str]:
    return {
        row["key"]: row["network_id"] for row in pq.read_table(run["out"] / "networks.parquet").to_pylist()
    }


def hub_rows(hubs: list[SuppressedHub]) -> list[tuple[str, str, str, int, int]]:
    return sorted((hub.kind, hub.value, hub.reason, hub.records, hub.other_identifiers) for hub in hubs)


def partition(networks: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for key, network in networks.items():
        groups.setdefault(network, set()).add(key)
    return {frozenset(keys) for keys in groups.values()}


def assert_same_as_local(
    run: dict[str, Any], corpus: Path, evidence: str
) -> tuple[Any, dict[str, str], list]:
    """The Spark run's networks (partition and founder-based ids), hubs and network count equal one local
    ``Linker.add`` over the corpus in posting order (what a full relink computes); returns the local side."""
    docs = local_docs(corpus)
    result = Linker(LinkConfig.ablation(evidence)).add(docs)
    local = {doc.key: result.network_of(doc.key) for doc in docs}
    assert spark_networks(run) == local
    local_hubs = hub_rows(result.suppressed_hubs)
    assert hub_rows(run["summary"].hubs) == local_hubs
    sizes: dict[str, int] = {}
    for network in local.values():
        sizes[network] = sizes.get(network, 0) + 1
    assert run["summary"].networks == sum(1 for size in sizes.values() if size >= 2)
    return result, local, local_hubs


def test_extracted_fields_equal_local_extraction(spark_run: dict[str, Any], corpus: Path) -> None:
    rows = pq.read_table(spark_run["out"] / "extracted.parquet").to_pylist()
    assert spark_run["counts"] == {"read": 300, "extracted": 300, "refused": 0}
    by_key = {(row["source"], row["id"]): row for row in rows}
    local = local_records(corpus)
    assert len(by_key) == len(local) == 300
    for record, fields in local:
        row = by_key[(record.source, record.id)]
        assert row["problem"] is None
        assert orjson.loads(row["fields"]) == orjson.loads(orjson.dumps(fields)), record.id


def test_networks_equal_local_linker_with_contact_evidence(spark_run: dict[str, Any], corpus: Path) -> None:
    _, _, local_hubs = assert_same_as_local(spark_run, corpus, "contacts")
    assert local_hubs, "the synthetic sites' help lines should be suppressed as hubs"


def test_extracted_images_equal_ingest(image_run: dict[str, Any], image_corpus: Path) -> None:
    """The extract job fingerprints the files a record names, beside its input file, as ingest does."""
    rows = pq.read_table(image_run["out"] / "extracted.parquet").to_pylist()
    assert image_run["counts"] == {"read": 600, "extracted": 600, "refused": 0}
    by_key = {(row["source"], row["id"]): row for row in rows}
    local = local_records(image_corpus)
    with_images = 0
    for record, fields in local:
        row = by_key[(record.source, record.id)]
        assert orjson.loads(row["fields"]) == orjson.loads(orjson.dumps(fields)), record.id
        assert row["phashes"] == [image["phash"] for image in fields["images"]]
        with_images += bool(fields["images"])
    assert with_images > 500


def test_networks_equal_local_linker_with_all_evidence(image_run: dict[str, Any], image_corpus: Path) -> None:
    """Near-duplicate images and text link, and are suppressed as hubs, exactly as one local run does."""
    result, spark, local_hubs = assert_same_as_local(image_run, image_corpus, "all")
    docs = local_docs(image_corpus)
    kinds = {(kind, value.split(":")[0] if kind == "image" else "") for kind, value, *_ in local_hubs}
    assert {("image", "phash"), ("image", "sha256"), ("text", "")} <= kinds
    # Templates as ``LinkResult.template_of`` names them. This pins the LSH bucket cap rule: comparing
    # every pair in a bucket (no cap) joins two more text groups on this corpus (481 groups, not 483).
    rows = pq.read_table(image_run["out"] / "networks.parquet").to_pylist()
    templates = {doc.key: getattr(result.template_of(doc.key), "id", None) for doc in docs}
    assert {row["key"]: row["template_id"] for row in rows} == templates
    assert sum(1 for template in templates.values() if template) > 100
    # The near-duplicate evidence matters here: without it the networks are different ones.
    assert image_run["summary"].image_pairs > 0 and image_run["summary"].text_pairs > 0
    for level in ("contacts", "images"):
        weaker = Linker(LinkConfig.ablation(level)).add(docs)
        assert partition({doc.key: weaker.network_of(doc.key) for doc in docs}) != partition(spark), level


@pytest.mark.databases("sqlite", "postgresql")
def test_load_writes_network_ids_into_the_store(
    spark_run: dict[str, Any], corpus: Path, data_dir: Path, database_url: str
) -> None:
    from lantern.cli import app
    from lantern.config import load_settings

    runner = CliRunner()
    ingest = runner.invoke(app, ["ingest", "-q", "--no-link", str(corpus)], catch_exceptions=False)
    assert ingest.exit_code == 0, ingest.output
    url = load_settings().database_url
    loaded = runner.invoke(
        app, ["spark", "load", str(spark_run["out"] / "networks.parquet")], catch_exceptions=False
    )
    assert loaded.exit_code == 0, loaded.output
    assert "300 records updated, 0 not in the store" in loaded.stdout
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT source || ':' || record_id, network_id FROM records"))
        stored = {key: network for key, network in rows}
    engine.dispose()
    expected = {
        row["key"]: row["network_id"]
        for row in pq.read_table(spark_run["out"] / "networks.parquet").to_pylist()
    }
    assert stored == expected


@pytest.mark.parametrize("radius", [4, 7])
def test_image_pairs_are_every_pair_within_the_hamming_radius(spark, radius: int) -> None:
    """The multi-index join misses no pair within the radius and keeps none beyond it, on hashes whose
    edits straddle band boundaries and the sign bit (the synthetic world has too few to show that)."""
    import numpy as np

    from lantern.link.images import hamming
    from lantern.spark.link import SIGN_BIT, image_pairs

    rng = np.random.default_rng(radius)
    base = rng.integers(0, 2**64, size=150, dtype=np.uint64)
    edits = [base]
    for flips in range(1, radius + 3):  # variants up to two bits beyond the radius
        variant = base.copy()
        for _ in range(flips):
            variant ^= np.uint64(1) << rng.integers(0, 64, size=len(base), dtype=np.uint64)
        edits.append(variant)
    hashes = np.unique(np.concatenate(edits)).view(np.int64)
    a, b = np.triu_indices(len(hashes), k=1)
    close = hamming(hashes[a], hashes[b]) <= radius
    expected = {(int(x), int(y)) for x, y in zip(hashes[a][close], hashes[b][close], strict=True)}
    frame = spark.createDataFrame([(int(h) ^ SIGN_BIT,) for h in hashes], "x long")
    found = {
        tuple(sorted((row["a"] ^ SIGN_BIT, row["b"] ^ SIGN_BIT)))
        for row in image_pairs(frame, radius).collect()
    }
    assert len(expected) > 300
    assert found == {tuple(sorted(pair)) for pair in expected}
