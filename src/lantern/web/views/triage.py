"""The triage queue: likely minors first, then the trafficking score, newest first among equal scores."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from lantern.store.queries import ANY_RISK, RISK_ORDER
from lantern.web.models import TriagePage
from lantern.web.views.cards import PAGE_SIZE, SUMMARY_COLUMNS, bounded_page, summary


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
