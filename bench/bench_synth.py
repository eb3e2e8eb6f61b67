"""Benchmark the synthetic-world generator: records per second and peak memory as N grows.

Each size runs in its own child process so its peak RSS (ru_maxrss from wait4) is that run's alone. A
flat peak RSS across sizes shows the generator streams: it keeps live actors, not records.

    .venv/bin/python bench/bench_synth.py                 # 10k and 100k
    .venv/bin/python bench/bench_synth.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _child(size: int, out: Path, seed: int, images: bool) -> None:
    from lantern.synth import generate

    generate(out, size, seed=seed, images=images)


def _run(size: int, seed: int, images: bool, keep: Path | None) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as scratch:
        out = keep / f"synth-{size}" if keep else Path(scratch) / "world"
        command = [sys.executable, __file__, "--child", str(size), "--out", str(out), "--seed", str(seed)]
        if images:
            command.append("--images")
        started = time.perf_counter()
        process = subprocess.Popen(command)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"generator failed for N={size} (exit {process.returncode})")
        size_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        # ru_maxrss is in KiB on Linux and in bytes on macOS.
        peak_kib = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        return elapsed, peak_kib, size_bytes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--images", action="store_true", help="also write images (slower)")
    parser.add_argument("--keep", type=Path, help="write worlds under this folder instead of a temp one")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child, args.out, args.seed, args.images)
        return
    print(f"{'records':>10} {'seconds':>9} {'records/s':>10} {'peak RSS MiB':>13} {'output MiB':>11}")
    for size in args.sizes:
        elapsed, peak_kib, size_bytes = _run(size, args.seed, args.images, args.keep)
        print(
            f"{size:>10,} {elapsed:>9.1f} {size / elapsed:>10,.0f} {peak_kib / 1024:>13.1f} "
            f"{size_bytes / 2**20:>11.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
