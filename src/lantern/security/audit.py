"""The tamper-evident audit log: an append-only, hash-chained table.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the canonical JSON of the entry
(id, time, user, agency, action, target, detail). Changing, deleting, inserting or reordering any entry
therefore breaks the chain from that point, and :func:`verify` names the first broken entry.

What this does *not* prove on its own: someone with write access to the database can delete the newest
entries, or recompute the whole chain after an edit. Both are caught only against an anchor (the latest
``id:hash``) kept somewhere the database administrator cannot write: :func:`anchor` prints it and
``verify(anchor=...)`` checks it. See docs/security.md.

Appends are serialised so two writers cannot fork the chain: on SQLite the append runs inside
``BEGIN IMMEDIATE`` (the database write lock is taken before the last hash is read); on PostgreSQL the
table is locked in EXCLUSIVE mode (readers continue, writers queue). ``SELECT ... FOR UPDATE`` on the
last row is *not* enough there: a waiting writer re-reads the same, now superseded, row and forks. As a
last line of defence ``prev_hash`` is unique, so a fork can never be committed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from lantern.security.clock import Clock, as_utc, utcnow
from lantern.store.schema import audit_log, users

GENESIS = "0" * 64
MAX_TEXT = 2000  # hostile input (search queries, ad ids) is bounded before it is logged
MAX_ACTION = 60


@dataclass(frozen=True)
class AuditEntry:
    """One entry as stored."""

    id: int
    at: datetime
    user_id: int | None
    agency_id: int | None
    action: str
    target: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify` found. ``broken_id`` is the first entry that fails, with ``reason``."""

    ok: bool
    entries: int
    last_id: int | None
    last_hash: str | None
    broken_id: int | None = None
    reason: str = ""


