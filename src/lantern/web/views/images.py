"""Stored images as pages show them: their facts, whether they may be shown at all, and the records that
use them (for the image search and the entity page of an image)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from lantern.store.schema import images, record_images, records
from lantern.web.models import ImageInfo, RecordSummary
from lantern.web.security import image_may_be_shown
from lantern.web.views.cards import carrying_planned, rows_by_pk, summary


def image_fields(row: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """An ``images`` row as ``ImageInfo`` fields, with whether it may be shown (never a hash-list match)."""
    return {
        "sha256": row["sha256"],
        "media_type": row["media_type"],
        "width": row["width"],
        "height": row["height"],
        "size_bytes": row["size_bytes"],
        "phash": row["phash"],
        "may_be_shown": image_may_be_shown(row["sha256"], engine),
    }


def image_info(connection: Connection, sha256: str) -> ImageInfo | None:
    row = connection.execute(select(images).where(images.c.sha256 == sha256)).mappings().first()
    return ImageInfo(**image_fields(dict(row), connection.engine)) if row else None


def image_rows(connection: Connection, shas: Sequence[str]) -> dict[str, ImageInfo]:
    if not shas:
        return {}
    rows = connection.execute(select(images).where(images.c.sha256.in_(list(shas)))).mappings()
    return {row["sha256"]: ImageInfo(**image_fields(dict(row), connection.engine)) for row in rows}


def image_media_type(connection: Connection, sha256: str) -> str | None:
    """The media type recorded at ingest: responses never guess it from the request or the bytes."""
    return connection.execute(
        select(images.c.media_type).where(images.c.sha256 == sha256)
    ).scalar_one_or_none()


def records_using_images(
    connection: Connection, shas: Sequence[str], per_image: int = 10
) -> dict[str, tuple[list[RecordSummary], int]]:
    """For each image, a few records that use it (newest first) and how many use it in all."""
    if not shas:
        return {}
    counts = dict(
        connection.execute(
            select(record_images.c.image_sha256, func.count(func.distinct(record_images.c.record_pk)))
            .where(record_images.c.image_sha256.in_(list(shas)))
            .group_by(record_images.c.image_sha256)
        ).all()
    )
    out: dict[str, tuple[list[RecordSummary], int]] = {}
    for sha in shas:
        pks = list(
            connection.execute(
                select(records.c.id)
                .where(carrying_planned(connection, "image", [sha], counts.get(sha, 0)))
                .order_by(records.c.posted_at.desc(), records.c.id.desc())
                .limit(per_image)
            ).scalars()
        )
        rows = rows_by_pk(connection, pks)
        out[sha] = ([summary(rows[pk]) for pk in pks if pk in rows], int(counts.get(sha, 0)))
    return out
