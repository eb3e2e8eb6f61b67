"""The growth curve: ingest, link and search at several corpus sizes, each size in a fresh process.

    .venv/bin/python bench/bench_scale.py                        # 10,000 and 100,000 records, SQLite
    .venv/bin/python bench/bench_scale.py --sizes 10000 100000 1000000
    .venv/bin/python bench/bench_scale.py --database-url postgresql+pg8000://user@127.0.0.1:5432/db
    .venv/bin/python bench/bench_scale.py --postgres              # a throw-away local PostgreSQL, fsync on
    .venv/bin/python bench/bench_scale.py --workers 2             # records read in 2 worker processes

For each size N: a synthetic world of N records (no images) is generated, then one child process ingests it
into a fresh store (extraction and scoring included, linking off), links it, and runs 200 phone and 200
text searches in-process through the search box's own function (``lantern.web.views.search.search``: count,
ranking, snippets and result rows, what a page or ``/api/search`` waits for); the child reports ingest
records/s, link seconds, search p50/p95 and its peak memory (and, with ``--workers``, the largest worker's: the total is the main process plus workers times that).
With ``--repeats R`` each size up to ``--repeat-up-to`` (100,000 by default) is run R times, each in a fresh
store, and every figure is the median of its runs: a 10,000-record link took 1.5 s in five runs of eight and
2.1 s in two (docs/benchmarks.md, session 15), which alone would move the growth column by 40%.
The last column divides each step's time by N log N relative to the smallest size, so a growth faster than
n log n shows as a number rising above 1. A bare ``json.loads`` of the same file is timed in the same run as
the baseline.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHILD = "--child"


def child(world: Path, data_dir: Path, database_url: str | None, workers: int) -> None:
    """Runs in a fresh interpreter so peak memory is this size's alone."""
    from sqlalchemy import select

    from lantern.config import load_settings
    from lantern.ingest.pipeline import Ingestor
    from lantern.networks.runner import run_link
    from lantern.store.db import open_database
    from lantern.store.schema import entities
    from lantern.web.models import SearchFilters
    from lantern.web.views.search import search

    settings = load_settings(data_dir, database_url)
    engine = open_database(settings.database_url)
    records = world / "records.jsonl"
    started = time.perf_counter()
    with records.open("rb") as handle:
        for line in handle:
            json.loads(line)
    parse = time.perf_counter() - started
    started = time.perf_counter()
    summary = Ingestor(engine, settings, workers=workers).run([(str(records), "jsonl")])
    ingest = time.perf_counter() - started
    started = time.perf_counter()
    run_link(engine, settings, full=True)
    link = time.perf_counter() - started
    rng = random.Random(5)
    with engine.connect() as connection:
        phones = (
            connection.execute(select(entities.c.value).where(entities.c.kind == "phone").limit(5000))
            .scalars()
            .all()
        )
        words = ["available", "new", "town", "friendly", "weekend", "visiting", "sweet", "call"]
        timings: dict[str, list[float]] = {"phone": [], "text": []}
        for _ in range(200):
            phone = rng.choice(phones)
            started = time.perf_counter()
            search(connection, phone, SearchFilters())
            timings["phone"].append(time.perf_counter() - started)
            query = " ".join(rng.sample(words, 2))
            started = time.perf_counter()
            search(connection, query, SearchFilters())
            timings["text"].append(time.perf_counter() - started)
    result = {
        "read": summary.read,
        "parse_s": parse,
        "ingest_s": ingest,
        "link_s": link,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if workers > 1
        else 0,
    }
    for kind, values in timings.items():
        ordered = sorted(values)
        result[f"{kind}_p50_ms"] = ordered[len(ordered) // 2] * 1000
        result[f"{kind}_p95_ms"] = ordered[int(len(ordered) * 0.95)] * 1000
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="processes reading records at ingest")
    parser.add_argument("--repeats", type=int, default=1, help="runs per size; each figure is their median")
    parser.add_argument(
        "--repeat-up-to", type=int, default=100_000, help="sizes above this run once whatever --repeats"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="start a throw-away PostgreSQL on 127.0.0.1 (Debian's binaries, crash-safe settings) for the run",
    )
    args = parser.parse_args()
    server = None
    if args.postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.pgserver import PostgresServer

        server = PostgresServer(durable=True).start()
    try:
        _curve(args, server)
    finally:
        if server is not None:
            server.stop()


def _curve(args: argparse.Namespace, server: Any) -> None:
    from lantern.synth import generate

    print(
        f"{'records':>10} {'parse s':>8} {'ingest s':>9} {'rec/s':>7} {'x parse':>8} {'link s':>7} "
        f"{'phone p95':>9} {'text p95':>9} {'peak MiB':>9} {'worker MiB':>10} {'ingest/nlogn':>12} "
        f"{'link/nlogn':>10}"
    )
    database = "PostgreSQL (local, fsync on)" if server is not None else args.database_url or "SQLite"
    print(
        f"workers: {args.workers}; database: {database}; median of {args.repeats} runs per size "
        f"up to {args.repeat_up_to:,}",
        flush=True,
    )
    base: tuple[float, float, float] | None = None
    for size in sorted(args.sizes):
        scratch = Path(tempfile.mkdtemp(prefix="lantern-scale-"))
        try:
            generate(scratch / "world", size, seed=args.seed)
            runs = args.repeats if size <= args.repeat_up_to else 1
            figures = _median([_run(args, server, scratch, run) for run in range(runs)])
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        nlogn = size * math.log(size)
        if base is None:
            base = (nlogn, figures["ingest_s"], figures["link_s"])
        ingest_growth = (figures["ingest_s"] / base[1]) / (nlogn / base[0])
        link_growth = (figures["link_s"] / base[2]) / (nlogn / base[0])
        print(
            f"{size:>10,} {figures['parse_s']:>8.2f} {figures['ingest_s']:>9.1f} "
            f"{figures['read'] / figures['ingest_s']:>7,.0f} {figures['ingest_s'] / figures['parse_s']:>8.0f} "
            f"{figures['link_s']:>7.1f} {figures['phone_p95_ms']:>8.1f}ms {figures['text_p95_ms']:>8.1f}ms "
            f"{figures['peak_mib']:>9,.0f} {figures['worker_peak_mib']:>10,.0f} {ingest_growth:>12.2f} "
            f"{link_growth:>10.2f}",
            flush=True,
        )


def _run(args: argparse.Namespace, server: Any, scratch: Path, run: int) -> dict[str, float]:
    """One child's figures: the world in ``scratch`` ingested into a fresh store, linked and searched."""
    url = server.new_database() if server is not None else args.database_url
    command = [sys.executable, __file__, CHILD, str(scratch / "world"), str(scratch / f"data-{run}"),
               str(args.workers), url or ""]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    shutil.rmtree(scratch / f"data-{run}", ignore_errors=True)
    return json.loads(output.strip().splitlines()[-1])


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the runs (of an even number, the mean of the middle two)."""
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD:
        child(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[5] or None, int(sys.argv[4]))
    else:
        main()
