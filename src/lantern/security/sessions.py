"""Server-side sessions: the browser holds a random token, the database holds only its SHA-256.

A stolen database therefore yields no usable cookies. Sessions end after ``idle`` without a request and
at ``absolute`` after sign-in whatever happens; they also end when the user is disabled or the password
changes. Sign-in always creates a new session (no fixation: the id is never chosen by the client), and
:func:`rotate` swaps the token whenever privileges change.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from lantern.security.clock import Clock, as_utc, utcnow
from lantern.security.csrf import csrf_token_for, token_digest
from lantern.store.schema import sessions, users

MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class SessionPolicy:
    """Lifetimes. ``touch_every`` limits ``last_seen_at`` writes to one a minute per session."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    touch_every: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class NewSession:
    """What the browser gets: the cookie value and the CSRF token for forms (both secret)."""

    token: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionInfo:
    """A valid session with its user's current role and agency (read fresh on every request)."""

    session_id: str
    user_id: int
    username: str
    agency_id: int
    role: str
    must_change_password: bool
    csrf_token_hash: str
    created_at: datetime
    expires_at: datetime


def session_id(token: str) -> str:
    """The stored id of a cookie token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    engine: Engine,
    user_id: int,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    policy: SessionPolicy = SessionPolicy(),
    clock: Clock = utcnow,
) -> NewSession:
    """Start a session for ``user_id`` (after a successful :func:`accounts.authenticate`)."""
    token = secrets.token_urlsafe(32)
    csrf = csrf_token_for(token)
    now = as_utc(clock())
    expires = now + policy.absolute
    with engine.begin() as connection:
        connection.execute(
            sessions.insert().values(
                id=session_id(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=expires,
                csrf_token_hash=token_digest(csrf),
                ip=(ip or "")[:64] or None,
                user_agent=(user_agent or "")[:400] or None,
            )
        )
    return NewSession(token, csrf, expires)


def validate(
    engine: Engine, token: str | None, *, policy: SessionPolicy = SessionPolicy(), clock: Clock = utcnow
) -> SessionInfo | None:
    """The session behind ``token`` if it is still valid, else None (and an expired row is deleted)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    sid = session_id(token)
    now = as_utc(clock())
    with engine.connect() as connection:
        row = connection.execute(
            select(
                sessions,
                users.c.username,
                users.c.agency_id,
                users.c.role,
                users.c.disabled,
                users.c.must_change_password,
                users.c.password_changed_at,
            )
            .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
            .where(sessions.c.id == sid)
        ).first()
    if row is None:
        return None
    created, last_seen = as_utc(row.created_at), as_utc(row.last_seen_at)
    expired = (
        now >= as_utc(row.expires_at)
        or now - last_seen >= policy.idle
        or row.disabled
        or as_utc(row.password_changed_at) > created
    )
    if expired:
        with engine.begin() as connection:
            connection.execute(delete(sessions).where(sessions.c.id == sid))
        return None
    if now - last_seen >= policy.touch_every:
        with engine.begin() as connection:
            connection.execute(update(sessions).where(sessions.c.id == sid).values(last_seen_at=now))
    return SessionInfo(
        session_id=sid,
        user_id=row.user_id,
        username=row.username,
        agency_id=row.agency_id,
        role=row.role,
        must_change_password=bool(row.must_change_password),
        csrf_token_hash=row.csrf_token_hash,
        created_at=created,
        expires_at=as_utc(row.expires_at),
    )


def revoke(engine: Engine, token: str) -> bool:
    """End the session behind ``token`` (sign-out). True if there was one."""
    with engine.begin() as connection:
        return connection.execute(delete(sessions).where(sessions.c.id == session_id(token))).rowcount > 0


def revoke_all(engine: Engine, user_id: int) -> int:
    """End every session of a user (suspected compromise); returns how many."""
    with engine.begin() as connection:
        return connection.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount


def rotate(
    engine: Engine,
    token: str,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    policy: SessionPolicy = SessionPolicy(),
    clock: Clock = utcnow,
) -> NewSession | None:
    """Replace a valid session with a new token (and CSRF token) for the same user, or None.

    The new session keeps the old one's absolute expiry, so rotating cannot extend a session forever.
    """
    info = validate(engine, token, policy=policy, clock=clock)
    if info is None:
        return None
    new_token = secrets.token_urlsafe(32)
    csrf = csrf_token_for(new_token)
    now = as_utc(clock())
    with engine.begin() as connection:
        connection.execute(delete(sessions).where(sessions.c.id == info.session_id))
        connection.execute(
            sessions.insert().values(
                id=session_id(new_token),
                user_id=info.user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=info.expires_at,
                csrf_token_hash=token_digest(csrf),
                ip=(ip or "")[:64] or None,
                user_agent=(user_agent or "")[:400] or None,
            )
        )
    return NewSession(new_token, csrf, info.expires_at)


def purge_expired(engine: Engine, *, policy: SessionPolicy = SessionPolicy(), clock: Clock = utcnow) -> int:
    """Delete sessions past their absolute or idle expiry (housekeeping; validation already refuses them)."""
    now = as_utc(clock())
    with engine.begin() as connection:
        return connection.execute(
            delete(sessions).where(
                (sessions.c.expires_at <= now) | (sessions.c.last_seen_at <= now - policy.idle)
            )
        ).rowcount
