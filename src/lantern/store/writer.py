"""Writing a batch of prepared records in one transaction: new records, revisions, or nothing.

The decision for each record is made against what is stored: a record whose content matches any
revision already preserved changes nothing, so re-running an interrupted ingest converges on exactly the
state an uninterrupted run would have reached. A record with new content becomes a new revision and the
earlier ones stay, because evidence must show what an ad said at each capture.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from lantern.ingest.images import StoredImage
from lantern.store.dialect import insert_ignoring_duplicates, insert_rows
from lantern.store.fulltext import full_text
from lantern.store.schema import (
    entities,
    images,
    ingest_runs,
    quarantine,
    record_images,
    record_revisions,
    records,
)

KEY_CHUNK = 900

_EXISTING = select(records.c.id, records.c.record_id, records.c.revision).where(
    records.c.source == bindparam("source"), records.c.record_id.in_(bindparam("record_ids", expanding=True))
)


@dataclass(slots=True)
class PreparedRecord:
    """Everything the store needs to keep one validated record."""

    source: str
    record_id: str
    values: dict[str, Any]
    content_sha256: str
    raw: str
    raw_sha256: str
    raw_format: str
    origin_file: str
    origin_line: int
    images: list[StoredImage] = field(default_factory=list)
    entities: list[tuple[str, str, bool]] = field(default_factory=list)


@dataclass(slots=True)
class QuarantinedItem:
    origin_file: str
    origin_line: int
    field: str
    reason: str
    raw: bytes
    raw_sha256: str
    raw_size: int
    truncated: bool


@dataclass
class BatchOutcome:
    stored: int = 0
    revised: int = 0
    unchanged: int = 0
    quarantined: int = 0
    changed_pks: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _KeyState:
    pk: int | None
    revision: int
    hashes: set[str]
    changed: bool = False
    is_new: bool = False
    latest: PreparedRecord | None = None
    new_revisions: list[tuple[int, PreparedRecord]] = field(default_factory=list)


def _load_states(
    connection: Connection, keys: list[tuple[str, str]], *, with_hashes: bool = True
) -> dict[tuple[str, str], _KeyState]:
    states: dict[tuple[str, str], _KeyState] = {}
    by_source: dict[str, list[str]] = {}
    for source, record_id in keys:
        by_source.setdefault(source, []).append(record_id)
    # One cached statement per chunk: ``source = ? AND record_id IN (...)`` uses the unique index and
    # compiles once, where a tuple IN would be compiled afresh for every batch.
    for source, record_ids in by_source.items():
        for start in range(0, len(record_ids), KEY_CHUNK):
            rows = connection.execute(
                _EXISTING, {"source": source, "record_ids": record_ids[start : start + KEY_CHUNK]}
            )
            for pk, record_id, revision in rows:
                states[(source, record_id)] = _KeyState(pk, revision, set())
    if not with_hashes:
        return states
    by_pk = {state.pk: state for state in states.values()}
    pks = list(by_pk)
    for start in range(0, len(pks), KEY_CHUNK):
        rows = connection.execute(
            select(record_revisions.c.record_pk, record_revisions.c.content_sha256).where(
                record_revisions.c.record_pk.in_(pks[start : start + KEY_CHUNK])
            )
        )
        for pk, content in rows:
            by_pk[pk].hashes.add(content)
    return states


def _decide(batch: Sequence[PreparedRecord], states: dict, outcome: BatchOutcome) -> None:
    for prepared in batch:
        key = (prepared.source, prepared.record_id)
        state = states.get(key)
        if state is None:
            state = states[key] = _KeyState(None, 0, set(), is_new=True)
        if prepared.content_sha256 in state.hashes:
            outcome.unchanged += 1
            continue
        if state.revision == 0:
            outcome.stored += 1
        else:
            outcome.revised += 1
        state.revision += 1
        state.hashes.add(prepared.content_sha256)
        state.changed = True
        state.latest = prepared
        state.new_revisions.append((state.revision, prepared))


def _record_row(prepared: PreparedRecord, revision: int, now: datetime) -> dict[str, Any]:
    return {
        **prepared.values,
        "content_sha256": prepared.content_sha256,
        "revision": revision,
        "last_ingested_at": now,
    }


def write_batch(
    connection: Connection,
    batch: Sequence[PreparedRecord],
    quarantined: Sequence[QuarantinedItem],
    run_id: int | None,
) -> BatchOutcome:
    """Apply one batch inside the caller's transaction and return what happened to each record."""
    now = datetime.now(UTC)
    outcome = BatchOutcome(quarantined=len(quarantined))
    keys = list(dict.fromkeys((p.source, p.record_id) for p in batch))
    states = _load_states(connection, keys)
    _decide(batch, states, outcome)
    changed = [state for state in states.values() if state.changed]
    new_states = [state for state in changed if state.is_new]
    if new_states:
        rows = [
            {**_record_row(s.latest, s.revision, now), "first_ingested_at": now}  # type: ignore[arg-type]
            for s in new_states
        ]
        # A plain executemany (COPY on PostgreSQL), then one look-up of the new ids: RETURNING with
        # guaranteed order would make SQLite insert row by row.
        insert_rows(connection, records, rows)
        assigned = _load_states(
            connection, [(s.latest.source, s.latest.record_id) for s in new_states], with_hashes=False
        )  # type: ignore[union-attr]
        for state in new_states:
            state.pk = assigned[(state.latest.source, state.latest.record_id)].pk  # type: ignore[union-attr]
        full_text(connection).index_new_records(connection, [state.pk for state in new_states])  # type: ignore[misc]
    old_states = [state for state in changed if not state.is_new]
    if old_states:
        rows = [{**_record_row(s.latest, s.revision, now), "_pk": s.pk} for s in old_states]  # type: ignore[arg-type]
        statement = update(records).where(records.c.id == bindparam("_pk"))
        connection.execute(statement, rows)
        connection.execute(delete(entities).where(entities.c.record_pk.in_([s.pk for s in old_states])))
    _insert_revisions(connection, changed, now)
    _insert_images(connection, changed, now)
    _insert_entities(connection, changed)
    _insert_quarantine(connection, quarantined, run_id, now)
    outcome.changed_pks = [state.pk for state in changed]  # type: ignore[misc]
    return outcome


