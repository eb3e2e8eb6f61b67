"""Latency of the web app's searches under concurrent investigators: phone, text and image search.

Builds (or reuses, with ``--data-dir``) a store of N synthetic records, starts uvicorn on 127.0.0.1 in a
subprocess, and has ``--concurrency`` simulated users send requests with httpx. A trivial ``/healthz``
route is measured in the same run as the baseline, so the figures show what the searches themselves
cost on this machine. Targets: p95 < 100 ms for phone and text search, < 300 ms for image search.

    .venv/bin/python bench/bench_web.py                      # 100,000 records (builds about 6-10 min)
    .venv/bin/python bench/bench_web.py --data-dir /tmp/b    # reuse a store built earlier
    .venv/bin/python bench/bench_web.py --records 1000000    # supported; generating and ingesting 1M
                                                             # records takes about an hour or more

Phones are sent in varied formats (dots, brackets, spelled-out words) so the extractor runs on each.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from PIL import Image
from sqlalchemy import func, select

from lantern.config import load_settings
from lantern.ingest.images import store_path
from lantern.store.db import open_database
from lantern.store.schema import entities, images, records

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def build_store(data_dir: Path, count: int, seed: int) -> None:
    """Generate a synthetic world and ingest it, unless the store already has records."""
    from lantern.ingest.pipeline import Ingestor
    from lantern.synth import generate

    settings = load_settings(data_dir)
    engine = open_database(settings.database_url)
    with engine.connect() as connection:
        existing = connection.execute(select(func.count()).select_from(records)).scalar_one()
    if existing:
        print(f"reusing {data_dir}: {existing:,} records", flush=True)
        return
    world = data_dir / "world"
    started = time.perf_counter()
    print(f"generating {count:,} synthetic records with images into {world} ...", flush=True)
    generate(world, count, seed=seed, images=True)
    print(f"  {time.perf_counter() - started:.0f}s; ingesting ...", flush=True)
    summary = Ingestor(engine, settings).run([(str(world / "records.jsonl"), "jsonl")])
    print(f"  {summary.line()} in {time.perf_counter() - started:.0f}s total", flush=True)


def phone_variants(e164: str, rng: random.Random) -> str:
    """The number as someone might type it from an ad: plain, dotted, bracketed or spelled out."""
    digits = e164[-10:]
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    style = rng.randrange(4)
    if style == 0:
        return f"{area}.{exchange}.{line}"
    if style == 1:
        return f"({area}) {exchange}-{line}"
    if style == 2:
        return (
            " ".join(DIGIT_WORDS[int(d)] for d in area)
            + f" {exchange} "
            + " ".join("oh" if d == "0" else DIGIT_WORDS[int(d)] for d in line)
        )
    return e164


def sample_queries(data_dir: Path, seed: int, per_kind: int) -> dict[str, list]:
    settings = load_settings(data_dir)
    engine = open_database(settings.database_url)
    rng = random.Random(seed)
    with engine.connect() as connection:
        phones = list(
            connection.execute(
                select(entities.c.value)
                .where(entities.c.kind == "phone")
                .order_by(func.random())
                .limit(per_kind)
            ).scalars()
        )
        titles = list(
            connection.execute(select(records.c.title).order_by(func.random()).limit(per_kind)).scalars()
        )
        shas = list(
            connection.execute(
                select(images.c.sha256).order_by(func.random()).limit(min(per_kind, 60))
            ).scalars()
        )
    engine.dispose()
    words = []
    for title in titles:
        tokens = [t for t in (title or "").split() if t.isalpha() and len(t) > 3]
        if tokens:
            words.append(" ".join(rng.sample(tokens, min(len(tokens), rng.choice((1, 2))))))
    uploads = []
    for index, sha in enumerate(shas):
        data = store_path(settings.images_dir, sha).read_bytes()
        if index % 2:  # every other upload is a recompressed, resized copy: a near duplicate
            with Image.open(io.BytesIO(data)) as image:
                frame = image.convert("RGB").resize(
                    (max(8, image.width * 3 // 4), max(8, image.height * 3 // 4))
                )
                out = io.BytesIO()
                frame.save(out, "JPEG", quality=80)
                data = out.getvalue()
        uploads.append(data)
    return {"phone": [phone_variants(p, rng) for p in phones], "text": words, "image": uploads}


async def run_scenario(client: httpx.AsyncClient, kind: str, items: list, requests: int, concurrency: int):
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(items[i % len(items)] if items else None)

    async def user() -> None:
        nonlocal errors
        while not queue.empty():
            item = queue.get_nowait()
            started = time.perf_counter()
            if kind == "healthz":
                response = await client.get("/healthz")
            elif kind == "image":
                response = await client.post(
                    "/api/images/search", files={"image": ("q.jpg", item, "image/jpeg")}
                )
            else:
                response = await client.get("/api/search", params={"q": item})
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(
    base_url: str, queries: dict[str, list], requests: int, concurrency: int, token: str
) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits, headers=headers) as client:
        for kind in ("phone", "text", "image"):  # warm-up: caches, the pHash index, SQLite pages
            for item in queries[kind][:5]:
                if kind == "image":
                    await client.post("/api/images/search", files={"image": ("q.jpg", item, "image/jpeg")})
                else:
                    await client.get("/api/search", params={"q": item})
        print(f"\n{concurrency} concurrent users, {requests} requests per scenario")
        print(
            f"{'scenario':<10}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}{'req/s':>9}{'errors':>8}"
        )
        for kind in ("healthz", "phone", "text", "image"):
            latencies, errors, elapsed = await run_scenario(
                client, kind, queries.get(kind, []), requests, concurrency
            )
            print(
                f"{kind:<10}{len(latencies):>6}{statistics.median(latencies):>10.1f}"
                f"{percentile(latencies, 0.95):>10.1f}{percentile(latencies, 0.99):>10.1f}"
                f"{max(latencies):>10.1f}{len(latencies) / elapsed:>9.0f}{errors:>8}",
                flush=True,
            )


def bench_token(data_dir: Path) -> str:
    """An investigator account and a search/read API token, as a script of an agency would use.

    Every route needs a signed-in principal, and every search is audited, so the figures include what
    accountability costs.
    """
    import secrets

    from lantern.config import load_settings
    from lantern.security import accounts, tokens
    from lantern.store.db import open_database

    engine = open_database(load_settings(data_dir).database_url)
    with engine.connect() as connection:
        agency_id = accounts.agency_id_by_name(connection, "Benchmarks")
    if agency_id is None:
        agency_id = accounts.create_agency(engine, "Benchmarks")
    name = f"bench-{secrets.token_hex(4)}"
    user = accounts.create_user(
        engine, name, secrets.token_urlsafe(24), agency_id=agency_id, role="investigator"
    )
    _token_id, token = tokens.create(engine, user.id, "bench_web", ["read", "search"])
    return token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=None, help="Store to build or reuse")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="Requests per scenario")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data_dir = (args.data_dir or Path(f"./bench-data/web-{args.records}")).resolve()
    build_store(data_dir, args.records, args.seed)
    queries = sample_queries(data_dir, args.seed, per_kind=200)
    token = bench_token(data_dir)
    port = free_port()
    env = {**os.environ, "LANTERN_DATA_DIR": str(data_dir)}
    env.pop("LANTERN_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "lantern.web.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--workers", str(args.workers)],
        env=env,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("uvicorn did not start")
            time.sleep(0.2)
        settings = load_settings(data_dir)
        engine = open_database(settings.database_url)
        with engine.connect() as connection:
            n_records = connection.execute(select(func.count()).select_from(records)).scalar_one()
            n_images = connection.execute(select(func.count()).select_from(images)).scalar_one()
        engine.dispose()
        print(f"store {data_dir}: {n_records:,} records, {n_images:,} images; uvicorn workers={args.workers}")
        asyncio.run(measure(base_url, queries, args.requests, args.concurrency, token))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
