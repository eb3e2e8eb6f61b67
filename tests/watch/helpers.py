"""Shared helpers for the issue-9 tests: an agency with a user, an engine, and the CLI runner."""

from __future__ import annotations

from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import load_settings
from lantern.security.accounts import create_agency, create_user
from lantern.store.db import open_database

runner = CliRunner()
PASSWORD = "correct horse battery staple 42"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def engine():
    return open_database(load_settings().database_url)


def make_user(name: str = "ivy", agency: str = "Harbor PD", role: str = "investigator") -> int:
    eng = engine()
    with eng.connect() as connection:
        from lantern.security.accounts import agency_id_by_name

        agency_id = agency_id_by_name(connection, agency)
    if agency_id is None:
        agency_id = create_agency(eng, agency)
    return create_user(eng, name, PASSWORD, agency_id=agency_id, role=role).id
