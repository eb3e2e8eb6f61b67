"""Strings saved with the link state as one UTF-8 buffer and offsets, and read back without decoding all.

A million ad texts are about 300 MB of UTF-8 in the state file. Decoding every one into a Python string
took about 9 of the 25 seconds that loading a million-record state took, although the web app reads a
few hundred of them (a template's members) and an incremental link only appends new ones.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

ENCODING = ("utf-8", "surrogatepass")
"""Lone surrogates from hostile input round-trip instead of failing the save."""


def pack_strings(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One byte buffer and ``len(strings) + 1`` offsets into it."""
    encoded = [s.encode(*ENCODING) for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def unpack_strings(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    """Every string of a buffer, decoded (for the short lists: keys, sources, cities, identifiers)."""
    data = blob.tobytes()
    bounds = offsets.tolist()
    return [data[bounds[i] : bounds[i + 1]].decode(*ENCODING) for i in range(len(bounds) - 1)]


class PackedStrings:
    """A list of strings read one at a time from a packed buffer; appended strings are kept as they are.

    Supports what the linker does with its texts: ``append``, ``len``, reading by index, iterating, and
    packing again for the next save (``pack``: the loaded buffer is reused, not decoded and re-encoded).
    """

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self._blob = blob
        self._offsets = offsets
        self._packed = len(offsets) - 1
        self._tail: list[str] = []

    def __len__(self) -> int:
        return self._packed + len(self._tail)

    def __getitem__(self, index: int) -> str:
        position = index + len(self) if index < 0 else index
        if position < 0:
            raise IndexError(index)
        if position >= self._packed:
            return self._tail[position - self._packed]
        start, end = int(self._offsets[position]), int(self._offsets[position + 1])
        return self._blob[start:end].tobytes().decode(*ENCODING)

    def __iter__(self) -> Iterator[str]:
        for index in range(len(self)):
            yield self[index]

    def append(self, text: str) -> None:
        self._tail.append(text)

    def pack(self) -> tuple[np.ndarray, np.ndarray]:
        """The buffer and offsets of every string, the appended ones included."""
        if not self._tail:
            return self._blob, self._offsets
        blob, offsets = pack_strings(self._tail)
        return (
            np.concatenate([self._blob, blob]),
            np.concatenate([self._offsets, offsets[1:] + self._offsets[-1]]),
        )
