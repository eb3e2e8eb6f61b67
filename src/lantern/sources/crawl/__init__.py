"""``lantern crawl``: a polite, resumable, evidence-keeping Scrapy crawler for classified sites.

Layout in the data folder, per site::

    crawl/<site>/seen.sqlite          what the crawler has (URLs, ETags, hashes, gone ads)
    crawl/<site>/job/                 Scrapy JOBDIR while a crawl is unfinished (resume after a crash)
    crawl/<site>/warc/*.warc.gz       every request and response, as evidence
    crawl/<site>/runs/<run>/          records.jsonl, images/, unmapped.cdr.jsonl, fetch-log.jsonl,
                                      summary.json, crawl.log and the site file used

The crawl runs in a child process (:mod:`lantern.sources.crawl.run`); :func:`ingest_run` then hands
its records to the ordinary ingest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from lantern.config import Settings
from lantern.sources.sites import SiteRules, load_site


@dataclass
class CrawlOutcome:
    """What one crawl did: its run folder, Scrapy's exit status and the spider's summary."""

    site: str
    run_dir: Path
    returncode: int
    resumed: bool
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.returncode == 0 and self.summary.get("finish_reason") == "finished"

    def line(self) -> str:
        s = self.summary
        return (
            f"crawled {self.site}: {s.get('listing_pages', 0)} listing pages, "
            f"{s.get('ads_new', 0)} new ads, {s.get('ads_changed', 0)} changed, "
            f"{s.get('ads_unchanged', 0)} unchanged, {s.get('ads_gone', 0) + s.get('gone_from_listings', 0)} gone, "
            f"{s.get('ads_unmapped', 0)} unmapped, {s.get('images', 0)} images, "
            f"{s.get('refused_address', 0)} refused addresses, "
            f"{s.get('fetch_failed', 0) + s.get('fetch_timeout', 0) + s.get('fetch_too_large', 0)} failed fetches"
            f"{' (resumed)' if self.resumed else ''}{'' if self.finished else ' [not finished]'}"
        )


def site_folder(settings: Settings, site: SiteRules) -> Path:
    """``DATA_DIR/crawl/<site name>``, the name made safe for a file system."""
    return settings.data_dir / "crawl" / re.sub(r"[^A-Za-z0-9._-]", "_", site.name)


def _start_or_resume(folder: Path, site_file: Path) -> tuple[dict[str, Any], bool]:
    """The job of an unfinished crawl (its JOBDIR is still there), or a new one."""
    jobdir = folder / "job"
    marker = jobdir / "lantern-job.json"
    if marker.exists():
        return json.loads(marker.read_text()), True
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    run_dir = folder / "runs" / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(site_file, run_dir / "site.toml")  # the exact rules this run used, kept with it
    job = {
        "site_file": str(run_dir / "site.toml"),
        "run_id": run_id,
        "run_dir": str(run_dir),
        "jobdir": str(jobdir),
        "seen_db": str(folder / "seen.sqlite"),
        "warc_dir": str(folder / "warc"),
        "warc_prefix": folder.name,
        "log_file": str(run_dir / "crawl.log"),
    }
    jobdir.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(job, indent=2))
    return job, False


def crawl_site(site_file: str | Path, settings: Settings, *, timeout: float | None = None) -> CrawlOutcome:
    """Crawl one site in a child process, resuming its unfinished crawl if there is one."""
    site_file = Path(site_file).resolve()
    site = load_site(site_file)
    folder = site_folder(settings, site)
    job, resumed = _start_or_resume(folder, site_file)
    job_file = Path(job["jobdir"]) / "lantern-job.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "lantern.sources.crawl.run", str(job_file)],
            env=env,
            timeout=timeout,
            capture_output=True,
            check=False,
        )
        returncode = completed.returncode
        if returncode:
            (Path(job["run_dir"]) / "crawl.stderr").write_bytes(completed.stderr[-100_000:])
    except subprocess.TimeoutExpired:
        returncode = -9
    summary_path = Path(job["run_dir"]) / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    outcome = CrawlOutcome(site.name, Path(job["run_dir"]), returncode, resumed, summary)
    if outcome.finished:
        shutil.rmtree(job["jobdir"], ignore_errors=True)
    return outcome


def run_inputs(run_dir: Path) -> list[tuple[str, str]]:
    """The ingest inputs a crawl run produced: its records and its unmapped pages."""
    inputs = []
    for name, fmt in (("records.jsonl", "jsonl"), ("unmapped.cdr.jsonl", "cdr")):
        path = run_dir / name
        if path.exists() and path.stat().st_size:
            inputs.append((str(path), fmt))
    return inputs


def ingest_run(run_dir: Path, engine: Engine, settings: Settings, **ingestor_options: Any):
    """Hand a crawl run's records to the ordinary ingest (validation, evidence, extraction, store)."""
    from lantern.ingest.pipeline import Ingestor

    return Ingestor(engine, settings, **ingestor_options).run(run_inputs(run_dir))
