"""An ingest killed with SIGKILL and run again ends in exactly the state of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ad, make_image, write_jsonl

TOTAL = 3000


def corpus(folder: Path) -> Path:
    make_image(folder / "p.png", seed=5)
    rows: list = []
    for number in range(TOTAL):
        rows.append(ad(number, images=["p.png"] if number % 10 == 0 else []))
        if number % 97 == 0:
            rows.append("{broken line")
        if number % 113 == 0:
            rows.append(ad(number, body=f"Changed text for {number}, call 832-555-0111"))
    return write_jsonl(folder / "ads.jsonl", rows)


def lantern(data_dir: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "LANTERN_DATA_DIR": str(data_dir), "LANTERN_BATCH_SIZE": "100"}
    return subprocess.Popen(
        [sys.executable, "-m", "lantern", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def stored_count(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT count(*) FROM records").fetchone()[0]
    except sqlite3.Error:
        return 0


def snapshot(database: Path) -> dict[str, list]:
    """Every table's content, leaving out only when things were ingested and by which run."""
    with sqlite3.connect(database) as connection:
        return {
            "records": connection.execute(
                "SELECT source, record_id, revision, content_sha256, title, body, extracted, network_id "
                "FROM records ORDER BY source, record_id"
            ).fetchall(),
            "revisions": connection.execute(
                "SELECT r.source, r.record_id, v.revision, v.content_sha256, v.raw_sha256, v.raw, v.origin_line "
                "FROM record_revisions v JOIN records r ON r.id = v.record_pk ORDER BY 1, 2, 3"
            ).fetchall(),
            "images": connection.execute("SELECT sha256, phash FROM images ORDER BY 1").fetchall(),
            "record_images": connection.execute(
                "SELECT r.source, r.record_id, i.revision, i.position, i.image_sha256 "
                "FROM record_images i JOIN records r ON r.id = i.record_pk ORDER BY 1, 2, 3, 4"
            ).fetchall(),
            "quarantine": connection.execute(
                "SELECT origin_line, field, reason, raw FROM quarantine ORDER BY origin_line"
            ).fetchall(),
            "fts": connection.execute(
                "SELECT rowid FROM records_fts WHERE records_fts MATCH 'changed'"
            ).fetchall(),
            "entities": connection.execute(
                "SELECT r.source, r.record_id, e.kind, e.value FROM entities e JOIN records r ON r.id = e.record_pk "
                "ORDER BY 1, 2, 3, 4"
            ).fetchall(),
        }


def test_killed_ingest_resumes_to_the_same_state(tmp_path: Path) -> None:
    feed = corpus(tmp_path / "feed")
    reference_dir = tmp_path / "reference"
    reference = lantern(reference_dir, "ingest", "-q", str(feed))
    reference_out = reference.communicate(timeout=600)[0].decode()

    killed_dir = tmp_path / "killed"
    victim = lantern(killed_dir, "ingest", "-q", str(feed))
    deadline = time.monotonic() + 300
    while stored_count(killed_dir / "lantern.db") < 300 and time.monotonic() < deadline:
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    partial = stored_count(killed_dir / "lantern.db")
    assert 0 < partial < TOTAL, "the kill must land in the middle of the ingest"

    resumed = lantern(killed_dir, "ingest", "-q", str(feed))
    resumed_out = resumed.communicate(timeout=600)[0].decode()

    assert "read 3058: stored 3000, revised 27, unchanged 0, quarantined 31" in reference_out
    parts = (part.split(" ") for part in resumed_out.splitlines()[0].replace(":", ",").split(", "))
    counts = {name: int(number) for name, number in parts}
    assert counts["read"] == 3058 and counts["quarantined"] == 31
    assert counts["stored"] + counts["revised"] + counts["unchanged"] == 3027
    assert counts["unchanged"] > 0
    assert snapshot(killed_dir / "lantern.db") == snapshot(reference_dir / "lantern.db")
