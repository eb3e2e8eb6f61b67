"""Scrapy downloader middlewares: the address guard (first on the way out) and WARC capture
(first on the way back, so it records the response as received, before decompression or redirects).
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from lantern.sources.crawl.guard import parse_networks, url_problem
from lantern.sources.crawl.warcout import WarcCapture


class RefusedAddress(IgnoreRequest):
    """A request the address guard refused; the message says which address and why."""


class AddressGuardMiddleware:
    """Refuse every request (redirects and robots.txt included) to a non-public address."""

    def __init__(self, allowed: list[str]) -> None:
        self.allowed = parse_networks(allowed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler.settings.getlist("LANTERN_ALLOW_NETWORKS"))

    async def process_request(self, request: Request, spider: Spider) -> None:
        # Name lookups block, so they run in a thread rather than stalling every other download.
        problem = await maybe_deferred_to_future(deferToThread(url_problem, request.url, self.allowed))
        if problem:
            spider.crawler.stats.inc_value("lantern/refused_address")
            log = getattr(spider, "log_fetch", None)
            if log is not None:
                log(request.url, "refused", problem)
            raise RefusedAddress(problem)


class WarcCaptureMiddleware:
    """Write each request and its response to the crawl's WARC file, and note where in ``meta``."""

    def __init__(self, capture: WarcCapture) -> None:
        self.capture = capture

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        settings = crawler.settings
        capture = WarcCapture(
            settings.get("LANTERN_WARC_DIR"),
            settings.get("LANTERN_WARC_PREFIX"),
            max_bytes=settings.getint("LANTERN_WARC_MAX_BYTES", 1024**3),
        )
        from scrapy import signals

        crawler.signals.connect(capture.close, signal=signals.spider_closed)
        return cls(capture)

    def process_response(self, request: Request, response: Response, spider: Spider) -> Any:
        request.meta["lantern_warc"] = self.capture.write(request, response)
        return response
