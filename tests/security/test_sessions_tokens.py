"""Sessions (idle and absolute expiry, rotation, revocation) and API tokens (scopes, revocation)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lantern.security import accounts, csrf, sessions, tokens
from lantern.store.schema import api_tokens
from lantern.store.schema import sessions as sessions_table

pytestmark = pytest.mark.databases("sqlite", "postgresql")

POLICY = sessions.SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def test_only_the_hash_of_the_token_is_stored(engine, make_user, clock) -> None:
    user = make_user("ira")
    new = sessions.create(engine, user.id, ip="127.0.0.1", user_agent="test", clock=clock)
    with engine.connect() as connection:
        row = connection.execute(select(sessions_table)).one()
    assert row.id == sessions.session_id(new.token) and new.token not in str(tuple(row))
    assert row.csrf_token_hash == csrf.token_digest(new.csrf_token)
    assert new.csrf_token == csrf.csrf_token_for(new.token)


def test_idle_expiry(engine, make_user, clock) -> None:
    user = make_user("jules")
    new = sessions.create(engine, user.id, policy=POLICY, clock=clock)
    clock.advance(minutes=29)
    assert sessions.validate(engine, new.token, policy=POLICY, clock=clock) is not None  # touches it
    clock.advance(minutes=29)
    assert sessions.validate(engine, new.token, policy=POLICY, clock=clock) is not None
    clock.advance(minutes=30)
    assert sessions.validate(engine, new.token, policy=POLICY, clock=clock) is None
    with engine.connect() as connection:
        assert connection.execute(select(sessions_table)).first() is None  # deleted, not just refused


def test_absolute_expiry_even_when_active(engine, make_user, clock) -> None:
    user = make_user("kai")
    new = sessions.create(engine, user.id, policy=POLICY, clock=clock)
    for _ in range(24):  # 11 h 36 min of activity
        clock.advance(minutes=29)
        assert sessions.validate(engine, new.token, policy=POLICY, clock=clock) is not None
    clock.advance(minutes=29)  # 12 h 5 min after sign-in
    assert sessions.validate(engine, new.token, policy=POLICY, clock=clock) is None


def test_rotation_replaces_the_token_and_keeps_the_deadline(engine, make_user, clock) -> None:
    user = make_user("lee")
    first = sessions.create(engine, user.id, policy=POLICY, clock=clock)
    clock.advance(minutes=10)
    second = sessions.rotate(engine, first.token, policy=POLICY, clock=clock)
    assert second is not None and second.token != first.token and second.csrf_token != first.csrf_token
    assert second.expires_at == first.expires_at
    assert sessions.validate(engine, first.token, policy=POLICY, clock=clock) is None
    assert sessions.validate(engine, second.token, policy=POLICY, clock=clock).user_id == user.id


def test_disable_reset_and_garbage_end_sessions(engine, make_user, clock) -> None:
    user = make_user("morgan")
    new = sessions.create(engine, user.id, clock=clock)
    for junk in (None, "", "x" * 5000, new.token + "x"):
        assert sessions.validate(engine, junk, clock=clock) is None
    accounts.set_disabled(engine, "morgan", True, clock=clock)
    assert sessions.validate(engine, new.token, clock=clock) is None
    accounts.set_disabled(engine, "morgan", False, clock=clock)
    again = sessions.create(engine, user.id, clock=clock)
    clock.advance(seconds=5)
    accounts.reset_password(engine, "morgan", clock=clock)
    assert sessions.validate(engine, again.token, clock=clock) is None


def test_session_sees_a_role_change_at_once(engine, make_user, clock) -> None:
    user = make_user("noel", role="investigator")
    new = sessions.create(engine, user.id, clock=clock)
    accounts.set_role(engine, "noel", "analyst", clock=clock)
    assert sessions.validate(engine, new.token, clock=clock).role == "analyst"


def test_tokens_are_hashed_scoped_revocable_and_follow_the_user(engine, make_user, clock) -> None:
    user = make_user("oak", role="investigator")
    token_id, token = tokens.create(engine, user.id, "nightly search", ["search", "read"], clock=clock)
    assert token.startswith("lt_") and len(token) > 40
    with engine.connect() as connection:
        stored = connection.execute(select(api_tokens)).one()
    assert stored.token_hash == tokens.token_hash(token) and token not in str(tuple(stored))
    info = tokens.authenticate(engine, token, clock=clock)
    assert info is not None and info.scopes == {"read", "search"} and info.user_id == user.id
    assert tokens.authenticate(engine, token[:-1] + ("A" if token[-1] != "A" else "B"), clock=clock) is None
    assert tokens.authenticate(engine, "not-a-token", clock=clock) is None

    accounts.set_disabled(engine, "oak", True, clock=clock)
    assert tokens.authenticate(engine, token, clock=clock) is None
    accounts.set_disabled(engine, "oak", False, clock=clock)
    assert tokens.revoke(engine, token_id, clock=clock)
    assert tokens.authenticate(engine, token, clock=clock) is None
    assert not tokens.revoke(engine, token_id, clock=clock)  # already revoked
    assert tokens.list_tokens(engine.connect(), user.id)[0]["revoked_at"] is not None


def test_token_expiry_and_scopes_the_role_cannot_use(engine, make_user, clock) -> None:
    analyst = make_user("pat", role="analyst")
    with pytest.raises(ValueError, match="cannot use"):
        tokens.create(engine, analyst.id, "export script", ["export"], clock=clock)
    with pytest.raises(ValueError, match="scopes"):
        tokens.create(engine, analyst.id, "typo", ["raed"], clock=clock)
    _, token = tokens.create(
        engine, analyst.id, "short-lived", ["read"], expires_at=clock.now + timedelta(days=1), clock=clock
    )
    assert tokens.authenticate(engine, token, clock=clock) is not None
    clock.advance(days=1)
    assert tokens.authenticate(engine, token, clock=clock) is None
