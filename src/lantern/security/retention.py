"""Retention: records not attached to a case expire after a configured period (PRINCIPLES.md §4).

A record expires when it has not been ingested (seen) for ``days``: ``records.last_ingested_at`` is
older than the cut-off, and no row of ``case_records`` holds it. Purging deletes the record with its
revisions, entities and image links, then images no record uses any more (rows, and files in the
content-addressed store), and quarantined lines older than the cut-off (they hold raw ad text too).
The purge and its audit entry commit in one transaction. The linker's saved state still describes the
purged records, so it is deleted too and the next ``lantern link`` is a full relink.

``case_records`` is the hold table: the cases issue only adds ``cases`` (and a foreign key from
``case_records.case_id``); this query needs no change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, exists, func, select
from sqlalchemy.engine import Connection

from lantern.config import Settings, load_settings
from lantern.ingest.images import store_path
from lantern.security import audit
from lantern.security.clock import Clock, as_utc, utcnow
from lantern.store.schema import (
    case_records,
    entities,
    images,
    quarantine,
    record_images,
    record_revisions,
    records,
)

DEFAULT_DAYS = 180
SAMPLE = 20


def configured_days() -> int:
    """``retention_days`` of the settings: ``LANTERN_RETENTION_DAYS``, else the ``LANTERN_CONFIG`` file,
    else 180 (at least 1; ``lantern.config`` refuses less)."""
    return load_settings().retention_days


@dataclass
class RetentionReport:
    """What a purge removes (dry run) or removed (executed)."""

    days: int
    cutoff: datetime
    executed: bool
    records: int = 0
    revisions: int = 0
    entities: int = 0
    image_links: int = 0
    images: int = 0
    image_files: int = 0
    quarantined: int = 0
    held: int = 0  # expired by age but kept because a case holds them
    keys_sha256: str = ""
    sample: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "cutoff": self.cutoff.isoformat(),
            "records": self.records,
            "revisions": self.revisions,
            "entities": self.entities,
            "image_links": self.image_links,
            "images": self.images,
            "quarantined": self.quarantined,
            "held_by_cases": self.held,
            "record_keys_sha256": self.keys_sha256,
        }


def _old(cutoff: datetime):
    return records.c.last_ingested_at < cutoff


def _held():
    return exists().where(case_records.c.record_pk == records.c.id)


def expiring(cutoff: datetime):
    """``records.id`` of every record that expires at ``cutoff`` (a subquery)."""
    return select(records.c.id).where(_old(cutoff), ~_held())


def _orphan_images():
    return select(images.c.sha256).where(~exists().where(record_images.c.image_sha256 == images.c.sha256))


def _count(connection: Connection, query) -> int:
    return connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def _plan(connection: Connection, report: RetentionReport) -> None:
    gone = expiring(report.cutoff)
    report.records = _count(connection, gone)
    report.held = _count(connection, select(records.c.id).where(_old(report.cutoff), _held()))
    report.revisions = _count(
        connection, select(record_revisions.c.id).where(record_revisions.c.record_pk.in_(gone))
    )
    report.entities = _count(connection, select(entities.c.id).where(entities.c.record_pk.in_(gone)))
    report.image_links = _count(
        connection, select(record_images.c.record_pk).where(record_images.c.record_pk.in_(gone))
    )
    still_used = exists().where(
        and_(record_images.c.image_sha256 == images.c.sha256, record_images.c.record_pk.not_in(gone))
    )
    report.images = _count(connection, select(images.c.sha256).where(~still_used))
    report.quarantined = _count(
        connection, select(quarantine.c.id).where(quarantine.c.quarantined_at < report.cutoff)
    )
    digest = hashlib.sha256()
    keys = connection.execute(
        select(records.c.source, records.c.record_id, records.c.last_ingested_at)
        .where(records.c.id.in_(gone))
        .order_by(records.c.id)
    )
    for number, row in enumerate(keys):
        digest.update(f"{row.source}\x1f{row.record_id}\n".encode())
        if number < SAMPLE:
            report.sample.append(
                {"source": row.source, "record_id": row.record_id, "last_seen": as_utc(row.last_ingested_at)}
            )
    report.keys_sha256 = digest.hexdigest()


def apply(
    engine: Engine,
    settings: Settings,
    days: int | None = None,
    *,
    execute: bool = False,
    actor: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> RetentionReport:
    """Plan the purge, and with ``execute`` carry it out and audit it (``retention.purge``)."""
    days = days or configured_days()
    if days < 1:
        raise ValueError("retention period must be at least 1 day")
    report = RetentionReport(days=days, cutoff=as_utc(clock()) - timedelta(days=days), executed=execute)
    if not execute:
        with engine.connect() as connection:
            _plan(connection, report)
        return report

    with audit.write_transaction(engine) as connection:
        _plan(connection, report)
        gone = expiring(report.cutoff)
        connection.execute(delete(entities).where(entities.c.record_pk.in_(gone)))
        connection.execute(delete(record_images).where(record_images.c.record_pk.in_(gone)))
        connection.execute(delete(record_revisions).where(record_revisions.c.record_pk.in_(gone)))
        connection.execute(delete(records).where(records.c.id.in_(gone)))
        orphans = [row.sha256 for row in connection.execute(_orphan_images())]
        if orphans:
            connection.execute(delete(images).where(images.c.sha256.in_(_orphan_images())))
        connection.execute(delete(quarantine).where(quarantine.c.quarantined_at < report.cutoff))
        audit.append(
            connection,
            "retention.purge",
            target="records",
            detail={**report.counts(), **(actor or {})},
            clock=clock,
        )
    report.image_files = _remove_files(engine, settings, orphans)
    _forget_link_state(settings)
    return report


def _remove_files(engine: Engine, settings: Settings, candidates: list[str]) -> int:
    """Delete stored files of purged images, re-checking each is still unused (an ingest may have
    brought the same picture back in the meantime)."""
    removed = 0
    with engine.connect() as connection:
        for sha256 in candidates:
            if connection.execute(select(images.c.sha256).where(images.c.sha256 == sha256)).first():
                continue
            path = store_path(settings.images_dir, sha256)
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
    return removed


def _forget_link_state(settings: Settings) -> None:
    from lantern.networks.runner import state_path

    state_path(settings).unlink(missing_ok=True)
