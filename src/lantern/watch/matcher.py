"""Matching an ingest batch's changed records against every active watchlist entry.

Nothing rescans the corpus: identifiers come from the ``entities`` rows of the batch's records (one
indexed query per batch), images from their ``record_images`` rows, and saved searches run the
full-text query restricted to the batch's record ids. The entries live in a small in-memory index,
reloaded only when the watchlist changes. Alerts are inserted with "ignore duplicates" against the
unique (entry, record) key, so re-running an ingest never alerts twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from lantern.store.dialect import insert_ignoring_duplicates
from lantern.store.fulltext import full_text
from lantern.store.schema import alerts, entities, images, record_images, watchlist_entries

CHUNK = 900
IDENTIFIER_KINDS = ("phone", "email", "handle", "payment")


def due_at(digest: str, now: datetime) -> datetime:
    """When an alert is first sent: now, at the top of the next hour, or at the next midnight UTC."""
    if digest == "hourly":
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if digest == "daily":
        return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return now


@dataclass
class _Index:
    version: tuple[int, int | None] = (-1, None)
    meta: dict[int, tuple[int, int, str | None, str]] = field(default_factory=dict)
    exact: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    bare: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    image_sha: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    phash_values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    phash_entries: list[int] = field(default_factory=list)
    searches: list[tuple[int, str]] = field(default_factory=list)


class WatchMatcher:
    """Holds the entry index across batches of one ingest run and turns matches into alerts."""

    def __init__(self, phash_distance: int = 8) -> None:
        self.phash_distance = phash_distance
        self.index = _Index()

    def _refresh(self, connection: Connection) -> _Index:
        count, last = connection.execute(
            select(func.count(), func.max(watchlist_entries.c.id)).where(watchlist_entries.c.active.is_(True))
        ).one()
        if (count, last) == self.index.version:
            return self.index
        index = _Index(version=(count, last))
        phashes: list[int] = []
        rows = connection.execute(select(watchlist_entries).where(watchlist_entries.c.active.is_(True)))
        for row in rows.mappings():
            entry_id, kind, value = row["id"], row["kind"], row["value"]
            index.meta[entry_id] = (row["owner_id"], row["agency_id"], row["deliver"], row["digest"])
            if kind in IDENTIFIER_KINDS:
                if kind in ("handle", "payment") and ":" not in value:
                    index.bare[(kind, value)].append(entry_id)
                else:
                    index.exact[(kind, value)].append(entry_id)
            elif kind == "image":
                if not value.startswith("phash:"):
                    index.image_sha[value].append(entry_id)
                if row["image_phash"]:
                    phashes.append(int(row["image_phash"], 16))
                    index.phash_entries.append(entry_id)
            elif kind == "search":
                index.searches.append((entry_id, value))
        index.phash_values = np.array(phashes, dtype=np.uint64)
        self.index = index
        return index

    def match_batch(self, connection: Connection, record_pks: list[int]) -> int:
        """Insert alerts for the batch's records; returns how many new alerts were made."""
        index = self._refresh(connection)
        if not index.meta or not record_pks:
            return 0
        found: dict[tuple[int, int], dict[str, Any]] = {}
        for start in range(0, len(record_pks), CHUNK):
            chunk = record_pks[start : start + CHUNK]
            if index.exact or index.bare:
                self._identifiers(connection, index, chunk, found)
            if index.image_sha or index.phash_entries:
                self._images(connection, index, chunk, found)
            if index.searches:
                for entry_id, query, pk in full_text(connection).search_within(
                    connection, index.searches, chunk
                ):
                    found.setdefault((entry_id, pk), {"kind": "search", "query": query})
        if not found:
            return 0
        now = datetime.now(UTC)
        rows = []
        for (entry_id, pk), reason in found.items():
            owner_id, agency_id, deliver, digest = index.meta[entry_id]
            rows.append(
                {
                    "entry_id": entry_id,
                    "record_pk": pk,
                    "user_id": owner_id,
                    "agency_id": agency_id,
                    "created_at": now,
                    "reason": reason,
                    "delivery": "pending" if deliver else "inbox",
                    "due_at": due_at(digest, now) if deliver else None,
                    "attempts": 0,
                }
            )
        result = connection.execute(insert_ignoring_duplicates(connection, alerts), rows)
        if connection.dialect.name == "postgresql":
            return len(result.all())
        return max(result.rowcount, 0)

    def _identifiers(self, connection: Connection, index: _Index, chunk: list[int], found: dict) -> None:
        query = select(entities.c.record_pk, entities.c.kind, entities.c.value).where(
            entities.c.record_pk.in_(chunk), entities.c.kind.in_(IDENTIFIER_KINDS)
        )
        for pk, kind, value in connection.execute(query):
            lowered = value.lower()
            hits = index.exact.get((kind, lowered if kind != "phone" else value), [])
            if index.bare and kind in ("handle", "payment"):
                hits = [*hits, *index.bare.get((kind, lowered.partition(":")[2]), [])]
            for entry_id in hits:
                found.setdefault((entry_id, pk), {"kind": kind, "value": value})

    def _images(self, connection: Connection, index: _Index, chunk: list[int], found: dict) -> None:
        query = (
            select(record_images.c.record_pk, record_images.c.image_sha256, images.c.phash)
            .join(images, images.c.sha256 == record_images.c.image_sha256)
            .where(record_images.c.record_pk.in_(chunk))
        )
        rows = connection.execute(query).all()
        for pk, sha256, _ in rows:
            for entry_id in index.image_sha.get(sha256, []):
                found.setdefault((entry_id, pk), {"kind": "image", "sha256": sha256, "distance": 0})
        if not len(index.phash_values):
            return
        with_phash = [(pk, sha, int(ph, 16)) for pk, sha, ph in rows if ph]
        if not with_phash:
            return
        batch = np.array([ph for _, _, ph in with_phash], dtype=np.uint64)
        distances = np.bitwise_count(batch[:, None] ^ index.phash_values[None, :])
        for row, column in zip(*np.nonzero(distances <= self.phash_distance), strict=True):
            pk, sha256, _ = with_phash[row]
            entry_id = index.phash_entries[column]
            found.setdefault(
                (entry_id, pk), {"kind": "image", "sha256": sha256, "distance": int(distances[row, column])}
            )
