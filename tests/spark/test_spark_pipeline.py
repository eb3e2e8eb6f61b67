"""The Spark pipeline (local mode) against the local one on the same synthetic corpus.

Why these checks: the point of ``lantern spark`` is that scale changes nothing an investigator sees. So
every record's extracted fields must equal ``extract_record`` + ``assess_record``'s, and the networks
(partition *and* ids) must equal the local linker's with the same evidence (contacts: the Spark job does
not link near-duplicate images or text). One SparkSession serves the module; start-up dominates.
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
from lantern.ingest.parse import parse_item
from lantern.link import LinkConfig, Linker
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
    counts = run_extract(spark, [str(corpus)], str(out / "extracted.parquet"), region="US")
    summary = run_link(
        spark, str(out / "extracted.parquet"), str(out / "networks.parquet"), evidence="contacts"
    )
    return {"out": out, "counts": counts, "summary": summary}


def local_records(corpus: Path) -> list[tuple[InputRecord, dict[str, Any]]]:
    """What ingest would store for each record: extract_record + assess_record."""
    config, assessor = ExtractConfig(default_region="US"), Assessor.load()
    found = []
    for line in corpus.read_bytes().splitlines():
        if not line.strip():
            continue
        record = parse_item(RawItem("test", 0, line, "jsonl", corpus.parent))
        assert isinstance(record, InputRecord)
        fields = extract_record(record, config)
        assessor.assess_record(record, fields)
        fields["images"] = []
        found.append((record, fields))
    return found


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
    # One batch in posting order: what a full relink computes, and what the Spark job reproduces.
    docs.sort(key=lambda doc: (to_epoch(doc.posted_at), doc.key))
    result = Linker(LinkConfig.ablation("contacts")).add(docs)
    local = {doc.key: result.network_of(doc.key) for doc in docs}
    spark = {
        row["key"]: row["network_id"]
        for row in pq.read_table(spark_run["out"] / "networks.parquet").to_pylist()
    }
    assert spark == local  # same partition and the same founder-based ids
    local_hubs = sorted((hub.kind, hub.value, hub.reason, hub.records) for hub in result.suppressed_hubs)
    spark_hubs = sorted((hub.kind, hub.value, hub.reason, hub.records) for hub in spark_run["summary"].hubs)
    assert spark_hubs == local_hubs
    assert local_hubs, "the synthetic sites' help lines should be suppressed as hubs"
    sizes = {}
    for network in local.values():
        sizes[network] = sizes.get(network, 0) + 1
    assert spark_run["summary"].networks == sum(1 for size in sizes.values() if size >= 2)


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
