"""The triage queue: likely minors first, then the trafficking score, newest first among equal scores.

Two shapes over the same order (``RISK_ORDER``, one index walk):

* ``triage``: records, one per row (``/api/triage``, the queue as it always was);
* ``triage_queue``: the investigator's queue, per agency: records and networks the agency reviewed or
  dismissed leave it, each network is one row (its best record first, its own scores and reasons, the
  other members expandable), filters narrow it, and every row says how its score was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, or_, select, tuple_
from sqlalchemy.engine import Connection

from lantern.cases.review import OUT_OF_QUEUE, network_states, record_states
from lantern.store.filters import filter_conditions
from lantern.store.queries import ANY_RISK, RISK_ORDER
from lantern.store.schema import network_reviews, networks, record_reviews, records
from lantern.web.models import ReviewState, TriageFilters, TriagePage, TriageQueue, TriageRow
from lantern.web.views.cards import (
    PAGE_SIZE,
    SUMMARY_COLUMNS,
    bounded_page,
    indicator_groups,
    score_breakdown,
    summary,
)

SCAN_CHUNK = 200
SCAN_MAX = 4_000
"""Records the grouped queue reads at most for one page (a network of hundreds of near-identical ads
fills one row, not a page); a page that reaches it shows the rows found so far."""
OTHERS_SHOWN = 10


def fetch_queue(connection: Connection, page: int, page_size: int) -> list[dict[str, Any]]:
    """One page of the queue (and one row more when there is a next): one index walk (``RISK_ORDER``)."""
    stmt = (
        select(*SUMMARY_COLUMNS)
        .where(ANY_RISK)
        .order_by(*RISK_ORDER)
        .limit(page_size + 1)
        .offset((page - 1) * page_size)
    )
    return [dict(r) for r in connection.execute(stmt).mappings()]


def triage_view(rows: list[dict[str, Any]], page: int, page_size: int) -> TriagePage:
    return TriagePage(
        page=page,
        page_size=page_size,
        has_next=len(rows) > page_size,
        results=[summary(row) for row in rows[:page_size]],
    )


def triage(connection: Connection, *, page: int = 1, page_size: int = PAGE_SIZE) -> TriagePage:
    """Children first (PRINCIPLES.md §3)."""
    page = bounded_page(page)
    return triage_view(fetch_queue(connection, page, page_size), page, page_size)


# ------------------------------------------------------------------------------------ grouped queue

Cursor = tuple[float, float, int]


def parse_cursor(value: str | None) -> Cursor | None:
    """``minor,trafficking,id`` of the last record a page read, or None."""
    try:
        minor, traf, pk = (value or "").split(",")
        return float(minor), float(traf), int(pk)
    except ValueError:
        return None


def _state_conditions(filters: TriageFilters, agency_id: int, user_id: int) -> list[Any]:
    mine_r = record_reviews.c.agency_id == agency_id
    mine_n = network_reviews.c.agency_id == agency_id
    reviewed_record = exists().where(mine_r, record_reviews.c.record_pk == records.c.id)
    reviewed_network = exists().where(mine_n, network_reviews.c.network_id == records.c.network_id)

    def record_in(*states: str) -> Any:
        return exists().where(
            mine_r, record_reviews.c.record_pk == records.c.id, record_reviews.c.state.in_(states)
        )

    def network_in(*states: str) -> Any:
        return exists().where(
            mine_n, network_reviews.c.network_id == records.c.network_id, network_reviews.c.state.in_(states)
        )

    if filters.state == "queue":
        return [~record_in(*OUT_OF_QUEUE), ~network_in(*OUT_OF_QUEUE)]
    if filters.state == "new":
        return [~reviewed_record, ~reviewed_network]
    if filters.state == "mine":
        return [
            or_(
                exists().where(
                    mine_r,
                    record_reviews.c.record_pk == records.c.id,
                    record_reviews.c.assignee_id == user_id,
                ),
                exists().where(
                    mine_n,
                    network_reviews.c.network_id == records.c.network_id,
                    network_reviews.c.assignee_id == user_id,
                ),
            )
        ]
    if filters.state in ("reviewed", "dismissed", "escalated"):
        return [or_(record_in(filters.state), network_in(filters.state))]
    return []


def _conditions(filters: TriageFilters, agency_id: int, user_id: int) -> list[Any]:
    conditions = [ANY_RISK, *filter_conditions(filters)]
    if filters.max_trafficking is not None:
        conditions.append(records.c.trafficking_score <= filters.max_trafficking)
    if filters.max_minor is not None:
        conditions.append(records.c.minor_score <= filters.max_minor)
    return conditions + _state_conditions(filters, agency_id, user_id)


@dataclass
class QueueRows:
    """What the grouped queue read: record rows in queue order, grouped (network id or ``record:pk``),
    the networks' rows, the agency's review states, and where the next page starts."""

    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    record_states: dict[int, dict[str, Any]] = field(default_factory=dict)
    network_states: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_after: Cursor | None = None


def _key(row: dict[str, Any]) -> str:
    return row["network_id"] or f"record:{row['id']}"


def fetch_grouped_queue(
    connection: Connection,
    filters: TriageFilters,
    *,
    agency_id: int,
    user_id: int,
    after: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> QueueRows:
    """Up to ``page_size`` groups in queue order after ``after``, reading records in chunks.

    A network is listed at its best member, so a network that already had a member before ``after`` was
    on an earlier page and is skipped."""
    conditions = _conditions(filters, agency_id, user_id)
    found = QueueRows()
    cursor, scanned, skipped = after, 0, set()
    while len(found.groups) <= page_size and scanned < SCAN_MAX:
        stmt = select(*SUMMARY_COLUMNS).where(*conditions)
        if cursor is not None:
            key = tuple_(records.c.minor_score, records.c.trafficking_score, records.c.id)
            stmt = stmt.where(key < tuple_(*cursor))
        rows = [dict(r) for r in connection.execute(stmt.order_by(*RISK_ORDER).limit(SCAN_CHUNK)).mappings()]
        if not rows:
            break
        scanned += len(rows)
        fresh = {row["network_id"] for row in rows if row["network_id"]} - set(found.groups) - skipped
        if after is not None and fresh:
            skipped |= _listed_before(connection, conditions, list(fresh), after)
        for row in rows:
            key = _key(row)
            if key in skipped:
                continue
            if key not in found.groups and len(found.groups) == page_size:
                found.next_after = (row["minor_score"], row["trafficking_score"], row["id"])
                break
            found.groups.setdefault(key, []).append(row)
        if found.next_after is not None:
            break
        last = rows[-1]
        cursor = (last["minor_score"], last["trafficking_score"], last["id"])
        if len(rows) < SCAN_CHUNK:
            break
    else:  # read SCAN_MAX records: the next page goes on from there
        found.next_after = cursor
    ids = [key for key in found.groups if not key.startswith("record:")]
    if ids:
        found.networks = {
            row["id"]: dict(row)
            for row in connection.execute(
                select(networks.c.id, networks.c.size, networks.c.trafficking_score, networks.c.minor_score,
                       networks.c.indicators).where(networks.c.id.in_(ids))
            ).mappings()
        }  # fmt: skip
    pks = [row["id"] for rows in found.groups.values() for row in rows]
    found.record_states = record_states(connection, agency_id, pks)
    found.network_states = network_states(connection, agency_id, ids)
    return found


def _listed_before(connection: Connection, conditions: list[Any], ids: list[str], after: Cursor) -> set[str]:
    """The networks among ``ids`` with a queued member at or before ``after``: listed on an earlier page."""
    key = tuple_(records.c.minor_score, records.c.trafficking_score, records.c.id)
    rows = connection.execute(
        select(records.c.network_id)
        .where(*conditions, records.c.network_id.in_(ids), key >= tuple_(*after))
        .distinct()
    ).scalars()
    return set(rows)


def review_of(row: dict[str, Any] | None) -> ReviewState:
    if not row:
        return ReviewState()
    return ReviewState(
        state=row["state"],
        assignee=row.get("assignee"),
        updated_by=row.get("updated_by_name"),
        updated_at=row["updated_at"],
    )


def queue_view(found: QueueRows, filters: TriageFilters, page: int, page_size: int) -> TriageQueue:
    """The grouped queue from what was read: one row per network or lone record, each with its score
    breakdown (the record's own rules and its network's) and the agency's review state."""
    out = []
    for key, rows in found.groups.items():
        best = rows[0]
        net = found.networks.get(key) if best["network_id"] else None
        network_items = net["indicators"] if net else []
        extracted = best["extracted"] if isinstance(best["extracted"], dict) else {}
        stored = {"minor": best["minor_score"], "trafficking": best["trafficking_score"]}
        review = found.network_states.get(key) if best["network_id"] else found.record_states.get(best["id"])
        out.append(
            TriageRow(
                network_id=best["network_id"],
                network_size=int(net["size"]) if net else 0,
                network_trafficking=float(net["trafficking_score"]) if net else 0.0,
                network_minor=float(net["minor_score"]) if net else 0.0,
                network_indicators=indicator_groups(network_items)[:4],
                best=summary(best),
                breakdown=score_breakdown(extracted.get("indicators"), network_items, stored),
                others=[summary(row, reasons=1) for row in rows[1 : 1 + OTHERS_SHOWN]],
                review=review_of(review),
            )
        )
    cursor = found.next_after
    return TriageQueue(
        filters=filters,
        page=page,
        page_size=page_size,
        has_next=cursor is not None,
        next_after=f"{cursor[0]},{cursor[1]},{cursor[2]}" if cursor else None,
        rows=out,
    )


def triage_queue(
    connection: Connection,
    filters: TriageFilters,
    *,
    agency_id: int,
    user_id: int,
    after: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> TriageQueue:
    found = fetch_grouped_queue(
        connection,
        filters,
        agency_id=agency_id,
        user_id=user_id,
        after=parse_cursor(after),
        page_size=page_size,
    )
    return queue_view(found, filters, page, page_size)
