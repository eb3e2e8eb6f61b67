"""The crawl process: ``python -m lantern.sources.crawl.run JOB.json``.

Scrapy's Twisted reactor cannot be restarted within one process, and a crawl should not share
memory or fate with the CLI or web app that asked for it, so each crawl runs in a child process.
The job file says which site file to crawl and where the run's outputs go.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lantern.sources.sites import SiteRules, load_site


def scrapy_settings(site: SiteRules, job: dict[str, Any]) -> dict[str, Any]:
    """Scrapy settings from the site file's ``[crawl]`` table: politeness, bounds, evidence, resumption."""
    crawl = site.crawl
    return {
        "BOT_NAME": "lantern",
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.robots_txt,
        "DOWNLOAD_DELAY": crawl.delay,
        "RANDOMIZE_DOWNLOAD_DELAY": crawl.delay > 0,
        "CONCURRENT_REQUESTS": max(16, crawl.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_TIMES": 1,
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "JOBDIR": job["jobdir"],
        "LOG_FILE": job["log_file"],
        "LOG_LEVEL": job.get("log_level", "INFO"),
        "DOWNLOADER_MIDDLEWARES": {
            "lantern.sources.crawl.middlewares.AddressGuardMiddleware": 50,
            "lantern.sources.crawl.middlewares.WarcCaptureMiddleware": 950,
        },
        "LANTERN_ALLOW_NETWORKS": list(crawl.allow_networks),
        "LANTERN_WARC_DIR": job["warc_dir"],
        "LANTERN_WARC_PREFIX": job["warc_prefix"],
    }


def main(argv: list[str]) -> int:
    from scrapy.crawler import CrawlerProcess

    from lantern.sources.crawl.spider import SiteSpider

    job = json.loads(Path(argv[0]).read_text())
    site = load_site(job["site_file"])
    process = CrawlerProcess(scrapy_settings(site, job))
    process.crawl(
        SiteSpider,
        site_file=job["site_file"],
        run_dir=job["run_dir"],
        run_id=job["run_id"],
        seen_db=job["seen_db"],
    )
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
