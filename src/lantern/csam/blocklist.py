"""The in-memory hash list the ingest checks every image against, before any byte is stored.

SHA-256 and MD5 match exactly (set look-ups). Perceptual lists are matched with the 64-bit pHash the
ingest already computes, by Hamming distance, vectorised with numpy so that a batch of images against
many thousands of listed hashes stays cheap. PDQ lists (the industry's perceptual format) need a PDQ
implementation, which Lantern does not ship: see docs/csam.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from lantern.store.schema import csam_hashes

KINDS = ("sha256", "md5", "phash")
HEX_LENGTH = {"sha256": 64, "md5": 32, "phash": 16}
# pHash bits that may differ for a near-duplicate. Conservative on purpose: a false match only hides an
# image from view and sends it to a supervisor, while a miss could show abuse material.
DEFAULT_PHASH_DISTANCE = 6


@dataclass(frozen=True, slots=True)
class BlockMatch:
    """Why an image is blocked: which list, which hash kind and value, at what pHash distance."""

    list_id: int
    hash_kind: str
    matched_value: str
    distance: int = 0


@dataclass
class Blocklist:
    """All loaded hashes; empty lists cost nothing at ingest."""

    sha256: dict[str, int] = field(default_factory=dict)
    md5: dict[str, int] = field(default_factory=dict)
    phash_values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    phash_lists: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    phash_distance: int = DEFAULT_PHASH_DISTANCE

    def __bool__(self) -> bool:
        return bool(self.sha256 or self.md5 or len(self.phash_values))

    def match(self, sha256: str, md5: str, phash: str | None) -> BlockMatch | None:
        """The first list entry this image matches: exact hashes first, then the nearest pHash."""
        if sha256 in self.sha256:
            return BlockMatch(self.sha256[sha256], "sha256", sha256)
        if md5 in self.md5:
            return BlockMatch(self.md5[md5], "md5", md5)
        if phash and len(self.phash_values):
            distances = np.bitwise_count(self.phash_values ^ np.uint64(int(phash, 16)))
            nearest = int(np.argmin(distances))
            if int(distances[nearest]) <= self.phash_distance:
                value = f"{int(self.phash_values[nearest]):016x}"
                return BlockMatch(int(self.phash_lists[nearest]), "phash", value, int(distances[nearest]))
        return None


def load_blocklist(source: Engine | Connection, phash_distance: int = DEFAULT_PHASH_DISTANCE) -> Blocklist:
    """Every loaded hash, read once per ingest run (lists change rarely; a run reads them at its start)."""
    if isinstance(source, Engine):
        with source.connect() as connection:
            return load_blocklist(connection, phash_distance)
    blocklist = Blocklist(phash_distance=phash_distance)
    values: list[int] = []
    lists: list[int] = []
    rows = source.execute(select(csam_hashes.c.kind, csam_hashes.c.value, csam_hashes.c.list_id))
    for kind, value, list_id in rows:
        if kind == "sha256":
            blocklist.sha256.setdefault(value, list_id)
        elif kind == "md5":
            blocklist.md5.setdefault(value, list_id)
        elif kind == "phash":
            values.append(int(value, 16))
            lists.append(list_id)
    blocklist.phash_values = np.array(values, dtype=np.uint64)
    blocklist.phash_lists = np.array(lists, dtype=np.int64)
    return blocklist
