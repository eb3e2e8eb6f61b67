"""Recording CSAM matches, loading hash lists, and the supervisor's list of matches.

Matches are written in the ingest batch's own transaction (see ``Ingestor._commit``), so a record is
never stored without its flag. Loading a list also checks the images already stored: any that match lose
their bytes from the store at once and are flagged like a match at ingest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select, tuple_
from sqlalchemy.engine import Connection

from lantern.csam.blocklist import DEFAULT_PHASH_DISTANCE, HEX_LENGTH, KINDS, BlockMatch
from lantern.csam.lookup import clear_cache
from lantern.ingest.images import StoredImage, store_path
from lantern.security import audit
from lantern.store.dialect import insert_ignoring_duplicates
from lantern.store.schema import (
    csam_blocked_images,
    csam_hash_lists,
    csam_hashes,
    csam_matches,
    images,
    record_images,
    records,
)

HEX = re.compile(r"^[0-9a-f]+$")


@dataclass
class LoadReport:
    """What ``load_hashes`` did: entries read and stored, lines refused, stored images now blocked."""

    list_id: int
    read: int = 0
    added: int = 0
    refused: int = 0
    newly_blocked_images: int = 0
    flagged_records: int = 0


def _blocked_row(image: StoredImage | dict[str, Any], match: BlockMatch, now: datetime) -> dict[str, Any]:
    get = image.get if isinstance(image, dict) else lambda key: getattr(image, key)
    return {
        "sha256": get("sha256"),
        "md5": get("md5") or "",
        "phash": get("phash"),
        "list_id": match.list_id,
        "hash_kind": match.hash_kind,
        "matched_value": match.matched_value,
        "distance": match.distance,
        "blocked_at": now,
    }


def record_ingest_matches(connection: Connection, batch: Sequence[Any]) -> int:
    """Flag the records of an ingest batch whose images were blocked; returns matches recorded.

    ``batch`` holds ``PreparedRecord``s; only those with a blocked image cost a query.
    """
    hits = [(p, image) for p in batch for image in p.images if image.blocked is not None]
    if not hits:
        return 0
    now = datetime.now(UTC)
    keys = list({(p.source, p.record_id) for p, _ in hits})
    pks = {
        (row.source, row.record_id): (row.id, row.revision)
        for row in connection.execute(
            select(records.c.id, records.c.source, records.c.record_id, records.c.revision).where(
                tuple_(records.c.source, records.c.record_id).in_(keys)
            )
        )
    }
    blocked = {image.sha256: _blocked_row(image, image.blocked, now) for _, image in hits}
    connection.execute(insert_ignoring_duplicates(connection, csam_blocked_images), list(blocked.values()))
    rows = []
    for prepared, image in hits:
        pk, revision = pks[(prepared.source, prepared.record_id)]
        rows.append(
            {
                "image_sha256": image.sha256,
                "record_pk": pk,
                "source": prepared.source,
                "record_id": prepared.record_id,
                "revision": revision,
                "original_ref": image.original_ref,
                "found_at": now,
                "status": "new",
            }
        )
    unique = list({(r["image_sha256"], r["record_pk"]): r for r in rows}.values())
    connection.execute(insert_ignoring_duplicates(connection, csam_matches), unique)
    clear_cache()
    return len(unique)


def parse_hash_lines(lines: Iterable[str], kind: str) -> tuple[list[str], int]:
    """Hex hashes of ``kind`` from a list file (first field of a line; ``#`` comments and blanks skipped)."""
    if kind not in KINDS:
        raise ValueError(f"unknown hash format {kind!r}; choose one of {', '.join(KINDS)}")
    values, refused = [], 0
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        value = re.split(r"[\s,;]+", text)[0].lower()
        if len(value) != HEX_LENGTH[kind] or not HEX.match(value):
            refused += 1
            continue
        values.append(value)
    return list(dict.fromkeys(values)), refused


def load_hashes(
    engine: Engine,
    path: Path,
    kind: str,
    *,
    list_name: str,
    images_dir: Path | None,
    actor: dict[str, Any] | None = None,
    phash_distance: int = DEFAULT_PHASH_DISTANCE,
) -> LoadReport:
    """Load (or extend) a named list, block matching images already stored, and audit the load."""
    raw = path.read_bytes()
    values, refused = parse_hash_lines(raw.decode("utf-8", errors="replace").splitlines(), kind)
    now = datetime.now(UTC)
    with audit.write_transaction(engine) as connection:
        list_id = connection.execute(
            select(csam_hash_lists.c.id).where(
                csam_hash_lists.c.name == list_name, csam_hash_lists.c.kind == kind
            )
        ).scalar()
        if list_id is None:
            list_id = connection.execute(
                csam_hash_lists.insert()
                .values(name=list_name, kind=kind, entries=0, loaded_at=now)
                .returning(csam_hash_lists.c.id)
            ).scalar_one()
        report = LoadReport(list_id=list_id, read=len(values) + refused, refused=refused)
        before = _count_list(connection, list_id)
        rows = [{"list_id": list_id, "kind": kind, "value": value} for value in values]
        for start in range(0, len(rows), 5000):
            connection.execute(
                insert_ignoring_duplicates(connection, csam_hashes), rows[start : start + 5000]
            )
        total = _count_list(connection, list_id)
        report.added = total - before
        connection.execute(
            csam_hash_lists.update()
            .where(csam_hash_lists.c.id == list_id)
            .values(entries=total, loaded_at=now, source_sha256=hashlib.sha256(raw).hexdigest())
        )
        report.newly_blocked_images, report.flagged_records = _block_stored(
            connection, list_id, kind, values, images_dir, phash_distance, now
        )
        audit.append(
            connection,
            "csam.load_hashes",
            target=f"csam_list:{list_name}",
            detail={
                "kind": kind,
                "file_sha256": hashlib.sha256(raw).hexdigest(),
                "added": report.added,
                "refused": refused,
                "newly_blocked_images": report.newly_blocked_images,
                **(actor or {}),
            },
        )
    clear_cache()
    return report


def _count_list(connection: Connection, list_id: int) -> int:
    return connection.execute(
        select(func.count()).select_from(csam_hashes).where(csam_hashes.c.list_id == list_id)
    ).scalar_one()


def _block_stored(
    connection: Connection,
    list_id: int,
    kind: str,
    values: list[str],
    images_dir: Path | None,
    phash_distance: int,
    now: datetime,
) -> tuple[int, int]:
    """Images stored before the list was loaded: find the matches, delete their bytes, flag records."""
    already = set(connection.execute(select(csam_blocked_images.c.sha256)).scalars())
    found: dict[str, tuple[dict[str, Any], BlockMatch]] = {}
    if kind == "sha256":
        wanted = set(values)
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            for row in connection.execute(select(images).where(images.c.sha256.in_(chunk))).mappings():
                if row["sha256"] in wanted:
                    found[row["sha256"]] = (dict(row), BlockMatch(list_id, "sha256", row["sha256"]))
    elif kind == "phash" and values:
        listed = np.array([int(v, 16) for v in values], dtype=np.uint64)
        query = select(images).where(images.c.phash.is_not(None))
        for row in connection.execute(query).mappings():
            distances = np.bitwise_count(listed ^ np.uint64(int(row["phash"], 16)))
            nearest = int(np.argmin(distances))
            if int(distances[nearest]) <= phash_distance:
                match = BlockMatch(list_id, "phash", values[nearest], int(distances[nearest]))
                found[row["sha256"]] = (dict(row), match)
    elif kind == "md5" and values and images_dir is not None:
        wanted = set(values)
        for row in connection.execute(select(images)).mappings():
            path = store_path(images_dir, row["sha256"])
            if path.is_file():
                md5 = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
                if md5 in wanted:
                    found[row["sha256"]] = ({**row, "md5": md5}, BlockMatch(list_id, "md5", md5))
    fresh = {sha: item for sha, item in found.items() if sha not in already}
    if not fresh:
        return 0, 0
    for sha, (row, match) in fresh.items():
        if kind != "md5" and images_dir is not None and store_path(images_dir, sha).is_file():
            row["md5"] = hashlib.md5(
                store_path(images_dir, sha).read_bytes(), usedforsecurity=False
            ).hexdigest()
        connection.execute(
            insert_ignoring_duplicates(connection, csam_blocked_images), [_blocked_row(row, match, now)]
        )
    links = connection.execute(
        select(
            record_images.c.record_pk,
            record_images.c.image_sha256,
            record_images.c.original_ref,
            records.c.source,
            records.c.record_id,
            records.c.revision,
        )
        .join(records, records.c.id == record_images.c.record_pk)
        .where(record_images.c.image_sha256.in_(list(fresh)))
    ).all()
    rows = list(
        {
            (link.image_sha256, link.record_pk): {
                "image_sha256": link.image_sha256,
                "record_pk": link.record_pk,
                "source": link.source,
                "record_id": link.record_id,
                "revision": link.revision,
                "original_ref": link.original_ref,
                "found_at": now,
                "status": "new",
            }
            for link in links
        }.values()
    )
    if rows:
        connection.execute(insert_ignoring_duplicates(connection, csam_matches), rows)
    if images_dir is not None:
        for sha in fresh:
            store_path(images_dir, sha).unlink(missing_ok=True)
    return len(fresh), len({row["record_pk"] for row in rows})


def flagged_record_pks(connection: Connection, pks: Sequence[int] | None = None) -> set[int]:
    """Records carrying an image on a hash list (the flag the triage and export honour)."""
    query = select(csam_matches.c.record_pk).distinct()
    if pks is not None:
        query = query.where(csam_matches.c.record_pk.in_(list(pks)))
    return set(connection.execute(query).scalars())


def blocked_in(connection: Connection, sha256s: Iterable[str]) -> set[str]:
    """Which of these image hashes are blocked (for exports, which never include them)."""
    wanted = list(set(sha256s))
    found: set[str] = set()
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        found |= set(
            connection.execute(
                select(csam_blocked_images.c.sha256).where(csam_blocked_images.c.sha256.in_(chunk))
            ).scalars()
        )
    return found


def list_matches(
    connection: Connection, *, status: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Matches newest first, with the list that caught each; hashes and references only."""
    query = (
        select(
            csam_matches,
            csam_hash_lists.c.name.label("list_name"),
            csam_blocked_images.c.hash_kind,
            csam_blocked_images.c.distance,
        )
        .join(csam_blocked_images, csam_blocked_images.c.sha256 == csam_matches.c.image_sha256)
        .join(csam_hash_lists, csam_hash_lists.c.id == csam_blocked_images.c.list_id, isouter=True)
        .order_by(csam_matches.c.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(csam_matches.c.status == status)
    return [dict(row) for row in connection.execute(query).mappings()]
