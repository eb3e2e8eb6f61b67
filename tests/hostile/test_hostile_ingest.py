"""Hostile input at ingest: every bad record, page, member or stream is said with a reason, the records
after it are stored, and the summary accounts for every record read (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import load_settings
from lantern.store.db import open_database
from lantern.store.schema import quarantine, records
from tests.hostile.corpus import CASES, Case

pytestmark = pytest.mark.databases("sqlite", "postgresql")

SUMMARY = re.compile(r"^read (\d+): stored (\d+), revised (\d+), unchanged (\d+), quarantined (\d+)$")


def ingest(case: Case, monkeypatch: pytest.MonkeyPatch):
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["ingest", "--no-link", *map(str, case.files)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def stored_rows() -> dict[str, dict]:
    engine = open_database(load_settings().database_url)
    with engine.connect() as connection:
        return {row["record_id"]: dict(row) for row in connection.execute(select(records)).mappings()}


def quarantine_rows() -> list[dict]:
    engine = open_database(load_settings().database_url)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(quarantine)).mappings()]


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_said_and_the_records_after_it_are_stored(
    name: str, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    case = CASES[name](folder)
    result = ingest(case, monkeypatch)

    summaries = [SUMMARY.match(line) for line in result.stdout.splitlines() if line.startswith("read ")]
    assert len(summaries) == 1 and summaries[0], result.stdout  # one summary line, none forged
    read, stored, revised, unchanged, quarantined = map(int, summaries[0].groups())
    assert read == stored + revised + unchanged + quarantined
    assert case.stored <= set(stored_rows())
    assert len(quarantine_rows()) == quarantined
    if case.quarantined is not None:
        assert quarantined == case.quarantined, result.stderr
    for reason in case.reasons:
        assert reason in result.stderr
    assert "\x1b" not in result.stderr and "\x1b" not in result.stdout


def test_hostile_charsets_are_read_and_said_in_provenance(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(CASES["hostile_charsets"](tmp_path), monkeypatch)
    rows = stored_rows()
    for number, charset in enumerate(("rot13", "zlib", "hex", "base64", "unicode_escape"), start=2):
        provenance = rows[str(number)]["extra"]["provenance"]
        assert f"HTTP header charset '{charset}' is not a text encoding" in provenance["charset_note"]
        assert rows[str(number)]["title"] == f"Friendly company {number} café \\x"
    assert (
        "<meta> charset 'rot13' is not a text encoding; read as windows-1252"
        in (rows["7"]["extra"]["provenance"]["charset_note"])
    )
    assert "charset_note" not in rows["1"]["extra"]["provenance"]


def test_a_large_repetitive_body_keeps_a_bounded_extraction(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(CASES["big_body"](tmp_path), monkeypatch)
    extracted = stored_rows()["ad-1"]["extracted"]
    assert len(orjson.dumps(extracted)) < 300_000  # was about 2.7 MB: one mention per repetition
    assert extracted["phones"] == ["+17135550142"] and extracted["emails"] == ["person@example.com"]
    assert extracted["mentions_dropped"] > 10_000
    assert {m["type"] for m in extracted["mentions"]} >= {"phone", "email"}


def test_a_symlink_is_not_followed_and_its_target_never_read(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(CASES["symlinked_file"](tmp_path / "case"), monkeypatch)
    (row,) = quarantine_rows()
    assert b"must never be read" not in row["raw"] and row["raw"].endswith(b"-outside.txt")


def test_records_after_millions_of_blank_lines_keep_their_line_numbers(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lantern.store.schema import record_revisions

    ingest(CASES["newlines"](tmp_path), monkeypatch)
    engine = open_database(load_settings().database_url)
    with engine.connect() as connection:
        assert connection.execute(select(record_revisions.c.origin_line)).scalar_one() == 5_000_001
