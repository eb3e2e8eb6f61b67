"""Settings refuse mistakes in one line that names them; ``lantern config show`` masks secrets; libpq-style
PostgreSQL URLs (``postgresql://``, ``sslmode``) open through pg8000; no command migrates a schema silently."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import ConfigError, load_settings
from lantern.store.db import (
    SchemaOutOfDate,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    open_database,
)
from lantern.store.urls import engine_arguments, masked_url

runner = CliRunner()


def _lantern(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it (its one-line errors come from ``lantern.cli.main``)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    command = [sys.executable, "-c", "from lantern.cli import main; main()", *args]
    return subprocess.run(command, env={**clean, **env}, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_typo_in_lantern_config_fails_loudly_instead_of_making_an_empty_store(tmp_path: Path) -> None:
    done = _lantern("stats", env={"LANTERN_CONFIG": str(tmp_path / "lanter.toml")}, cwd=tmp_path)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"lantern: configuration: LANTERN_CONFIG={tmp_path / 'lanter.toml'}: no such file"
    )
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "lantern-data").exists()


def test_an_unknown_key_names_its_line_and_the_nearest_setting(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "lantern.toml"
    config.write_text('[lantern]\ndata_dir = "/srv/lantern"\n\ndatabse_url = "sqlite:///x.db"\n')
    monkeypatch.setenv("LANTERN_CONFIG", str(config))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == f"{config}:4: unknown setting 'databse_url' (did you mean 'database_url'?)"


def test_settings_outside_the_lantern_table_are_refused(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "lantern.toml"
    config.write_text('data_dir = "/srv/lantern"\n')
    monkeypatch.setenv("LANTERN_CONFIG", str(config))
    with pytest.raises(
        ConfigError, match=r"lantern.toml:1: unknown table or key 'data_dir'; settings go under"
    ):
        load_settings()


def test_a_bad_value_names_the_file_line_or_the_variable(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "lantern.toml"
    config.write_text("[lantern]\nretention_days = 0\n")
    monkeypatch.setenv("LANTERN_CONFIG", str(config))
    with pytest.raises(
        ConfigError,
        match=r"lantern.toml:2: retention_days: Input should be greater than or equal to 1 \(got 0\)",
    ):
        load_settings()
    monkeypatch.setenv("LANTERN_RETENTION_DAYS", "soon")
    with pytest.raises(ConfigError, match=r"^LANTERN_RETENTION_DAYS: Input should be a valid integer"):
        load_settings()


def test_environment_wins_over_the_file_and_lists_split_on_the_path_separator(
    tmp_path: Path, monkeypatch
) -> None:
    config = tmp_path / "lantern.toml"
    config.write_text(
        f'[lantern]\ndata_dir = "{tmp_path / "from-file"}"\nbatch_size = 500\nsecure_cookies = true\n'
    )
    monkeypatch.setenv("LANTERN_CONFIG", str(config))
    monkeypatch.setenv("LANTERN_BATCH_SIZE", "700")
    monkeypatch.setenv("LANTERN_IMAGE_ROOTS", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    monkeypatch.delenv("LANTERN_DATA_DIR", raising=False)
    monkeypatch.delenv("LANTERN_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.data_dir == tmp_path / "from-file"
    assert settings.database_url == f"sqlite:///{tmp_path / 'from-file' / 'lantern.db'}"
    assert (settings.batch_size, settings.secure_cookies) == (700, True)
    assert settings.image_roots == (tmp_path / "a", tmp_path / "b")


def test_config_show_prints_every_setting_with_secrets_masked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(
        "LANTERN_DATABASE_URL", "postgresql://lantern:hunter2@db.example.org/lantern?sslmode=require"
    )
    monkeypatch.setenv("LANTERN_SMTP_PASSWORD", "mail-secret")
    monkeypatch.setenv("LANTERN_OIDC_ISSUER", "https://login.example.org/realms/agency")
    monkeypatch.setenv("LANTERN_OIDC_CLIENT_ID", "lantern")
    monkeypatch.setenv("LANTERN_OIDC_CLIENT_SECRET", "oidc-secret")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    for secret in ("hunter2", "mail-secret", "oidc-secret"):
        assert secret not in result.output
    assert 'database_url = "postgresql://lantern:***@db.example.org/lantern?sslmode=require"' in result.output
    assert 'smtp_password = "********"' in result.output
    assert 'oidc_issuer = "https://login.example.org/realms/agency"' in result.output


def test_database_url_errors_never_print_the_password(monkeypatch) -> None:
    monkeypatch.setenv("LANTERN_DATABASE_URL", "postgresql://u:hunter2@h/db?sslmode=prefer")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith("LANTERN_DATABASE_URL: sslmode=prefer falls back to plain text")
    assert "hunter2" not in str(caught.value) and "u:***@h" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "driver", "verify", "hostname"),
    [
        ("postgresql://u@h/db", "postgresql+pg8000", None, None),
        ("postgres://u@h/db?sslmode=disable", "postgresql+pg8000", None, None),
        ("postgresql://u@h/db?sslmode=require", "postgresql+pg8000", ssl.CERT_NONE, False),
        ("postgresql+pg8000://u@h/db?sslmode=verify-ca", "postgresql+pg8000", ssl.CERT_REQUIRED, False),
        (
            "postgresql://u@h/db?sslmode=verify-full&application_name=lantern",
            "postgresql+pg8000",
            ssl.CERT_REQUIRED,
            True,
        ),
    ],
)
def test_libpq_urls_become_pg8000_with_the_tls_context_libpq_would_use(url, driver, verify, hostname) -> None:
    target, connect_args = engine_arguments(url)
    assert target.drivername == driver and "sslmode" not in target.query
    context = connect_args.get("ssl_context")
    assert (context.verify_mode if context else None) == verify
    assert (context.check_hostname if context else None) == hostname


def test_unsupported_databases_and_modes_are_refused_with_the_reason() -> None:
    for url, reason in (
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("postgresql://u@h/db?sslmode=prefer", "sslmode=prefer falls back to plain text"),
        ("postgresql://u@h/db?sslmode=strict", "unknown sslmode='strict'"),
        ("not a url", "not a database URL"),
    ):
        with pytest.raises(ValueError, match=reason):
            engine_arguments(url)
    assert masked_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"


def test_postgresql_over_tls_with_sslmode(postgres_server) -> None:
    """The test cluster serves TLS with its own CA: require and verify-full both connect encrypted, and
    verify-full refuses a host name the certificate does not carry."""
    base = f"postgresql://lantern@127.0.0.1:{postgres_server.port}/postgres"
    for query in ("sslmode=require", f"sslmode=verify-full&sslrootcert={postgres_server.ca_file}"):
        engine = make_engine(f"{base.replace('127.0.0.1', 'localhost')}?{query}")
        with engine.connect() as connection:
            assert connection.execute(
                text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            ).scalar()
        engine.dispose()
    engine = make_engine(f"{base}?sslmode=verify-full&sslrootcert={postgres_server.ca_file}")
    with pytest.raises(Exception, match=r"(?i)certificate|hostname|match"):
        engine.connect()
    engine.dispose()


def test_no_command_migrates_an_older_schema_but_db_upgrade(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'lantern.db'}"
    monkeypatch.setenv("LANTERN_DATA_DIR", str(data))
    monkeypatch.delenv("LANTERN_DATABASE_URL", raising=False)
    engine = make_engine(url)
    migrate(engine, "0008")
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match=r"schema 0008, this Lantern needs .*lantern db upgrade"):
        open_database(url)
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 1 and "schema 0008" in result.output and "out of date" in result.output
    result = runner.invoke(app, ["stats"])
    assert isinstance(result.exception, SchemaOutOfDate)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert runner.invoke(app, ["db", "current"]).exit_code == 0


def test_a_new_empty_store_is_created_owner_only(tmp_path: Path) -> None:
    done = _lantern("stats", env={"LANTERN_DATA_DIR": str(tmp_path / "data")}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "data" / "lantern.db").stat().st_mode & 0o077 == 0
