"""Retention: a dry run changes nothing; execute purges unheld old records and orphaned images, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, ProgrammingError

from lantern.config import load_settings
from lantern.ingest.images import store_path
from lantern.ingest.pipeline import Ingestor
from lantern.security import audit, retention
from lantern.store.schema import (
    agencies,
    case_records,
    entities,
    images,
    quarantine,
    record_images,
    record_revisions,
    records,
)
from tests.conftest import ad, make_image, write_jsonl

pytestmark = pytest.mark.databases("sqlite", "postgresql")

OLD = datetime.now(UTC) - timedelta(days=400)


def _count(engine, table, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _ids(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(select(records.c.record_id)).scalars())


@pytest.fixture
def corpus(engine, tmp_path: Path) -> dict:
    """ad-1 and ad-2 share photo a; ad-3 alone has photo b; ad-4 is held by a case; ad-2 is recent."""
    feed = tmp_path / "feed"
    make_image(feed / "a.png", seed=1)
    make_image(feed / "b.png", seed=2)
    rows = [
        ad(1, images=["a.png"]),
        ad(2, images=["a.png"]),
        ad(3, images=["b.png"]),
        ad(4),
        '{"broken": ',
    ]
    settings = load_settings()
    Ingestor(engine, settings).run([(str(write_jsonl(feed / "ads.jsonl", rows)), "jsonl")])
    with engine.begin() as connection:
        connection.execute(
            update(records)
            .where(records.c.record_id.in_(["ad-1", "ad-3", "ad-4"]))
            .values(last_ingested_at=OLD)
        )
        connection.execute(update(quarantine).values(quarantined_at=OLD))
        agency = connection.execute(
            agencies.insert().values(name="Example Unit", created_at=OLD).returning(agencies.c.id)
        ).scalar_one()
        held = connection.execute(select(records.c.id).where(records.c.record_id == "ad-4")).scalar_one()
        connection.execute(
            case_records.insert().values(case_id=1, record_pk=held, agency_id=agency, added_at=OLD)
        )
    with engine.connect() as connection:
        shas = dict(
            connection.execute(
                select(records.c.record_id, record_images.c.image_sha256).join(
                    record_images, record_images.c.record_pk == records.c.id
                )
            ).all()
        )
    (settings.data_dir / "link-state.npz").write_bytes(b"stale state")
    return {"settings": settings, "a": shas["ad-1"], "b": shas["ad-3"], "held": held}


def test_dry_run_reports_and_changes_nothing(engine, corpus) -> None:
    report = retention.apply(engine, corpus["settings"], 180)
    assert not report.executed
    assert (report.records, report.held, report.images, report.image_links, report.quarantined) == (
        2,
        1,
        1,
        2,
        1,
    )
    assert report.revisions == 2 and report.entities >= 2
    assert {item["record_id"] for item in report.sample} == {"ad-1", "ad-3"}
    assert _ids(engine) == {"ad-1", "ad-2", "ad-3", "ad-4"}
    assert store_path(corpus["settings"].images_dir, corpus["b"]).exists()
    with engine.connect() as connection:
        assert audit.anchor(connection) is None  # a dry run writes nothing, not even to the log


def test_execute_purges_unheld_records_and_orphaned_images(engine, corpus) -> None:
    settings = corpus["settings"]
    before_entities = _count(engine, entities)
    report = retention.apply(engine, settings, 180, execute=True, actor={"via": "test"})
    assert report.executed and report.records == 2 and report.image_files == 1
    assert _ids(engine) == {"ad-2", "ad-4"}
    with engine.connect() as connection:
        gone = select(records.c.id)
        assert (
            connection.execute(select(func.count()).where(record_revisions.c.record_pk.not_in(gone))).scalar()
            == 0
        )
        assert (
            connection.execute(select(func.count()).where(record_images.c.record_pk.not_in(gone))).scalar()
            == 0
        )
    assert _count(engine, entities) == before_entities - report.entities
    assert _count(engine, images, images.c.sha256 == corpus["b"]) == 0
    assert _count(engine, images, images.c.sha256 == corpus["a"]) == 1  # still used by recent ad-2
    assert not store_path(settings.images_dir, corpus["b"]).exists()
    assert store_path(settings.images_dir, corpus["a"]).exists()
    assert _count(engine, quarantine) == 0
    assert not (settings.data_dir / "link-state.npz").exists()
    with engine.connect() as connection:
        entry = audit.entries(connection, limit=1)[0]
        assert audit.verify(connection).ok
    assert entry["action"] == "retention.purge" and entry["detail"]["records"] == 2
    assert entry["detail"]["held_by_cases"] == 1 and entry["detail"]["via"] == "test"
    # Running again finds nothing more.
    assert retention.apply(engine, settings, 180, execute=True).records == 0


def test_a_held_record_cannot_be_deleted_even_by_hand(engine, corpus) -> None:
    # pg8000 reports a foreign-key violation as ProgrammingError, sqlite3 as IntegrityError.
    with pytest.raises((IntegrityError, ProgrammingError)), engine.begin() as connection:
        connection.execute(delete(records).where(records.c.id == corpus["held"]))


def test_search_index_follows_the_purge(engine, corpus, database) -> None:
    from tests.conftest import text_search

    retention.apply(engine, corpus["settings"], 180, execute=True)
    with engine.connect() as connection:
        found = {record_id for record_id, _ in text_search(connection, "friendly company")}
        kept = set(connection.execute(select(records.c.record_id)).scalars())
    assert found == kept and len(kept) == 2


def test_retention_days_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("LANTERN_RETENTION_DAYS", "30")
    assert retention.configured_days() == 30
    monkeypatch.delenv("LANTERN_RETENTION_DAYS")
    monkeypatch.delenv("LANTERN_CONFIG", raising=False)
    assert retention.configured_days() == retention.DEFAULT_DAYS
