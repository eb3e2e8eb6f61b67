"""Turning one validated record into what the store keeps: values, hashes, images and entities."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from lantern.ingest.images import ImagePreserver, StoredImage
from lantern.ingest.parse import Problem
from lantern.instants import split_instant
from lantern.records import InputRecord, bound_extraction
from lantern.sources.files import RawItem
from lantern.store.dialect import EncodedJSON, json_text
from lantern.store.writer import PreparedRecord

Extractor = Callable[[InputRecord], dict[str, Any]]

ENTITY_KINDS = {"phones": "phone", "emails": "email", "urls": "url", "names": "name"}


def content_hash(record: InputRecord, image_hashes: list[str]) -> str:
    """SHA-256 of what the record says, independent of key order and of when it was collected.

    ``collected_at`` and ``extra.provenance`` are left out so that capturing an unchanged ad again is
    recognised as unchanged;
    the images' own hashes are put in, so a swapped photo behind the same path is a new revision.
    """
    content = record.model_dump(mode="json", exclude={"collected_at"})
    # Where a page reader found the record (WARC offset, CDR line) changes with every capture, not the ad.
    content["extra"].pop("provenance", None)
    content["images"] = [content["images"], image_hashes]
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def entity_rows(extracted: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Searchable identifiers of a record, each marked obscured when the ad disguised it."""
    obscured_values = {
        (m.get("type"), m.get("value"))
        for m in extracted.get("mentions", [])
        if m.get("obscured") and isinstance(m.get("value"), str)
    }
    rows: list[tuple[str, str, bool]] = []
    for key, kind in ENTITY_KINDS.items():
        for value in extracted.get(key, []):
            rows.append((kind, str(value), (kind, value) in obscured_values))
    for handle in extracted.get("handles", []):
        value = f"{handle['platform']}:{handle['handle']}".lower()
        rows.append(("handle", value, False))
    for payment in extracted.get("payments", []):
        ident = payment.get("handle") or payment.get("address") or ""
        rows.append(("payment", f"{payment['platform']}:{ident}", False))
    return list(dict.fromkeys(rows))


@dataclass(slots=True)
class Extraction:
    """One record's extraction as it travels from the process that read the record to the writer.

    The extracted-fields object is a few hundred small dicts and lists. Pickled, unpickled and then
    encoded again for the ``extracted`` column, it cost the writer more than any other step of a record
    but the SQL itself; here it is encoded once, where it was made, together with the few facts the
    writer needs from it. ``json`` has ``images`` empty: the writer adds the images it preserved.
    """

    json: str
    entities: list[tuple[str, str, bool]]
    trafficking_score: float
    minor_score: float


def encode_extraction(extracted: dict[str, Any]) -> Extraction:
    """An ``Extractor``'s output as it is stored and sent (``Extraction``)."""
    extracted["images"] = []
    bound_extraction(extracted)
    risk = extracted.get("risk", {})
    return Extraction(
        json=json_text(extracted),
        entities=entity_rows(extracted),
        trafficking_score=float(risk.get("trafficking", 0.0)),
        minor_score=float(risk.get("minor", 0.0)),
    )


def _stored_extraction(extraction: Extraction, stored_images: list[StoredImage]) -> Any:
    """The ``extracted`` column's value: the encoded text as it came, or with the images put in."""
    if not stored_images:
        return EncodedJSON(extraction.json)
    extracted = orjson.loads(extraction.json)
    extracted["images"] = [{"sha256": image.sha256, "phash": image.phash} for image in stored_images]
    return extracted


def preserve_images(
    record: InputRecord, item: RawItem, preserver: ImagePreserver
) -> list[StoredImage] | Problem:
    stored: list[StoredImage] = []
    for ref in record.images:
        result = preserver.preserve(ref, item.base_dir)
        if isinstance(result, Problem):
            return result
        if result is not None:
            stored.append(result)
    return stored


def prepare(
    record: InputRecord, item: RawItem, stored_images: list[StoredImage], extraction: Extraction
) -> PreparedRecord:
    """The stored form of one record, from its extraction and its images."""
    image_hashes = [image.sha256 for image in stored_images]
    posted_at, posted_at_offset = split_instant(record.posted_at)  # UTC, and the offset as stated
    collected_at, collected_at_offset = split_instant(record.collected_at)
    return PreparedRecord(
        source=record.source,
        record_id=record.id,
        values={
            "source": record.source,
            "record_id": record.id,
            "kind": record.kind,
            "url": record.url,
            "title": record.title,
            "body": record.body,
            "location": record.location,
            "author": record.author,
            "posted_at": posted_at,
            "posted_at_offset": posted_at_offset,
            "collected_at": collected_at,
            "collected_at_offset": collected_at_offset,
            "extra": record.extra,
            "extracted": _stored_extraction(extraction, stored_images),
            "trafficking_score": extraction.trafficking_score,
            "minor_score": extraction.minor_score,
        },
        content_sha256=content_hash(record, image_hashes),
        raw=item.raw.decode("utf-8"),
        raw_sha256=hashlib.sha256(item.raw).hexdigest(),
        raw_format=item.fmt,
        origin_file=item.origin,
        origin_line=item.line,
        images=stored_images,
        entities=extraction.entities,
    )
