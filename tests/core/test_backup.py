"""``lantern backup`` then ``lantern restore`` into a fresh folder (and, on PostgreSQL, a new empty database)
gives a store whose exports equal the original's byte for byte; a damaged backup or a non-empty target
is refused before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lantern.cli import app
from tests.conftest import ad, make_image, write_jsonl

pytestmark = pytest.mark.databases("sqlite", "postgresql")
runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (args, result.output, result.exception)
    return result.output


def _exports(tmp_path: Path, name: str) -> dict[str, bytes]:
    folder = tmp_path / name
    folder.mkdir()
    run("export", "ads", "-o", str(folder / "ads.jsonl"))
    run("export", "ads", "--format", "csv", "-o", str(folder / "ads.csv"))
    run("export", "clusters", "-o", str(folder / "clusters.jsonl"))
    network = next(line for line in (folder / "clusters.jsonl").read_text().splitlines() if '"N-' in line)
    network_id = network.split('"cluster":"')[1].split('"')[0]
    run("export", "network", network_id, "-o", str(folder / "network.graphml"))
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _store(tmp_path: Path) -> None:
    for seed in (1, 2, 3):
        make_image(tmp_path / "feed" / f"p{seed}.png", seed=seed)
    rows = [
        ad(1, body="Call 713-555-0142, new in town", images=["p1.png", "p2.png"]),
        ad(2, body="Text 713 555 0142 for details", images=["p2.png"]),
        ad(3, body="Quiet and friendly, ask for Mia", images=["p3.png"]),
    ]
    run("ingest", str(write_jsonl(tmp_path / "feed" / "ads.jsonl", rows)))
    run("link", "--full")


def test_backup_then_restore_gives_the_same_exports(
    data_dir, tmp_path, monkeypatch, database, request
) -> None:
    _store(tmp_path)
    before = _exports(tmp_path, "before")
    out = tmp_path / "backup"
    run("backup", str(out))
    manifest = (out / "manifest.json").read_text()
    assert '"path": "data/link-state.npz"' in manifest and '"path": "data/images/' in manifest
    assert (out / ("database.sqlite" if database == "sqlite" else "database.pgdump")).is_file()

    monkeypatch.setenv("LANTERN_DATA_DIR", str(tmp_path / "restored"))
    if database == "postgresql":
        monkeypatch.setenv(
            "LANTERN_DATABASE_URL", request.getfixturevalue("postgres_server").new_empty_database()
        )
    run("restore", str(out))
    after = _exports(tmp_path, "after")
    assert after == before
    assert run("audit", "verify").startswith("audit log intact")


def test_a_damaged_backup_or_a_used_target_is_refused(data_dir, tmp_path, monkeypatch) -> None:
    _store(tmp_path)
    out = tmp_path / "backup"
    run("backup", str(out))
    assert "not empty" in run("backup", str(out), code=2)
    assert "not empty" in run("restore", str(out), code=2)  # the original data folder is in use
    image = next(
        (out / "data" / "images").rglob("*.*")
        if False
        else (p for p in (out / "data" / "images").rglob("*") if p.is_file())
    )
    image.write_bytes(image.read_bytes() + b"x")
    monkeypatch.setenv("LANTERN_DATA_DIR", str(tmp_path / "fresh"))
    output = run("restore", str(out), code=2)
    assert "does not match the manifest" in output and image.name in output
    assert not (tmp_path / "fresh").exists()
