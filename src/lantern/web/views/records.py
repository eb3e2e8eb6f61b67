"""The record page: highlighted fields with what was extracted and why the score rose, the network's
indicators, images, and every preserved revision. ``fetch_record`` reads; ``record_view`` shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from lantern.store.queries import fill_network_indicators
from lantern.store.schema import entities, images, record_images, record_revisions, records
from lantern.web.highlight import clamp_span
from lantern.web.models import EntityRef, FieldText, Reason, RecordDetail, RecordImage, Revision, SpanNote
from lantern.web.views.cards import indicator_groups, reasons_of
from lantern.web.views.images import image_fields

FIELDS = ("title", "body", "location", "url", "author")


@dataclass
class RecordRows:
    """What the record page reads: the record's row, its identifiers, its images (with whether each may
    be shown), its revisions, its network's size and indicators."""

    row: dict[str, Any]
    entities: list[tuple[str, str, bool]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    revisions: list[dict[str, Any]] = field(default_factory=list)
    network_size: int = 0
    network_indicators: list[Any] = field(default_factory=list)


def fetch_record(connection: Connection, source: str, record_id: str) -> RecordRows | None:
    row = (
        connection.execute(
            select(records).where(records.c.source == source, records.c.record_id == record_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    found = RecordRows(row=dict(row))
    found.entities = [
        (k, v, bool(o))
        for k, v, o in connection.execute(
            select(entities.c.kind, entities.c.value, entities.c.obscured)
            .where(entities.c.record_pk == row["id"])
            .order_by(entities.c.kind, entities.c.value)
        )
    ]
    image_rows = connection.execute(
        select(images, record_images.c.position, record_images.c.original_ref)
        .select_from(record_images.join(images, images.c.sha256 == record_images.c.image_sha256))
        .where(record_images.c.record_pk == row["id"], record_images.c.revision == row["revision"])
        .order_by(record_images.c.position)
    ).mappings()
    found.images = [
        {
            **image_fields(dict(r), connection.engine),
            "position": r["position"],
            "original_ref": r["original_ref"],
        }
        for r in image_rows
    ]
    found.revisions = [
        dict(r)
        for r in connection.execute(
            select(record_revisions)
            .where(record_revisions.c.record_pk == row["id"])
            .order_by(record_revisions.c.revision.desc())
        ).mappings()
    ]
    if row["network_id"]:
        found.network_size = connection.execute(
            select(func.count()).select_from(records).where(records.c.network_id == row["network_id"])
        ).scalar_one()
        # the network's indicators are stored once, on the network row, and the record's own part on it
        filled = [{"network_id": row["network_id"], "network_indicators": row["network_indicators"]}]
        fill_network_indicators(connection, filled)
        found.network_indicators = filled[0]["network_indicators"] or []
    return found


def field_notes(
    extracted: dict[str, Any], field: str, text_value: str, reasons: list[Reason]
) -> list[SpanNote]:
    """The highlighted spans of one field: each extracted mention and each indicator, with a label."""
    notes: list[SpanNote] = []
    for mention in extracted.get("mentions") or []:
        if not isinstance(mention, dict) or mention.get("field") != field:
            continue
        span = clamp_span(mention.get("span"), len(text_value))
        if span is None:
            continue
        kind = str(mention.get("type") or "entity")
        value = mention.get("value")
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
        label = f"{kind}: {value}"
        if mention.get("obscured"):
            techniques = ", ".join(str(t) for t in mention.get("techniques") or [])
            label += f" (disguised: {techniques})" if techniques else " (disguised)"
        notes.append(SpanNote(start=span[0], end=span[1], kind=kind, label=label))
    for reason in reasons:
        if reason.field != field or reason.span is None:
            continue
        span = clamp_span(list(reason.span), len(text_value))
        if span is None:
            continue
        notes.append(
            SpanNote(
                start=span[0],
                end=span[1],
                kind="indicator",
                label=f"indicator {reason.id} (weight {reason.weight:g}): {reason.explanation}",
            )
        )
    return notes


def record_view(found: RecordRows) -> RecordDetail:
    """Everything about one record: highlighted fields, entities, reasons, images and all revisions."""
    row = found.row
    extracted = row["extracted"] if isinstance(row["extracted"], dict) else {}
    reasons = reasons_of(extracted)
    fields = [
        FieldText(field=name, text=row[name], notes=field_notes(extracted, name, row[name], reasons))
        for name in FIELDS
        if row[name]
    ]
    return RecordDetail(
        source=row["source"],
        record_id=row["record_id"],
        kind=row["kind"],
        url=row["url"],
        title=row["title"],
        body=row["body"],
        location=row["location"],
        author=row["author"],
        posted_at=row["posted_at"],
        collected_at=row["collected_at"],
        posted_at_offset=row.get("posted_at_offset"),
        collected_at_offset=row.get("collected_at_offset"),
        network_id=row["network_id"],
        network_size=found.network_size,
        trafficking_score=row["trafficking_score"] or 0.0,
        minor_score=row["minor_score"] or 0.0,
        content_sha256=row["content_sha256"],
        revision=row["revision"],
        fields=fields,
        entities=[EntityRef(kind=k, value=v, obscured=o) for k, v, o in found.entities],
        indicators=reasons,
        network_indicators=indicator_groups(found.network_indicators) if row["network_id"] else [],
        images=[RecordImage(**image) for image in found.images],
        revisions=[Revision(**{k: r[k] for k in Revision.model_fields}) for r in found.revisions],
        extracted=extracted,
    )


def record_detail(connection: Connection, source: str, record_id: str) -> RecordDetail | None:
    found = fetch_record(connection, source, record_id)
    return record_view(found) if found is not None else None
