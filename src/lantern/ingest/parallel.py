"""Validation, extraction and per-ad scoring in worker processes, in input order.

Reading a record (JSON, Pydantic, every extractor, the indicator catalogue) is pure CPU and needs nothing
but the record, so it spreads over processes; images, the store, watchlists and the CSAM check stay in
the main process, which receives each chunk's results in the order the chunks were read. Output is the
same as reading one record at a time (tested): only the wall clock changes.

Workers are started with ``spawn``, so they share no database connection, lock or thread with the
parent, and each builds its own extractor from the settings (the catalogue override file included).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from lantern.config import Settings
from lantern.gcpauses import BULK_GC_THRESHOLDS
from lantern.ingest.parse import Problem, parse_item
from lantern.ingest.prepare import Extraction, Extractor, encode_extraction
from lantern.records import InputRecord
from lantern.sources.files import RawItem

CHUNK = 200
"""Records per task: large enough that pickling is a small share, small enough to keep workers even."""
AHEAD = 3
"""Chunks queued per worker at least; more when a batch is larger, so that workers keep reading while the
main process writes a whole batch."""

Read = tuple[InputRecord | Problem, Extraction | str | None]
"""One item read: the record (or why it was refused) and its extraction (or why extraction failed)."""

_extract: Extractor | None = None


def default_workers() -> int:
    """One worker per core the process may use, at most eight (the main process writes meanwhile)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def read_one(item: RawItem, extract: Extractor) -> Read:
    """Validate and extract one item; a failure of either is returned, never raised."""
    parsed = parse_item(item)
    if isinstance(parsed, Problem):
        return parsed, None
    try:
        return parsed, encode_extraction(extract(parsed))
    except Exception as error:  # a bug on hostile input must not lose the record
        return parsed, f"extraction failed: {type(error).__name__}: {error}"


def _start_worker(settings: Settings) -> None:
    global _extract
    from lantern.ingest.lifeline import exit_with_parent
    from lantern.ingest.pipeline import default_extractor

    exit_with_parent()
    _extract = default_extractor(settings)
    # A worker lives for the whole run and allocates millions of short-lived objects; with the default
    # thresholds the collector ran every 700 of them over the catalogue and the compiled patterns too.
    # Those are frozen out of its reach, and it runs as rarely as in the writer (``lantern.gcpauses``):
    # 44.1 -> 42.1 s of worker CPU for 100,000 records.
    gc.freeze()
    gc.set_threshold(*BULK_GC_THRESHOLDS)


def _read_chunk(items: list[RawItem]) -> list[Read]:
    assert _extract is not None, "worker not initialised"
    return [read_one(item, _extract) for item in items]


def read_parallel(
    items: Iterable[RawItem], settings: Settings, workers: int
) -> Iterator[tuple[RawItem, Read]]:
    """Each item with its reading, in input order, from ``workers`` processes.

    A bounded number of chunks is in flight (about two batches), so memory stays flat however long the
    input.
    """
    in_flight = max(workers * AHEAD, 2 * settings.batch_size // CHUNK)
    context = multiprocessing.get_context("spawn")
    source = iter(items)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(settings,)
    ) as pool:
        pending: deque[tuple[list[RawItem], Future[list[Read]]]] = deque()

        def submit() -> bool:
            chunk = list(islice(source, CHUNK))
            if chunk:
                pending.append((chunk, pool.submit(_read_chunk, chunk)))
            return bool(chunk)

        while len(pending) < in_flight and submit():
            pass
        while pending:
            chunk, future = pending.popleft()
            submit()
            yield from zip(chunk, future.result(), strict=True)
