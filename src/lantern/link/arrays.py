"""Small array helpers the linker's parts share: CSR rows, star edges, stable short names."""

from __future__ import annotations

import hashlib

import numpy as np

EMPTY = np.zeros(0, dtype=np.int64)


def short_id(prefix: str, text: str) -> str:
    """A stable short identifier derived from text (network and template names)."""
    return prefix + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def gather(ptr: np.ndarray, values: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR rows of ``docs``: (doc, value) pairs."""
    starts, ends = ptr[docs], ptr[docs + 1]
    counts = ends - starts
    total = int(counts.sum())
    if total == 0:
        return EMPTY, EMPTY
    rep = np.repeat(docs, counts)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return rep, values[offsets + np.arange(total)]


def star(labels: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges joining every doc of each label to the label's smallest doc (enough for connectivity)."""
    if labels.size == 0:
        return EMPTY, EMPTY
    order = np.lexsort([docs, labels])
    labels, docs = labels[order], docs[order]
    first = np.ones(len(labels), dtype=bool)
    first[1:] = labels[1:] != labels[:-1]
    anchor = docs[first][np.cumsum(first) - 1]
    keep = anchor != docs
    return anchor[keep], docs[keep]
