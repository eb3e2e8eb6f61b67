"""API tokens for scripts: ``lt_`` + 43 random URL-safe characters, shown once, stored as SHA-256.

A fast hash is right here (unlike passwords) because the token has 256 bits of entropy. Each token has
scopes; a request is allowed only when the scope covers the permission *and* the user's current role
allows it, so demoting or disabling a user takes effect on their tokens immediately. Revocation is a
timestamp, so the audit trail of which token did what survives.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from lantern.security import audit
from lantern.security.clock import Clock, as_utc, utcnow
from lantern.security.roles import SCOPES, useful_scopes
from lantern.store.schema import api_tokens, users

PREFIX = "lt_"
MAX_TOKEN_LENGTH = 200
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class TokenInfo:
    """A valid token and its user as of now."""

    token_id: int
    name: str
    scopes: frozenset[str]
    user_id: int
    username: str
    agency_id: int
    role: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    engine: Engine,
    user_id: int,
    name: str,
    scopes: list[str] | set[str],
    *,
    expires_at: datetime | None = None,
    actor: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> tuple[int, str]:
    """Create a token; returns (id, token). The token is not stored and cannot be shown again."""
    scopes = sorted(set(scopes))
    name = name.strip()
    if not name or len(name) > 200:
        raise ValueError("token names are 1-200 characters")
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}")
    token = PREFIX + secrets.token_urlsafe(32)
    with audit.write_transaction(engine) as connection:
        user = connection.execute(
            select(users.c.username, users.c.role, users.c.agency_id).where(users.c.id == user_id)
        ).first()
        if user is None:
            raise ValueError(f"no user with id {user_id}")
        useless = [s for s in scopes if s not in useful_scopes(user.role)]
        if useless:
            raise ValueError(f"role {user.role} cannot use scope(s) {', '.join(useless)}")
        token_id = connection.execute(
            api_tokens.insert()
            .values(
                user_id=user_id,
                name=name,
                token_hash=token_hash(token),
                scopes=scopes,
                created_at=clock(),
                expires_at=expires_at,
            )
            .returning(api_tokens.c.id)
        ).scalar_one()
        audit.append(
            connection,
            "token.create",
            target=f"token:{token_id}",
            user_id=None,
            agency_id=user.agency_id,
            detail={"owner": user.username, "name": name, "scopes": scopes, **(actor or {})},
            clock=clock,
        )
    return token_id, token


def authenticate(engine: Engine, token: str | None, *, clock: Clock = utcnow) -> TokenInfo | None:
    """The token's owner and scopes if the token is known, unrevoked, unexpired and its user enabled."""
    if not token or not token.startswith(PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = as_utc(clock())
    with engine.connect() as connection:
        row = connection.execute(
            select(api_tokens, users.c.username, users.c.agency_id, users.c.role, users.c.disabled)
            .select_from(api_tokens.join(users, users.c.id == api_tokens.c.user_id))
            .where(api_tokens.c.token_hash == token_hash(token))
        ).first()
    if row is None or row.revoked_at is not None or row.disabled:
        return None
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        return None
    last = as_utc(row.last_used_at)
    if last is None or now - last >= TOUCH_EVERY:
        with engine.begin() as connection:
            connection.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
    return TokenInfo(
        token_id=row.id,
        name=row.name,
        scopes=frozenset(row.scopes or ()),
        user_id=row.user_id,
        username=row.username,
        agency_id=row.agency_id,
        role=row.role,
    )


def revoke(
    engine: Engine,
    token_id: int,
    *,
    user_id: int | None = None,
    actor: dict[str, Any] | None = None,
    clock: Clock = utcnow,
) -> bool:
    """Revoke token ``token_id`` (only if it belongs to ``user_id`` when given); audited. False if none."""
    with audit.write_transaction(engine) as connection:
        query = (
            select(api_tokens.c.id, users.c.username, users.c.agency_id)
            .select_from(api_tokens.join(users, users.c.id == api_tokens.c.user_id))
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        )
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        row = connection.execute(query).first()
        if row is None:
            return False
        connection.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=clock()))
        audit.append(
            connection,
            "token.revoke",
            target=f"token:{token_id}",
            agency_id=row.agency_id,
            detail={"owner": row.username, **(actor or {})},
            clock=clock,
        )
    return True


def list_tokens(connection: Connection, user_id: int | None = None) -> list[dict[str, Any]]:
    """Tokens (never their hashes), newest first."""
    query = (
        select(
            api_tokens.c.id,
            users.c.username,
            api_tokens.c.name,
            api_tokens.c.scopes,
            api_tokens.c.created_at,
            api_tokens.c.last_used_at,
            api_tokens.c.expires_at,
            api_tokens.c.revoked_at,
        )
        .select_from(api_tokens.join(users, users.c.id == api_tokens.c.user_id))
        .order_by(api_tokens.c.id.desc())
    )
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return [dict(row) for row in connection.execute(query).mappings()]
