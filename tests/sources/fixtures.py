"""Small fixture files for the readers, written by the tests (all fictional and neutral)."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SITE = "https://classifieds.example.com"


def ad_html(number: int, *, title: bool = True, charset: str = "utf-8", extra: str = "") -> bytes:
    """An ad page in the markup of the built-in example-classifieds rules."""
    heading = f'<h1 class="title">Friendly company {number}{extra}</h1>' if title else ""
    page = (
        f"<html><head><meta charset='{charset}'></head><body>{heading}"
        f'<div class="meta"><span class="location">Houston, TX</span>'
        f'<time datetime="2026-03-0{number % 9 + 1}T10:00:00Z">March</time><span class="poster">p{number}</span></div>'
        f'<div class="body"><p>Call 713-555-01{number:02d}.</p><p>Mail person{number}@example.com</p></div>'
        f'<div class="photos"><img src="/img/{number}.png"></div></body></html>'
    )
    return page.encode(charset)


def write_warc(path: Path, pages: list[tuple[str, bytes, str, str]]) -> Path:
    """(url, body, content type, status) responses, each after its request, gzipped per record."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for url, body, kind, status in pages:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
            writer.write_record(
                writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=request)
            )
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers)
            )
    return path


def cdr_line(number: int, **fields: object) -> str:
    document = {
        "_id": f"CDR{number:04d}",
        "url": f"{SITE}/ad/{number}",
        "timestamp": 1772359200000 + number,
        "raw_content": ad_html(number).decode(),
        "content_type": "text/html",
        "team": "example-team",
        "crawler": "example-crawler",
        "version": 2.0,
        "objects": [{"obj_original_url": f"{SITE}/img/{number}.png", "content_type": "image/png"}],
    }
    document.update(fields)
    return json.dumps(document)


def twitter_response() -> dict:
    """An X API v2 search response with two posts, users and media in ``includes``."""
    return {
        "data": [
            {
                "id": "1800000000000000001",
                "text": "New in town, text 713-555-0150",
                "author_id": "42",
                "created_at": "2026-03-01T10:00:00.000Z",
                "attachments": {"media_keys": ["3_1"]},
                "lang": "en",
            },
            {
                "id": "1800000000000000002",
                "text": "Weekend special",
                "author_id": "43",
                "created_at": "2026-03-02T10:00:00.000Z",
            },
        ],
        "includes": {
            "users": [
                {"id": "42", "username": "example_user", "name": "Example", "location": "Houston, TX"},
                {"id": "43", "username": "other_user", "name": "Other"},
            ],
            "media": [{"media_key": "3_1", "type": "photo", "url": "https://pbs.example.com/media/abc.png"}],
        },
        "meta": {"result_count": 2},
    }


def mastodon_statuses() -> list:
    return [
        {
            "id": "111",
            "uri": "https://social.example.org/users/alice/statuses/111",
            "url": "https://social.example.org/@alice/111",
            "created_at": "2026-03-01T10:00:00.000Z",
            "content": "<p>Call 713-555-0160 today</p>",
            "spoiler_text": "",
            "language": "en",
            "account": {
                "id": "1",
                "username": "alice",
                "acct": "alice",
                "display_name": "Alice",
                "url": "https://social.example.org/@alice",
            },
            "media_attachments": [
                {
                    "id": "9",
                    "type": "image",
                    "url": "https://files.example.org/a.png",
                    "description": "abstract",
                }
            ],
            "tags": [{"name": "houston"}],
        },
        {"id": "112", "content": "<p>no account or uri</p>"},
    ]
