"""Ingest as a user sees it: exact accounting, quarantine with reasons, revisions, preserved evidence."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import load_settings
from lantern.ingest.images import store_path
from lantern.store.db import open_database
from lantern.store.schema import images, quarantine, record_images, record_revisions, records
from tests.conftest import ad, make_image, write_jsonl

# Every test here runs on SQLite and on PostgreSQL: ``data_dir`` selects the database (tests/conftest.py).
pytestmark = pytest.mark.databases("sqlite", "postgresql")

runner = CliRunner()


def run(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def engine():
    return open_database(load_settings().database_url)


def count(table) -> int:
    with engine().connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_mixed_good_and_bad_lines_are_each_accounted_for(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "feed"
    make_image(folder / "photos" / "a.png", seed=1)
    (folder / "photos" / "not-an-image.png").write_bytes(b"this is text, not a picture")
    Image.new("1", (9000, 9000)).save(folder / "photos" / "bomb.png")
    (tmp_path / "outside.png").write_bytes((folder / "photos" / "a.png").read_bytes())
    lines = [
        ad(1, images=["photos/a.png"]),  # 1 good, with an image
        '{"id": "broken", "source": "x",',  # 2 malformed JSON
        ad(3, id=3),  # 3 wrong type
        {k: v for k, v in ad(4).items() if k != "id"},  # 4 missing id
        {k: v for k, v in ad(5).items() if k != "source"},  # 5 missing source
        b'{"id": "ad-6", "source": "s", "body": "caf\xe9"}',  # 6 invalid UTF-8
        ad(7, body="x" * 1_000_001),  # 7 field over 1 MB
        ad(8, images=["photos/missing.png"]),  # 8 missing image
        ad(9, images=["photos/not-an-image.png"]),  # 9 not an image
        ad(10, images=["photos/bomb.png"]),  # 10 decompression bomb
        ad(11, images=["../outside.png"]),  # 11 path escapes the feed folder
        ad(12),  # 12 good
        ad(13, posted_at="not a date"),  # 13 bad date
        "",  # blank lines are not records
        ad(14, images=["https://img.example.com/never-fetched.jpg"]),  # 15 remote image: kept, not fetched
    ]
    feed = write_jsonl(folder / "ads.jsonl", lines)

    result = run("ingest", str(folder))

    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "read 14: stored 3, revised 0, unchanged 0, quarantined 11"
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(feed))]
    by_line = {int(line.split(":")[1]): line for line in errors}
    assert set(by_line) == {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13}
    assert "malformed JSON" in by_line[2]
    assert f"{feed}:3: id: Input should be a valid string" in by_line[3]
    assert by_line[4].endswith(": id: required field is missing")
    assert by_line[5].endswith(": source: required field is missing")
    assert "invalid UTF-8 at byte" in by_line[6]
    assert ": body: field is over the 1,000,000-byte limit" in by_line[7]
    assert ": images: image 'photos/missing.png' cannot be read" in by_line[8]
    assert "is not a readable image" in by_line[9]
    assert "decompression bomb" in by_line[10]
    assert "escapes the record's folder" in by_line[11]
    assert ": posted_at: " in by_line[13]
    assert count(records) == 3
    assert count(quarantine) == 11
    with engine().connect() as connection:
        raw = connection.execute(select(quarantine.c.raw).where(quarantine.c.origin_line == 6)).scalar_one()
    assert raw == b'{"id": "ad-6", "source": "s", "body": "caf\xe9"}'


def test_strict_turns_any_quarantine_into_failure(data_dir: Path, tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(1), "not json"])
    assert run("ingest", "--strict", str(feed)).exit_code == 1
    clean = write_jsonl(tmp_path / "clean.jsonl", [ad(2)])
    assert run("ingest", "--strict", str(clean)).exit_code == 0


def test_reingesting_identical_records_changes_nothing(data_dir: Path, tmp_path: Path, database: str) -> None:
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(n) for n in range(5)] + ["{bad"])
    first = run("ingest", str(feed))
    assert first.stdout.splitlines()[0] == "read 6: stored 5, revised 0, unchanged 0, quarantined 1"
    before = {t.name: count(t) for t in (records, record_revisions, quarantine)}
    second = run("ingest", str(feed))
    assert second.stdout.splitlines()[0] == "read 6: stored 0, revised 0, unchanged 5, quarantined 1"
    assert {t.name: count(t) for t in (records, record_revisions, quarantine)} == before
    # The default SQLite store lives in the data folder; a PostgreSQL store leaves no file there.
    assert (data_dir / "lantern.db").exists() == (database == "sqlite")


def test_changed_record_becomes_a_revision_and_history_is_kept(data_dir: Path, tmp_path: Path) -> None:
    original = ad(1)
    changed = ad(1, body="Call or text 713-555-0177. Moving to Dallas next week.")
    run("ingest", str(write_jsonl(tmp_path / "day1.jsonl", [original])))
    result = run("ingest", str(write_jsonl(tmp_path / "day2.jsonl", [changed])))
    assert result.stdout.splitlines()[0] == "read 1: stored 0, revised 1, unchanged 0, quarantined 0"
    with engine().connect() as connection:
        current = connection.execute(select(records.c.body, records.c.revision)).one()
        history = connection.execute(
            select(
                record_revisions.c.revision, record_revisions.c.raw, record_revisions.c.raw_sha256
            ).order_by(record_revisions.c.revision)
        ).all()
    assert current == (changed["body"], 2)
    assert [row.revision for row in history] == [1, 2]
    assert json.loads(history[0].raw) == original
    raw_line = (tmp_path / "day1.jsonl").read_bytes().rstrip(b"\n")
    assert history[0].raw.encode() == raw_line
    assert history[0].raw_sha256 == hashlib.sha256(raw_line).hexdigest()
    # Re-sending the first version again is recognised as already preserved.
    again = run("ingest", str(tmp_path / "day1.jsonl"))
    assert again.stdout.splitlines()[0] == "read 1: stored 0, revised 0, unchanged 1, quarantined 0"


def test_same_record_twice_in_one_file_gives_a_revision(data_dir: Path, tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(1), ad(1, title="Updated title"), ad(1)])
    assert (
        run("ingest", str(feed)).stdout.splitlines()[0]
        == "read 3: stored 1, revised 1, unchanged 1, quarantined 0"
    )


def test_images_are_copied_into_a_content_addressed_store(data_dir: Path, tmp_path: Path) -> None:
    picture = make_image(tmp_path / "feed" / "img" / "p1.jpg", seed=3, fmt="JPEG")
    write_jsonl(tmp_path / "feed" / "ads.jsonl", [ad(1, images=["img/p1.jpg"]), ad(2, images=["img/p1.jpg"])])
    run("ingest", str(tmp_path / "feed" / "ads.jsonl"))
    digest = hashlib.sha256(picture.read_bytes()).hexdigest()
    stored = store_path(data_dir / "images", digest)
    assert stored.read_bytes() == picture.read_bytes()
    with engine().connect() as connection:
        row = connection.execute(select(images)).mappings().one()
        uses = connection.execute(select(func.count()).select_from(record_images)).scalar_one()
    assert (row["sha256"], row["media_type"], row["width"]) == (digest, "image/jpeg", 64)
    assert len(row["phash"]) == 16
    assert uses == 2


def test_stored_extraction_names_the_preserved_images(data_dir: Path, tmp_path: Path) -> None:
    """The extraction comes from the reading process already encoded; the writer puts the images it
    preserved into it, and a record without images keeps an empty list beside the same fields."""
    picture = make_image(tmp_path / "feed" / "img" / "p1.png", seed=4)
    body = "Text seven one three 555 oh one four two."
    write_jsonl(tmp_path / "feed" / "ads.jsonl", [ad(1, body=body, images=["img/p1.png"]), ad(2, body=body)])
    run("ingest", str(tmp_path / "feed" / "ads.jsonl"))
    with engine().connect() as connection:
        stored = dict(connection.execute(select(records.c.record_id, records.c.extracted)).all())
        phash = connection.execute(select(images.c.phash)).scalar_one()
    digest = hashlib.sha256(picture.read_bytes()).hexdigest()
    assert stored["ad-1"]["images"] == [{"sha256": digest, "phash": phash}]
    assert stored["ad-2"]["images"] == []
    assert stored["ad-1"]["phones"] == stored["ad-2"]["phones"] == ["+17135550142"]
    assert {key: value for key, value in stored["ad-1"].items() if key != "images"} == {
        key: value for key, value in stored["ad-2"].items() if key != "images"
    }


def test_csv_with_the_same_columns_and_multiline_fields(data_dir: Path, tmp_path: Path) -> None:
    make_image(tmp_path / "a.png", seed=1)
    make_image(tmp_path / "b.png", seed=2)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "source", "title", "body", "images", "location", "site_category"])
    writer.writerow(
        ["c1", "csv-site", "Hello", "line one\nline two 713-555-0123", "a.png|b.png", "Houston, TX", "x"]
    )
    writer.writerow(["c2", "csv-site", "Second", "plain", "", "", ""])
    writer.writerow(["c3", "csv-site", "short row"])
    (tmp_path / "ads.csv").write_text(buffer.getvalue())
    result = run("ingest", str(tmp_path / "ads.csv"))
    assert result.stdout.splitlines()[0] == "read 3: stored 2, revised 0, unchanged 0, quarantined 1"
    assert f"{tmp_path / 'ads.csv'}:5: record: row has 3 columns, the header has 7" in result.stderr
    with engine().connect() as connection:
        row = connection.execute(select(records).where(records.c.record_id == "c1")).mappings().one()
        raw = connection.execute(
            select(record_revisions.c.raw).where(record_revisions.c.record_pk == row["id"])
        )
    assert row["body"] == "line one\nline two 713-555-0123"
    assert row["extra"] == {"site_category": "x"}
    assert (
        raw.scalar_one() == 'c1,csv-site,Hello,"line one\nline two 713-555-0123",a.png|b.png,"Houston, TX",x'
    )
    assert count(record_images) == 2


def test_stdin_and_recursive_folders(data_dir: Path, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a" / "b" / "deep.jsonl", [ad(1)])
    write_jsonl(tmp_path / "a" / "top.ndjson", [ad(2)])
    (tmp_path / "a" / "notes.txt").write_text("not records")
    result = run("ingest", str(tmp_path / "a"))
    assert result.stdout.splitlines()[0] == "read 2: stored 2, revised 0, unchanged 0, quarantined 0"
    assert "skipped 1 file(s)" in result.stderr and "notes.txt" in result.stderr
    piped = run("ingest", "-", input=json.dumps(ad(3)) + "\n")
    assert piped.stdout.splitlines()[0] == "read 1: stored 1, revised 0, unchanged 0, quarantined 0"


def test_unknown_fields_are_kept_under_extra(data_dir: Path, tmp_path: Path) -> None:
    run("ingest", str(write_jsonl(tmp_path / "ads.jsonl", [ad(1, rating=4, tags=["a"], extra="kept")])))
    with engine().connect() as connection:
        assert connection.execute(select(records.c.extra)).scalar_one() == {
            "rating": 4,
            "tags": ["a"],
            "extra": "kept",
        }


def test_ingest_stores_extracted_fields_and_both_scores(data_dir: Path, tmp_path: Path) -> None:
    text = "Just turned 18, new in town. I am 18 years old. Text seven one three 555 oh one four two."
    run(
        "ingest",
        str(write_jsonl(tmp_path / "ads.jsonl", [ad(1, body=text), ad(2, body="Quiet evening walks.")])),
    )
    with engine().connect() as connection:
        rows = {
            row.record_id: row
            for row in connection.execute(
                select(records.c.record_id, records.c.extracted, records.c.minor_score)
            )
        }
    flagged = rows["ad-1"]
    assert "+17135550142" in flagged.extracted["phones"]
    assert 18 in flagged.extracted["ages"]
    assert flagged.minor_score == flagged.extracted["risk"]["minor"] > rows["ad-2"].minor_score
    fired = {indicator["id"] for indicator in flagged.extracted["indicators"]}
    assert "T02" in fired  # the obscured phone, fed by the extractor's trace
    assert all(indicator["source"] for indicator in flagged.extracted["indicators"])
