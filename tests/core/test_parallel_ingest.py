"""Reading records in worker processes changes the wall clock only: the store ends up the same."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from lantern.cli import app
from lantern.commands.ingest import PARALLEL_MIN_BYTES, choose_workers
from lantern.config import load_settings
from lantern.ingest.parallel import default_workers
from lantern.ingest.pipeline import Ingestor
from lantern.store.db import open_database
from lantern.store.schema import quarantine, records
from lantern.synth import RECORDS_FILE, generate
from tests.conftest import ad, make_image, write_jsonl


def _store(data_dir: Path, inputs: list[tuple[str, str]], workers: int) -> tuple[str, list, list]:
    settings = load_settings(data_dir)
    engine = open_database(settings.database_url)
    summary = Ingestor(engine, settings, workers=workers).run(inputs)
    with engine.connect() as connection:
        stored = connection.execute(
            select(records.c.source, records.c.record_id, records.c.extracted, records.c.content_sha256,
                   records.c.minor_score, records.c.trafficking_score).order_by(records.c.id)
        ).all()  # fmt: skip
        refused = connection.execute(
            select(quarantine.c.origin_line, quarantine.c.field, quarantine.c.reason).order_by(
                quarantine.c.id
            )
        ).all()
    engine.dispose()
    return summary.line(), stored, refused


def test_workers_store_exactly_what_one_process_stores(tmp_path: Path) -> None:
    world = tmp_path / "world"
    generate(world, 200, seed=11)
    make_image(tmp_path / "feed" / "a.png", seed=3)
    extra = write_jsonl(
        tmp_path / "feed" / "extra.jsonl",
        [
            ad(1, images=["a.png"]),
            '{"id": "broken", "source": "x",',
            {"id": "2", "source": "test", "posted_at": "not a date"},
            ad(1, body="Revised: call 713-555-0142 now"),  # a revision of line 1, in the same file
            ad(3, images=["missing.png"]),
        ],
    )
    inputs = [(str(world / RECORDS_FILE), "jsonl"), (str(extra), "jsonl")]
    serial = _store(tmp_path / "serial", inputs, workers=1)
    parallel = _store(tmp_path / "parallel", inputs, workers=2)
    assert serial[0] == parallel[0] == "read 205: stored 201, revised 1, unchanged 0, quarantined 3"
    assert serial[1] == parallel[1]
    assert serial[2] == parallel[2] and len(serial[2]) == 3
    assert any(field == "posted_at" for _, field, _ in parallel[2])


def test_cli_chooses_workers_by_input_size() -> None:
    assert choose_workers(3, 0, None) == 3  # --workers wins
    assert choose_workers(0, 2, 10) == 2  # then LANTERN_INGEST_WORKERS
    assert choose_workers(0, 0, PARALLEL_MIN_BYTES - 1) == 1  # a small input: not worth the start-up
    assert choose_workers(0, 0, None) == 1  # stdin: size unknown
    assert choose_workers(0, 0, PARALLEL_MIN_BYTES) == default_workers() >= 1


def test_ingest_workers_option(tmp_path: Path, data_dir: Path) -> None:
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(i) for i in range(1, 30)])
    result = CliRunner().invoke(app, ["ingest", "--no-link", "--workers", "2", str(feed)])
    assert result.exit_code == 0, result.output
    assert "read 29: stored 29, revised 0, unchanged 0, quarantined 0" in result.output
