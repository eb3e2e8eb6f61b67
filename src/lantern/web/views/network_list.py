"""The list of networks: sorted by minor risk, trafficking risk, size, first or last seen, or growth, and
filtered by scores, size, a city or site of their records, dates and growth since a date; paginated.

City and site filters are answered through the records' own indexes (a network is kept when one of its
records is in the city or on the site), so they need no search inside the stored summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from lantern.cases.review import network_states
from lantern.store.filters import city_conditions
from lantern.store.schema import networks, records
from lantern.web.models import NetworkList, NetworkListItem, NetworkSort, SearchFilters, without_nul
from lantern.web.views.cards import PAGE_SIZE, bounded_page
from lantern.web.views.triage import review_of

SORTS: dict[str, list[Any]] = {
    "minor": [networks.c.minor_score.desc(), networks.c.trafficking_score.desc(), networks.c.id],
    "trafficking": [networks.c.trafficking_score.desc(), networks.c.minor_score.desc(), networks.c.id],
    "size": [networks.c.size.desc(), networks.c.id],
    "last_seen": [networks.c.last_seen.desc(), networks.c.id],
    "first_seen": [networks.c.first_seen.desc(), networks.c.id],
}
TOTAL_CAP = 10_000


@dataclass
class NetworkFilters:
    """What the list can be narrowed to (every field optional)."""

    min_minor: float | None = None
    min_trafficking: float | None = None
    min_size: int | None = None
    city: str | None = None
    site: str | None = None
    seen_from: date | None = None
    seen_to: date | None = None
    grew_since: date | None = None

    def used(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class NetworkListRows:
    rows: list[dict[str, Any]]
    total: int
    grew: dict[str, int] = field(default_factory=dict)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)


def _conditions(filters: NetworkFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.min_minor is not None:
        conditions.append(networks.c.minor_score >= filters.min_minor)
    if filters.min_trafficking is not None:
        conditions.append(networks.c.trafficking_score >= filters.min_trafficking)
    if filters.min_size is not None:
        conditions.append(networks.c.size >= filters.min_size)
    if filters.city:
        located = select(records.c.network_id).where(*city_conditions(SearchFilters(city=filters.city)))
        conditions.append(networks.c.id.in_(located.where(records.c.network_id.is_not(None))))
    if filters.site:
        on_site = select(records.c.network_id).where(records.c.source == without_nul(filters.site)[:1000])
        conditions.append(networks.c.id.in_(on_site.where(records.c.network_id.is_not(None))))
    if filters.seen_from:  # active on or after: last seen from that day
        conditions.append(networks.c.last_seen >= filters.seen_from.isoformat())
    if filters.seen_to:  # active on or before: first seen by the end of that day
        conditions.append(networks.c.first_seen < (filters.seen_to + timedelta(days=1)).isoformat())
    if filters.grew_since:
        conditions.append(
            networks.c.id.in_(_grew(filters.grew_since).with_only_columns(records.c.network_id))
        )
    return conditions


def _grew(since: date) -> Any:
    """Records per network collected since the start of ``since`` (``ix_records_first_ingested_at``)."""
    start = datetime.combine(since, dtime.min)
    return (
        select(records.c.network_id, func.count().label("gained"))
        .where(records.c.first_ingested_at >= start, records.c.network_id.is_not(None))
        .group_by(records.c.network_id)
    )


def fetch_networks(
    connection: Connection,
    filters: NetworkFilters,
    sort: NetworkSort,
    page: int,
    page_size: int,
    agency_id: int,
) -> NetworkListRows:
    conditions = _conditions(filters)
    columns = (networks.c.id, networks.c.size, networks.c.trafficking_score, networks.c.minor_score,
               networks.c.first_seen, networks.c.last_seen, networks.c.summary)  # fmt: skip
    if sort == "grew":
        gained = _grew(filters.grew_since or date.today()).subquery()
        stmt = (
            select(*columns, gained.c.gained)
            .join(gained, gained.c.network_id == networks.c.id)
            .where(*conditions)
            .order_by(gained.c.gained.desc(), networks.c.id)
        )
    else:
        stmt = select(*columns).where(*conditions).order_by(*SORTS[sort])
    rows = [
        dict(r)
        for r in connection.execute(stmt.limit(page_size + 1).offset((page - 1) * page_size)).mappings()
    ]
    counted = select(func.count()).select_from(stmt.order_by(None).limit(TOTAL_CAP).subquery())
    found = NetworkListRows(rows=rows, total=int(connection.execute(counted).scalar_one()))
    ids = [row["id"] for row in rows]
    if filters.grew_since and sort != "grew" and ids:
        found.grew = dict(
            connection.execute(_grew(filters.grew_since).where(records.c.network_id.in_(ids))).all()
        )
    elif sort == "grew":
        found.grew = {row["id"]: int(row["gained"]) for row in rows}
    found.states = network_states(connection, agency_id, ids)
    return found


def network_list_view(found: NetworkListRows, sort: NetworkSort, page: int, page_size: int) -> NetworkList:
    items = []
    for row in found.rows[:page_size]:
        summary = row["summary"] if isinstance(row["summary"], dict) else {}
        cities = [str(stop.get("city")) for stop in summary.get("itinerary") or [] if isinstance(stop, dict)]
        items.append(
            NetworkListItem(
                id=row["id"],
                size=int(row["size"]),
                trafficking_score=float(row["trafficking_score"]),
                minor_score=float(row["minor_score"]),
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
                cities=[c for c in cities if c and c != "None"][:8],
                sites=[str(s) for s in summary.get("sites") or []][:8],
                grew=int(found.grew.get(row["id"], 0)),
                review=review_of(found.states.get(row["id"])),
            )
        )
    return NetworkList(
        sort=sort,
        page=page,
        page_size=page_size,
        has_next=len(found.rows) > page_size,
        total=found.total,
        networks=items,
    )


def network_list(
    connection: Connection,
    filters: NetworkFilters,
    *,
    sort: NetworkSort = "minor",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    agency_id: int,
) -> NetworkList:
    page = bounded_page(page)
    return network_list_view(
        fetch_networks(connection, filters, sort, page, page_size, agency_id), sort, page, page_size
    )
