"""Validation, extraction and per-ad scoring in worker processes, in input order.

Reading a record (JSON, Pydantic, every extractor, the indicator catalogue) is pure CPU and needs nothing
but the record, so it spreads over processes; images, the store, watchlists and the CSAM check stay in
the main process, which receives each chunk's results in the order the chunks were read. Output is the
same as reading one record at a time (tested): only the wall clock changes.

Workers are started with ``spawn``, so they share no database connection, lock or thread with the
parent, and each builds its own reader (``ingest.reader.RecordReader``) from the picklable factory it is
given, catalogue override file included. This module knows nothing of the reader but its ``read_text``.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from lantern.gcpauses import BULK_GC_THRESHOLDS
from lantern.sources.files import RawItem

if TYPE_CHECKING:
    from lantern.ingest.reader import TextReading

CHUNK = 200
"""Records per task: large enough that pickling is a small share, small enough to keep workers even."""
AHEAD = 3
"""Chunks queued per worker at least; more when a batch is larger, so that workers keep reading while the
main process writes a whole batch."""


class TextReader(Protocol):
    """What a worker needs of a reader: the CPU part of reading one item."""

    def read_text(self, item: RawItem) -> TextReading: ...


_reader: TextReader | None = None


def default_workers() -> int:
    """One worker per core the process may use, at most eight (the main process writes meanwhile)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _start_worker(make_reader: Callable[[], TextReader]) -> None:
    global _reader
    from lantern.ingest.lifeline import exit_with_parent

    exit_with_parent()
    _reader = make_reader()
    # A worker lives for the whole run and allocates millions of short-lived objects; with the default
    # thresholds the collector ran every 700 of them over the catalogue and the compiled patterns too.
    # Those are frozen out of its reach, and it runs as rarely as in the writer (``lantern.gcpauses``):
    # 44.1 -> 42.1 s of worker CPU for 100,000 records.
    gc.freeze()
    gc.set_threshold(*BULK_GC_THRESHOLDS)


def _read_chunk(items: list[RawItem]) -> list[TextReading]:
    assert _reader is not None, "worker not initialised"
    return [_reader.read_text(item) for item in items]


def read_parallel(
    items: Iterable[RawItem], make_reader: Callable[[], TextReader], workers: int, batch_size: int
) -> Iterator[tuple[RawItem, TextReading]]:
    """Each item with its text reading, in input order, from ``workers`` processes, each with the reader
    ``make_reader`` (picklable) builds.

    A bounded number of chunks is in flight (about two batches of ``batch_size``), so memory stays flat
    however long the input.
    """
    in_flight = max(workers * AHEAD, 2 * batch_size // CHUNK)
    context = multiprocessing.get_context("spawn")
    source = iter(items)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(make_reader,)
    ) as pool:
        pending: deque[tuple[list[RawItem], Future[list[TextReading]]]] = deque()

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
