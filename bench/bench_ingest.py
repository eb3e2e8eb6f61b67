"""Ingest throughput against the time a bare ``json.loads`` of every line takes, in the same run.

    .venv/bin/python bench/bench_ingest.py [--records 100000] [--no-extract]

Writes a generated file of fictional ads (phones only from the 555-01XX range), then times:
  1. the baseline: ``json.loads`` of every line, nothing else;
  2. ``lantern ingest``'s engine into a fresh SQLite store: parse, validate, preserve (raw + SHA-256),
     store and index (FTS5), without extraction (issue 2's target: within 5x of the baseline);
  3. the same with full extraction (what ``lantern ingest`` does by default).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from lantern.config import load_settings
from lantern.ingest.pipeline import Ingestor
from lantern.records import empty_extraction
from lantern.store.db import open_database

CITIES = ["Houston, TX", "Dallas, TX", "Atlanta, GA", "Miami, FL", "Denver, CO", "Phoenix, AZ"]
WORDS = [
    "new",
    "in",
    "town",
    "friendly",
    "sweet",
    "fun",
    "available",
    "today",
    "weekend",
    "visiting",
    "call",
    "text",
    "outcall",
    "incall",
]


def write_corpus(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w") as handle:
        for number in range(count):
            city = rng.choice(CITIES)
            phone = f"{rng.choice(['713', '214', '404', '305'])}-555-01{rng.randrange(100):02d}"
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(20, 80)))
            record = {
                "id": f"b{number}",
                "source": rng.choice(["site-a", "site-b", "site-c"]),
                "url": f"https://site.example.com/{city.split(',')[0].lower()}/{number}",
                "posted_at": f"2026-0{rng.randrange(1, 10)}-1{rng.randrange(10)}T12:00:00Z",
                "title": " ".join(rng.choice(WORDS) for _ in range(6)),
                "body": f"{body} call {phone}",
                "location": city,
            }
            handle.write(json.dumps(record) + "\n")


def time_baseline(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as handle:
        for line in handle:
            json.loads(line)
    return time.perf_counter() - started


def time_ingest(path: Path, extract: bool) -> float:
    folder = Path(tempfile.mkdtemp(prefix="lantern-bench-"))
    try:
        settings = load_settings(folder)
        engine = open_database(settings.database_url)
        ingestor = Ingestor(
            engine, settings, extract=None if extract else (lambda record: empty_extraction())
        )
        started = time.perf_counter()
        summary = ingestor.run([(str(path), "jsonl")])
        elapsed = time.perf_counter() - started
        assert summary.stored == summary.read, summary.line()
        return elapsed
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--no-extract", action="store_true", help="skip the run with full extraction")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus.jsonl"
        write_corpus(corpus, args.records)
        size_mb = corpus.stat().st_size / 1e6
        print(f"corpus: {args.records:,} records, {size_mb:.1f} MB")
        baseline = time_baseline(corpus)
        print(f"baseline json.loads:          {baseline:7.2f} s  {args.records / baseline:>10,.0f} records/s")
        core = time_ingest(corpus, extract=False)
        print(
            f"ingest without extraction:    {core:7.2f} s  {args.records / core:>10,.0f} records/s  "
            f"{core / baseline:5.1f}x baseline (target <= 5x)"
        )
        if not args.no_extract:
            full = time_ingest(corpus, extract=True)
            print(
                f"ingest with extraction:       {full:7.2f} s  {args.records / full:>10,.0f} records/s  "
                f"{full / baseline:5.1f}x baseline"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
