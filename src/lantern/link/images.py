"""Near-duplicate images: 64-bit perceptual hashes within a Hamming radius, found through an index.

Multi-index hashing (Norouzi et al.): split the 64 bits into m bands. Two hashes within radius r differ
in at most r bits, so by the pigeonhole principle at least one band differs in at most floor(r/m) bits.
Candidates are the hashes whose band value is within that many bits of the query's (a sorted-array lookup
per probe), and only those are compared bit by bit.

Why m = min(r+1, 3) and not always r+1 exact bands: with r = 4, five 13-bit bands hold ~N/8192 hashes per
bucket, so candidates grow as N^2 (measured: 1M records did not finish in 7 minutes). Three ~21-bit bands
probed within 1 bit keep buckets near-empty at a million hashes, for 22 probes per band.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from lantern.link.sorted_index import SortedIndex, unique_pairs


def parse_phash(value: str) -> int | None:
    """A 16-hex-character pHash as an unsigned 64-bit int, or None if it is not one."""
    text = value.strip().lower()
    if len(text) != 16:
        return None
    try:
        return int(text, 16)
    except ValueError:
        return None


def to_signed(values: np.ndarray) -> np.ndarray:
    """uint64 hashes stored as int64 (same bits) so they fit the int64 indexes."""
    return np.asarray(values, dtype=np.uint64).view(np.int64)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise Hamming distance of int64-stored hashes."""
    return np.bitwise_count(np.bitwise_xor(a.view(np.uint64), b.view(np.uint64))).astype(np.int64)


def band_count(radius: int) -> int:
    """Number of bands (see the module docstring)."""
    return min(radius + 1, 3)


def band_spans(radius: int) -> list[tuple[int, int]]:
    """(shift, width) of the bands covering 64 bits as evenly as possible."""
    count = band_count(radius)
    widths = [64 // count + (1 if i < 64 % count else 0) for i in range(count)]
    spans, shift = [], 0
    for width in widths:
        spans.append((shift, width))
        shift += width
    return spans


def band_values(hashes: np.ndarray, band: int, radius: int) -> np.ndarray:
    """Value of one band of each hash, tagged with the band number so bands never collide."""
    shift, width = band_spans(radius)[band]
    bits = (hashes.view(np.uint64) >> np.uint64(shift)) & np.uint64((1 << width) - 1)
    return bits.astype(np.int64)


def probe_masks(width: int, bits: int) -> np.ndarray:
    """XOR masks of every pattern of at most ``bits`` set bits within ``width`` bits."""
    masks = [0]
    for k in range(1, bits + 1):
        masks += [sum(1 << i for i in combo) for combo in combinations(range(width), k)]
    return np.asarray(masks, dtype=np.int64)


class PhashIndex:
    """Distinct hashes (by id) indexed by band, for near-neighbour queries within ``radius``."""

    def __init__(self, radius: int) -> None:
        self.radius = radius
        spans = band_spans(radius)
        self.bands = [SortedIndex() for _ in spans]
        sub = radius // len(spans)
        self.masks = [probe_masks(width, sub) for _, width in spans]

    def add(self, ids: np.ndarray, hashes: np.ndarray) -> None:
        """Index new distinct hashes (ids ascending, larger than any indexed id)."""
        for band, index in enumerate(self.bands):
            index.insert(band_values(hashes, band, self.radius), ids)

    def neighbours(
        self, ids: np.ndarray, hashes: np.ndarray, all_hashes: np.ndarray, chunk: int = 50_000
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs (query id, other id, distance) with distance <= radius and other != query.

        ``all_hashes[i]`` is the hash of id i. Each unordered pair may appear twice (once per side) when
        both sides are queried; the caller de-duplicates.
        """
        out_a, out_b, out_d = [], [], []
        for start in range(0, len(ids), chunk):
            q_ids, q_hashes = ids[start : start + chunk], hashes[start : start + chunk]
            found_q, found_o = [], []
            for band, index in enumerate(self.bands):
                values = band_values(q_hashes, band, self.radius)
                for mask in self.masks[band].tolist():
                    qpos, other = index.lookup(values ^ mask)
                    found_q.append(q_ids[qpos])
                    found_o.append(other)
            qa = np.concatenate(found_q)
            qb = np.concatenate(found_o)
            keep = qa != qb
            qa, qb = qa[keep], qb[keep]
            if qa.size == 0:
                continue
            # The same pair can match in several bands.
            lo, hi = unique_pairs(np.minimum(qa, qb), np.maximum(qa, qb))
            dist = hamming(all_hashes[lo], all_hashes[hi])
            ok = dist <= self.radius
            out_a.append(lo[ok])
            out_b.append(hi[ok])
            out_d.append(dist[ok])
        if not out_a:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        return np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_d)
