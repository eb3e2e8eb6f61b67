"""ISO 8601 times as sortable floats; records with no or unreadable time sort last."""

from __future__ import annotations

import math
from datetime import UTC, datetime

MISSING = math.inf


def to_epoch(value: str | None) -> float:
    """Seconds since the epoch (UTC; naive times are taken as UTC), or inf."""
    if not value:
        return MISSING
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return MISSING
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def to_iso(epoch: float) -> str | None:
    """Inverse of to_epoch (UTC, seconds precision), None for missing."""
    if not math.isfinite(epoch):
        return None
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat().replace("+00:00", "Z")
