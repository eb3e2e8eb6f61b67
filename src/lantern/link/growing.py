"""Append-only numpy arrays that grow by a factor, not by a copy of everything at every batch.

The linker adds records a batch at a time. ``np.concatenate([old, new])`` copies the whole array for every
batch, so a full link's cost grows with the square of the corpus: the MinHash signatures alone are 512
bytes per record, and at 1,000,000 records in 50 batches their copies (with the page faults of a fresh
half-gigabyte allocation each time) took a fifth of ``Linker.add``. Here the rows live in a buffer with room
to spare, grown by half again when full, so appending costs in proportion to what is appended.
"""

from __future__ import annotations

import numpy as np

GROWTH = 1.5
"""Capacity multiplier when the buffer is full: at most half the rows again held spare."""


class GrowingRows:
    """Rows appended at the end of a buffer; ``array`` is a view of the rows so far (no copy)."""

    def __init__(self, array: np.ndarray) -> None:
        self._buffer = array
        self._size = len(array)

    @property
    def array(self) -> np.ndarray:
        return self._buffer[: self._size]

    def append(self, rows: np.ndarray) -> None:
        """Append ``rows`` (same trailing shape and dtype)."""
        end = self._size + len(rows)
        if end > len(self._buffer):
            capacity = max(end, int(len(self._buffer) * GROWTH), 1024)
            grown = np.empty((capacity, *self._buffer.shape[1:]), dtype=self._buffer.dtype)
            grown[: self._size] = self._buffer[: self._size]
            self._buffer = grown
        self._buffer[self._size : end] = rows
        self._size = end


class GrowingAttribute:
    """A class attribute kept as ``GrowingRows``: reading gives the rows so far, assigning an array starts a
    new buffer from it (as restoring a saved state does), and ``_<name>.append`` adds rows."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = "_" + name

    def __get__(self, instance: object, owner: type | None = None) -> np.ndarray:
        if instance is None:
            return self  # type: ignore[return-value]
        return getattr(instance, self._slot).array

    def __set__(self, instance: object, value: np.ndarray) -> None:
        setattr(instance, self._slot, GrowingRows(value))
