"""Entity pages: everything that uses one phone, email, handle, payment, URL, name or image, over time.

The count and the first and last dates are exact; the breakdowns (city, site, network, timeline) read at
most about ``ENTITY_SAMPLE`` records. ``fetch_entity`` reads; ``entity_view`` shapes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.engine import Connection

from lantern.extract import ExtractConfig, extract_text
from lantern.store.filters import carrying, identifier_match
from lantern.store.schema import entities, record_images, records
from lantern.web.models import Bucket, EntityDetail, ImageInfo, NetworkCount, without_nul
from lantern.web.views.cards import (
    PAGE_SIZE,
    bounded_page,
    carrying_planned,
    mention_snippet,
    rows_by_pk,
    summary,
    timeline,
)
from lantern.web.views.images import image_info

ENTITY_SAMPLE = 2_000
"""Records an entity page reads for its city, site, network and timeline breakdowns. An identifier on more
records (a site's help line on hundreds of thousands) is counted exactly from its index, its first and
last dates come from two index walks, and the breakdowns from an even sample of about this many of its
records, which the page says. The sample's rows lie all over the table, so a larger sample costs a cold
page cache dearly for shares that move by about a percentage point."""


def normalise_entity(kind: str, value: str, config: ExtractConfig) -> str:
    """The stored form of a typed identifier: E.164 phones, lower-case emails and handles."""
    value = without_nul(value).strip()[:400]
    if kind == "phone" and not re.fullmatch(r"\+\d{6,15}", value):
        phones = extract_text(value, config).get("phones") or []
        return phones[0] if phones else value
    if kind in ("email", "handle"):
        return value.lower()
    return value


def _entity_count(connection: Connection, kind: str, value: str) -> int:
    """How many records carry the identifier (use the image), from its index alone.

    Ingest keeps one ``entities`` row per record and identifier (and replaces them with each revision);
    an image may appear in several revisions and positions of one record, hence the distinct count."""
    if kind == "image":
        stmt = select(func.count(func.distinct(record_images.c.record_pk))).where(
            record_images.c.image_sha256 == value
        )
    else:
        stmt = select(func.count()).select_from(entities).where(identifier_match(kind, [value]))
    return int(connection.execute(stmt).scalar_one())


def _one_in(row_id: Any, stride: int) -> Any:
    """True for about one row in ``stride``, spread evenly over any run of ids.

    A plain ``id % stride`` would follow any rhythm in the ids (a phone written on every other ad of a
    site would be sampled entirely or not at all); Fibonacci hashing (the id times 2**32 over the golden
    ratio, modulo 2**32) scatters arithmetic runs of ids evenly."""
    golden, modulus = literal_column("2654435761"), literal_column("4294967296")  # bigint literals
    return (row_id * golden) % modulus < literal_column(str(4294967296 // stride))


def _entity_facts(kind: str, value: str, stride: int) -> Select:
    """Date, place, site and network of the records carrying the identifier: all of them, or about one in
    ``stride`` by record id. Ids grow with ingest, so the sample spreads over the whole history, and the
    test is read off the (kind, value, record_pk) index, so only the sampled records are fetched."""
    facts = (records.c.posted_at, records.c.location, records.c.source, records.c.network_id)
    if kind == "image":
        stmt = select(*facts).where(carrying("image", [value]))
        return stmt.where(_one_in(records.c.id, stride)) if stride > 1 else stmt
    stmt = select(*facts).join_from(entities, records, records.c.id == entities.c.record_pk)
    stmt = stmt.where(identifier_match(kind, [value]))
    return stmt.where(_one_in(entities.c.record_pk, stride)) if stride > 1 else stmt


def _seen_edges(connection: Connection, listed: Any) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest dates of the records carrying an identifier: one index walk from each end
    of ``posted_at`` (dense identifiers are met within a few records)."""
    dated = select(records.c.posted_at).where(records.c.posted_at.is_not(None), listed).limit(1)
    first = connection.execute(dated.order_by(records.c.posted_at.asc())).scalar()
    last = connection.execute(dated.order_by(records.c.posted_at.desc())).scalar()
    return first, last


@dataclass
class EntityRows:
    """What the entity page reads: the exact count, the (sampled) facts of the records carrying it, the
    first and last dates when the sample cannot give them, one page of card rows, and the image."""

    kind: str
    value: str
    total: int
    facts: list[Any]
    sampled: bool
    page: int
    page_size: int
    pks: list[int] = field(default_factory=list)
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    seen: tuple[datetime | None, datetime | None] | None = None
    image: ImageInfo | None = None


def fetch_entity(connection: Connection, kind: str, value: str, *, page: int, page_size: int) -> EntityRows:
    total = _entity_count(connection, kind, value)
    stride = max(1, -(-total // ENTITY_SAMPLE))
    facts = connection.execute(_entity_facts(kind, value, stride)).all()
    found = EntityRows(kind, value, total, list(facts), stride > 1, page, page_size)
    listed = carrying_planned(connection, kind, [value], total)
    if stride > 1:
        found.seen = _seen_edges(connection, listed)
    found.pks = list(
        connection.execute(
            select(records.c.id)
            .where(listed)
            .order_by(records.c.posted_at.desc(), records.c.id.desc())
            .limit(page_size + 1)
            .offset((page - 1) * page_size)
        ).scalars()
    )
    found.rows = rows_by_pk(connection, found.pks[:page_size])
    found.image = image_info(connection, value) if kind == "image" else None
    return found


def entity_view(found: EntityRows) -> EntityDetail:
    facts = found.facts
    dated = [f.posted_at for f in facts if f.posted_at is not None]
    if found.seen is not None:
        first_seen, last_seen = found.seen
    else:
        first_seen, last_seen = (min(dated), max(dated)) if dated else (None, None)
    by_city = Counter(f.location or "(none)" for f in facts).most_common(25)
    by_site = Counter(f.source for f in facts).most_common(25)
    networks = Counter(f.network_id for f in facts if f.network_id).most_common(25)
    summaries = []
    for pk in found.pks[: found.page_size]:
        if pk in found.rows:
            row = found.rows[pk]
            snippet = mention_snippet(row, found.kind, {found.value}) if found.kind != "image" else None
            summaries.append(summary(row, snippet))
    return EntityDetail(
        kind=found.kind,  # type: ignore[arg-type]
        value=found.value,
        count=found.total,
        sampled=len(facts),
        first_seen=first_seen,
        last_seen=last_seen,
        by_city=[Bucket(label=k, count=c) for k, c in by_city],
        by_site=[Bucket(label=k, count=c) for k, c in by_site],
        timeline=timeline(dated),
        networks=[NetworkCount(network_id=k, count=c) for k, c in networks],
        image=found.image,
        page=found.page,
        page_size=found.page_size,
        has_next=len(found.pks) > found.page_size,
        records=summaries,
    )


def entity_detail(
    connection: Connection, kind: str, value: str, *, page: int = 1, page_size: int = PAGE_SIZE
) -> EntityDetail:
    """Everything that uses one phone, email, handle, payment, URL, name or image, over time."""
    return entity_view(fetch_entity(connection, kind, value, page=bounded_page(page), page_size=page_size))
