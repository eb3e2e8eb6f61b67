"""The spider: listing pages and their pagination, ad pages, then each ad's images, one after another.

It extracts with the same site rules the WARC and CDR readers use and writes, in the run folder,
``records.jsonl`` (one input record per new or changed ad, images as paths under ``images/``),
``unmapped.cdr.jsonl`` (ad pages the rules could not map, as CDR lines carrying the reason, so ingest
quarantines them with the page instead of losing them) and ``fetch-log.jsonl`` (every fetch that
failed or was refused, and why). Images are fetched one after another per ad so a record is written
only with the images that were actually stored: ingest refuses a record that names a missing file.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit

import orjson
import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from lantern.sources.cdr import PROBLEM_KEY
from lantern.sources.crawl.seen import SeenStore
from lantern.sources.sites import SiteRules, Unmapped, load_site, map_page

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _select(response: Response, spec: str | None) -> list[str]:
    if not spec:
        return []
    kind, _, expression = spec.partition(":")
    nodes = response.css(expression) if kind == "css" else response.xpath(expression)
    return [urljoin(response.url, value.strip()) for value in nodes.getall() if value.strip()]


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class SiteSpider(scrapy.Spider):
    """Crawls one site described by a site file (see ``lantern/sources/sites/*.toml``)."""

    name = "lantern-site"

    def __init__(self, site_file: str, run_dir: str, run_id: str, seen_db: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site: SiteRules = load_site(site_file)
        self.run_dir = Path(run_dir)
        self.run_id = run_id
        (self.run_dir / "images").mkdir(parents=True, exist_ok=True)
        self.seen = SeenStore(seen_db)
        self._records: BinaryIO = (self.run_dir / "records.jsonl").open("ab")
        self._unmapped: BinaryIO = (self.run_dir / "unmapped.cdr.jsonl").open("ab")
        self._log: BinaryIO = (self.run_dir / "fetch-log.jsonl").open("ab")
        self.scheduled = 0
        self.truncated = False
        self._stored_images: dict[str, str] = {}
        self.image_hosts = set(self.site.domains) | {d.lower() for d in self.site.crawl.image_domains}

    # -- bookkeeping ---------------------------------------------------------------------------

    def _write(self, handle: BinaryIO, row: dict[str, Any]) -> None:
        handle.write(orjson.dumps(row) + b"\n")
        handle.flush()

    def log_fetch(self, url: str, outcome: str, reason: str) -> None:
        """One line per fetch that did not give a usable page: refused, failed, too large, timed out."""
        self._write(self._log, {"time": _now(), "url": url, "outcome": outcome, "reason": reason})

    def _count(self, key: str, by: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"lantern/{key}", by)

    def _budget(self) -> bool:
        """True while the crawl may schedule another page (listing or ad) under ``max_pages``."""
        if self.scheduled >= self.site.crawl.max_pages:
            self.truncated = True
            return False
        self.scheduled += 1
        return True

    # -- listing pages -------------------------------------------------------------------------

    async def start(self) -> Any:
        for url in self.site.crawl.start_urls:
            if self._budget():
                yield Request(
                    url, callback=self.parse_listing, errback=self.failed, meta={"lantern": "listing"}
                )

    def _parse_listing(self, response: Response) -> Iterator[Request]:
        self._count("listing_pages")
        for url in _select(response, self.site.crawl.ad_links):
            if not self.site.matches_host(urlsplit(url).hostname or "") or not self.site.is_ad(url):
                continue
            known = self.seen.get(url)
            self.seen.listed(url, self.run_id)
            request = self._ad_request(url, known)
            if request is not None:
                yield request
        for url in _select(response, self.site.crawl.next_page)[:1]:
            if self.site.matches_host(urlsplit(url).hostname or "") and self._budget():
                yield Request(
                    url, callback=self.parse_listing, errback=self.failed, meta={"lantern": "listing"}
                )

    def _ad_request(self, url: str, known: Any) -> Request | None:
        revisit = self.site.crawl.revisit
        if known is not None and known.sha256 and revisit == "never":
            self._count("ads_skipped_known")
            return None
        if not self._budget():
            return None
        headers: dict[str, str] = {}
        if known is not None and revisit == "conditional":
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return Request(
            url,
            headers=headers,
            callback=self.parse_ad,
            errback=self.failed,
            # ``ad_url`` survives redirects (meta is copied), so the seen store keys the listed URL.
            meta={"lantern": "ad", "ad_url": url, "handle_httpstatus_list": [304, 404, 410]},
        )

    # -- ad pages ------------------------------------------------------------------------------

    def _parse_ad(self, response: Response) -> Iterator[Request]:
        url = response.meta.get("ad_url", response.url)
        if response.status == 304:
            self._count("ads_unchanged")
            return
        if response.status in (404, 410):
            self._count("ads_gone")
            self.seen.gone(url)
            self.log_fetch(url, "gone", f"HTTP {response.status}")
            return
        sha256 = hashlib.sha256(response.body).hexdigest()
        known = self.seen.get(url)
        validators = {"etag": _header(response, "ETag"), "last_modified": _header(response, "Last-Modified")}
        if known is not None and known.sha256 == sha256:
            self._count("ads_unchanged")
            self.seen.fetched(url, sha256=sha256, **validators)
            return
        self._count("ads_changed" if known is not None and known.sha256 else "ads_new")
        warc = dict(response.meta.get("lantern_warc") or {})
        collected_at = _now()
        text = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        mapped = map_page(self.site, response.url, text, collected_at=collected_at)
        if isinstance(mapped, Unmapped):
            self._count("ads_unmapped")
            self._write_unmapped(response, text, mapped, warc, collected_at)
            self.seen.fetched(url, sha256=sha256, **validators)
            return
        mapped["provenance"] = {
            "format": "crawl",
            "warc_dir": "../../warc",
            **warc,
            "fetched_url": url,
            "final_url": response.url,
            "http_status": response.status,
            "payload_sha256": sha256,
        }
        pending = {
            "record": mapped,
            "images": [],
            "image_problems": [],
            "url": url,
            "sha256": sha256,
            **validators,
        }
        queue = self._image_queue(mapped.get("images", []), pending)
        yield from self._next_image(pending, queue)

    def _write_unmapped(
        self, response: Response, text: str, problem: Unmapped, warc: dict[str, Any], collected_at: str
    ) -> None:
        self._write(
            self._unmapped,
            {
                "_id": hashlib.sha256(response.url.encode()).hexdigest(),
                "url": response.url,
                "timestamp_crawl": collected_at,
                "content_type": _header(response, "Content-Type") or "text/html",
                "raw_content": text,
                "team": "lantern",
                "crawler": "lantern crawl",
                "version": 3.1,
                "crawl_data": {"warc": warc, "site": self.site.name},
                PROBLEM_KEY: {"field": problem.field, "reason": problem.reason},
            },
        )

    # -- images, one after another per ad -------------------------------------------------------

    def _image_queue(self, urls: list[str], pending: dict[str, Any]) -> list[str]:
        queue = []
        for url in urls:
            host = (urlsplit(url).hostname or "").lower()
            if any(host == d or host.endswith("." + d) for d in self.image_hosts):
                queue.append(url)
            else:
                reason = "image host is not the site's nor in crawl.image_domains (named by the ad)"
                pending["image_problems"].append({"url": url, "reason": reason})
                self.log_fetch(url, "refused", reason)
                self._count("images_refused")
        return queue

    def _next_image(self, pending: dict[str, Any], queue: list[str]) -> Iterator[Request]:
        while queue and queue[0] in self._stored_images:  # the same photo in many ads: fetched once a run
            name = self._stored_images[queue.pop(0)]
            pending["images"].append(name)
        if not queue:
            self._finish(pending)
            return
        yield Request(
            queue[0],
            callback=self.parse_image,
            errback=self.image_failed,
            meta={
                "lantern": "image",
                "pending": pending,
                "queue": queue[1:],
                "download_maxsize": self.site.crawl.max_image_bytes,
            },
            dont_filter=True,
        )

    def _parse_image(self, response: Response) -> Iterator[Request]:
        pending, queue = response.meta["pending"], response.meta["queue"]
        kind = (_header(response, "Content-Type") or "").split(";", 1)[0].strip().lower()
        if kind not in IMAGE_TYPES:
            reason = f"not an image (Content-Type {kind or 'missing'})"
            pending["image_problems"].append({"url": response.url, "reason": reason})
            self.log_fetch(response.url, "not-image", reason)
        else:
            digest = hashlib.sha256(response.body).hexdigest()
            name = f"images/{digest}{mimetypes.guess_extension(kind) or ''}"
            target = self.run_dir / name
            if not target.exists():
                target.write_bytes(response.body)
            pending["images"].append(name)
            pending.setdefault("image_urls", {})[name] = response.url
            self._stored_images[response.request.url if response.request else response.url] = name
            self._count("images")
        yield from self._next_image(pending, queue)

    def _image_failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        pending, queue = request.meta["pending"], request.meta["queue"]
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        pending["image_problems"].append({"url": request.url, "reason": reason})
        self._count("images_failed")
        yield from self._next_image(pending, queue)

    def _finish(self, pending: dict[str, Any]) -> None:
        record = pending["record"]
        record["images"] = pending["images"]
        if pending.get("image_urls"):
            record["image_urls"] = pending["image_urls"]
        if pending["image_problems"]:
            record["images_not_stored"] = pending["image_problems"]
        self._write(self._records, record)
        self.seen.fetched(
            pending["url"],
            etag=pending["etag"],
            last_modified=pending["last_modified"],
            sha256=pending["sha256"],
        )
        self._count("records")

    # Scrapy parses the source of every generator callback, on every call, to warn about
    # ``return value`` in generators (2 ms each); callbacks that return lists skip that check.
    def parse_listing(self, response: Response) -> list[Request]:
        return list(self._parse_listing(response))

    def parse_ad(self, response: Response) -> list[Request]:
        return list(self._parse_ad(response))

    def parse_image(self, response: Response) -> list[Request]:
        return list(self._parse_image(response))

    def image_failed(self, failure: Failure) -> list[Request]:
        return list(self._image_failed(failure))

    # -- failures and the end ------------------------------------------------------------------

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        name = failure.type.__name__
        reason = f"{name}: {failure.getErrorMessage()}"[:300]
        outcome = (
            "timeout" if "Timeout" in name else "too-large" if "max size" in reason.lower() else "failed"
        )
        if name == "RefusedAddress":
            outcome = "refused"
        elif "robots.txt" in reason:
            outcome = "robots"
        elif outcome == "failed" and "Cancelled" in name:
            outcome = "too-large"
        if outcome != "refused":  # the guard has logged it already
            self.log_fetch(request.url, outcome, reason)
        self._count(f"fetch_{outcome}".replace("-", "_"))
        if request.meta.get("lantern") == "listing":
            self.truncated = True  # a listing that failed: absence from it proves nothing

    def closed(self, reason: str) -> None:
        gone: list[str] = []
        if reason == "finished" and not self.truncated:
            gone = self.seen.missing_from(self.run_id)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        summary = {
            "site": self.site.name,
            "run": self.run_id,
            "finish_reason": reason,
            "complete": reason == "finished" and not self.truncated,
            "gone_from_listings": len(gone),
            **{key.split("/", 1)[1]: value for key, value in stats.items() if key.startswith("lantern/")},
            "responses": stats.get("downloader/response_count", 0),
            "bytes": stats.get("downloader/response_bytes", 0),
            "robots_forbidden": stats.get("robotstxt/forbidden", 0),
            "seen": self.seen.counts(),
        }
        (self.run_dir / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
        for handle in (self._records, self._unmapped, self._log):
            handle.close()
        self.seen.close()
