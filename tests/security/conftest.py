"""Fixtures for the security tests: a migrated store, a clock that tests move, and ready-made users."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from lantern.config import load_settings
from lantern.security import accounts, passwords
from lantern.store.db import open_database

PASSWORD = "correct horse battery staple"


class FakeClock:
    """``clock()`` returns a time the test sets and advances; no sleeping."""

    def __init__(self, start: datetime = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with test-sized cost: the production cost is the point in production, not in 100 tests."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords.dummy_hash.cache_clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(data_dir: Path) -> Engine:
    return open_database(load_settings().database_url)


@pytest.fixture
def make_user(engine: Engine, clock: FakeClock) -> Callable[..., accounts.User]:
    """``make_user(name, role, agency)``: create the agency if needed and a user with :data:`PASSWORD`."""

    def make(username: str, role: str = "investigator", agency: str = "Example County Unit") -> accounts.User:
        with engine.connect() as connection:
            agency_id = accounts.agency_id_by_name(connection, agency)
        if agency_id is None:
            agency_id = accounts.create_agency(engine, agency, clock=clock)
        return accounts.create_user(engine, username, PASSWORD, agency_id=agency_id, role=role, clock=clock)

    return make
