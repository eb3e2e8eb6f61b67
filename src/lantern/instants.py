"""Instants as evidence: kept in UTC, shown with the UTC offset the source stated.

A record's ``posted_at`` and ``collected_at`` are instants. The store keeps each in UTC, so that ordering
("newest first"), timelines, itineraries and date filters compare instants on SQLite and PostgreSQL
alike, and beside it the offset the source wrote, in minutes east of UTC (``posted_at_offset``): ``0``
for ``Z``, ``120`` for ``+02:00``, NULL when the source gave a time without any offset (which is then
read as UTC, and said so wherever it is shown). :func:`format_instant` is how every page, report,
export and command shows an instant; :func:`stated_iso` is how exports write one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

NO_OFFSET = "no UTC offset given"


def split_instant(moment: datetime | None) -> tuple[datetime | None, int | None]:
    """(the instant in UTC, the stated offset in minutes or None when the time had none)."""
    if moment is None:
        return None, None
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(tzinfo=UTC), None
    return moment.astimezone(UTC), int(offset.total_seconds() // 60)


def as_utc(moment: datetime) -> datetime:
    """A stored instant as an aware UTC datetime (SQLite hands them back naive; they are UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_stated(moment: datetime | None, offset: int | None) -> datetime | None:
    """A stored instant in the offset its source stated (UTC when it stated none)."""
    if moment is None:
        return None
    return as_utc(moment).astimezone(timezone(timedelta(minutes=offset or 0)))


def offset_text(offset: int) -> str:
    """``+02:00``, ``-05:00``, ``+05:45``."""
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def format_instant(moment: Any, offset: int | None = 0, *, seconds: bool = False) -> str:
    """An instant for people: the time as the source stated it, with its offset.

    ``2024-01-01 10:00 +02:00``; ``2024-01-01 08:00 UTC`` for a UTC time; ``2024-01-01 10:00 UTC (no
    UTC offset given)`` when the source gave none; ``—`` for no time. Text that is not a datetime (an
    older network summary keeps ISO text) is shown as it is.
    """
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):  # ISO text kept by the store (network summaries): UTC unless it says
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
        offset = 0 if moment.utcoffset() is None else int(moment.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    if not isinstance(moment, datetime):
        return str(moment)
    local = as_stated(moment, offset)
    assert local is not None
    text = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if offset is None:
        return f"{text} UTC ({NO_OFFSET})"
    return f"{text} UTC" if offset == 0 else f"{text} {offset_text(offset)}"


def stated_iso(moment: datetime | None, offset: int | None) -> str | None:
    """ISO 8601 as the source stated the instant: ``2024-01-01T10:00:00+02:00``; without an offset
    (``2024-01-01T10:00:00``) when the source gave none."""
    if moment is None:
        return None
    if offset is None:
        return as_utc(moment).replace(tzinfo=None).isoformat()
    return as_stated(moment, offset).isoformat()  # type: ignore[union-attr]


def utc_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with ``Z`` for machine use (webhooks, JSON)."""
    if moment is None:
        return None
    return as_utc(moment).isoformat().replace("+00:00", "Z")
