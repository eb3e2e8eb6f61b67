"""The deployment kit holds together: the compose file validates with Docker's own tool (where it is
installed), the systemd units pass ``systemd-analyze verify``, every ``lantern`` command they and the
Dockerfile run parses with this Lantern's command line, and the example settings are valid settings."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import typer

from lantern.cli import app
from lantern.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def parses(args: list[str]) -> None:
    """Parse ``lantern ARGS`` as the installed command would, without running it (a usage error if not)."""
    command = typer.main.get_command(app)  # typer's own copy of click: duck-typed here
    args = list(args)
    while hasattr(command, "list_commands"):
        name = args.pop(0)
        found = command.get_command(command.make_context("lantern", [], resilient_parsing=True), name)
        assert found is not None, f"no verb {name!r}"
        command = found
    command.make_context(command.name or "lantern", args)


def _compose_tool() -> list[str] | None:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_the_compose_file_validates(tmp_path) -> None:
    tool = _compose_tool()
    if tool is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    folder = tmp_path / "deploy"
    shutil.copytree(DEPLOY, folder)
    (folder / "lantern.env").write_text((DEPLOY / "lantern.env.example").read_text())
    env = {**os.environ, "POSTGRES_PASSWORD": "not-a-real-password"}
    done = subprocess.run(
        [*tool, "-f", str(folder / "compose.yaml"), "config"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "service_completed_successfully" in done.stdout and "postgresql://lantern:" in done.stdout


def _compose_commands() -> list[list[str]]:
    import yaml

    document = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return [
        service["command"]
        for service in document["services"].values()
        if "lantern" in str(service.get("image", ""))
    ]


def test_every_lantern_command_of_the_kit_parses() -> None:
    commands = _compose_commands()
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit)
        line = parser["Service"]["ExecStart"].replace("%%", "%")
        if line.startswith(
            "/bin/sh -c "
        ):  # a shell line: the lantern command, its redirection and $(date) aside
            line = shlex.split(line)[2].removeprefix("exec ")
            line = line.split(" >>")[0].replace("$(date -u +%Y-%m-%dT%H%M)", "2026-01-01T0000")
        words = shlex.split(line)
        assert words[0] == "/opt/lantern/venv/bin/lantern", unit
        commands.append(words[1:])
    dockerfile = (ROOT / "Dockerfile").read_text()
    commands.append(["serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"])
    assert 'CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]' in dockerfile
    assert len(commands) >= 9
    for words in commands:
        parses(words)
    with pytest.raises(Exception, match="bogus"):
        parses(["serve", "--bogus"])


def test_the_image_runs_as_an_unprivileged_user_with_runtime_dependencies_only() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER lantern" in dockerfile and "--require-hashes -r requirements-runtime.lock" in dockerfile
    assert "requirements.lock" not in dockerfile.replace("requirements-runtime.lock", "")


def test_systemd_units_verify() -> None:
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    units = sorted(str(p) for p in (DEPLOY / "systemd").iterdir())
    done = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    problems = [line for line in done.stderr.splitlines() if line.strip() and "is not executable" not in line]
    assert not problems, "\n".join(problems)


def test_the_example_settings_are_valid_settings(tmp_path, monkeypatch) -> None:
    for line in (DEPLOY / "lantern.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            monkeypatch.setenv(name, value)
    ca = tmp_path / "db-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    config = tmp_path / "lantern.toml"
    config.write_text(
        (DEPLOY / "lantern.toml.example").read_text().replace("/etc/lantern/db-ca.pem", str(ca))
    )
    monkeypatch.setenv("LANTERN_CONFIG", str(config))
    monkeypatch.delenv("LANTERN_DATA_DIR", raising=False)
    monkeypatch.delenv("LANTERN_DATABASE_URL", raising=False)
    settings = load_settings()
    assert (
        settings.base_url == "https://lantern.agency.example"
        and settings.secure_cookies
        and settings.proxy_headers
    )
    assert settings.database_url.startswith(
        "postgresql://lantern@db.agency.example/lantern?sslmode=verify-full"
    )


def test_every_lantern_command_in_the_deployment_guide_parses() -> None:
    """docs/deploy.md is followed by people copying its lines: each ``lantern …`` command in it must exist."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    blocks = [block.split("\n", 1)[1] for block in text.split("```")[1::2] if block.startswith("sh")]
    found = 0
    invocation = re.compile(r"(?:^|… |bin/)lantern ([a-z].*)$")
    for line in (ln for block in blocks for ln in block.splitlines()):
        match = invocation.search(line.split(" #")[0].strip())
        if match is None:
            continue
        try:
            parses(shlex.split(match.group(1)))
        except Exception as error:  # a folder the example names need not exist here
            assert "does not exist" in str(error), (line, error)
        found += 1
    assert found >= 8
