"""Argon2 hashing and rehashing, the password policy, and the role and scope matrix."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from lantern.security import accounts, passwords, roles
from lantern.store.schema import users
from tests.security.conftest import PASSWORD


def test_hash_verifies_only_the_right_password_and_is_salted() -> None:
    first, second = passwords.hash_password(PASSWORD), passwords.hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second
    assert passwords.verify_password(first, PASSWORD)
    assert not passwords.verify_password(first, PASSWORD + "x")
    assert not passwords.verify_password("not a hash", PASSWORD)
    assert not passwords.verify_password(first, "x" * (passwords.MAX_LENGTH + 1))
    assert not passwords.needs_rehash(first)


def test_weaker_hash_is_upgraded_at_the_next_sign_in(engine, make_user, clock) -> None:
    user = make_user("alex")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    assert passwords.needs_rehash(weak)
    with engine.begin() as connection:
        connection.execute(update(users).where(users.c.id == user.id).values(password_hash=weak))
    assert accounts.authenticate(engine, "alex", PASSWORD, clock=clock).ok
    with engine.connect() as connection:
        stored = connection.execute(select(users.c.password_hash).where(users.c.id == user.id)).scalar_one()
    assert stored != weak and not passwords.needs_rehash(stored)


@pytest.mark.parametrize("bad", ["short", "x" * (passwords.MAX_LENGTH + 1), "Alex.Example.Analyst"])
def test_password_policy_refuses(bad: str) -> None:
    with pytest.raises(passwords.PasswordPolicyError):
        passwords.check_policy(bad, "alex.example.analyst")


def test_role_matrix() -> None:
    expected = {
        # permission: (admin, supervisor, investigator, analyst)
        "read": (True, True, True, True),
        "search": (True, True, True, True),
        "reveal_image": (True, True, True, False),
        "export": (True, True, True, False),
        "case_write": (True, True, True, False),
        "audit_agency": (True, True, False, False),
        "audit_all": (True, False, False, False),
        "manage_users": (True, False, False, False),
        "manage_agencies": (True, False, False, False),
        "retention": (True, False, False, False),
        "metrics": (True, False, False, False),
    }
    assert set(expected) == set(roles.PERMISSIONS)
    for permission, row in expected.items():
        assert tuple(roles.allowed(role, permission) for role in roles.ROLES) == row, permission
    assert not roles.allowed("superuser", "read") and not roles.allowed("admin", "delete_everything")


def test_scopes_cover_permissions_and_respect_the_role() -> None:
    assert roles.scope_allows({"search"}, "search") and not roles.scope_allows({"search"}, "export")
    assert roles.scope_allows({"write"}, "reveal_image") and not roles.scope_allows({"read"}, "reveal_image")
    assert roles.useful_scopes("analyst") == {"read", "search"}
    assert "admin" in roles.useful_scopes("supervisor")  # reading the own agency's audit log
    assert "export" not in roles.useful_scopes("analyst")
