"""Fewer cyclic-garbage collections during bulk work (ingest), none during linking.

Both jobs allocate millions of short-lived, acyclic objects (decoded JSON documents, row dicts,
indicator dicts). CPython's cyclic collector finds nothing among them, but with its default thresholds
it runs every 700 allocations and, as the heap grows, traverses ever more long-lived objects. Raising
the thresholds took a full link from 53.5 to 41.8 s at 100,000 records and from 174 to 152 s at 300,000
(docs/benchmarks.md); ingest already ran its writer loop with the same setting.
Reference counting still frees everything at once; only the search for cycles is made rarer.

Linking goes further and switches the search off (``collector_off``): even at those thresholds each young
collection traverses up to 200,000 objects the run still holds (batch documents, spooled rows), which at
a million records cost 9.6 s of young and 0.8 s of middle collections in a 240.7 s full link, while at
10,000 records the link ends before the first one. A whole 100,000-record link with the collector off
left 377 objects in unreachable cycles, so nothing piles up meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_GC_THRESHOLDS = (200_000, 50, 100)
"""The collector's thresholds during bulk work (CPython's default is 700, 10, 10)."""


@contextmanager
def fewer_gc_pauses() -> Iterator[None]:
    """Raise the collector's thresholds for the duration of a bulk loop, then restore them (a ``with``
    block, or a decorator: ``@fewer_gc_pauses()``)."""
    before = gc.get_threshold()
    gc.set_threshold(*BULK_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def collector_off() -> Iterator[None]:
    """Switch the cyclic collector off for a bounded bulk job (a ``with`` block or a decorator), then back
    on if it was on; cycles made meanwhile are found by the next collection after that."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
