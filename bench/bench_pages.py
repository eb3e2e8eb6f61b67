"""Latency of every investigator page on a linked store, one request at a time: what a click costs.

``bench_web.py`` measures searches under twenty concurrent users; this one walks the other pages an
investigator opens (home with its filter form, the triage queue and a deep page of it, records, networks
including the largest, entity pages including the most used phone, hubs, searches with a site filter, the
JSON triage) through the app in this process, so the figures are the server's work without queueing.
``/healthz`` is measured in the same run as the baseline. "first" is the first request of a kind: the
home page fills its filter cache, and the first network page loads the linker's state.

    .venv/bin/python bench/bench_pages.py DATA_DIR [--samples 20] [--seed 5]

DATA_DIR is a linked store, for example ``lantern synth --ads 1000000 --out W`` then
``lantern --data-dir DATA_DIR ingest --workers 2 W/records.jsonl`` (ingest links by default). An
investigator account and API token are added to it (as ``bench_web.py`` does).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import bench_token
from lantern.config import load_settings
from lantern.store.db import open_database
from lantern.store.schema import entities, networks, records
from lantern.web.urls import entity_url, record_url

TEXT_QUERIES = ["sweet friendly", "incall", "visiting week", "discreet company", "real photos"]


def sample_pages(data_dir: Path, samples: int, seed: int) -> dict[str, list[str]]:
    """The URLs of each page kind, drawn at random from the store (records by key, their networks and
    phones), plus the largest networks and the phone on the most records."""
    rng = random.Random(seed)
    engine = open_database(load_settings(data_dir).database_url)
    with engine.connect() as connection:
        top = connection.execute(select(func.max(records.c.id))).scalar_one() or 0
        pks = [rng.randint(1, top) for _ in range(samples)]
        picked = connection.execute(
            select(records.c.source, records.c.record_id, records.c.network_id).where(records.c.id.in_(pks))
        ).all()
        biggest = connection.execute(select(networks.c.id).order_by(networks.c.size.desc()).limit(3))
        biggest_ids = list(biggest.scalars())
        phones = connection.execute(
            select(entities.c.value).where(entities.c.kind == "phone", entities.c.record_pk.in_(pks))
        ).scalars()
        phone_values = list(dict.fromkeys(phones))[:samples]
        busiest = connection.execute(
            select(entities.c.value)
            .where(entities.c.kind == "phone")
            .group_by(entities.c.value)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
        site = connection.execute(select(records.c.source).limit(1)).scalar()
    engine.dispose()
    repeat = max(3, samples // 4)
    return {
        "/healthz (baseline)": ["/healthz"] * samples,
        "home (search form)": ["/"] * samples,
        "triage, page 1": ["/triage"] * samples,
        "triage, page 50": ["/triage?page=50"] * samples,
        "record": [record_url(source, record_id) for source, record_id, _ in picked],
        "network of a random record": [f"/networks/{n}" for _, _, n in picked if n],
        "network, 3 largest": [f"/networks/{n}" for n in biggest_ids],
        "entity, phone of a random record": [entity_url("phone", p) for p in phone_values],
        "entity, phone on most records": [entity_url("phone", busiest)] * repeat if busiest else [],
        "… its page 20": [entity_url("phone", busiest) + "?page=20"] * repeat if busiest else [],
        "hubs": ["/hubs"] * repeat,
        "search, phone": [f"/search?q={p}" for p in phone_values],
        "search, text": ["/search?q=" + q for q in rng.choices(TEXT_QUERIES, k=samples)],
        "search, text + site filter": [f"/search?q=discreet&site={site}"] * repeat,
        "search, minor score >= 0.5": ["/search?min_minor=0.5"] * repeat,
        "API triage": ["/api/triage"] * samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--samples", type=int, default=20, help="Requests per page kind (fewer for some)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    warnings.filterwarnings("ignore", message=".*httpx.*")  # Starlette's notice about its test client
    from fastapi.testclient import TestClient

    from lantern.web.app import create_app

    started = time.perf_counter()
    pages = sample_pages(data_dir, args.samples, args.seed)
    print(f"store {data_dir}; pages sampled in {time.perf_counter() - started:.1f} s", flush=True)
    client = TestClient(create_app(load_settings(data_dir)))
    client.headers["Authorization"] = f"Bearer {bench_token(data_dir)}"
    print(f"{'page':36}{'n':>4}{'first ms':>11}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}", flush=True)
    for name, urls in pages.items():
        times = []
        for url in urls:
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code} {response.text[:200]}")
        if not times:
            continue
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
        print(
            f"{name:36}{len(times):>4}{times[0]:>11.1f}{statistics.median(times):>10.1f}"
            f"{p95:>10.1f}{max(times):>10.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
