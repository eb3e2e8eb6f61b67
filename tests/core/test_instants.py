"""Instants keep their UTC offset: stored in UTC, ordered as instants, shown and exported as stated, on
SQLite and PostgreSQL, and a store made before migration 0010 is put right from its preserved originals."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import load_settings
from lantern.instants import as_utc, format_instant, split_instant, stated_iso
from lantern.store.db import downgrade, make_engine, migrate, open_database
from lantern.store.schema import record_revisions, records
from tests.conftest import ad, write_jsonl

pytestmark = pytest.mark.databases("sqlite", "postgresql")

STATED = {
    "ad-1": "2024-01-01T10:00:00+02:00",
    "ad-2": "2024-01-01T10:00:00-05:00",
    "ad-3": "2024-01-01T10:00:00Z",
    "ad-4": "2024-01-01T10:00:00",
}
UTC_INSTANT = {
    "ad-1": datetime(2024, 1, 1, 8, tzinfo=UTC),
    "ad-2": datetime(2024, 1, 1, 15, tzinfo=UTC),
    "ad-3": datetime(2024, 1, 1, 10, tzinfo=UTC),
    "ad-4": datetime(2024, 1, 1, 10, tzinfo=UTC),  # no offset given: read as UTC
}
OFFSET = {"ad-1": 120, "ad-2": -300, "ad-3": 0, "ad-4": None}


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_an_instant_is_shown_as_its_source_stated_it(database: str) -> None:
    moment, offset = split_instant(datetime.fromisoformat("2024-01-01T10:00:00+05:45"))
    assert (moment, offset) == (datetime(2024, 1, 1, 4, 15, tzinfo=UTC), 345)
    assert format_instant(moment, offset) == "2024-01-01 10:00 +05:45"
    assert format_instant(datetime(2024, 1, 1, 15), -300) == "2024-01-01 10:00 -05:00"  # naive = UTC
    assert format_instant(datetime(2024, 1, 1, 10, tzinfo=UTC), 0, seconds=True) == "2024-01-01 10:00:00 UTC"
    assert format_instant(datetime(2024, 1, 1, 10), None) == "2024-01-01 10:00 UTC (no UTC offset given)"
    assert format_instant(None) == "—"
    assert stated_iso(moment, offset) == "2024-01-01T10:00:00+05:45"
    assert stated_iso(datetime(2024, 1, 1, 10, tzinfo=UTC), None) == "2024-01-01T10:00:00"


def test_stored_in_utc_with_the_stated_offset_and_ordered_as_instants(data_dir: Path, tmp_path: Path) -> None:
    feed = write_jsonl(
        tmp_path / "ads.jsonl",
        [ad(int(key[3:]), posted_at=value, collected_at=value) for key, value in STATED.items()],
    )
    assert run("ingest", "--no-link", str(feed)).exit_code == 0
    engine = open_database(load_settings().database_url)
    with engine.connect() as connection:
        rows = {r["record_id"]: r for r in connection.execute(select(records)).mappings()}
        newest_first = connection.execute(
            select(records.c.record_id).order_by(records.c.posted_at.desc(), records.c.id.desc())
        ).scalars()
        revision_offsets = dict(
            connection.execute(
                select(records.c.record_id, record_revisions.c.collected_at_offset).join(
                    records, records.c.id == record_revisions.c.record_pk
                )
            ).all()
        )
    for key in STATED:
        assert as_utc(rows[key]["posted_at"]) == UTC_INSTANT[key]
        assert as_utc(rows[key]["collected_at"]) == UTC_INSTANT[key]
        assert rows[key]["posted_at_offset"] == OFFSET[key] == rows[key]["collected_at_offset"]
        assert revision_offsets[key] == OFFSET[key]
    assert list(newest_first) == ["ad-2", "ad-4", "ad-3", "ad-1"]  # 15:00Z, 10:00Z (twice), 08:00Z

    exported = [json.loads(line) for line in run("export", "ads").stdout.splitlines()]
    assert {row["id"]: row["posted_at"] for row in exported} == STATED | {"ad-3": "2024-01-01T10:00:00+00:00"}
    assert run("ingest", "--no-link", str(feed)).stdout.startswith("read 4: stored 0, revised 0, unchanged 4")


def test_the_record_page_shows_the_time_as_stated(data_dir: Path, tmp_path: Path) -> None:
    from lantern.web.templating import fmt_dt
    from lantern.web.views.records import record_detail

    feed = write_jsonl(
        tmp_path / "ads.jsonl", [ad(1, posted_at=STATED["ad-1"]), ad(4, posted_at=STATED["ad-4"])]
    )
    run("ingest", "--no-link", str(feed))
    engine = open_database(load_settings().database_url)
    with engine.connect() as connection:
        first = record_detail(connection, "example-classifieds", "ad-1")
        naive = record_detail(connection, "example-classifieds", "ad-4")
    assert fmt_dt(first.posted_at, first.posted_at_offset) == "2024-01-01 10:00 +02:00"
    assert first.posted_at == UTC_INSTANT["ad-1"]  # the API gives the instant in UTC, and the offset
    assert fmt_dt(naive.posted_at, naive.posted_at_offset) == "2024-01-01 10:00 UTC (no UTC offset given)"


def _old_row(connection: sa.Connection, number: int, raw: str, raw_format: str, stored: datetime) -> None:
    """A record as ingest wrote it before 0010: SQLite kept the clock reading, PostgreSQL the instant."""
    old_records = sa.table(
        "records", *(sa.column(n) for n in ("id", "source", "record_id", "extra", "extracted", "content_sha256",
                                            "revision", "first_ingested_at", "last_ingested_at")),
        sa.column("posted_at", sa.DateTime(timezone=True)), sa.column("collected_at", sa.DateTime(timezone=True)),
    )  # fmt: skip
    old_revisions = sa.table(
        "record_revisions", *(sa.column(n) for n in ("record_pk", "revision", "content_sha256", "raw", "raw_sha256",
                                                     "raw_format", "ingested_at", "origin_file", "origin_line")),
        sa.column("collected_at", sa.DateTime(timezone=True)),
    )  # fmt: skip
    now = datetime(2026, 1, 1, tzinfo=UTC)
    connection.execute(
        old_records.insert(),
        {"id": number, "source": "s", "record_id": f"r{number}", "extra": "{}", "extracted": "{}",
         "content_sha256": "c" * 64, "revision": 1, "first_ingested_at": now, "last_ingested_at": now,
         "posted_at": stored, "collected_at": stored},
    )  # fmt: skip
    connection.execute(
        old_revisions.insert(),
        {"record_pk": number, "revision": 1, "content_sha256": "c" * 64, "raw": raw, "raw_sha256": "a" * 64,
         "raw_format": raw_format, "ingested_at": now, "origin_file": "old.jsonl", "origin_line": number,
         "collected_at": stored},
    )  # fmt: skip


def test_migration_0010_puts_a_store_of_revision_0009_right(database: str, database_url: str) -> None:
    engine = make_engine(database_url)
    if database == "postgresql":
        downgrade(engine, "0009")
    else:
        migrate(engine, "0009")
    cases = [  # (raw, format, what the old code stored on this database, expected UTC, expected offset)
        (json.dumps({"id": "1", "source": "s", "posted_at": STATED["ad-1"], "collected_at": STATED["ad-1"]}),
         "jsonl", "ad-1"),
        (json.dumps({"id": "2", "source": "s", "posted_at": STATED["ad-2"], "collected_at": STATED["ad-2"]}),
         "jsonl", "ad-2"),
        ('3,s,"a title",2024-01-01T10:00:00Z,2024-01-01T10:00:00Z', "csv", "ad-3"),
        (json.dumps({"id": "4", "source": "s", "posted_at": STATED["ad-4"], "collected_at": STATED["ad-4"]}),
         "jsonl", "ad-4"),
        ('5,s,"a title",2024-01-01T10:00:00+02:00,2024-01-01T10:00:00+02:00', "csv", "ad-1"),
    ]  # fmt: skip
    with engine.begin() as connection:
        for number, (raw, raw_format, key) in enumerate(cases, start=1):
            stated = datetime.fromisoformat(STATED[key].replace("Z", "+00:00"))
            old = stated.replace(tzinfo=None) if database == "sqlite" else split_instant(stated)[0]
            _old_row(connection, number, raw, raw_format, old)  # type: ignore[arg-type]
    migrate(engine)
    with engine.connect() as connection:
        rows = {r["id"]: r for r in connection.execute(select(records)).mappings()}
        revisions = {r["record_pk"]: r for r in connection.execute(select(record_revisions)).mappings()}
    for number, (_raw, _format, key) in enumerate(cases, start=1):
        assert as_utc(rows[number]["posted_at"]) == UTC_INSTANT[key], number
        assert rows[number]["posted_at_offset"] == OFFSET[key], number
        assert as_utc(revisions[number]["collected_at"]) == UTC_INSTANT[key], number
        assert revisions[number]["collected_at_offset"] == OFFSET[key] == rows[number]["collected_at_offset"]
    engine.dispose()