def _bounded(value: Any) -> Any:
    """Strings cut to :data:`MAX_TEXT`, containers walked; keeps one hostile query from bloating the log."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…[truncated]"
    if isinstance(value, dict):
        return {str(k)[:200]: _bounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_bounded(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: the one spelling that is hashed."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str
    )


def _at_text(at: datetime) -> str:
    return as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    prev_hash: str,
    *,
    id: int,
    at: datetime,
    user_id: int | None,
    agency_id: int | None,
    action: str,
    target: str | None,
    detail: dict[str, Any],
) -> str:
    """SHA-256 over ``prev_hash``, a newline and the canonical JSON of the entry's fields."""
    body = canonical_json(
        {
            "id": id,
            "at": _at_text(at),
            "user_id": user_id,
            "agency_id": agency_id,
            "action": action,
            "target": target,
            "detail": detail,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database write lock from its first statement (SQLite).

    Use it for anything that appends to the log together with other writes (the retention purge),
    so the purge and its audit entry commit or fail together.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")


def append(
    connection: Connection,
    action: str,
    *,
    user_id: int | None = None,
    agency_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> AuditEntry:
    """Append one entry inside the caller's :func:`write_transaction`; the caller commits."""
    if not action or len(action) > MAX_ACTION:
        raise ValueError("audit action must be 1 to 60 characters")
    _lock(connection)
    last = connection.execute(
        select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    entry_id = last.id + 1 if last else 1
    prev_hash = last.hash if last else GENESIS
    at = as_utc(clock())
    target = _bounded(target) if target is not None else None
    # Round-trip through the canonical spelling so what is stored is exactly what was hashed.
    detail = json.loads(canonical_json(_bounded(detail or {})))
    digest = entry_hash(
        prev_hash,
        id=entry_id,
        at=at,
        user_id=user_id,
        agency_id=agency_id,
        action=action,
        target=target,
        detail=detail,
    )
    row = {
        "id": entry_id,
        "at": at,
        "user_id": user_id,
        "agency_id": agency_id,
        "action": action,
        "target": target,
        "detail": detail,
        "prev_hash": prev_hash,
        "hash": digest,
    }
    connection.execute(audit_log.insert().values(**row))
    return AuditEntry(**row)


def record(
    engine: Engine,
    action: str,
    *,
    user_id: int | None = None,
    agency_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> AuditEntry:
    """Append one entry in its own short write transaction (the usual call from a request or a verb)."""
    with write_transaction(engine) as connection:
        return append(
            connection,
            action,
            user_id=user_id,
            agency_id=agency_id,
            target=target,
            detail=detail,
            clock=clock,
        )


def parse_anchor(text: str) -> tuple[int | None, str]:
    """``ID:HASH`` (as printed by ``lantern audit anchor``) or a bare hash."""
    text = text.strip().lower()
    if ":" in text:
        left, right = text.split(":", 1)
        if not left.isdigit():
            raise ValueError("anchor must be ID:HASH or HASH")
        return int(left), right
    return None, text


def verify(connection: Connection, anchor: str | None = None) -> VerifyResult:
    """Walk the chain in id order and report the first entry that fails, and why.

    Checks, per entry: ids run 1, 2, 3… without gaps; ``prev_hash`` equals the previous entry's hash
    (the first entry's is :data:`GENESIS`); the stored hash equals the recomputed one. With ``anchor``
    the anchored entry must also still be there, unchanged.
    """
    anchor_id, anchor_hash = parse_anchor(anchor) if anchor else (None, None)
    anchor_seen = False
    expected_id, prev, count, last_hash = 1, GENESIS, 0, None
    rows = connection.execution_options(yield_per=5000).execute(select(audit_log).order_by(audit_log.c.id))
    for row in rows:
        if row.id != expected_id:
            missing = (
                f"entry {expected_id}" if row.id == expected_id + 1 else f"entries {expected_id}–{row.id - 1}"
            )
            reason = (
                f"{missing} missing (deleted)"
                if row.id > expected_id
                else "entry id repeats or goes backwards"
            )
            return VerifyResult(False, count, row.id, last_hash, row.id, reason)
        if row.prev_hash != prev:
            return VerifyResult(
                False,
                count,
                row.id,
                last_hash,
                row.id,
                f"prev_hash does not match the hash of entry {row.id - 1}"
                " (an entry was deleted, inserted or moved)",
            )
        recomputed = entry_hash(
            row.prev_hash,
            id=row.id,
            at=row.at,
            user_id=row.user_id,
            agency_id=row.agency_id,
            action=row.action,
            target=row.target,
            detail=row.detail,
        )
        if recomputed != row.hash:
            return VerifyResult(
                False,
                count,
                row.id,
                last_hash,
                row.id,
                "content does not match its hash (the entry was edited)",
            )
        if anchor_hash is not None and row.hash == anchor_hash and anchor_id in (None, row.id):
            anchor_seen = True
        count += 1
        prev = last_hash = row.hash
        expected_id += 1
    last_id = expected_id - 1 if count else None
    if anchor_hash is not None and not anchor_seen:
        if anchor_id is not None and (last_id or 0) < anchor_id:
            reason = f"anchor entry {anchor_id} is gone: the log ends at {last_id} (newest entries deleted)"
        else:
            reason = "anchor not found in the chain: the log was rewritten"
        return VerifyResult(False, count, last_id, last_hash, anchor_id, reason)
    return VerifyResult(True, count, last_id, last_hash)


def anchor(connection: Connection) -> str | None:
    """``ID:HASH`` of the newest entry, to be stored outside the database (None for an empty log)."""
    last = connection.execute(
        select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    return f"{last.id}:{last.hash}" if last else None


def entries(
    connection: Connection, *, agency_id: int | None = None, limit: int = 100, before_id: int | None = None
) -> list[dict[str, Any]]:
    """The newest entries first (optionally one agency's), with the username, for reading the log.

    Supervisors see their agency's log through this (``agency_id`` = their agency); paging goes by
    ``before_id`` rather than offsets so a page stays stable while entries are appended.
    """
    query = (
        select(audit_log, users.c.username)
        .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.user_id))
        .order_by(audit_log.c.id.desc())
        .limit(max(1, min(limit, 10_000)))
    )
    if agency_id is not None:
        query = query.where(audit_log.c.agency_id == agency_id)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    return [dict(row) | {"at": as_utc(row.at)} for row in connection.execute(query).mappings()]
