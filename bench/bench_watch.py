"""Watchlist matching overhead at ingest: the same ingest with no watchlist and with 10,000 entries.

    .venv/bin/python bench/bench_watch.py [--records 100000] [--entries 10000]

The real pipeline (full extraction and assessment, as ``lantern ingest`` runs it) ingests a generated
file of fictional ads (phones only from NXX-555-0100..0199, e-mails at example.com) into a fresh SQLite
store three times: with matching switched off, with matching on and an empty watchlist, and with
``--entries`` entries (phones, e-mails, handles, payment handles, images by pHash and saved searches).
Matching happens per committed batch (``lantern.watch.matcher``), so the overhead is the cost of the
per-batch look-ups plus the alerts written. Alerts go to the inbox only (no delivery in the timing).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

# Same vocabulary as the plain ingest bench, so the two runs' texts are comparable.
from bench_ingest import CITIES, WORDS
from lantern.config import load_settings
from lantern.ingest.pipeline import Ingestor
from lantern.security.accounts import create_agency, create_user
from lantern.store.db import open_database
from lantern.store.schema import alerts, watchlist_entries

AREA_CODES = [str(code) for code in range(201, 990) if code % 100 not in (11, 0)][:120]
SEARCH_WORDS = ["lighthouse", "harbour", "meadow", "lantern", "orchard", "quarry", "willow", "canyon"]


def write_corpus(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w") as handle:
        for number in range(count):
            phone = f"{rng.choice(AREA_CODES)}-555-01{rng.randrange(100):02d}"
            words = [rng.choice(WORDS) for _ in range(rng.randrange(20, 80))]
            if rng.random() < 0.05:
                words.append(rng.choice(SEARCH_WORDS))
            extra = f" mail u{rng.randrange(50_000)}@example.com" if rng.random() < 0.3 else ""
            extra += f" snap: star_{rng.randrange(20_000)}" if rng.random() < 0.2 else ""
            record = {
                "id": f"w{number}",
                "source": rng.choice(["site-a", "site-b", "site-c"]),
                "posted_at": f"2026-0{rng.randrange(1, 10)}-1{rng.randrange(10)}T12:00:00Z",
                "title": " ".join(rng.choice(WORDS) for _ in range(6)),
                "body": " ".join(words) + f" call {phone}{extra}",
                "location": rng.choice(CITIES),
            }
            handle.write(json.dumps(record) + "\n")


def add_entries(engine, count: int, seed: int = 11) -> None:
    """Insert entries directly (the CLI's per-entry audit would dominate a 10,000-entry set-up)."""
    agency_id = create_agency(engine, "Bench agency")
    user = create_user(
        engine, "bench", "bench password long enough 1", agency_id=agency_id, role="investigator"
    )
    rng = random.Random(seed)
    now = time.time()
    from datetime import UTC, datetime

    created = datetime.fromtimestamp(now, UTC)
    rows = []
    for index in range(count):
        share = index / count
        if share < 0.6:
            kind, value, phash = "phone", f"+1{rng.choice(AREA_CODES)}55501{rng.randrange(100):02d}", None
        elif share < 0.8:
            kind, value, phash = "email", f"u{rng.randrange(500_000)}@example.com", None
        elif share < 0.9:
            kind, value, phash = "handle", f"star_{rng.randrange(200_000)}", None
        elif share < 0.95:
            kind, value, phash = "payment", f"venmo:pay-{rng.randrange(100_000)}", None
        elif share < 0.99:
            phash = f"{rng.getrandbits(64):016x}"
            kind, value = "image", f"phash:{phash}"
        else:
            kind, value, phash = "search", f"{rng.choice(SEARCH_WORDS)} {rng.choice(WORDS)}", None
        rows.append({"agency_id": agency_id, "owner_id": user.id, "kind": kind, "value": value,
                     "image_phash": phash, "digest": "immediate", "active": True, "created_at": created})  # fmt: skip
    with engine.begin() as connection:
        connection.execute(watchlist_entries.insert(), rows)


def time_ingest(path: Path, entries: int, watch: bool) -> tuple[float, int]:
    folder = Path(tempfile.mkdtemp(prefix="lantern-bench-watch-"))
    try:
        settings = load_settings(data_dir=folder, database_url=f"sqlite:///{folder / 'lantern.db'}")
        engine = open_database(settings.database_url)
        if entries:
            add_entries(engine, entries)
        ingestor = Ingestor(engine, settings, watch=watch)
        started = time.perf_counter()
        summary = ingestor.run([(str(path), "jsonl")])
        seconds = time.perf_counter() - started
        assert summary.stored == summary.read, summary.line()
        with engine.connect() as connection:
            made = connection.execute(select(func.count()).select_from(alerts)).scalar_one()
        engine.dispose()
        return seconds, made
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lantern-bench-watch-corpus-"))
    try:
        corpus = work / "ads.jsonl"
        write_corpus(corpus, args.records)
        off, _ = time_ingest(corpus, 0, watch=False)
        empty, _ = time_ingest(corpus, 0, watch=True)
        full, made = time_ingest(corpus, args.entries, watch=True)
        print(f"records: {args.records:,}   watchlist entries: {args.entries:,}")
        print(f"ingest, matching off:            {off:8.2f} s  ({args.records / off:,.0f} records/s)")
        print(f"ingest, empty watchlist:         {empty:8.2f} s  ({(empty / off - 1) * 100:+.1f}%)")
        print(f"ingest, {args.entries:,} entries:          {full:8.2f} s  ({(full / off - 1) * 100:+.1f}%)")
        print(f"alerts created: {made:,}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