def _insert_revisions(connection: Connection, changed: list[_KeyState], now: datetime) -> None:
    rows = [
        {
            "record_pk": state.pk,
            "revision": revision,
            "content_sha256": prepared.content_sha256,
            "raw": prepared.raw,
            "raw_sha256": prepared.raw_sha256,
            "raw_format": prepared.raw_format,
            "collected_at": prepared.values.get("collected_at"),
            "collected_at_offset": prepared.values.get("collected_at_offset"),
            "ingested_at": now,
            "origin_file": prepared.origin_file,
            "origin_line": prepared.origin_line,
        }
        for state in changed
        for revision, prepared in state.new_revisions
    ]
    if rows:
        insert_rows(connection, record_revisions, rows)


def _insert_images(connection: Connection, changed: list[_KeyState], now: datetime) -> None:
    image_rows: dict[str, dict[str, Any]] = {}
    link_rows = []
    for state in changed:
        for revision, prepared in state.new_revisions:
            for position, image in enumerate(prepared.images):
                image_rows.setdefault(
                    image.sha256,
                    {
                        "sha256": image.sha256,
                        "media_type": image.media_type,
                        "width": image.width,
                        "height": image.height,
                        "size_bytes": image.size_bytes,
                        "phash": image.phash,
                        "first_ingested_at": now,
                    },
                )
                link_rows.append(
                    {
                        "record_pk": state.pk,
                        "revision": revision,
                        "position": position,
                        "image_sha256": image.sha256,
                        "original_ref": image.original_ref,
                    }
                )
    if image_rows:
        connection.execute(insert_ignoring_duplicates(connection, images), list(image_rows.values()))
    if link_rows:
        insert_rows(connection, record_images, link_rows)


def _insert_entities(connection: Connection, changed: list[_KeyState]) -> None:
    rows = [
        {"record_pk": state.pk, "kind": kind, "value": value[:400], "obscured": obscured}
        for state in changed
        for kind, value, obscured in state.latest.entities  # type: ignore[union-attr]
    ]
    if rows:
        insert_rows(connection, entities, rows)


def _insert_quarantine(
    connection: Connection, items: Sequence[QuarantinedItem], run_id: int | None, now: datetime
) -> None:
    if not items:
        return
    rows = [
        {
            "origin_file": item.origin_file,
            "origin_line": item.origin_line,
            "field": item.field[:200],
            "reason": item.reason,
            "raw": item.raw,
            "raw_sha256": item.raw_sha256,
            "raw_size": item.raw_size,
            "raw_truncated": item.truncated,
            "run_id": run_id,
            "quarantined_at": now,
        }
        for item in items
    ]
    connection.execute(insert_ignoring_duplicates(connection, quarantine), rows)


def start_run(connection: Connection, paths: list[str]) -> int:
    """Log a new run (with this process, so a later one can tell if it died), after marking failed the
    runs left "running" by processes of this host that no longer exist."""
    fail_stale_runs(connection)
    result = connection.execute(
        insert(ingest_runs).returning(ingest_runs.c.id),
        {
            "started_at": datetime.now(UTC),
            "paths": paths,
            "status": "running",
            "pid": os.getpid(),
            "host": socket.gethostname()[:255],
        },
    )
    return int(result.scalar_one())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def fail_stale_runs(connection: Connection) -> list[int]:
    """Mark failed the "running" runs whose process is gone: on this host with no such process, or
    logged before runs recorded their process. A run on another host is left alone: it may be alive."""
    host = socket.gethostname()[:255]
    rows = connection.execute(
        select(ingest_runs.c.id, ingest_runs.c.pid, ingest_runs.c.host).where(
            ingest_runs.c.status == "running"
        )
    ).all()
    stale = [
        run_id for run_id, pid, run_host in rows if pid is None or (run_host == host and not _alive(pid))
    ]
    if stale:
        connection.execute(
            update(ingest_runs)
            .where(ingest_runs.c.id.in_(stale))
            .values(status="failed", finished_at=datetime.now(UTC))
        )
    return stale


def record_run_progress(connection: Connection, run_id: int, totals: dict[str, int], status: str) -> None:
    values: dict[str, Any] = {**totals, "status": status}
    if status != "running":
        values["finished_at"] = datetime.now(UTC)
    connection.execute(update(ingest_runs).where(ingest_runs.c.id == run_id).values(**values))
