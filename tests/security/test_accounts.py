"""Sign-in: lockout and unlock, uniform failures for unknown accounts, admin resets, TOTP, auditing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lantern.security import accounts, audit, passwords, totp
from lantern.store.schema import audit_log
from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def _actions(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(select(audit_log.c.action, audit_log.c.detail).order_by(audit_log.c.id))
        return [(row.action, row.detail.get("reason", "")) for row in rows]


def test_five_failures_lock_for_fifteen_minutes_then_unlock(engine, make_user, clock) -> None:
    make_user("blake")
    for attempt in range(1, 5):
        result = accounts.authenticate(engine, "blake", "wrong password!", clock=clock)
        assert (result.ok, result.reason, result.locked_now) == (False, "bad_password", False), attempt
    fifth = accounts.authenticate(engine, "blake", "wrong password!", clock=clock)
    assert fifth.locked_now
    # Locked: even the right password fails, and the reason is only in the audit log.
    assert accounts.authenticate(engine, "blake", PASSWORD, clock=clock).reason == "locked"
    clock.advance(minutes=14, seconds=59)
    assert accounts.authenticate(engine, "blake", PASSWORD, clock=clock).reason == "locked"
    clock.advance(seconds=2)
    ok = accounts.authenticate(engine, "blake", PASSWORD, clock=clock)
    assert ok.ok and ok.user is not None and ok.user.username == "blake"
    reasons = [reason for action, reason in _actions(engine) if action == "login.failure"]
    assert reasons == ["bad_password"] * 5 + ["locked", "locked"]
    assert _actions(engine)[-1][0] == "login.success"


def test_success_resets_the_failure_count(engine, make_user, clock) -> None:
    make_user("casey")
    for _ in range(4):
        accounts.authenticate(engine, "casey", "wrong password!", clock=clock)
    assert accounts.authenticate(engine, "casey", PASSWORD, clock=clock).ok
    for _ in range(4):
        assert not accounts.authenticate(engine, "casey", "wrong password!", clock=clock).locked_now
    assert accounts.authenticate(engine, "casey", PASSWORD, clock=clock).ok


def test_unknown_and_disabled_users_cost_a_hash_and_log_no_username(
    engine, make_user, clock, monkeypatch
) -> None:
    make_user("drew")
    accounts.set_disabled(engine, "drew", True, clock=clock)
    calls: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: calls.append(h) or real(h, p))
    for name in ("nobody-here", "drew", "not a valid name!"):
        result = accounts.authenticate(engine, name, "typed-password-in-username", clock=clock)
        assert not result.ok
    assert calls == [passwords.dummy_hash()] * 3
    with engine.connect() as connection:
        entries = audit.entries(connection, limit=3)
    assert {e["detail"]["reason"] for e in entries} == {"unknown_user", "disabled"}
    assert "nobody-here" not in str(entries)


def test_admin_reset_forces_a_change_and_clears_the_lock(engine, make_user, clock) -> None:
    user = make_user("emery")
    for _ in range(5):
        accounts.authenticate(engine, "emery", "wrong password!", clock=clock)
    one_time = accounts.reset_password(engine, "emery", clock=clock)
    result = accounts.authenticate(engine, "emery", one_time, clock=clock)
    assert result.ok and result.user.must_change_password
    clock.advance(seconds=1)
    assert not accounts.change_password(
        engine, user.id, "not it at all", "a brand new passphrase", clock=clock
    )
    assert accounts.change_password(engine, user.id, one_time, "a brand new passphrase", clock=clock)
    again = accounts.authenticate(engine, "emery", "a brand new passphrase", clock=clock)
    assert again.ok and not again.user.must_change_password
    assert not accounts.authenticate(engine, "emery", one_time, clock=clock).ok


def test_totp_needs_a_fresh_code_within_one_step(engine, make_user, clock) -> None:
    make_user("finley")
    secret, uri = accounts.enrol_totp(engine, "finley", clock=clock)
    assert uri.startswith("otpauth://totp/") and "Lantern" in uri
    assert accounts.authenticate(engine, "finley", PASSWORD, clock=clock).reason == "totp_required"
    assert accounts.authenticate(engine, "finley", PASSWORD, "000000", clock=clock).reason in {
        "totp_invalid",
        "ok",
    }
    clock.advance(minutes=2)
    previous_step_code = totp.current_code(secret, clock.now.replace(second=0) - timedelta(seconds=30))
    assert accounts.authenticate(engine, "finley", PASSWORD, previous_step_code, clock=clock).ok
    # The same code again (replay) is refused, and so is a code two steps old.
    assert (
        accounts.authenticate(engine, "finley", PASSWORD, previous_step_code, clock=clock).reason
        == "totp_invalid"
    )
    clock.advance(minutes=5)
    stale = totp.current_code(secret, clock.now.replace(second=0) - timedelta(seconds=60))
    assert accounts.authenticate(engine, "finley", PASSWORD, stale, clock=clock).reason == "totp_invalid"
    assert accounts.authenticate(
        engine, "finley", PASSWORD, totp.current_code(secret, clock.now), clock=clock
    ).ok
    # A wrong password with a right code is still a wrong password.
    clock.advance(minutes=1)
    code = totp.current_code(secret, clock.now)
    assert (
        accounts.authenticate(engine, "finley", "wrong password!", code, clock=clock).reason == "bad_password"
    )


def test_usernames_are_unique_case_insensitively_and_validated(engine, make_user) -> None:
    make_user("gray")
    with pytest.raises(accounts.AccountError):
        make_user("GRAY")
    with pytest.raises(accounts.AccountError):
        make_user("<script>")
    with pytest.raises(ValueError):
        make_user("harper", role="superuser")


def test_demo_account_has_a_random_password(engine) -> None:
    username, password = accounts.create_demo_account(engine)
    assert accounts.authenticate(engine, username, password).user.role == "supervisor"
    with pytest.raises(accounts.AccountError):
        accounts.create_demo_account(engine)  # once per fresh demo store
