"""Cases end to end: attach, notes, feedback to calibration labels, and a verifiable evidence export."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lantern.assess.calibrate import read_labels
from lantern.csam import clear_cache
from lantern.store.schema import audit_log, case_records, networks
from tests.conftest import ad, make_image, write_jsonl
from tests.watch.helpers import engine, make_user, run

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def _setup(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "feed"
    make_image(folder / "p" / "a.png", seed=21)
    listed = make_image(folder / "p" / "listed.png", seed=22)
    rows = [
        ad(1, images=["p/a.png"], location="Houston, TX", posted_at="2026-03-01T10:00:00Z"),
        ad(
            2,
            body='Call or text 713-555-0101. =HYPERLINK("x") <b>new</b>',
            images=["p/listed.png"],
            location="Dallas, TX",
            posted_at="2026-03-05T10:00:00Z",
        ),
        ad(3, body="Unrelated 832-555-0177.", location="Austin, TX", posted_at="2026-03-09T10:00:00Z"),
    ]
    feed = write_jsonl(folder / "ads.jsonl", rows)
    sha = hashlib.sha256(listed.read_bytes()).hexdigest()
    (tmp_path / "list.txt").write_text(sha + "\n")
    return feed, sha


def test_case_lifecycle_feedback_and_evidence_export(data_dir: Path, tmp_path: Path) -> None:
    clear_cache()
    feed, listed_sha = _setup(tmp_path)
    make_user("ivy")
    make_user("sam")
    assert run("csam", "load-hashes", str(tmp_path / "list.txt"), "--format", "sha256").exit_code == 0
    assert run("ingest", str(feed)).exit_code == 0
    assert run("link").exit_code == 0
    with engine().connect() as connection:
        network_id = connection.execute(select(networks.c.id).where(networks.c.size >= 2)).scalar()
    assert network_id, "ads 1 and 2 share a phone and should form a network"

    assert run("cases", "create", "Harbor ring", "--agency", "Harbor PD", "--user", "ivy").exit_code == 0
    result = run("cases", "attach", "1", "--record", "example-classifieds/ad-3", "--network", network_id,
                 "--user", "ivy")  # fmt: skip
    assert result.exit_code == 0, result.output
    with engine().connect() as connection:
        assert len(connection.execute(select(case_records)).all()) == 3  # held from retention
    assert (
        run("cases", "note", "1", "Spoke with the hotel; <script>x</script>", "--user", "ivy").exit_code == 0
    )
    assert run("cases", "status", "1", "active", "--user", "ivy").exit_code == 0
    assert run("cases", "status", "1", "bogus").exit_code == 2
    assert run("cases", "assign", "1", "sam", "--user", "ivy").exit_code == 0
    for args in (
        ["--field", "phones", "--value", "+17135550101", "--verdict", "correct"],
        ["--indicator", "some.rule", "--verdict", "incorrect"],
        ["--outcome", "trafficking", "--verdict", "correct"],
    ):
        assert (
            run(
                "cases", "feedback", "1", "--record", "example-classifieds/ad-1", "--user", "ivy", *args
            ).exit_code
            == 0
        )
    assert run("cases", "feedback", "1", "--record", "example-classifieds/ad-3", "--outcome", "trafficking",
               "--verdict", "incorrect", "--user", "ivy").exit_code == 0  # fmt: skip
    labels_file = tmp_path / "labels.jsonl"
    assert run("cases", "labels", "-o", str(labels_file)).exit_code == 0
    labels = read_labels(labels_file)  # the calibrate verb's own reader accepts them
    assert sorted((x["id"], x["label"]) for x in labels) == [("ad-1", 1), ("ad-3", 0)]
    shown = run("cases", "show", "1")
    assert "ad-3" in shown.output and "active" in shown.output

    out = tmp_path / "case-1.zip"
    result = run("cases", "export", "1", "-o", str(out), "--user", "ivy")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        for name, entry in manifest["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"], name
        assert set(manifest["files"]) | {"manifest.json", "SHA256SUMS"} == names
        assert {"report.pdf", "case.json", "records.csv"} <= names
        assert archive.read("report.pdf").startswith(b"%PDF")
        assert len([n for n in names if n.startswith("raw/")]) == 3
        images = [n for n in names if n.startswith("images/")]
        assert len(images) == 1 and listed_sha not in "".join(names)  # the listed image is withheld
        assert manifest["withheld_images"] == [listed_sha]
        for name in names:
            assert (tmp_path / "feed" / "p" / "listed.png").read_bytes() not in archive.read(name)
        case = json.loads(archive.read("case.json"))
        assert [r["csam_flagged"] for r in case["records"] if r["record_id"] == "ad-2"] == [True]
        assert [s["location"] for s in case["itinerary"]] == ["Houston, TX", "Dallas, TX", "Austin, TX"]
        raw = next(n for n in names if n.startswith("raw/"))
        assert json.loads(archive.read(raw))["source"] == "example-classifieds"
        rows = archive.read("records.csv").decode()
        assert "=HYPERLINK" not in rows or "'=HYPERLINK" in rows
    with engine().connect() as connection:
        exports = (
            connection.execute(select(audit_log).where(audit_log.c.action == "case.export")).mappings().all()
        )
    assert len(exports) == 1
    assert exports[0]["detail"]["zip_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
