"""The user's visits to Today: what "new since your last visit" is measured from.

Record ids grow as records are collected, so a visit is remembered as the highest record id at the time
(its *mark*). Opening Today again within ``SAME_VISIT`` keeps the same baseline (a reload does not empty
the page); after that, the previous visit becomes the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from lantern.store.dialect import insert_ignoring_duplicates
from lantern.store.schema import records, user_visits

SAME_VISIT = timedelta(hours=1)
FIRST_VISIT_WINDOW = 500
"""On a first visit there is no baseline: the newest this many records count as new."""


@dataclass(frozen=True)
class Since:
    """The baseline of "new": records with an id above ``mark``; ``at`` is when that visit was."""

    mark: int
    at: datetime | None


def visit(engine: Engine, user_id: int, now: datetime | None = None) -> Since:
    """Record a visit to Today and return the baseline it should show news since."""
    now = now or datetime.now(UTC)
    with engine.begin() as connection:
        top = int(connection.execute(select(func.coalesce(func.max(records.c.id), 0))).scalar_one())
        row = (
            connection.execute(select(user_visits).where(user_visits.c.user_id == user_id)).mappings().first()
        )
        if row is None:
            connection.execute(
                insert_ignoring_duplicates(connection, user_visits),
                [{"user_id": user_id, "visit_at": now, "visit_mark": top, "since_at": None,
                  "since_mark": max(0, top - FIRST_VISIT_WINDOW)}],
            )  # fmt: skip
            return Since(max(0, top - FIRST_VISIT_WINDOW), None)
        last = row["visit_at"] if row["visit_at"].tzinfo else row["visit_at"].replace(tzinfo=UTC)
        if now - last < SAME_VISIT and row["since_mark"] is not None:
            connection.execute(
                user_visits.update().where(user_visits.c.user_id == user_id).values(visit_at=now)
            )
            return Since(int(row["since_mark"]), row["since_at"])
        connection.execute(
            user_visits.update()
            .where(user_visits.c.user_id == user_id)
            .values(visit_at=now, visit_mark=top, since_at=row["visit_at"], since_mark=row["visit_mark"])
        )
        return Since(int(row["visit_mark"]), row["visit_at"])
