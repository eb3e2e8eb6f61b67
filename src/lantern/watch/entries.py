"""Watchlist entries: what an investigator watches for, normalised the way the ingest stores it.

A watched phone is normalised by the same extractor that fills the ``entities`` table, so "713 555 0101"
and "+17135550101" are one entry and the ingest match is a plain dictionary look-up. Delivery targets are
only ever the e-mail address or webhook URL an investigator configures here, never anything an ad names.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, select

from lantern.security import audit
from lantern.security.accounts import agency_id_by_name, get_user
from lantern.store.schema import users, watchlist_entries

KINDS = ("phone", "email", "handle", "payment", "image", "search")
DIGESTS = ("immediate", "hourly", "daily")
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")


class WatchlistError(ValueError):
    """A watchlist entry that cannot be added, with the reason."""


def parse_deliver(deliver: str | None) -> str | None:
    """``email:ADDRESS`` or ``webhook:http(s)://URL``, checked; None means the inbox only."""
    if not deliver:
        return None
    channel, _, target = deliver.partition(":")
    if channel == "email" and EMAIL.match(target):
        return f"email:{target}"
    if channel == "webhook":
        parts = urlsplit(target)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"webhook:{target}"
    raise WatchlistError("--deliver must be email:ADDRESS or webhook:http(s)://HOST/PATH")


def normalise(kind: str, value: str, default_region: str = "US") -> tuple[str, str | None]:
    """The stored value (and a pHash for images) of a watched ``kind``/``value``."""
    value = value.strip()
    if not value:
        raise WatchlistError("empty value")
    if kind == "phone":
        from lantern.extract import ExtractConfig, extract_record
        from lantern.records import InputRecord

        found = extract_record(
            InputRecord(id="watch", source="watchlist", body=value),
            ExtractConfig(default_region=default_region),
        ).get("phones", [])
        if not found:
            raise WatchlistError(f"not a phone number: {value!r}")
        return str(found[0]), None
    if kind == "email":
        if not EMAIL.match(value):
            raise WatchlistError(f"not an e-mail address: {value!r}")
        return value.lower(), None
    if kind in ("handle", "payment"):
        # ``platform:name`` matches that platform only; a bare name matches it on any platform.
        return value.lower().replace(":@", ":").lstrip("@"), None
    if kind == "image":
        return _image_value(value)
    if kind == "search":
        from lantern.store.fulltext import fts5_query

        if not fts5_query(value):
            raise WatchlistError("a saved search needs at least one word")
        return value[:400], None
    raise WatchlistError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")


def _image_value(value: str) -> tuple[str, str | None]:
    """An image file (hashed here), a SHA-256, or a 16-hex pHash."""
    lowered = value.lower()
    if HEX64.match(lowered):
        return lowered, None
    if HEX16.match(lowered):
        return f"phash:{lowered}", lowered
    path = Path(value)
    if not path.is_file():
        raise WatchlistError("an image watch needs an image file, a SHA-256 or a 16-hex pHash")
    from lantern.extract import fingerprint_image

    fingerprint = fingerprint_image(path.read_bytes())
    return fingerprint.sha256, fingerprint.phash


def add_entry(
    engine: Engine,
    *,
    agency: str,
    owner: str,
    kind: str,
    value: str,
    deliver: str | None = None,
    digest: str = "immediate",
    label: str | None = None,
    default_region: str = "US",
    actor: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add one entry for ``owner`` (a user of ``agency``); audited as ``watchlist.add``."""
    if kind not in KINDS:
        raise WatchlistError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if digest not in DIGESTS:
        raise WatchlistError(f"--digest must be one of {', '.join(DIGESTS)}")
    target = parse_deliver(deliver)
    stored, phash = normalise(kind, value, default_region)
    with audit.write_transaction(engine) as connection:
        agency_id = agency_id_by_name(connection, agency)
        user = get_user(connection, owner)
        if agency_id is None:
            raise WatchlistError(f"no agency {agency!r}")
        if user is None or user.agency_id != agency_id:
            raise WatchlistError(f"no user {owner!r} in agency {agency!r}")
        row = {
            "agency_id": agency_id,
            "owner_id": user.id,
            "kind": kind,
            "value": stored,
            "image_phash": phash,
            "label": (label or "")[:200] or None,
            "deliver": target,
            "digest": digest,
            "active": True,
            "created_at": datetime.now(UTC),
        }
        entry_id = connection.execute(
            watchlist_entries.insert().values(**row).returning(watchlist_entries.c.id)
        ).scalar_one()
        audit.append(
            connection,
            "watchlist.add",
            user_id=user.id,
            agency_id=agency_id,
            target=f"watchlist_entry:{entry_id}",
            detail={"kind": kind, "digest": digest, "deliver": target, **(actor or {})},
        )
    return {"id": entry_id, **row}


def list_entries(
    engine: Engine, *, agency_id: int | None = None, owner_id: int | None = None, active_only: bool = True
) -> list[dict[str, Any]]:
    """Entries with their owner's name, newest first (a web page and the CLI read this)."""
    query = (
        select(watchlist_entries, users.c.username.label("owner"))
        .join(users, users.c.id == watchlist_entries.c.owner_id)
        .order_by(watchlist_entries.c.id.desc())
    )
    if agency_id is not None:
        query = query.where(watchlist_entries.c.agency_id == agency_id)
    if owner_id is not None:
        query = query.where(watchlist_entries.c.owner_id == owner_id)
    if active_only:
        query = query.where(watchlist_entries.c.active.is_(True))
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def remove_entry(engine: Engine, entry_id: int, *, actor: dict[str, Any] | None = None) -> bool:
    """Deactivate an entry (its alerts stay in the inbox as a record of what was found); audited."""
    with audit.write_transaction(engine) as connection:
        row = (
            connection.execute(select(watchlist_entries).where(watchlist_entries.c.id == entry_id))
            .mappings()
            .first()
        )
        if row is None or not row["active"]:
            return False
        connection.execute(
            watchlist_entries.update().where(watchlist_entries.c.id == entry_id).values(active=False)
        )
        audit.append(
            connection,
            "watchlist.remove",
            user_id=row["owner_id"],
            agency_id=row["agency_id"],
            target=f"watchlist_entry:{entry_id}",
            detail=dict(actor or {}),
        )
    return True
