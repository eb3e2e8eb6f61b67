"""Turning one validated record into what the store keeps: values, hashes, images and entities."""

from __future__ import annotations

import hashlib

import orjson

from lantern.ingest.reader import Reading
from lantern.instants import split_instant
from lantern.records import InputRecord
from lantern.sources.files import RawItem
from lantern.store.writer import PreparedRecord


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


def prepare(reading: Reading, item: RawItem) -> PreparedRecord:
    """The stored form of one record read (not refused): its values, extraction, images and hashes."""
    record, extraction, stored_images = reading.record, reading.extraction, reading.images
    assert record is not None and extraction is not None, "a refused record is quarantined, not stored"
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
            "extracted": reading.stored_extraction(),
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
