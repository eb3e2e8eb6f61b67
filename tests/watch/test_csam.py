"""CSAM quarantine: a listed image never reaches the store, its record is flagged, a report has no bytes.

The "listed" images are ordinary abstract test images whose hashes the test itself puts on a list.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from lantern.config import load_settings
from lantern.csam import clear_cache, is_blocked
from lantern.csam.store import flagged_record_pks
from lantern.extract import fingerprint_image
from lantern.ingest.images import store_path
from lantern.store.schema import audit_log, csam_matches, images, records
from tests.conftest import ad, make_image, write_jsonl
from tests.watch.helpers import engine, run

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def _feed(tmp_path: Path) -> tuple[Path, Path, Path]:
    folder = tmp_path / "feed"
    listed = make_image(folder / "photos" / "listed.png", seed=11)
    other = make_image(folder / "photos" / "other.png", seed=12)
    feed = write_jsonl(
        folder / "ads.jsonl", [ad(1, images=["photos/listed.png"]), ad(2, images=["photos/other.png"])]
    )
    return feed, listed, other


@pytest.mark.parametrize("fmt", ["sha256", "md5", "phash"])
def test_listed_image_is_never_stored_and_record_is_flagged(data_dir: Path, tmp_path: Path, fmt: str) -> None:
    clear_cache()
    feed, listed, other = _feed(tmp_path)
    data = listed.read_bytes()
    value = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "md5": hashlib.md5(data).hexdigest(),
        "phash": fingerprint_image(data).phash,
    }[fmt]
    hashes = tmp_path / "list.txt"
    hashes.write_text(f"# test list\n{value}\nnot-a-hash\n")
    result = run("csam", "load-hashes", str(hashes), "--format", fmt, "--list-name", "test")
    assert result.exit_code == 0, result.output
    assert "1 added, 1 lines refused" in result.output
    assert run("ingest", str(feed)).exit_code == 0

    settings = load_settings()
    listed_sha = hashlib.sha256(data).hexdigest()
    other_sha = hashlib.sha256(other.read_bytes()).hexdigest()
    assert not store_path(settings.images_dir, listed_sha).exists()  # never written
    assert store_path(settings.images_dir, other_sha).exists()
    stored_files = [p.name for p in settings.images_dir.rglob("*") if p.is_file()]
    assert listed_sha not in stored_files
    eng = engine()
    with eng.connect() as connection:
        pks = dict(connection.execute(select(records.c.record_id, records.c.id)).all())
        assert set(pks) == {"ad-1", "ad-2"}  # the record itself (text) is stored
        assert flagged_record_pks(connection) == {pks["ad-1"]}
        assert connection.execute(select(images.c.sha256).where(images.c.sha256 == listed_sha)).first()
    assert is_blocked(listed_sha, eng) and not is_blocked(other_sha, eng)

    with eng.connect() as connection:
        match_id = connection.execute(select(csam_matches.c.id)).scalar_one()
    listing = run("csam", "list-matches")
    assert listed_sha in listing.output
    out = tmp_path / "report.json"
    assert run("csam", "report", str(match_id), "-o", str(out)).exit_code == 0
    package = json.loads(out.read_text())
    assert package["image_included"] is False
    assert package["file"]["sha256"] == listed_sha
    assert package["location_online"]["record_id"] == "ad-1"
    assert package["incident"]["matched_hash_kind"] == fmt
    raw = out.read_bytes()
    assert data not in raw and data[:64] not in raw
    with eng.connect() as connection:
        actions = list(connection.execute(select(audit_log.c.action)).scalars())
    assert "csam.load_hashes" in actions and "csam.report" in actions

    # Re-ingesting changes nothing and makes no second match.
    assert run("ingest", str(feed)).exit_code == 0
    with eng.connect() as connection:
        assert len(connection.execute(select(csam_matches.c.id)).all()) == 1


def test_loading_a_list_blocks_images_already_stored(data_dir: Path, tmp_path: Path) -> None:
    clear_cache()
    feed, listed, _ = _feed(tmp_path)
    assert run("ingest", str(feed)).exit_code == 0
    settings = load_settings()
    listed_sha = hashlib.sha256(listed.read_bytes()).hexdigest()
    assert store_path(settings.images_dir, listed_sha).exists()
    hashes = tmp_path / "list.txt"
    hashes.write_text(listed_sha + "\n")
    result = run("csam", "load-hashes", str(hashes), "--format", "sha256")
    assert result.exit_code == 0
    assert "1 stored images blocked, 1 records flagged" in " ".join(result.output.split())
    assert not store_path(settings.images_dir, listed_sha).exists()
    assert is_blocked(listed_sha, engine())
