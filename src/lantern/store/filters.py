"""Conditions on ``records`` for the filters investigators set (city, site, dates, kind, scores) and for
the records that carry an identifier; portable SQL, written once for every page and database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any, Protocol

from sqlalchemy import and_, func, literal_column, select

from lantern.store.schema import entities, record_images, records


class RecordFilters(Protocol):
    """What a filter form holds (``lantern.web.models.SearchFilters`` is one)."""

    city: str | None
    site: str | None
    date_from: date | None
    date_to: date | None
    kind: str | None
    min_trafficking: float | None
    min_minor: float | None


def like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_conditions(filters: RecordFilters) -> list[Any]:
    """The filters as conditions on ``records``."""
    return city_conditions(filters) + indexed_conditions(filters)


def city_prefix(filters: RecordFilters) -> str:
    return (filters.city or "").strip().lower()[:200]


def city_conditions(filters: RecordFilters, *, hidden: bool = False) -> list[Any]:
    """The city filter, a case-insensitive prefix of the stated location (``hidden``: see
    ``indexed_conditions``)."""
    if not filters.city:
        return []
    pattern = like_escape(city_prefix(filters)) + "%"
    location = literal_column("+records.location") if hidden else records.c.location
    return [func.lower(location).like(pattern, escape="\\")]


def indexed_conditions(filters: RecordFilters, *, hidden: bool = False) -> list[Any]:
    """One condition per filter that an index answers: site, dates, kind, minimum scores.

    ``hidden`` writes each column with SQLite's unary ``+``, which keeps the planner from walking that
    column's index (SQLite's full-text plan uses it; see ``lantern.store.fulltext``)."""

    def column_(col: Any) -> Any:
        return literal_column(f"+records.{col.name}", type_=col.type) if hidden else col

    conditions: list[Any] = []
    if filters.site:
        conditions.append(column_(records.c.source) == filters.site[:1000])
    dated = []
    if filters.date_from:
        dated.append(column_(records.c.posted_at) >= datetime.combine(filters.date_from, dtime.min))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), dtime.min)
        dated.append(column_(records.c.posted_at) < end)
    if dated:
        conditions.append(and_(*dated))
    if filters.kind:
        conditions.append(column_(records.c.kind) == filters.kind)
    if filters.min_trafficking is not None:
        conditions.append(column_(records.c.trafficking_score) >= filters.min_trafficking)
    if filters.min_minor is not None:
        conditions.append(column_(records.c.minor_score) >= filters.min_minor)
    return conditions


def identifier_match(mode: str, values: list[str]) -> Any:
    """The ``entities`` rows of the identifiers: exact values, or a handle on any platform."""
    if mode == "handle" and values and ":" not in values[0]:
        return and_(
            entities.c.kind == "handle", entities.c.value.like("%:" + like_escape(values[0]), escape="\\")
        )
    return and_(entities.c.kind == mode, entities.c.value.in_(values))


def carrying(mode: str, values: list[str]) -> Any:
    """Records carrying the identifier (or using the image), looked up through the (kind, value) index.

    For an identifier thousands of records carry, ``FullText.dense_carrying`` may plan it better."""
    if mode == "image":
        match = record_images.c.image_sha256.in_(values)
        return records.c.id.in_(select(record_images.c.record_pk).where(match))
    return records.c.id.in_(select(entities.c.record_pk).where(identifier_match(mode, values)))
