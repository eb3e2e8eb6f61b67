"""The other core verbs: extract without a database, export, stats, search and migrations."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import load_settings
from lantern.records import EXTRACTED_KEYS
from lantern.store.db import downgrade, migrate, open_database
from lantern.store.fulltext import fts5_query
from lantern.store.schema import records
from tests.conftest import ad, make_image, text_search, write_jsonl

# Every test here runs on SQLite and on PostgreSQL unless it names one (tests/conftest.py).
pytestmark = pytest.mark.databases("sqlite", "postgresql")

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.mark.databases("sqlite")  # no database involved: once is enough
def test_extract_prints_every_field_and_touches_no_database(data_dir: Path, tmp_path: Path) -> None:
    make_image(tmp_path / "p.png", seed=9)
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(1, images=["p.png"]), "oops"])
    out = tmp_path / "out.jsonl"
    result = run("extract", str(feed), "-o", str(out))
    assert result.exit_code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 1
    assert (lines[0]["source"], lines[0]["id"]) == ("example-classifieds", "ad-1")
    assert set(EXTRACTED_KEYS) <= set(lines[0])
    assert len(lines[0]["images"]) == 1 and len(lines[0]["images"][0]["phash"]) == 16
    assert f"{feed}:2: record: malformed JSON" in result.stderr
    assert "read 2: extracted 1, refused 1" in result.stderr
    assert not data_dir.exists()


@pytest.mark.databases("sqlite")
def test_extract_refuses_what_ingest_quarantines_and_reads_alike_in_processes(tmp_path: Path) -> None:
    make_image(tmp_path / "p.png", seed=9)
    rows = [ad(1, images=["p.png"]), ad(2, images=["missing.png"]), ad(3, images=["../outside.png"])]
    rows += [ad(i) for i in range(4, 12)]
    feed = write_jsonl(tmp_path / "ads.jsonl", rows)
    serial = run("extract", str(feed))
    parallel = run("extract", str(feed), "--workers", "2")
    assert serial.stdout == parallel.stdout
    assert [json.loads(line)["id"] for line in serial.stdout.splitlines()] == ["ad-1"] + [
        f"ad-{i}" for i in range(4, 12)
    ]
    assert f"{feed}:2: images: image 'missing.png' cannot be read" in serial.stderr
    assert f"{feed}:3: images: image path escapes the record's folder" in serial.stderr
    assert "read 11: extracted 9, refused 2" in parallel.stderr


@pytest.mark.databases("sqlite")
def test_extract_reads_stdin(data_dir: Path) -> None:
    result = run("extract", input=json.dumps(ad(4)) + "\n")
    assert json.loads(result.stdout.splitlines()[0])["id"] == "ad-4"


def test_export_ads_and_clusters_in_both_formats(data_dir: Path, tmp_path: Path) -> None:
    run("ingest", str(write_jsonl(tmp_path / "ads.jsonl", [ad(1), ad(2, title="Second, with comma")])))
    ads = [json.loads(line) for line in run("export", "ads").stdout.splitlines()]
    assert [a["id"] for a in ads] == ["ad-1", "ad-2"]
    assert ads[0]["posted_at"].startswith("2026-03-01T10:00:00")
    assert set(EXTRACTED_KEYS) <= set(ads[0]["extracted"])
    assert len(ads[0]["content_sha256"]) == 64
    clusters = [json.loads(line) for line in run("export", "clusters").stdout.splitlines()]
    assert clusters == [
        {"source": "example-classifieds", "id": "ad-1", "cluster": clusters[0]["cluster"]},
        {"source": "example-classifieds", "id": "ad-2", "cluster": clusters[1]["cluster"]},
    ]
    out = tmp_path / "ads.csv"
    run("export", "ads", "--format", "csv", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[1]["title"] == "Second, with comma"
    clusters_text = run("export", "clusters", "--format", "csv").stdout
    assert clusters_text.startswith("\ufeff")  # UTF-8 with BOM, as every CSV Lantern writes
    cluster_csv = list(csv.reader(io.StringIO(clusters_text.removeprefix("\ufeff"))))
    assert cluster_csv[0] == ["source", "id", "cluster"] and len(cluster_csv) == 3


def test_stats_reports_what_is_stored(data_dir: Path, tmp_path: Path) -> None:
    run("ingest", str(write_jsonl(tmp_path / "ads.jsonl", [ad(1), ad(2, kind="post"), "{"])))
    result = run("stats")
    assert result.exit_code == 0
    text = result.stdout
    assert "records" in text and "example-classifieds" in text
    assert "read 3: stored 2, revised 0, unchanged 0, quarantined 1" in text


def test_full_text_search_highlights_and_resists_query_injection(data_dir: Path, tmp_path: Path) -> None:
    run(
        "ingest",
        str(
            write_jsonl(
                tmp_path / "ads.jsonl",
                [ad(1, body="Sweet and fun, new in town"), ad(2, body="Moving to Dallas soon")],
            )
        ),
    )
    engine = open_database(load_settings().database_url)
    with engine.connect() as connection:
        assert text_search(connection, "sweet fun") == [("ad-1", ["Sweet", "fun"])]
        for hostile in ['"', "NEAR(", "body:x OR *", "') DROP TABLE records; --", "^*"]:
            text_search(connection, hostile)  # must not raise
        assert text_search(connection, "Dall*") == [("ad-2", ["Dallas"])]
    assert fts5_query('a" OR b') == '"a" "OR" "b"'


def test_migrations_go_down_and_up(database_url: str, database: str) -> None:
    """Every migration's downgrade undoes its upgrade, on both databases, and head can be rebuilt."""
    engine = open_database(database_url)
    full_text = "records_fts" if database == "sqlite" else "records"
    for _ in range(2):
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        migrate(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"records", "record_revisions", "images", "quarantine", "networks", full_text} <= tables
        with engine.connect() as connection:  # by name: SQLAlchemy does not reflect expression indexes
            listed = (
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'"
                if database == "sqlite"
                else "SELECT indexname FROM pg_indexes WHERE tablename = 'records'"
            )
            migrated = set(connection.exec_driver_sql(listed).scalars())
        assert {index.name for index in records.indexes} <= migrated  # schema.py and migrations agree
    if database == "postgresql":
        columns = {column["name"] for column in inspect(engine).get_columns("records")}
        assert "search_vector" in columns
        indexes = {index["name"] for index in inspect(engine).get_indexes("entities")}
        assert "ix_entities_value_trgm" in indexes
    engine.dispose()
