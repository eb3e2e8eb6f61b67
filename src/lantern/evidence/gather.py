"""Collecting what an export contains: every preserved revision, its raw bytes, its images.

Images that matched a CSAM hash list are never included (their bytes are not even in the store); the
export lists them as withheld, by SHA-256 only, so the gap is visible and explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from lantern.cases.service import get_case
from lantern.csam.store import blocked_in, flagged_record_pks
from lantern.ingest.images import store_path
from lantern.networks.inputs import city_of, record_key
from lantern.store.queries import fill_network_indicators
from lantern.store.schema import (
    entities,
    images,
    networks,
    record_images,
    record_revisions,
    records,
    suppressed_hubs,
)

Explain = Callable[[str, list[str]], dict[str, Any]]
"""Evidence paths from a network's first record (by key) to member keys: ``LinkResult.explain_from``."""


@dataclass
class CaseEvidence:
    """A case as exported: its rows, records with revisions and images, and what was withheld."""

    case: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)
    image_files: dict[str, Path] = field(default_factory=dict)
    image_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    withheld_images: set[str] = field(default_factory=set)
    flagged_records: set[int] = field(default_factory=set)
    links: list[tuple[int, int, str]] = field(default_factory=list)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    paths: dict[str, Any] = field(default_factory=dict)
    """Evidence path (hops) of each record in a network, from the network's first record, by record key."""
    hubs: set[tuple[str, str]] = field(default_factory=set)
    """Suppressed hubs (kind, value): site boilerplate and stock images, which link nothing."""


def gather(engine: Engine, case_id: int, images_dir: Path, explain: Explain | None = None) -> CaseEvidence:
    """Everything preserved about a case's records (all revisions, so the export shows each capture),
    where each came from (attached by hand or pulled in by a network), its networks, and, given
    ``explain``, the evidence path that ties each to its network's first record."""
    case = get_case(engine, case_id)
    evidence = CaseEvidence(case=case)
    via = {row["id"]: row["via_network"] for row in case["records"]}
    pks = [row["id"] for row in case["records"]]
    with engine.connect() as connection:
        by_pk: dict[int, dict[str, Any]] = {}
        for start in range(0, len(pks), 900):
            chunk = pks[start : start + 900]
            for row in connection.execute(select(records).where(records.c.id.in_(chunk))).mappings():
                by_pk[row["id"]] = {**dict(row), "revisions": [], "images": [], "entities": [],
                                    "via_network": via.get(row["id"])}  # fmt: skip
            for row in connection.execute(
                select(record_revisions)
                .where(record_revisions.c.record_pk.in_(chunk))
                .order_by(record_revisions.c.record_pk, record_revisions.c.revision)
            ).mappings():
                by_pk[row["record_pk"]]["revisions"].append(dict(row))
            for row in connection.execute(
                select(record_images, images)
                .join(images, images.c.sha256 == record_images.c.image_sha256)
                .where(record_images.c.record_pk.in_(chunk))
                .order_by(record_images.c.record_pk, record_images.c.revision, record_images.c.position)
            ).mappings():
                by_pk[row["record_pk"]]["images"].append(dict(row))
                evidence.image_meta[row["sha256"]] = dict(row)
            for row in connection.execute(
                select(entities.c.record_pk, entities.c.kind, entities.c.value).where(
                    entities.c.record_pk.in_(chunk)
                )
            ):
                by_pk[row.record_pk]["entities"].append((row.kind, row.value))
        fill_network_indicators(connection, list(by_pk.values()))
        network_ids = sorted({row["network_id"] for row in by_pk.values() if row["network_id"]})
        for start in range(0, len(network_ids), 900):
            for row in connection.execute(
                select(networks).where(networks.c.id.in_(network_ids[start : start + 900]))
            ).mappings():
                evidence.networks[row["id"]] = dict(row)
        evidence.hubs = {
            (k, v) for k, v in connection.execute(select(suppressed_hubs.c.kind, suppressed_hubs.c.value))
        }
        evidence.withheld_images = blocked_in(connection, evidence.image_meta)
        evidence.flagged_records = flagged_record_pks(connection, pks) if pks else set()
    evidence.records = [by_pk[pk] for pk in pks if pk in by_pk]
    for sha in evidence.image_meta:
        path = store_path(images_dir, sha)
        if sha not in evidence.withheld_images and path.is_file():
            evidence.image_files[sha] = path
    evidence.links = shared_identifier_links(evidence.records)
    if explain is not None:
        evidence.paths = member_paths(evidence, explain)
    return evidence


def member_paths(evidence: CaseEvidence, explain: Explain) -> dict[str, Any]:
    """Each networked record's evidence path from its network's first record (one search per network)."""
    keys_by_network: dict[str, list[str]] = {}
    for row in evidence.records:
        if row["network_id"] in evidence.networks:
            keys_by_network.setdefault(row["network_id"], []).append(
                record_key(row["source"], row["record_id"])
            )
    paths: dict[str, Any] = {}
    for network_id, keys in keys_by_network.items():
        summary = evidence.networks[network_id].get("summary") or {}
        founder = (summary.get("records") or [None])[0] if isinstance(summary, dict) else None
        if founder:
            found = explain(str(founder), keys)
            paths.update({key: (str(founder), hops) for key, hops in found.items()})
    return paths


def city_stops(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The itinerary as city stops: each city the records were posted in, with the first and last
    posting there and how many, in the order the cities were first seen."""
    stops: dict[str, dict[str, Any]] = {}
    for row in rows:
        city = city_of(row) or "(no place stated)"
        stop = stops.setdefault(city, {"city": city, "first_seen": None, "last_seen": None, "count": 0})
        stop["count"] += 1
        when = row["posted_at"]
        if when is not None:
            stop["first_seen"] = when if stop["first_seen"] is None else min(stop["first_seen"], when)
            stop["last_seen"] = when if stop["last_seen"] is None else max(stop["last_seen"], when)
    return sorted(
        stops.values(), key=lambda s: (s["first_seen"] is None, str(s["first_seen"] or ""), s["city"])
    )


def shared_identifier_links(rows: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """Pairs of case records sharing a phone, e-mail, handle or payment handle: the diagram's edges."""
    holders: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        for kind, value in row["entities"]:
            if kind in ("phone", "email", "handle", "payment"):
                holders.setdefault((kind, value), []).append(row["id"])
    links: dict[tuple[int, int], str] = {}
    for (kind, value), pks in holders.items():
        unique = sorted(set(pks))
        for index, left in enumerate(unique):
            for right in unique[index + 1 :]:
                links.setdefault((left, right), f"{kind} {value}")
    return [(left, right, why) for (left, right), why in links.items()]


def itinerary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where and when the case's ads were posted, in time order: the movement investigators look for."""
    stops = [
        {"posted_at": row["posted_at"], "posted_at_offset": row.get("posted_at_offset"),
         "location": row["location"] or "", "source": row["source"], "record_id": row["record_id"]}
        for row in rows
        if row["posted_at"] is not None or row["location"]
    ]  # fmt: skip
    return sorted(stops, key=lambda stop: (stop["posted_at"] is None, str(stop["posted_at"] or "")))
