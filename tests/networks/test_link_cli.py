"""Networks from the command line: link (full and incremental), explain, networks, hubs, eval, demo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import load_settings
from lantern.synth import RECORDS_FILE, TRUTH_FILE, generate

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    generate(folder, 600, seed=11)
    return folder


def split_world(world: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The world's records as two files, earlier and later postings, as two days of collection."""
    lines = (world / RECORDS_FILE).read_text().splitlines()
    lines.sort(key=lambda line: json.loads(line)["posted_at"])
    first, second = tmp_path / "day1" / "a.jsonl", tmp_path / "day2" / "b.jsonl"
    for path, part in ((first, lines[:400]), (second, lines[400:])):
        path.parent.mkdir(parents=True)
        path.write_text("\n".join(part) + "\n")
    return first, second


def networks_of(url: str) -> dict[str, str]:
    """Each record's network, read straight from the store (SQLite file or PostgreSQL database)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT source || ':' || record_id, network_id FROM records"))
        found = {key: network for key, network in rows}
    engine.dispose()
    return found


@pytest.mark.databases("sqlite", "postgresql")
def test_ingest_links_incrementally_with_stable_network_ids(
    data_dir: Path, world: Path, tmp_path: Path, make_database_url: Callable[[str], str]
) -> None:
    first, second = split_world(world, tmp_path)
    url = load_settings().database_url
    day1 = run("ingest", "-q", str(first))
    assert "linked 400 records (full)" in day1.stdout
    before = networks_of(url)
    day2 = run("ingest", "-q", str(second))
    assert "linked 200 records (incremental)" in day2.stdout
    after = networks_of(url)
    assert all(after[key] for key in after)
    moved = [key for key, network in before.items() if after[key] != network]
    # Merges keep the older network's name, so records of day 1 keep their network unless two merge.
    assert len(moved) < len(before) * 0.1
    full_dir, full_url = tmp_path / "full", make_database_url("full")
    where = ("--data-dir", str(full_dir), "--database-url", full_url)
    run(*where, "ingest", "-q", "--no-link", str(first), str(second))
    run(*where, "link")
    assert networks_of(full_url) == after


@pytest.mark.databases("sqlite", "postgresql")
def test_networks_explain_hubs_and_eval(data_dir: Path, world: Path, tmp_path: Path) -> None:
    run("ingest", "-q", str(world / RECORDS_FILE))
    listing = run("networks", "--sort", "size", "--limit", "3")
    assert "Networks (leads, not verdicts)" in listing.stdout
    engine = create_engine(load_settings().database_url)
    with engine.connect() as connection:
        network, size = connection.execute(
            text("SELECT id, size FROM networks ORDER BY size DESC, id LIMIT 1")
        ).one()
        members = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT source || ':' || record_id FROM records WHERE network_id = :network "
                    "ORDER BY posted_at, id"
                ),
                {"network": network},
            )
        ]
    engine.dispose()
    assert size == len(members) >= 2
    explained = run("explain", members[0], members[-1])
    assert explained.exit_code == 0
    assert f"both in network {network}" in explained.stdout
    assert "–[" in explained.stdout
    shown = run("network", network)
    assert "Itinerary" in shown.stdout and network in shown.stdout
    hubs = run("hubs")
    assert "suppressed (boilerplate)" in hubs.stdout
    out = tmp_path / "eval.json"
    evaluated = run("eval", "--truth", str(world / TRUTH_FILE), "--out", str(out), "--ablation")
    assert evaluated.exit_code == 0
    report = json.loads(out.read_text())
    assert report["records_scored"] == 600
    assert (
        report["linking"]["bcubed"]["f1"]
        > report["link_ablation"]["baseline: phone union-find"]["bcubed"]["f1"]
    )
    assert set(report["link_ablation"]) == {
        "baseline: phone union-find",
        "phones only",
        "+ contacts",
        "+ images",
        "+ text (all)",
    }
    assert 0.0 <= report["minor_risk"]["average_precision"] <= 1.0
    baselines = report["baselines"]["minor_risk"]
    assert "youth language alone (T03)" in baselines and "stated age 18-19 alone" in baselines
    assert all(0 <= b["independents_in_top_100"] <= 100 for b in baselines.values())
    assert "baseline: third-party voice alone (T09)" in evaluated.stdout


def test_explain_says_when_records_are_not_linked(data_dir: Path) -> None:
    result = run("explain", "a:1", "b:2")
    assert result.exit_code == 1
    assert "run `lantern link` first" in result.stderr


def test_demo_builds_a_linked_world_without_serving(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run("--data-dir", str(folder), "demo", "--records", "120", "--no-serve")
    assert result.exit_code == 0
    assert "ingest: read 120: stored 120" in result.stdout
    assert "link: linked 120 records (full)" in result.stdout
    assert (folder / ".lantern-demo").exists() and (folder / "world" / TRUTH_FILE).exists()
    again = run("--data-dir", str(folder), "demo", "--records", "120", "--no-serve")
    assert again.exit_code == 0, "a second demo replaces the first"
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    refused = run("--data-dir", str(other), "demo", "--no-serve")
    assert refused.exit_code == 2 and (other / "notes.txt").exists()
