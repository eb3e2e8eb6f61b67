"""The ``synth`` verb through Typer, on a local app (cli.py registers it in the real one)."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer
from typer.testing import CliRunner

from lantern.commands.synth import register


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def noop() -> None:  # a second command keeps Typer from collapsing the app into one command
        """Nothing."""

    return app


def test_synth_command_writes_a_world(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        _app(), ["synth", "--ads", "250", "--seed", "9", "--out", str(out), "--images"]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 250 records" in result.output
    assert len((out / "records.jsonl").read_bytes().splitlines()) == 250
    assert len((out / "_truth.jsonl").read_bytes().splitlines()) == 250
    world = orjson.loads((out / "_world.json").read_bytes())
    assert world["seed"] == 9 and world["images"] is True and any((out / "images").iterdir())


def test_synth_command_takes_a_config_and_reports_bad_ones(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text("post_share = 0.0\n")
    result = CliRunner().invoke(
        _app(), ["synth", "--ads", "50", "--out", str(tmp_path / "w"), "--config", str(good)]
    )
    assert result.exit_code == 0, result.output
    assert "0 posts" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("nonsense = 1\n")
    result = CliRunner().invoke(
        _app(), ["synth", "--ads", "5", "--out", str(tmp_path / "x"), "--config", str(bad)]
    )
    assert result.exit_code == 2
