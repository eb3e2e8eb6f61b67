"""The linker's sorted multi-map: lookups of keys in any order give each key's entries, oldest first."""

from __future__ import annotations

import numpy as np

from lantern.link.sorted_index import SortedIndex


def _index(entries: dict[int, list[int]]) -> SortedIndex:
    index = SortedIndex()
    for key, values in entries.items():
        index.insert(np.full(len(values), key), np.array(values))
    return index


def test_keys_asked_in_any_order_get_their_own_entries_in_the_order_asked() -> None:
    rng = np.random.default_rng(7)
    entries = {int(key): sorted(rng.choice(10_000, size=int(rng.integers(1, 6)), replace=False).tolist())
               for key in rng.choice(2**40, size=500, replace=False)}  # fmt: skip
    index = _index(entries)
    asked = np.array([*rng.choice(list(entries), size=300), 12345, *rng.choice(list(entries), size=50)])
    positions, values = index.lookup(asked)
    found: dict[int, list[int]] = {}
    for position, value in zip(positions.tolist(), values.tolist(), strict=True):
        found.setdefault(position, []).append(value)
    for position, key in enumerate(asked.tolist()):
        assert found.get(position, []) == entries.get(key, [])


def test_a_cap_keeps_the_oldest_entries_of_each_key() -> None:
    index = _index({5: [1, 4, 9, 12], 2: [3, 7]})
    positions, values = index.lookup(np.array([5, 2, 5]), cap=2)
    assert positions.tolist() == [0, 0, 1, 1, 2, 2]
    assert values.tolist() == [1, 4, 3, 7, 1, 4]
    assert index.counts(np.array([2, 9, 5])).tolist() == [2, 0, 4]
