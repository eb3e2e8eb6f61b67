"""Near-duplicate images as evidence: records whose pictures' perceptual hashes are within the Hamming
radius of each other are joined. Distinct hashes are joined into image groups (a union-find over hash
ids, found through multi-index hashing, ``lantern.link.images``); a group is labelled by its root hash id
and touches every record that shows one of its hashes."""

from __future__ import annotations

import numpy as np

from lantern.link.arrays import EMPTY, gather
from lantern.link.config import LinkConfig
from lantern.link.doc import LinkDoc
from lantern.link.evidence.base import Evidence
from lantern.link.explain import Hop, Search
from lantern.link.images import PhashIndex, hamming, parse_phash
from lantern.link.records import RecordTable
from lantern.link.sorted_index import SortedIndex, unique_pairs
from lantern.link.unionfind import UnionFind


def phash_hex(values: np.ndarray) -> str:
    """One int64-stored hash as the 16 hex digits imagehash prints."""
    return format(int(values.view(np.uint64)[0]), "016x")


class ImageEvidence(Evidence):
    """Distinct pHashes, each record's hashes (CSR), each hash's records, and the image groups."""

    name = "image"

    def __init__(self, config: LinkConfig, records: RecordTable) -> None:
        super().__init__(config, records)
        self.phash_values = np.zeros(0, dtype=np.int64)
        self._phash_id: dict[int, int] = {}
        self.doc_hptr = np.zeros(1, dtype=np.int64)
        self.doc_hashes = np.zeros(0, dtype=np.int64)
        self.phash_postings = SortedIndex()
        self.mih = PhashIndex(config.hamming_radius)
        self.uf_img = UnionFind()
        self._h0 = 0

    @property
    def enabled(self) -> bool:
        return self.config.uses("image")

    def register(self, docs: list[LinkDoc], new: np.ndarray) -> None:
        self._h0 = len(self.phash_values)
        hash_rows: list[int] = []
        hash_counts = []
        new_values: list[int] = []
        for doc in docs:
            row: dict[int, None] = {}
            for raw in doc.image_phashes or ():
                value = parse_phash(str(raw))
                if value is None:
                    continue
                hid = self._phash_id.get(value)
                if hid is None:
                    hid = self._phash_id[value] = len(self._phash_id)
                    new_values.append(value)
                row[hid] = None
            hash_rows.extend(row)
            hash_counts.append(len(row))
        rows = np.asarray(hash_rows, dtype=np.int64)
        counts = np.asarray(hash_counts, dtype=np.int64)
        self.doc_hptr = np.concatenate([self.doc_hptr, self.doc_hptr[-1] + np.cumsum(counts)])
        self.doc_hashes = np.concatenate([self.doc_hashes, rows])
        self.phash_postings.insert(rows, np.repeat(new, counts))
        values = np.asarray(new_values, dtype=np.uint64).view(np.int64)
        self.phash_values = np.concatenate([self.phash_values, values])

    def hash_order(self, nodes: np.ndarray) -> list[np.ndarray]:
        """lexsort keys for image groups: smallest hash value first (independent of arrival order)."""
        return [self.phash_values[nodes].view(np.uint64)]

    def link(self, docs: list[LinkDoc], new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index the batch's new distinct hashes and join near-duplicates."""
        ids = np.arange(self._h0, len(self.phash_values), dtype=np.int64)
        self.uf_img.grow(len(ids))
        if ids.size == 0 or not self.enabled:
            return EMPTY, EMPTY
        values = self.phash_values[ids]
        self.mih.add(ids, values)
        a, b, _ = self.mih.neighbours(ids, values, self.phash_values)
        old, new_roots = self.uf_img.union(a, b, self.hash_order)
        self.uf_img.make_strong(np.unique(self.uf_img.find(ids)))
        return old, new_roots

    def of_docs(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(doc, hash id) pairs of ``docs``."""
        return gather(self.doc_hptr, self.doc_hashes, docs)

    def touched(self, new: np.ndarray, merged: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        _, hashes = self.of_docs(new)
        return np.unique(np.concatenate([self.uf_img.find(hashes), merged[1]]))

    def groups_of(self, docs: np.ndarray) -> np.ndarray:
        if not self.enabled:
            return EMPTY
        return np.unique(self.uf_img.find(self.of_docs(docs)[1]))

    def members(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hash_roots = self.uf_img.roots()
        hashes = np.flatnonzero(np.isin(hash_roots, labels))
        qpos, docs = self.phash_postings.lookup(hashes)
        return unique_pairs(hash_roots[hashes[qpos]], docs)

    def group_value(self, root: int) -> str:
        """How an image group is shown: its founding hash."""
        founder = int(self.uf_img.founder_of_root(np.array([root]))[0])
        return "phash:" + phash_hex(self.phash_values[founder : founder + 1])

    def describe(self, label: int) -> tuple[str, str]:
        return "image", self.group_value(label)

    def neighbours(self, doc: int, search: Search, out: list[tuple[int, Hop]]) -> None:
        if not self.enabled:
            return
        keys = self.records.keys
        key = keys[doc]
        expanded = search.expanded(self.name)
        _, hashes = self.of_docs(np.array([doc], dtype=np.int64))
        for hid in hashes.tolist():
            if hid in expanded or int(self.uf_img.find(np.array([hid]))[0]) in self.hubs:
                continue
            expanded.add(hid)
            value = self.phash_values[hid : hid + 1]
            near = [hid]
            a, b, _ = self.mih.neighbours(np.array([hid]), value, self.phash_values)
            near += [y if x == hid else x for x, y in zip(a.tolist(), b.tolist(), strict=True)]
            for other_hash in near:
                other_value = self.phash_values[other_hash : other_hash + 1]
                dist = int(hamming(value, other_value)[0])
                pair = f"{phash_hex(value)}~{phash_hex(other_value)}"
                for other in self.phash_postings.values_of(other_hash).tolist():
                    if other != doc:
                        hop = Hop(key, keys[other], "image", f"image phash distance {dist}", pair, dist)
                        out.append((other, hop))

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "phash_values": self.phash_values,
            "doc_hptr": self.doc_hptr,
            "doc_hashes": self.doc_hashes,
            "phpost_keys": self.phash_postings.keys,
            "phpost_values": self.phash_postings.values,
            **{f"uf_img_{name}": value for name, value in self.uf_img.arrays().items()},
        }

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.phash_values = arrays["phash_values"]
        self.doc_hptr = arrays["doc_hptr"]
        self.doc_hashes = arrays["doc_hashes"]
        self.phash_postings = SortedIndex(arrays["phpost_keys"], arrays["phpost_values"])
        self._phash_id = {v: i for i, v in enumerate(self.phash_values.view(np.uint64).tolist())}
        self.uf_img = UnionFind.from_arrays(
            arrays["uf_img_parent"], arrays["uf_img_founder"], arrays["uf_img_strong"]
        )
        self.mih = PhashIndex(self.config.hamming_radius)
        if self.enabled and len(self.phash_values):
            self.mih.add(np.arange(len(self.phash_values), dtype=np.int64), self.phash_values)
