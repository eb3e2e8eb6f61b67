"""The records the linker has seen: keys, sources, cities, posting times and (optionally) texts.

Every evidence kind and every answer reads records by their linker index (0, 1, ... in arrival order);
this table is the one place that maps indexes to what investigators know a record by.
"""

from __future__ import annotations

import numpy as np

from lantern.link.doc import LinkDoc
from lantern.link.packed import PackedStrings
from lantern.link.timeutil import to_epoch


def _intern(table: dict[str, int], names: list[str], value: str) -> int:
    index = table.get(value)
    if index is None:
        index = table[value] = len(names)
        names.append(value)
    return index


class RecordTable:
    """Records by linker index, with their source, city and posting time."""

    def __init__(self, keep_text: bool) -> None:
        self.keep_text = keep_text
        self.keys: list[str] = []
        self.key_index: dict[str, int] = {}
        self.sources: list[str] = []
        self.source_index: dict[str, int] = {}
        self.cities: list[str] = []
        self.city_index: dict[str, int] = {}
        self.source_of = np.zeros(0, dtype=np.int32)
        self.city_of = np.zeros(0, dtype=np.int32)
        self.times = np.zeros(0, dtype=np.float64)
        self.texts: list[str] | PackedStrings = []  # PackedStrings when loaded from a saved state
        self._source_totals: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.keys)

    def __contains__(self, key: str) -> bool:
        return key in self.key_index

    def index_of(self, key: str) -> int:
        """Record index of a key (KeyError when unknown)."""
        return self.key_index[key]

    def register(self, docs: list[LinkDoc]) -> np.ndarray:
        """Append new records; returns their indexes."""
        n0 = self.n
        sources, cities, times = [], [], []
        for doc in docs:
            self.key_index[doc.key] = len(self.keys)
            self.keys.append(doc.key)
            sources.append(_intern(self.source_index, self.sources, doc.source))
            city = (doc.city or "").strip()
            cities.append(_intern(self.city_index, self.cities, city) if city else -1)
            times.append(to_epoch(doc.posted_at))
            if self.keep_text:
                self.texts.append(doc.text or "")
        self.source_of = np.concatenate([self.source_of, np.asarray(sources, dtype=np.int32)])
        self.city_of = np.concatenate([self.city_of, np.asarray(cities, dtype=np.int32)])
        self.times = np.concatenate([self.times, np.asarray(times, dtype=np.float64)])
        self._source_totals = None
        return np.arange(n0, self.n, dtype=np.int64)

    def doc_order(self, nodes: np.ndarray) -> list[np.ndarray]:
        """lexsort keys putting records earliest first: posting time, then key."""
        keys = np.array([self.keys[i] for i in nodes], dtype=str) if len(nodes) else np.zeros(0, dtype=str)
        return [keys, self.times[nodes]]

    def source_totals(self) -> np.ndarray:
        """Records per source (computed once per batch: hub judgement needs it for every group)."""
        if self._source_totals is None or len(self._source_totals) != len(self.sources):
            self._source_totals = np.bincount(self.source_of, minlength=len(self.sources))
        return self._source_totals

    def restore(self, keys: list[str], sources: list[str], cities: list[str], texts: PackedStrings) -> None:
        """Fill the lookup tables after a saved state set the lists and arrays."""
        self.keys, self.sources, self.cities, self.texts = keys, sources, cities, texts
        self.key_index = {k: i for i, k in enumerate(keys)}
        self.source_index = {k: i for i, k in enumerate(sources)}
        self.city_index = {k: i for i, k in enumerate(cities)}
        self._source_totals = None
