"""The alert inbox: query functions the CLI uses now and the web pages will use later."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from lantern.store.schema import alerts, records, users, watchlist_entries


def list_alerts(
    engine: Engine,
    *,
    user_id: int | None = None,
    agency_id: int | None = None,
    unread_only: bool = False,
    limit: int = 100,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """Alerts newest first with the entry and record they name (no ad text beyond the title)."""
    query = (
        select(
            alerts,
            watchlist_entries.c.kind.label("entry_kind"),
            watchlist_entries.c.value.label("entry_value"),
            watchlist_entries.c.label.label("entry_label"),
            users.c.username.label("owner"),
            records.c.source,
            records.c.record_id,
            records.c.title,
            records.c.url,
        )
        .join(watchlist_entries, watchlist_entries.c.id == alerts.c.entry_id)
        .join(users, users.c.id == alerts.c.user_id)
        .join(records, records.c.id == alerts.c.record_pk)
        .order_by(alerts.c.id.desc())
        .limit(max(1, min(limit, 10_000)))
    )
    if user_id is not None:
        query = query.where(alerts.c.user_id == user_id)
    if agency_id is not None:
        query = query.where(alerts.c.agency_id == agency_id)
    if unread_only:
        query = query.where(alerts.c.read_at.is_(None))
    if before_id is not None:
        query = query.where(alerts.c.id < before_id)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def mark_read(engine: Engine, alert_ids: list[int], user_id: int) -> int:
    """Mark a user's own alerts read; returns how many changed."""
    with engine.begin() as connection:
        result = connection.execute(
            alerts.update()
            .where(alerts.c.id.in_(alert_ids), alerts.c.user_id == user_id, alerts.c.read_at.is_(None))
            .values(read_at=datetime.now(UTC))
        )
        return result.rowcount
