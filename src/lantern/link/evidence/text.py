"""Template text as evidence: records whose texts are near-duplicates (MinHash + LSH candidates verified by
estimated Jaccard, ``lantern.link.text``) are joined into text groups (a union-find over records); a group
of two or more is a template, labelled by its root record."""

from __future__ import annotations

import numpy as np

from lantern.link import decide
from lantern.link.arrays import EMPTY, short_id
from lantern.link.config import LinkConfig
from lantern.link.doc import LinkDoc
from lantern.link.evidence.base import Evidence
from lantern.link.explain import Hop, Search
from lantern.link.growing import GrowingAttribute, GrowingRows
from lantern.link.records import RecordTable
from lantern.link.sorted_index import SortedIndex, unique_pairs
from lantern.link.text import band_hashes, jaccard, lsh_params, minhash
from lantern.link.unionfind import UnionFind


class TextEvidence(Evidence):
    """Each record's MinHash signature, the LSH buckets, and the text groups."""

    name = "text"
    sig = GrowingAttribute()
    """MinHash signature of every record (one row each; all ones where the text is too short)."""
    text_ok = GrowingAttribute()
    """Whether each record's text was long enough to take part in text linking."""
    _sig: GrowingRows
    _text_ok: GrowingRows

    def __init__(self, config: LinkConfig, records: RecordTable) -> None:
        super().__init__(config, records)
        self.bands, self.rows = lsh_params(config.minhash_threshold, config.num_perm)
        self.sig = np.zeros((0, config.num_perm), dtype=np.uint32)
        self.text_ok = np.zeros(0, dtype=bool)
        self.lsh = [SortedIndex() for _ in range(self.bands)]
        self.uf_text = UnionFind()

    @property
    def enabled(self) -> bool:
        return self.config.uses("text")

    def register(self, docs: list[LinkDoc], new: np.ndarray) -> None:
        self.uf_text.grow(len(new))

    def link(self, docs: list[LinkDoc], new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """MinHash the batch's texts, index them in LSH and join verified near-duplicates."""
        cfg = self.config
        if not self.enabled or new.size == 0:
            self._sig.append(np.full((len(new), cfg.num_perm), 2**32 - 1, np.uint32))
            self._text_ok.append(np.zeros(len(new), dtype=bool))
            return EMPTY, EMPTY
        sig, ok = minhash(
            [d.text or "" for d in docs],
            num_perm=cfg.num_perm,
            k=cfg.shingle_size,
            seed=cfg.seed,
            min_tokens=cfg.min_text_tokens,
            max_tokens=cfg.max_text_tokens,
        )
        self._sig.append(sig)
        self._text_ok.append(ok)
        docs_ok = new[ok]
        if docs_ok.size == 0:
            return EMPTY, EMPTY
        bh = band_hashes(sig[ok], self.bands, self.rows)
        qa, qb = [], []
        for band, index in enumerate(self.lsh):
            index.insert(bh[:, band], docs_ok)
        for band, index in enumerate(self.lsh):
            qpos, cand = index.lookup(bh[:, band], cap=cfg.lsh_bucket_cap + 1)
            q = docs_ok[qpos]
            keep = cand != q
            qa.append(q[keep])
            qb.append(cand[keep])
        a, b = np.concatenate(qa), np.concatenate(qb)
        if a.size == 0:
            return EMPTY, EMPTY
        lo, hi = unique_pairs(np.minimum(a, b), np.maximum(a, b))
        good = decide.texts_link(jaccard(self.sig, lo, hi), cfg)
        old, new_roots = self.uf_text.union(lo[good], hi[good], self.records.doc_order)
        self.uf_text.make_strong(np.unique(self.uf_text.find(docs_ok)))
        return old, new_roots

    def touched(self, new: np.ndarray, merged: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        return np.unique(np.concatenate([self.uf_text.find(new[self.text_ok[new]]), merged[1]]))

    def groups_of(self, docs: np.ndarray) -> np.ndarray:
        if not self.enabled:
            return EMPTY
        return np.unique(self.uf_text.find(docs[self.text_ok[docs]]))

    def members(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        text_roots = self.uf_text.roots()
        docs = np.flatnonzero(np.isin(text_roots, labels) & self.text_ok)
        return text_roots[docs], docs

    def template_id(self, root: int) -> str:
        """A text group's name (``T-`` + a hash of its founding record's key)."""
        founder = int(self.uf_text.founder_of_root(np.array([root]))[0])
        return short_id("T-", self.records.keys[founder])

    def describe(self, label: int) -> tuple[str, str]:
        return "text", self.template_id(label)

    def neighbours(self, doc: int, search: Search, out: list[tuple[int, Hop]]) -> None:
        cfg = self.config
        if not self.enabled or not self.text_ok[doc]:
            return
        root = int(self.uf_text.find(np.array([doc]))[0])
        if root in self.hubs:
            return
        bh = search.band_keys(self, doc)
        cands = np.unique(
            np.concatenate([idx.values_of(int(v)) for idx, v in zip(self.lsh, bh, strict=True)])
        )
        cands = cands[cands != doc]
        if not cands.size:
            return
        cands = cands[self.uf_text.find(cands) == root]
        sims = jaccard(self.sig, np.full(len(cands), doc), cands)
        tid = self.template_id(root)
        keys = self.records.keys
        for other, sim in zip(cands.tolist(), sims.tolist(), strict=True):
            if sim >= cfg.minhash_threshold:
                label = f"text jaccard {sim:.2f}, template {tid}"
                out.append((other, Hop(keys[doc], keys[other], "text", label, tid, round(sim, 4))))

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "sig": self.sig,
            "text_ok": self.text_ok,
            **{f"uf_text_{name}": value for name, value in self.uf_text.arrays().items()},
        }

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.sig = arrays["sig"]
        self.text_ok = arrays["text_ok"]
        self.uf_text = UnionFind.from_arrays(
            arrays["uf_text_parent"], arrays["uf_text_founder"], arrays["uf_text_strong"]
        )
        self.lsh = [SortedIndex() for _ in range(self.bands)]
        if self.enabled:
            docs = np.flatnonzero(self.text_ok)
            if docs.size:
                bh = band_hashes(self.sig[docs], self.bands, self.rows)
                for band, index in enumerate(self.lsh):
                    index.insert(bh[:, band], docs)
