"""Each reader on small fixture files, and ``lantern ingest`` accepting them with provenance."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from lantern.cli import app
from lantern.config import load_settings
from lantern.ingest.parse import Problem, parse_item
from lantern.sources.files import expand_paths, read_items
from lantern.sources.formats import sniff_bytes
from lantern.sources.sites import configure
from lantern.store.db import open_database
from lantern.store.schema import quarantine, record_revisions, records
from tests.sources.fixtures import SITE, ad_html, cdr_line, mastodon_statuses, twitter_response, write_warc

# Tests that store records (those using ``data_dir``) run on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.databases("sqlite", "postgresql")

runner = CliRunner()


@pytest.fixture(autouse=True)
def builtin_sites():
    configure([])
    yield
    configure([])


def parsed(path: Path, fmt: str) -> list:
    return [(item, parse_item(item)) for item in read_items(str(path), fmt)]


def test_warc_pages_become_records_with_offsets_that_find_the_capture(tmp_path: Path) -> None:
    warc = write_warc(
        tmp_path / "crawl.warc.gz",
        [
            (f"{SITE}/ad/1", ad_html(1), "text/html; charset=utf-8", "200 OK"),
            (f"{SITE}/city/houston", b"<html>listing</html>", "text/html", "200 OK"),
            (f"{SITE}/ad/2", ad_html(2, title=False), "text/html", "200 OK"),
            (f"{SITE}/img/1.png", b"\x89PNG....", "image/png", "200 OK"),
            (f"{SITE}/ad/3", b"", "text/html", "302 Found"),
            ("https://unknown.example.net/ad/9", b"<html><h1>x</h1></html>", "text/html", "200 OK"),
            (
                f"{SITE}/ad/4",
                ad_html(4, charset="iso-8859-1", extra=" caf\xe9"),
                "text/html; charset=iso-8859-1",
                "200 OK",
            ),
        ],
    )
    results = parsed(warc, "warc")
    assert (
        len(results) == 4
    )  # ad 1, ad 2 (broken), unknown host, ad 4; listing, image and redirect are not pages
    first, record = results[0]
    assert (
        record.id == "1" and record.source == "example-classifieds" and record.title == "Friendly company 1"
    )
    assert first.raw == ad_html(1)  # raw is the HTTP payload, byte for byte
    provenance = record.extra["provenance"]
    with warc.open("rb") as handle:
        handle.seek(provenance["record_offset"])
        captured = next(iter(ArchiveIterator(handle)))
        assert captured.rec_headers.get_header("WARC-Target-URI") == f"{SITE}/ad/1"
        assert captured.content_stream().read() == ad_html(1)
    assert isinstance(results[1][1], Problem) and results[1][1].field == "title"
    assert "css:h1.title::text matched nothing" in results[1][1].reason
    assert (
        isinstance(results[2][1], Problem)
        and "no site rules cover host 'unknown.example.net'" in results[2][1].reason
    )
    latin = results[3][1]
    assert latin.title == "Friendly company 4 café"
    assert latin.extra["provenance"]["raw_transcoded_from"] == "windows-1252"  # as browsers read latin-1


def test_a_truncated_warc_is_quarantined_not_lost(tmp_path: Path) -> None:
    pages = [(f"{SITE}/ad/{n}", ad_html(n), "text/html", "200 OK") for n in (1, 2)]
    data = write_warc(tmp_path / "a.warc.gz", pages).read_bytes()
    (tmp_path / "cut.warc.gz").write_bytes(data[:-300])  # the last response is cut off
    results = parsed(tmp_path / "cut.warc.gz", "warc")
    assert results[0][1].id == "1"
    assert isinstance(results[-1][1], Problem) and "incomplete record" in results[-1][1].reason
    (tmp_path / "junk.warc.gz").write_bytes(data[:600] + gzip.compress(b"not a warc at all"))
    results = parsed(tmp_path / "junk.warc.gz", "warc")
    assert isinstance(results[-1][1], Problem) and "WARC" in results[-1][1].reason


def test_cdr_lines_map_through_site_rules_and_every_line_is_accounted(tmp_path: Path) -> None:
    feed = tmp_path / "memex.jsonl"
    lines = [
        cdr_line(1),
        cdr_line(2, raw_content=ad_html(2, title=False).decode()),
        cdr_line(3, url=f"{SITE}/city/houston"),
        cdr_line(4, content_type="image/jpeg"),
        cdr_line(
            5,
            timestamp_crawl="2026-03-05T12:00:00Z",
            objects=[{"obj_stored_url": "img/5.png", "obj_original_url": "x"}],
        ),
        "{not json",
        cdr_line(6, raw_content=None),
    ]
    feed.write_text("\n".join(lines) + "\n")
    assert sniff_bytes(feed.read_bytes()) == "cdr"
    assert expand_paths([str(feed)])[0] == [(str(feed), "cdr")]
    results = parsed(feed, "cdr")
    assert len(results) == 7
    item, record = results[0]
    assert item.raw == lines[0].encode()  # raw is the CDR line as it was
    assert (
        record.extra["provenance"]["cdr_id"] == "CDR0001"
        and record.extra["provenance"]["team"] == "example-team"
    )
    assert record.collected_at.year == 2026
    assert record.images == [f"{SITE}/img/1.png"]  # a URL: kept as text, never fetched
    reasons = [r.reason for _, r in results[1:] if isinstance(r, Problem)]
    assert len(reasons) == 5
    assert "required field is empty" in reasons[0]
    assert "listing or navigation page" in reasons[1]
    assert "not an HTML page" in reasons[2]
    assert "malformed JSON" in reasons[3]
    assert "no raw_content" in reasons[4]
    assert results[4][1].images == ["img/5.png"] and str(results[4][1].collected_at).startswith("2026-03-05")


def test_twitter_response_maps_each_tweet_with_its_author_and_media(tmp_path: Path) -> None:
    saved = tmp_path / "search.json"
    saved.write_text(json.dumps(twitter_response()))
    assert expand_paths([str(tmp_path)])[0] == [(str(saved), "twitter")]
    results = parsed(saved, "twitter")
    first, second = (r for _, r in results)
    assert first.id == "1800000000000000001" and first.kind == "post" and first.author == "example_user"
    assert first.url == "https://x.com/example_user/status/1800000000000000001"
    assert first.images == ["https://pbs.example.com/media/abc.png"]
    assert first.extra["author_profile_location"] == "Houston, TX"
    assert first.extra["provenance"]["raw"].startswith("reserialised")
    envelope = json.loads(results[0][0].raw)
    assert envelope["data"]["id"] == first.id and envelope["includes"]["users"][0]["id"] == "42"
    assert second.author == "other_user" and second.images == []
    lines = tmp_path / "stream.jsonl"
    lines.write_text("\n".join(json.dumps({"data": t}) for t in twitter_response()["data"]) + "\n")
    streamed = parsed(lines, "twitter")
    assert [r.id for _, r in streamed] == [first.id, second.id]
    assert streamed[0][0].raw == lines.read_bytes().splitlines()[0]  # one post per line: original bytes


def test_mastodon_statuses_are_posts_keyed_by_uri(tmp_path: Path) -> None:
    saved = tmp_path / "timeline.json"
    saved.write_text(json.dumps(mastodon_statuses()))
    assert expand_paths([str(saved)])[0] == [(str(saved), "mastodon")]
    (item, post), (_, broken) = parsed(saved, "mastodon")
    assert post.source == "mastodon" and post.id == "https://social.example.org/users/alice/statuses/111"
    assert post.author == "alice@social.example.org" and post.body == "<p>Call 713-555-0160 today</p>"
    assert post.images == ["https://files.example.org/a.png"] and post.extra["tags"] == ["houston"]
    assert json.loads(item.raw)["id"] == "111"
    assert isinstance(broken, Problem) and broken.field == "id"


def test_plain_records_are_still_plain(tmp_path: Path) -> None:
    feed = tmp_path / "ads.jsonl"
    feed.write_text(json.dumps({"id": "1", "source": "s", "body": "raw_content is just words"}) + "\n")
    assert expand_paths([str(tmp_path)])[0] == [(str(feed), "jsonl")]
    (tmp_path / "notes.json").write_text('{"a": 1}')
    assert str(tmp_path / "notes.json") in expand_paths([str(tmp_path)])[1]


def test_ingest_accepts_warc_cdr_and_social_with_provenance_and_quarantine(
    data_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    write_warc(tmp_path / "in" / "c.warc.gz", [(f"{SITE}/ad/1", ad_html(1), "text/html", "200 OK")])
    (tmp_path / "in" / "memex.jsonl").write_text(
        cdr_line(2) + "\n" + cdr_line(3, raw_content="<html></html>") + "\n"
    )
    (tmp_path / "in" / "tweets.json").write_text(json.dumps(twitter_response()))
    (tmp_path / "in" / "toots.json").write_text(json.dumps(mastodon_statuses()[:1]))
    result = runner.invoke(app, ["ingest", "--no-link", str(tmp_path / "in")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "read 6: stored 5, revised 0, unchanged 0, quarantined 1" in result.stdout
    assert "memex.jsonl:2: title: required field is empty" in result.stdout + result.stderr
    engine = open_database(load_settings().database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(records.c.source, record_revisions.c.raw_format, records.c.extra).join(
                record_revisions, record_revisions.c.record_pk == records.c.id
            )
        ).all()
        held = connection.execute(select(quarantine.c.raw)).scalar_one()
    assert {(r.source, r.raw_format) for r in rows} == {
        ("example-classifieds", "warc"),
        ("example-classifieds", "cdr"),
        ("twitter", "twitter"),
        ("mastodon", "mastodon"),
    }
    assert all("provenance" in (r.extra if isinstance(r.extra, dict) else json.loads(r.extra)) for r in rows)
    assert b'"_id": "CDR0003"' in held  # the unmapped page is kept whole
    again = runner.invoke(app, ["ingest", "--no-link", str(tmp_path / "in")], catch_exceptions=False)
    assert "unchanged 5" in again.stdout


def test_format_option_and_user_site_rules(data_dir: Path, tmp_path: Path) -> None:
    feed = tmp_path / "pages.txt"
    feed.write_text(cdr_line(1, url="https://other.example.net/listing/7") + "\n")
    sites = tmp_path / "other.toml"
    sites.write_text(
        '[site]\nname = "other"\ndomains = ["other.example.net"]\n[fields]\n'
        'id = { from = "url", regex = \'/listing/([0-9]+)\' }\ntitle = "css:h1::text"\n'
    )
    result = runner.invoke(
        app,
        ["ingest", "--no-link", "--format", "cdr", "--sites", str(sites), str(feed)],
        catch_exceptions=False,
    )
    assert "stored 1" in result.stdout, result.output
    bad = runner.invoke(app, ["ingest", "--format", "pdf", str(feed)])
    assert bad.exit_code == 2
