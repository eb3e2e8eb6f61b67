"""The crawler against a fictional site served on 127.0.0.1: two crawls, evidence, refusals, ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from lantern.cli import app
from lantern.config import load_settings
from lantern.ingest.parse import Problem, parse_item
from lantern.sources.crawl import crawl_site
from lantern.sources.files import expand_paths, read_items
from lantern.sources.sites import configure
from tests.sources.site_server import FixtureSite, serve, site_toml

# Tests that store records (those using ``data_dir``) run on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.databases("sqlite", "postgresql")

runner = CliRunner()


def lantern(data: Path, *args: str):
    return runner.invoke(app, ["--data-dir", str(data), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    """Crawl the site, change it (edit ad 3, remove ad 4, add ad 9), crawl again; keep both results."""
    root = tmp_path_factory.mktemp("crawl")
    data = root / "data"
    site = FixtureSite()
    with serve(site) as base:
        site_file = root / "fixture.toml"
        site_file.write_text(site_toml(base))
        first = lantern(data, "crawl", str(site_file), "--no-link")
        first_run = Path(first.stdout.split("run folder: ")[1].splitlines()[0])
        site.version = 2
        second = lantern(data, "crawl", str(site_file), "--no-link")
        second_run = Path(second.stdout.split("run folder: ")[1].splitlines()[0])
    configure([])
    return {
        "data": data,
        "site_file": site_file,
        "first": first,
        "second": second,
        "first_run": first_run,
        "second_run": second_run,
        "site": site,
    }


def _log(run: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in (run / "fetch-log.jsonl").read_text().splitlines()]
    return {
        row["url"].split("/", 3)[-1] if "127.0.0.1" in row["url"] else row["url"]: row["outcome"]
        for row in rows
    }


def test_first_crawl_stores_ads_and_quarantines_the_broken_page(crawled) -> None:
    result = crawled["first"]
    assert result.exit_code == 0, result.output
    assert "listing pages" in result.stdout and "8 new ads" in result.stdout
    assert "read 8: stored 7, revised 0, unchanged 0, quarantined 1" in result.stdout
    assert "unmapped.cdr.jsonl:1: title: required field is empty" in result.stderr
    records = [json.loads(line) for line in (crawled["first_run"] / "records.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in records) == [
        "1",
        "10",
        "108",
        "12",
        "2",
        "3",
        "4",
    ]  # ad 8 redirects to 108
    summary = json.loads((crawled["first_run"] / "summary.json").read_text())
    assert summary["complete"] and summary["listing_pages"] == 4 and summary["robots_forbidden"] == 1


def test_slow_huge_broken_robots_and_private_addresses_are_bounded_and_logged(crawled) -> None:
    log = _log(crawled["first_run"])
    assert log["ad/6"] == "timeout"
    assert log["ad/7"] == "too-large"
    assert log["ad/13"] == "robots"
    assert log["ad/14"] == "failed"  # HTTP 500
    assert log["http://10.255.255.1/ad/11"] == "refused"  # a redirect to a private address
    assert log["http://10.255.255.1/img/secret.png"] == "refused"
    assert log["http://169.254.169.254/latest/meta-data/photo.png"] == "refused"
    records = {
        json.loads(line)["id"]: json.loads(line) for line in (crawled["first_run"] / "records.jsonl").open()
    }
    ad10 = records["10"]
    assert len(ad10["images"]) == 1 and (crawled["first_run"] / ad10["images"][0]).is_file()
    refused = {p["url"]: p["reason"] for p in ad10["images_not_stored"]}
    assert "private address" in refused["http://10.255.255.1/img/secret.png"]
    assert crawled["site"].hits.get("/ad/6", 0) <= 4  # two crawls, one retry each at most


def test_every_response_is_in_the_warc_and_records_point_at_their_capture(crawled) -> None:
    warcs = sorted((crawled["data"] / "crawl" / "fixture-classifieds" / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2  # one per crawl
    record = json.loads((crawled["first_run"] / "records.jsonl").read_text().splitlines()[0])
    provenance = record["provenance"]
    warc = warcs[0].parent / provenance["warc_file"]
    with warc.open("rb") as handle:
        handle.seek(provenance["record_offset"])
        capture = next(iter(ArchiveIterator(handle)))
        assert capture.rec_type == "response"
        assert capture.rec_headers.get_header("WARC-Target-URI") == provenance["final_url"]
    kinds: dict[str, int] = {}
    with warcs[0].open("rb") as handle:
        for capture in ArchiveIterator(handle):
            kinds[capture.rec_type] = kinds.get(capture.rec_type, 0) + 1
    assert kinds["request"] == kinds["response"] >= 20 and kinds["warcinfo"] == 1
    # The same WARC read back through the site rules gives the same ads, and the broken page quarantined.
    configure([crawled["site_file"]])
    try:
        items = [item for path, fmt in expand_paths([str(warcs[0])])[0] for item in read_items(path, fmt)]
        results = [parse_item(item) for item in items]
    finally:
        configure([])
    ids = sorted(r.id for r in results if not isinstance(r, Problem))
    assert ids == ["1", "10", "108", "12", "2", "3", "4"]
    assert [p.field for p in results if isinstance(p, Problem)] == ["title"]


def test_second_crawl_fetches_only_what_changed_and_notices_what_disappeared(crawled) -> None:
    result = crawled["second"]
    assert result.exit_code == 0, result.output
    assert "1 new ads, 1 changed, 6 unchanged, 1 gone" in result.stdout
    assert "read 2: stored 1, revised 1, unchanged 0, quarantined 0" in result.stdout
    ids = sorted(json.loads(line)["id"] for line in (crawled["second_run"] / "records.jsonl").open())
    assert ids == ["3", "9"]
    assert crawled["site"].hits["/img/1.png"] == 1  # unchanged ads' images are not fetched again


def test_an_interrupted_crawl_resumes_from_its_jobdir(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "data")
    site = FixtureSite()
    with serve(site) as base:
        site_file = tmp_path / "fixture.toml"
        site_file.write_text(site_toml(base))
        cut = crawl_site(site_file, settings, timeout=2.5)  # killed while ad 6 is still timing out
        assert not cut.finished
        assert (settings.data_dir / "crawl" / "fixture-classifieds" / "job").is_dir()
        resumed = crawl_site(site_file, settings)
    assert resumed.resumed and resumed.finished and resumed.run_dir == cut.run_dir
    assert not (settings.data_dir / "crawl" / "fixture-classifieds" / "job").exists()
    ids = {json.loads(line)["id"] for line in (resumed.run_dir / "records.jsonl").open()}
    assert ids == {"1", "2", "3", "4", "10", "12", "108"}


def test_watch_runs_every_step_and_resumes_after_a_crash(tmp_path: Path) -> None:
    data = tmp_path / "data"
    site = FixtureSite(slow_seconds=0.0)
    with serve(site) as base:
        site_file = tmp_path / "fixture.toml"
        site_file.write_text(site_toml(base))
        result = lantern(data, "watch", "--once", str(site_file))
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in lines] == [
            "crawled",
            "read",
            "linked",
            "alerts:",
        ]
        state = json.loads(lantern(data, "watch", "--status").stdout)
        entry = state["sites"]["fixture-classifieds"]
        assert state["status"] == "stopped" and entry["step"] == "alerts" and entry["cycle"] == 1
        # A watcher killed after the crawl: the next one starts at ingest, without crawling again.
        entry["step"] = "crawl"
        (data / "watch_state.json").write_text(json.dumps(state))
        site.version = 2
        again = lantern(data, "watch", "--once", str(site_file))
        assert again.stdout.splitlines()[0].startswith("fixture-classifieds: read 9: stored 0")
        entry = json.loads((data / "watch_state.json").read_text())["sites"]["fixture-classifieds"]
        assert entry["cycle"] == 1 and entry["step"] == "alerts"
