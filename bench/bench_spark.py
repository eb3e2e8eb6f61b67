"""Benchmark of ``lantern spark`` extract + link in local mode against the local extraction loop.

Generates N fictional records with ``lantern.synth.generate`` (no images), then in the same run:

* local: ``extract_record`` + ``assess_record`` per record in one Python process (what ingest does);
* Spark: ``run_extract`` (JSONL -> Parquet) and ``run_link`` (contacts evidence) on ``--master``.

Reports records/s for each. On a small machine Spark's start-up and per-job overhead dominate; the point
of the Spark path is that it scales out, so read the numbers as the single-machine cost of that.

Usage:  .venv/bin/python bench/bench_spark.py [--records 20000] [--master local[*]]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lantern.assess import Assessor
from lantern.extract import ExtractConfig, extract_record
from lantern.ingest.parse import parse_item
from lantern.records import InputRecord
from lantern.sources.files import RawItem
from lantern.synth import RECORDS_FILE, generate


def local_extract(path: Path) -> tuple[int, float]:
    """Records extracted and seconds taken by the plain per-record loop."""
    config, assessor = ExtractConfig(default_region="US"), Assessor.load()
    started = time.perf_counter()
    count = 0
    for line in path.read_bytes().splitlines():
        record = parse_item(RawItem("bench", 0, line, "jsonl", path.parent))
        if isinstance(record, InputRecord):
            assessor.assess_record(record, extract_record(record, config))
            count += 1
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lantern-bench-spark-") as tmp:
        folder = Path(tmp)
        generate(folder / "world", args.records, seed=args.seed)
        corpus = folder / "world" / RECORDS_FILE
        count, seconds = local_extract(corpus)
        print(
            f"local extract_record loop: {count} records in {seconds:.1f} s = {count / seconds:,.0f} records/s"
        )

        from lantern.spark.extract import run_extract
        from lantern.spark.link import run_link
        from lantern.spark.session import get_session

        started = time.perf_counter()
        spark = get_session(args.master, app_name="lantern-bench")
        session_s = time.perf_counter() - started
        started = time.perf_counter()
        counts = run_extract(spark, [str(corpus)], str(folder / "extracted.parquet"))
        extract_s = time.perf_counter() - started
        summary = run_link(spark, str(folder / "extracted.parquet"), str(folder / "networks.parquet"))
        link_s = summary.seconds
        n = counts["extracted"]
        parallelism = spark.sparkContext.defaultParallelism
        print(f"spark ({args.master}, parallelism {parallelism}): session start {session_s:.1f} s")
        print(f"spark extract: {n} records in {extract_s:.1f} s = {n / extract_s:,.0f} records/s")
        print(f"spark link:    {summary.line()} = {n / link_s:,.0f} records/s")
        total = extract_s + link_s
        print(f"spark extract+link: {total:.1f} s = {n / total:,.0f} records/s (session start excluded)")
        spark.stop()


if __name__ == "__main__":
    main()
