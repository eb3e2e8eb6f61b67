"""Where a full relink's time goes: ``run_link(full=True)`` on a copy of an ingested store, phase by phase.

    .venv/bin/python bench/bench_link_phases.py DATA_DIR      # a folder holding lantern.db (SQLite)

Make DATA_DIR by ingesting a synthetic world without linking, for example
``lantern synth --ads 300000 --out W`` then
``lantern --data-dir D ingest --no-link --workers 2 W/records.jsonl``. The store is copied first, so it can
be reused.
Each phase function of ``lantern.networks.runner`` and ``Linker.add`` is wrapped with a timer; the times
of nested phases overlap (``Rescoring.chunk``, ``MemberSpool._fill`` (reading a full run's network members
in key order into the spool) and ``MemberSpool.members`` (reading a chunk's back) are inside
``_rescore_networks``; ``write_full_run``, a full run's record rows in key order, inside
``_rescore_networks``; ``Evidence.release_stale`` inside ``Linker.add``).
"""

from __future__ import annotations

import functools
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

PHASES = ("_save_state", "_write_assignments", "_rescore_networks", "write_full_run",
          "_reset_outside_networks", "_write_hubs", "_member_counts", "_link_input")  # fmt: skip


def _timed(totals: dict[str, float], label: str, function: Any) -> Any:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - started

    return wrapper


def main() -> None:
    from lantern.config import load_settings
    from lantern.link.evidence import Evidence
    from lantern.link.linker import Linker
    from lantern.networks import runner
    from lantern.networks.members import MemberSpool
    from lantern.store.db import open_database

    totals: dict[str, float] = defaultdict(float)
    for name in PHASES:
        setattr(runner, name, _timed(totals, name, getattr(runner, name)))
    methods = ((runner.Rescoring, "chunk"), (MemberSpool, "_fill"), (MemberSpool, "members"),
               (Linker, "add"), (Evidence, "release_stale"))  # fmt: skip
    for owner, name in methods:
        label = f"{owner.__name__}.{name}"
        setattr(owner, name, _timed(totals, label, getattr(owner, name)))
    copy = Path(tempfile.mkdtemp(prefix="lantern-phases-")) / "data"
    shutil.copytree(Path(sys.argv[1]), copy)
    try:
        settings = load_settings(copy, None)
        engine = open_database(settings.database_url)
        started = time.perf_counter()
        summary = runner.run_link(engine, settings, full=True)
        total = time.perf_counter() - started
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"full link {total:.1f} s, {summary.networks_total} networks, peak {peak:,.0f} MiB")
    for label, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {label:28s} {seconds:7.1f} s")


if __name__ == "__main__":
    main()
