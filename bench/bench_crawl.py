"""Benchmark of ``lantern crawl`` on a generated fictional site served on 127.0.0.1.

The site (``tests/sources/site_server.py``, generated mode) has ``--ads`` neutral ad pages behind
listing pages of 100 links each; no delay, robots.txt obeyed, every response written to gzipped WARC,
every ad extracted with the site rules. Reports pages per second for the crawl (listing + ad pages,
the child process's start-up included), the crawl process's peak RSS, WARC size, and the time to
ingest the records it produced into a fresh SQLite database.

Usage:  .venv/bin/python bench/bench_crawl.py [--ads 10000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sources.site_server import FixtureSite, serve, site_toml

from lantern.config import load_settings
from lantern.sources.crawl import crawl_site, ingest_run
from lantern.store.db import open_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    site = FixtureSite(generated=args.ads, per_page=100)
    with tempfile.TemporaryDirectory() as folder, serve(site) as base:
        root = Path(folder)
        site_file = root / "bench.toml"
        site_file.write_text(
            site_toml(base, concurrency=args.concurrency, max_pages=args.ads * 2, timeout=30)
        )
        settings = load_settings(root / "data")
        started = time.perf_counter()
        outcome = crawl_site(site_file, settings)
        seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = outcome.summary
        pages = summary.get("listing_pages", 0) + summary.get("ads_new", 0)
        warc_bytes = sum(p.stat().st_size for p in (outcome.run_dir.parents[1] / "warc").glob("*.warc.gz"))
        started = time.perf_counter()
        ingested = ingest_run(outcome.run_dir, open_database(settings.database_url), settings)
        ingest_seconds = time.perf_counter() - started
    print(
        f"site: {args.ads} ads, {summary.get('listing_pages', 0)} listing pages, concurrency {args.concurrency}"
    )
    print(f"crawl: {pages} pages in {seconds:.1f} s = {pages / seconds:.0f} pages/s ({outcome.line()})")
    print(
        f"crawl process peak RSS: {peak_mib:.0f} MiB; WARC: {warc_bytes / 1e6:.1f} MB for {summary.get('responses', 0)} responses"
    )
    print(f"ingest of the crawl's records: {ingested.line()} in {ingest_seconds:.1f} s")


if __name__ == "__main__":
    main()
