"""What reading and validating records costs, beside a bare ``orjson.loads`` of every line in the same run.

    .venv/bin/python bench/bench_read.py [--records 100000] [--repeat 3]

Writes a generated file of fictional ads (phones only from the 555-01XX range), then times in CPU seconds
(``time.process_time``, which other processes on a busy machine disturb less than the wall clock):
  1. the baseline: ``orjson.loads`` of every line read with ``readline``;
  2. reading: ``sources.files.read_items`` (line splitting, the reader guard, the quarantine cap's check);
  3. reading and validating: ``read_items`` then ``ingest.parse.parse_item`` (the depth and size bound,
     then the record model) for every record.
The best of ``--repeat`` runs is printed for each.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import orjson

from lantern.ingest.parse import parse_item
from lantern.sources.files import read_items

WORDS = ["new", "in", "town", "friendly", "call", "713-555-0142", "today", "weekend", "visiting"]


def write_corpus(path: Path, records: int) -> None:
    rng = random.Random(7)
    with path.open("w") as handle:
        for number in range(records):
            record = {
                "id": f"ad-{number}",
                "source": "bench",
                "title": "Friendly company",
                "body": " ".join(rng.choice(WORDS) for _ in range(60)),
                "location": "Houston, TX",
                "posted_at": "2026-03-01T10:00:00+02:00",
                "images": [],
                "extra_field": {"a": [1, 2, {"b": "c"}]},
            }
            handle.write(json.dumps(record) + "\n")


def baseline(path: Path) -> None:
    with path.open("rb") as handle:
        for line in handle:
            orjson.loads(line)


def reading(path: Path) -> None:
    for _item in read_items(str(path), "jsonl"):
        pass


def validating(path: Path) -> None:
    for item in read_items(str(path), "jsonl"):
        parse_item(item)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "ads.jsonl"
    write_corpus(path, args.records)
    print(f"corpus: {args.records:,} records, {path.stat().st_size / 1e6:.1f} MB")
    for name, step in (
        ("baseline orjson.loads", baseline),
        ("read_items", reading),
        ("read + validate", validating),
    ):
        best = float("inf")
        for _ in range(args.repeat):
            started = time.process_time()
            step(path)
            best = min(best, time.process_time() - started)
        print(f"{name:<24}{best:8.2f} s CPU  {best / args.records * 1e6:6.2f} µs a record")
    path.unlink()


if __name__ == "__main__":
    main()
