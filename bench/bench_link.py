"""Benchmark of the linker: link time and peak memory at 10k, 100k (and 1M with --sizes 1000000).

Each size runs in its own subprocess so peak memory (ru_maxrss) is that size's alone. The synthetic
corpus is generated directly as LinkDocs (deterministic, seed 7): operators posting 2-30 ads each with
shared phones, e-mails, near-duplicate images and a text template with name/city slots (some operators
text-only or image-only), independent single posters as noise, a boilerplate phone in 30% of each site's
ads and stock images reused by unrelated posters. All phones are fictional (NXX-555-01xx), e-mails
@example.com, wording neutral.

Usage:  .venv/bin/python bench/bench_link.py [--sizes 10000 100000 1000000] [--incremental 1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lantern.link import LinkDoc, Linker, phone_union_find

VOCAB = [f"w{i}" for i in range(3000)]
NAMES = [f"name{i}" for i in range(400)]
CITIES = [f"City{i}" for i in range(120)]
SITES = [f"site{i}" for i in range(20)]


def fake_phone(n: int) -> str:
    """A fictional number: area code varies, exchange 555, line 0100-0199."""
    area = 201 + (n // 100) % 700
    return f"+1{area}555{100 + n % 100:04d}"


def generate(n: int, seed: int = 7, start: int = 0) -> list[LinkDoc]:
    """n synthetic LinkDocs; ``start`` offsets keys and times so a later call can extend a corpus."""
    rng = np.random.default_rng(seed + start)
    docs: list[LinkDoc] = []
    stock = rng.integers(0, 2**63, size=10, dtype=np.int64)
    boiler = {site: fake_phone(690_000 + i) for i, site in enumerate(SITES)}
    op = start
    while len(docs) < n:
        op += 1
        kind = rng.random()
        size = int(rng.integers(2, 31)) if kind < 0.35 else 1
        phones = [fake_phone(op * 2 + j) for j in range(int(rng.integers(1, 3)))]
        email = f"p{op}@example.com"
        images = rng.integers(0, 2**63, size=3, dtype=np.int64)
        template = rng.integers(0, len(VOCAB), size=40)
        text_only = size > 1 and rng.random() < 0.1
        image_only = size > 1 and not text_only and rng.random() < 0.1
        city = int(rng.integers(0, len(CITIES)))
        for ad in range(size):
            if len(docs) >= n:
                break
            site = SITES[int(rng.integers(0, len(SITES)))]
            words = template.copy() if size > 1 else rng.integers(0, len(VOCAB), size=40)
            words[3] = int(rng.integers(0, len(VOCAB)))
            words[11] = int(rng.integers(0, len(VOCAB)))
            text = " ".join(VOCAB[w] for w in words.tolist())
            text = f"{text} {NAMES[int(rng.integers(0, len(NAMES)))]} {CITIES[city]}"
            doc_phones = [] if text_only or image_only else [phones[ad % len(phones)]]
            if rng.random() < 0.3:
                doc_phones.append(boiler[site])
            img = int(images[ad % 3]) ^ int(rng.integers(0, 4))
            hashes = [] if text_only else [f"{img & 0xFFFFFFFFFFFFFFFF:016x}"]
            if rng.random() < 0.05:
                hashes.append(f"{int(stock[int(rng.integers(0, 10))]):016x}")
            if rng.random() < 0.1:
                city = int(rng.integers(0, len(CITIES)))
            index = start + len(docs)
            docs.append(
                LinkDoc(
                    key=f"{site}:{index}",
                    source=site,
                    posted_at=f"2024-{1 + (index // 100_000) % 12:02d}-{1 + (index // 4000) % 28:02d}T"
                    f"{(index // 60) % 24:02d}:{index % 60:02d}:00Z",
                    city=CITIES[city],
                    phones=doc_phones,
                    emails=[email] if (size > 1 and ad % 3 == 0 and not image_only) else [],
                    names=[NAMES[op % len(NAMES)]],
                    image_phashes=hashes,
                    text="" if image_only else text,
                )
            )
    return docs


def peak_mib() -> float:
    """Peak resident memory of this process (Linux ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(n: int, incremental: int) -> dict[str, float | int]:
    """Generate, link and measure one size (runs inside its own subprocess)."""
    t = time.perf_counter()
    docs = generate(n)
    gen_s = time.perf_counter() - t
    mem_docs = peak_mib()
    t = time.perf_counter()
    baseline = phone_union_find(docs)
    base_s = time.perf_counter() - t
    base_clusters = len(set(baseline.values()))
    del baseline
    linker = Linker()
    t = time.perf_counter()
    result = linker.add(docs)
    link_s = time.perf_counter() - t
    networks = result.networks()
    hubs = len(result.suppressed_hubs)
    t = time.perf_counter()
    more = generate(incremental, start=n)
    result = linker.add(more)
    inc_s = time.perf_counter() - t
    t = time.perf_counter()
    state = linker.state()
    state_s = time.perf_counter() - t
    return {
        "n": n,
        "generate_s": round(gen_s, 2),
        "link_s": round(link_s, 2),
        "docs_per_s": round(n / link_s),
        "baseline_phone_uf_s": round(base_s, 2),
        "incremental_docs": incremental,
        "incremental_s": round(inc_s, 2),
        "state_mib": round(len(state) / 2**20, 1),
        "state_dump_s": round(state_s, 2),
        "networks_2plus": len(networks),
        "largest_network": networks[0].records if networks else 0,
        "baseline_clusters": base_clusters,
        "suppressed_hubs": hubs,
        "rss_after_generate_mib": round(mem_docs),
        "peak_rss_mib": round(peak_mib()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--incremental", type=int, default=1000, help="records added after the full link")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.incremental)))
        return
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--incremental", str(args.incremental)],
            check=True,
            capture_output=True,
            text=True,
        )
        print(out.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
