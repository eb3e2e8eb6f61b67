"""Reading Memex CDR (Common Data Repository) JSON lines: one crawled document per line.

The DARPA Memex crawlers delivered pages as JSON objects with ``_id``, ``url``, ``timestamp`` (epoch
milliseconds in CDR 2, ``timestamp_crawl`` ISO 8601 in CDR 3), ``raw_content`` (the HTML),
``content_type``, ``team``, ``crawler``, ``version``, ``crawl_data`` and ``objects`` (the page's
images: ``obj_original_url``, ``obj_stored_url``, ``content_type``). Each page is mapped by the site
rules; every line is accounted for: a record, or quarantined with the reason (a listing page, a
document that is not HTML, a page no site rules cover, a layout the rules no longer match).

``RawItem.raw`` is the CDR line exactly as it was in the file; ``extra.provenance`` holds the file,
the line and the CDR ``_id``, team, crawler and version.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from lantern.ingest.images import is_remote
from lantern.records import value_problem
from lantern.sources.files import RawItem, read_jsonl
from lantern.sources.guard import mapped
from lantern.sources.pages import page_item
from lantern.sources.sites import active_sites

PROBLEM_KEY = "lantern_problem"
"""Set by ``lantern crawl`` on pages it captured but could not map, so ingest quarantines them with
the crawler's reason (a hostile file can only use it to quarantine its own line)."""


def cdr_timestamp(document: dict[str, Any]) -> str | None:
    """The capture time as ISO 8601, from whichever timestamp key this CDR version uses."""
    for key in ("timestamp_crawl", "timestamp", "crawl_timestamp"):
        value = document.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 100_000_000_000 else value
            try:
                return datetime.fromtimestamp(seconds, UTC).isoformat()
            except (OverflowError, OSError, ValueError):
                return None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _object_images(objects: Any) -> list[str]:
    """Images named by CDR ``objects``: a stored local copy when there is one, else the original URL."""
    images: list[str] = []
    if not isinstance(objects, list):
        return images
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        kind = obj.get("content_type")
        if isinstance(kind, str) and kind and not kind.lower().startswith("image/"):
            continue
        stored, original = obj.get("obj_stored_url"), obj.get("obj_original_url")
        if isinstance(stored, str) and stored and not is_remote(stored):
            images.append(stored)
        elif isinstance(original, str) and original:
            images.append(original)
    return list(dict.fromkeys(images))


def _refuse(item: RawItem, reason: str, field: str = "record") -> RawItem:
    item.fmt = "cdr"
    item.problem = (field, reason)
    return item


def cdr_item(item: RawItem) -> RawItem:
    """Map one CDR line (as read by the JSONL reader) into a record item or a quarantined one."""
    if item.problem is not None:
        item.fmt = "cdr"
        return item
    try:
        document = orjson.loads(item.raw)
    except orjson.JSONDecodeError as error:
        return _refuse(item, f"malformed JSON: {error}")
    if not isinstance(document, dict):
        return _refuse(item, f"expected a CDR JSON object, got {type(document).__name__}")
    bound = value_problem(document, max_bytes=None)  # the page may be large; its mapped fields are bounded
    if bound is not None:
        return _refuse(item, bound[1], bound[0])
    if isinstance(document.get(PROBLEM_KEY), dict):
        problem = document[PROBLEM_KEY]
        return _refuse(
            item, str(problem.get("reason", "unmapped page"))[:500], str(problem.get("field", "record"))
        )
    url = document.get("url")
    if not isinstance(url, str) or not url.strip():
        return _refuse(item, "CDR document has no url", "url")
    content_type = document.get("content_type")
    if isinstance(content_type, str) and content_type and "html" not in content_type.lower():
        return _refuse(item, f"CDR document is {content_type[:80]}, not an HTML page", "content_type")
    html = document.get("raw_content")
    if not isinstance(html, str):
        return _refuse(item, "CDR document has no raw_content (the page's HTML)", "raw_content")
    site = active_sites().for_url(url)
    if site is not None and (site.is_listing(url) or not site.is_ad(url)):
        return _refuse(item, f"listing or navigation page by site rules {site.name}, not an ad")
    provenance = {
        "format": "cdr",
        "file": item.origin,
        "line": item.line,
        "cdr_id": document.get("_id"),
        "team": document.get("team"),
        "crawler": document.get("crawler"),
        "version": document.get("version"),
    }
    images = _object_images(document.get("objects"))
    return page_item(
        origin=item.origin,
        line=item.line,
        raw=item.raw,
        fmt="cdr",
        base_dir=item.base_dir,
        url=url.strip(),
        html=html,
        collected_at=cdr_timestamp(document),
        provenance={k: v for k, v in provenance.items() if v is not None},
        images=images or None,
    )


def read_cdr(path: str, base_dir: Path) -> Iterator[RawItem]:
    """One RawItem per CDR line, each a record or a quarantine with its reason."""
    for item in read_jsonl(path, base_dir):
        yield mapped(item, cdr_item)
