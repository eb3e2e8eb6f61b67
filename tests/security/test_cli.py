"""The account, token, agency, audit and retention verbs as an administrator uses them."""

from __future__ import annotations

import re

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from lantern.cli import main_options
from lantern.commands import accounts as account_commands
from lantern.security import accounts, tokens
from tests.conftest import ad, write_jsonl
from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.databases("sqlite", "postgresql")

cli = typer.Typer()
cli.callback()(main_options)
account_commands.register(cli)
runner = CliRunner()


def run(*args: str, input: str | None = None, code: int = 0):
    result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def test_first_admin_agencies_and_users(engine) -> None:
    out = run("users", "add", "Root", "--admin", "--password-stdin", input=PASSWORD + "\n").output
    assert "created admin 'root' in agency 'Administrators'" in out
    run("agencies", "add", "North Unit")
    run("agencies", "add", "North Unit", code=2)
    run("users", "add", "ana", "--agency", "Nowhere", "--password-stdin", input=PASSWORD + "\n", code=2)
    run("users", "add", "ana", "--agency", "North Unit", "--password-stdin", input="short\n", code=2)
    run(
        "users",
        "add",
        "ana",
        "--agency",
        "North Unit",
        "--role",
        "boss",
        "--password-stdin",
        input=PASSWORD + "\n",
        code=2,
    )
    prompted = run(
        "users",
        "add",
        "ana",
        "--agency",
        "North Unit",
        "--role",
        "analyst",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert PASSWORD not in prompted.output  # the prompt never echoes
    listing = run("users", "list").output
    assert re.search(r"ana\s+│\s+North Unit\s+│\s+analyst\s+│\s+active", listing)
    assert "root" in run("users", "list", "--agency", "Administrators").output
    assert "North Unit" in run("agencies", "list").output
    assert accounts.authenticate(engine, "ana", PASSWORD).ok


def test_disable_reset_totp(engine) -> None:
    run("agencies", "add", "North Unit")
    run("users", "add", "ben", "--agency", "North Unit", "--password-stdin", input=PASSWORD + "\n")
    run("users", "disable", "ben")
    assert accounts.authenticate(engine, "ben", PASSWORD).reason == "disabled"
    assert "disabled" in run("users", "list").output
    run("users", "enable", "ben")
    out = run("users", "reset", "ben").output
    one_time = out.strip().splitlines()[-1].strip()
    result = accounts.authenticate(engine, "ben", one_time)
    assert result.ok and result.user.must_change_password
    run("users", "reset", "ben", "--password-stdin", input="an admin chosen passphrase\n")
    assert accounts.authenticate(engine, "ben", "an admin chosen passphrase").ok
    assert "otpauth://totp/Lantern:ben" in run("users", "totp", "ben").output
    assert accounts.authenticate(engine, "ben", "an admin chosen passphrase").reason == "totp_required"
    run("users", "totp", "ben", "--remove")
    run("users", "role", "ben", "supervisor")
    run("users", "disable", "nobody", code=2)


def test_tokens(engine) -> None:
    run("agencies", "add", "North Unit")
    run(
        "users",
        "add",
        "cam",
        "--agency",
        "North Unit",
        "--role",
        "analyst",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    run("tokens", "create", "cam", "--name", "exporter", "--scope", "export", code=2)
    out = run("tokens", "create", "cam", "--name", "nightly", "--scope", "read", "--scope", "search").output
    token = next(word for word in out.split() if word.startswith("lt_"))
    assert tokens.authenticate(engine, token).scopes == {"read", "search"}
    listing = run("tokens", "list", "--user", "cam").output
    assert "nightly" in listing and token not in listing
    token_id = tokens.authenticate(engine, token).token_id
    run("tokens", "revoke", str(token_id))
    run("tokens", "revoke", str(token_id), code=2)
    assert tokens.authenticate(engine, token) is None
    assert "revoked" in run("tokens", "list").output


def test_audit_verify_anchor_and_log(engine) -> None:
    run("agencies", "add", "[bold]North[/bold] Unit")  # markup in names is printed, not interpreted
    run(
        "users",
        "add",
        "dee",
        "--agency",
        "[bold]North[/bold] Unit",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    accounts.authenticate(engine, "dee", PASSWORD)
    assert "intact: 3 entries" in run("audit", "verify").output
    anchor = run("audit", "anchor").output.strip()
    assert re.fullmatch(r"3:[0-9a-f]{64}", anchor)
    run("audit", "verify", "--anchor", anchor)
    log = run("audit", "log", "--agency", "[bold]North[/bold] Unit", "--limit", "10").output
    assert "login.success" in log and "user.create" in log and "[bold]North[/bold] Unit" in log
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET target = 'user:someone-else' WHERE id = 2"))
    broken = run("audit", "verify", code=1)
    assert "BROKEN at entry 2" in broken.output and "edited" in broken.output
    run("audit", "verify", "--anchor", "not-an-anchor:x", code=2)


def test_empty_log_anchor_fails(engine) -> None:
    run("audit", "anchor", code=1)
    assert "intact: 0 entries" in run("audit", "verify").output


def test_retention_dry_run_then_execute(engine, tmp_path, data_dir) -> None:
    from lantern.config import load_settings
    from lantern.ingest.pipeline import Ingestor

    Ingestor(engine, load_settings()).run([(str(write_jsonl(tmp_path / "a.jsonl", [ad(1), ad(2)])), "jsonl")])
    with engine.begin() as connection:
        connection.execute(text("UPDATE records SET last_ingested_at = '2020-01-01 00:00:00'"))
    dry = run("retention", "apply", "--days", "30").output
    assert "would purge: 2 records" in dry and "example-classifieds ad-1" in dry and "dry run" in dry
    assert "purged: 2 records" in run("retention", "apply", "--days", "30", "--execute").output
    assert "would purge: 0 records" in run("retention", "apply").output
    assert "retention.purge" in run("audit", "log").output
    run("audit", "verify")
