"""Read-side queries shared by the CLI, the web app and evaluation; portable across SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from lantern.store.schema import (
    entities,
    images,
    ingest_runs,
    networks,
    quarantine,
    record_images,
    record_revisions,
    records,
)

STREAM_CHUNK = 2000
TOTAL_CAP = 2000
"""Searches count their matches up to this many only: an exact count over millions costs more than it
tells."""

RISK_ORDER = (records.c.minor_score.desc(), records.c.trafficking_score.desc(), records.c.id.desc())
"""The ranked queue's order: likely minors first (PRINCIPLES.md §3), then trafficking, then the newest
among equal scores (scores take few distinct values, so ties are large). It is ``ix_records_risk`` walked
backwards, so a page of the queue reads only its own rows, however large the store."""

ANY_RISK = tuple_(records.c.minor_score, records.c.trafficking_score) > tuple_(0.0, 0.0)
"""Records with either score above zero, as a range of ``ix_records_risk`` (scores are never negative, so
this is ``minor_score > 0 OR trafficking_score > 0``, which the planners answered by reading both
single-column indexes and sorting every match)."""


def capped_count(connection: Connection, stmt: Select, *, newest_first: bool = False) -> tuple[int, bool]:
    """How many rows ``stmt`` gives, counted up to ``TOTAL_CAP``, and whether there are more.

    ``newest_first`` counts in primary-key order, which lets PostgreSQL stop a walk of the key after the
    cap for a common word instead of building the full-text index's bitmap of every match."""
    counted = stmt.order_by(None)
    if newest_first:
        counted = counted.order_by(records.c.id.desc())
    capped = connection.execute(
        select(func.count()).select_from(counted.limit(TOTAL_CAP + 1).subquery())
    ).scalar_one()
    return min(capped, TOTAL_CAP), capped > TOTAL_CAP


def iter_records(connection: Connection, *where: ColumnElement[bool]) -> Iterator[dict[str, Any]]:
    """Every stored record (current revision) matching ``where``, in primary-key order, fetched in
    bounded chunks."""
    last = 0
    while True:
        rows = (
            connection.execute(
                select(records).where(records.c.id > last, *where).order_by(records.c.id).limit(STREAM_CHUNK)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        yield from (dict(row) for row in rows)
        last = rows[-1]["id"]


def network_indicators(group: object, member: object) -> list[Any]:
    """What a network member shows as its network's indicators: the group's own, stored once on the
    network row, followed by what the group added to this member (likely-minor propagation), stored on
    the record. A record written while every member carried the group's list holds that copy in front of
    its own part; it is not shown twice."""
    shared = group if isinstance(group, list) else []
    own = member if isinstance(member, list) else []
    if shared and own[: len(shared)] == shared:
        own = own[len(shared) :]
    return shared + own


def fill_network_indicators(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Set ``network_indicators`` of each record row in a network to the full list (``network_indicators``);
    rows of records in no network keep what they hold."""
    ids = sorted({row["network_id"] for row in rows if row.get("network_id")})
    shared: dict[str, Any] = {}
    for start in range(0, len(ids), 900):
        query = select(networks.c.id, networks.c.indicators).where(
            networks.c.id.in_(ids[start : start + 900])
        )
        shared.update({network_id: indicators for network_id, indicators in connection.execute(query)})
    for row in rows:
        if row.get("network_id") in shared:
            row["network_indicators"] = network_indicators(
                shared[row["network_id"]], row.get("network_indicators")
            )


def cluster_label(row: dict[str, Any]) -> str:
    """The network a record belongs to; a record not linked to anything is a network of its own."""
    return row["network_id"] or f"single:{row['source']}:{row['record_id']}"


def counts(connection: Connection) -> dict[str, Any]:
    """The figures ``lantern stats`` shows."""
    scalar = connection.execute
    summary: dict[str, Any] = {
        "records": scalar(select(func.count()).select_from(records)).scalar_one(),
        "revisions": scalar(select(func.count()).select_from(record_revisions)).scalar_one(),
        "images": scalar(select(func.count()).select_from(images)).scalar_one(),
        "image_uses": scalar(select(func.count()).select_from(record_images)).scalar_one(),
        "quarantined": scalar(select(func.count()).select_from(quarantine)).scalar_one(),
        "networks": scalar(select(func.count(func.distinct(records.c.network_id)))).scalar_one(),
    }
    summary["by_source"] = dict(
        scalar(
            select(records.c.source, func.count()).group_by(records.c.source).order_by(func.count().desc())
        ).all()
    )
    summary["by_kind"] = dict(scalar(select(records.c.kind, func.count()).group_by(records.c.kind)).all())
    summary["entities"] = dict(
        scalar(
            select(entities.c.kind, func.count(func.distinct(entities.c.value))).group_by(entities.c.kind)
        ).all()
    )
    summary["quarantine_reasons"] = dict(
        scalar(
            select(quarantine.c.field, func.count())
            .group_by(quarantine.c.field)
            .order_by(func.count().desc())
        ).all()
    )
    first, last = scalar(select(func.min(records.c.posted_at), func.max(records.c.posted_at))).one()
    summary["posted_from"], summary["posted_to"] = first, last
    summary["last_run"] = (
        scalar(select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(1)).mappings().first()
    )
    return summary
