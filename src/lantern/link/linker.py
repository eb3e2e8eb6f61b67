"""The incremental linker: records in, evidence indexes and networks out, state kept between batches.

Flow of ``Linker.add`` for a batch of new records:

1. register the records: keys, times, cities, identifiers (interned to ints), image hashes, texts;
2. images: new distinct pHashes are indexed (multi-index hashing) and joined to their near neighbours in
   an image-group union-find; texts: MinHash + LSH candidates (at most ``lsh_bucket_cap`` older records
   per bucket), verified by estimated Jaccard, joined in a text-group union-find;
3. every piece of evidence the batch touched (identifiers, image groups, text groups) is re-judged as hub
   or not (hubs.py), and so is every standing boilerplate hub, against its source as it now stands (a
   phone judged boilerplate on a young site's first records can be released as the site grows);
4. kept evidence joins records in the network union-find. If evidence that used to join records has just
   become a hub, only the networks it touched are taken apart and re-linked from their kept evidence; the
   rest of the graph is not recomputed.

Network identifiers are founder-based (unionfind.py): a network is named after its founding record,
``N-`` + 16 hex digits of a BLAKE2b hash of the founder's key. The founder of a new network is its earliest
record (posted_at, then key). When networks merge, the merged network keeps the name of the *older* one
(earliest founder); after a split, the piece holding the old founder keeps the name and each other piece is
named after its earliest record. With records ingested in time order this gives exactly the names a full
rerun would give; a record back-filled earlier than its network's founder joins without renaming it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from lantern.link.config import LinkConfig
from lantern.link.doc import LinkDoc
from lantern.link.growing import GrowingAttribute, GrowingRows
from lantern.link.hubs import SuppressedHub, judge
from lantern.link.identifiers import CONTACT_CODES, KIND_CODE, KINDS, evidence_type, normalise
from lantern.link.images import PhashIndex, parse_phash
from lantern.link.packed import PackedStrings
from lantern.link.sorted_index import SortedIndex, unique_pairs
from lantern.link.text import band_hashes, jaccard, lsh_params, minhash
from lantern.link.timeutil import to_epoch
from lantern.link.unionfind import UnionFind

if TYPE_CHECKING:
    from lantern.link.result import LinkResult

_EMPTY = np.zeros(0, dtype=np.int64)
_DOC_FIELDS = (
    ("phone", "phones"),
    ("email", "emails"),
    ("handle", "handles"),
    ("payment", "payments"),
    ("sha256", "image_sha256"),
    ("name", "names"),
)


SPREAD_MARK_RATIO = 16
"""``_spread`` counts distinct identifiers by marking a table of all of them, rather than sorting, when the
group carries at least one identifier for every this many known ones."""


def short_id(prefix: str, text: str) -> str:
    """A stable short identifier derived from text (network and template names)."""
    return prefix + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _gather(ptr: np.ndarray, values: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR rows of ``docs``: (doc, value) pairs."""
    starts, ends = ptr[docs], ptr[docs + 1]
    counts = ends - starts
    total = int(counts.sum())
    if total == 0:
        return _EMPTY, _EMPTY
    rep = np.repeat(docs, counts)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return rep, values[offsets + np.arange(total)]


def _star(labels: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges joining every doc of each label to the label's smallest doc (enough for connectivity)."""
    if labels.size == 0:
        return _EMPTY, _EMPTY
    order = np.lexsort([docs, labels])
    labels, docs = labels[order], docs[order]
    first = np.ones(len(labels), dtype=bool)
    first[1:] = labels[1:] != labels[:-1]
    anchor = docs[first][np.cumsum(first) - 1]
    keep = anchor != docs
    return anchor[keep], docs[keep]


@dataclass
class BatchReport:
    """What one ``add`` changed, for the store to persist incrementally."""

    added: int = 0
    skipped: list[str] = field(default_factory=list)
    """Keys already linked (or repeated within the batch); they were not added again."""
    changes: list[tuple[str, str | None, str]] = field(default_factory=list)
    """(record key, previous network id or None for a new record, network id) for every record whose
    network id is new or changed."""
    merges: list[tuple[str, list[str]]] = field(default_factory=list)
    """(surviving network id, absorbed network ids)."""
    splits: list[tuple[str, list[str]]] = field(default_factory=list)
    """(previous network id, network ids its records are now in) after newly found hubs."""
    new_hubs: list[SuppressedHub] = field(default_factory=list)
    """Hubs decided in this batch."""
    released_hubs: list[tuple[str, str]] = field(default_factory=list)
    """(kind, value) of earlier boilerplate hubs that, judged against their grown source, link again."""


class Linker:
    """Links records into networks, incrementally. See the module docstring for the rules."""

    sig = GrowingAttribute()
    """MinHash signature of every record (one row each; all ones where the text is too short)."""
    text_ok = GrowingAttribute()
    """Whether each record's text was long enough to take part in text linking."""
    _sig: GrowingRows
    _text_ok: GrowingRows

    def __init__(self, config: LinkConfig | None = None) -> None:
        self.config = config or LinkConfig()
        cfg = self.config
        self.generation = 0
        # records
        self.keys: list[str] = []
        self._key_index: dict[str, int] = {}
        self.sources: list[str] = []
        self._source_index: dict[str, int] = {}
        self.cities: list[str] = []
        self._city_index: dict[str, int] = {}
        self.source_of = np.zeros(0, dtype=np.int32)
        self.city_of = np.zeros(0, dtype=np.int32)
        self.times = np.zeros(0, dtype=np.float64)
        self.texts: list[str] | PackedStrings = []  # PackedStrings when loaded from a saved state
        # identifiers
        self.ident_names: list[str] = []
        self._ident_index: dict[str, int] = {}
        self.ident_kind = np.zeros(0, dtype=np.int8)
        self.doc_ptr = np.zeros(1, dtype=np.int64)
        self.doc_idents = np.zeros(0, dtype=np.int64)
        self.postings = SortedIndex()
        self.ident_hubs: dict[int, SuppressedHub] = {}
        # images
        self.phash_values = np.zeros(0, dtype=np.int64)
        self._phash_id: dict[int, int] = {}
        self.doc_hptr = np.zeros(1, dtype=np.int64)
        self.doc_hashes = np.zeros(0, dtype=np.int64)
        self.phash_postings = SortedIndex()
        self.mih = PhashIndex(cfg.hamming_radius)
        self.uf_img = UnionFind()
        self.image_hubs: dict[int, SuppressedHub] = {}
        # text
        self.bands, self.rows = lsh_params(cfg.minhash_threshold, cfg.num_perm)
        self.sig = np.zeros((0, cfg.num_perm), dtype=np.uint32)
        self.text_ok = np.zeros(0, dtype=bool)
        self.lsh = [SortedIndex() for _ in range(self.bands)]
        self.uf_text = UnionFind()
        self.text_hubs: dict[int, SuppressedHub] = {}
        # networks
        self.uf_net = UnionFind()
        self._source_totals: np.ndarray | None = None
        """Records per source, computed once per batch (hub judgement needs it for every group)."""

    # ------------------------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of records linked so far."""
        return len(self.keys)

    def index_of(self, key: str) -> int:
        """Record index of a key (KeyError when unknown)."""
        return self._key_index[key]

    def doc_order(self, nodes: np.ndarray) -> list[np.ndarray]:
        """lexsort keys putting records earliest first: posting time, then key."""
        keys = np.array([self.keys[i] for i in nodes], dtype=str) if len(nodes) else np.zeros(0, dtype=str)
        return [keys, self.times[nodes]]

    def hash_order(self, nodes: np.ndarray) -> list[np.ndarray]:
        """lexsort keys for image groups: smallest hash value first (independent of arrival order)."""
        return [self.phash_values[nodes].view(np.uint64)]

    def network_id_of_founder(self, founder: int) -> str:
        """Network name from its founding record."""
        return short_id("N-", self.keys[founder])

    def template_id_of_founder(self, founder: int) -> str:
        """Template (text group) name from its founding record."""
        return short_id("T-", self.keys[founder])

    def image_group_value(self, root: int) -> str:
        """How an image group is shown: its founding hash."""
        founder = int(self.uf_img.founder_of_root(np.array([root]))[0])
        return "phash:" + format(int(self.phash_values[founder : founder + 1].view(np.uint64)[0]), "016x")

    def state(self) -> bytes:
        """Everything needed to continue linking later, as pickle-free bytes (see state.py)."""
        from lantern.link.state import dump_state

        return dump_state(self)

    @classmethod
    def from_state(cls, data: bytes) -> Linker:
        """A linker restored from ``state()`` bytes; it links new records as if it had never stopped."""
        from lantern.link.state import load_state

        return load_state(data)

    # ------------------------------------------------------------------------------------------------
    def add(self, docs: Iterable[LinkDoc]) -> LinkResult:
        """Link a batch of new records; returns a result over everything linked so far."""
        from lantern.link.result import LinkResult

        report = BatchReport()
        fresh: list[LinkDoc] = []
        seen: set[str] = set()
        for doc in docs:
            if doc.key in self._key_index or doc.key in seen:
                report.skipped.append(doc.key)
                continue
            seen.add(doc.key)
            fresh.append(doc)
        n0 = self.n
        pre_roots = self.uf_net.roots()
        pre_founder = self.uf_net.founder_of_root(pre_roots)
        h0 = len(self.phash_values)
        self._register(fresh)
        self._source_totals = None
        new = np.arange(n0, self.n, dtype=np.int64)
        report.added = len(new)
        self.uf_net.grow(len(new))
        self.uf_text.grow(len(new))

        img_old, img_new = self._link_images(h0)
        txt_old, txt_new = self._link_texts(fresh, new)

        split_docs: list[np.ndarray] = []
        edge_groups = self._judge_batch(n0, new, img_old, img_new, txt_old, txt_new, split_docs, report)
        released = self._release_stale_hubs(edge_groups, report)
        edge_groups = tuple(np.union1d(a, b) for a, b in zip(edge_groups, released, strict=True))
        if split_docs:
            old_docs = np.unique(np.concatenate(split_docs))
            touched = np.unique(pre_roots[old_docs])
            members = np.flatnonzero(np.isin(pre_roots, touched))
            self.uf_net.reset(members, self.uf_net.founder_of_root(touched))
            extra = self._groups_of_docs(members)
            edge_groups = tuple(np.union1d(a, b) for a, b in zip(edge_groups, extra, strict=True))
        a, b = self._edges(*edge_groups)
        self.uf_net.union(a, b, self.doc_order)
        post_roots = self.uf_net.roots()
        self.uf_net.make_strong(np.unique(post_roots))
        self._report_changes(report, n0, pre_founder, self.uf_net.founder_of_root(post_roots))
        self.generation += 1
        return LinkResult(self, report)

    # -- registration ---------------------------------------------------------------------------------
    def _intern(self, table: dict[str, int], names: list[str], value: str) -> int:
        index = table.get(value)
        if index is None:
            index = table[value] = len(names)
            names.append(value)
        return index

    def _register(self, docs: list[LinkDoc]) -> None:
        cfg = self.config
        sources, cities, times = [], [], []
        ident_rows: list[int] = []
        ident_kinds: list[int] = []
        ident_counts = []
        hash_rows: list[int] = []
        hash_counts = []
        new_hash_values: list[int] = []
        for doc in docs:
            self._key_index[doc.key] = len(self.keys)
            self.keys.append(doc.key)
            sources.append(self._intern(self._source_index, self.sources, doc.source))
            city = (doc.city or "").strip()
            cities.append(self._intern(self._city_index, self.cities, city) if city else -1)
            times.append(to_epoch(doc.posted_at))
            if cfg.keep_text:
                self.texts.append(doc.text or "")
            row: dict[int, None] = {}
            for kind, attr in _DOC_FIELDS:
                for raw in getattr(doc, attr) or ():
                    value = normalise(kind, str(raw))
                    if value is None:
                        continue
                    name = f"{kind}:{value}"
                    before = len(self.ident_names)
                    ident = self._intern(self._ident_index, self.ident_names, name)
                    if ident == before:
                        ident_kinds.append(KIND_CODE[kind])
                    row[ident] = None
            ident_rows.extend(row)
            ident_counts.append(len(row))
            hrow: dict[int, None] = {}
            for raw in doc.image_phashes or ():
                value = parse_phash(str(raw))
                if value is None:
                    continue
                hid = self._phash_id.get(value)
                if hid is None:
                    hid = self._phash_id[value] = len(self._phash_id)
                    new_hash_values.append(value)
                hrow[hid] = None
            hash_rows.extend(hrow)
            hash_counts.append(len(hrow))
        n_new = len(docs)
        first = self.n - n_new
        new_docs = np.arange(first, self.n, dtype=np.int64)
        self.source_of = np.concatenate([self.source_of, np.asarray(sources, dtype=np.int32)])
        self.city_of = np.concatenate([self.city_of, np.asarray(cities, dtype=np.int32)])
        self.times = np.concatenate([self.times, np.asarray(times, dtype=np.float64)])
        self.ident_kind = np.concatenate([self.ident_kind, np.asarray(ident_kinds, dtype=np.int8)])
        rows = np.asarray(ident_rows, dtype=np.int64)
        counts = np.asarray(ident_counts, dtype=np.int64)
        self.doc_ptr = np.concatenate([self.doc_ptr, self.doc_ptr[-1] + np.cumsum(counts)])
        self.doc_idents = np.concatenate([self.doc_idents, rows])
        self.postings.insert(rows, np.repeat(new_docs, counts))
        hrows = np.asarray(hash_rows, dtype=np.int64)
        hcounts = np.asarray(hash_counts, dtype=np.int64)
        self.doc_hptr = np.concatenate([self.doc_hptr, self.doc_hptr[-1] + np.cumsum(hcounts)])
        self.doc_hashes = np.concatenate([self.doc_hashes, hrows])
        self.phash_postings.insert(hrows, np.repeat(new_docs, hcounts))
        values = np.asarray(new_hash_values, dtype=np.uint64).view(np.int64)
        self.phash_values = np.concatenate([self.phash_values, values])

    # -- evidence -------------------------------------------------------------------------------------
    def _link_images(self, h0: int) -> tuple[np.ndarray, np.ndarray]:
        """Index new distinct hashes and join near-duplicates; returns the union's (old, new) roots."""
        ids = np.arange(h0, len(self.phash_values), dtype=np.int64)
        self.uf_img.grow(len(ids))
        if ids.size == 0 or not self.config.uses("image"):
            return _EMPTY, _EMPTY
        values = self.phash_values[ids]
        self.mih.add(ids, values)
        a, b, _ = self.mih.neighbours(ids, values, self.phash_values)
        old, new = self.uf_img.union(a, b, self.hash_order)
        self.uf_img.make_strong(np.unique(self.uf_img.find(ids)))
        return old, new

    def _link_texts(self, docs: list[LinkDoc], new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """MinHash new texts, index them in LSH and join verified near-duplicates."""
        cfg = self.config
        if not cfg.uses("text") or new.size == 0:
            self._sig.append(np.full((len(new), cfg.num_perm), 2**32 - 1, np.uint32))
            self._text_ok.append(np.zeros(len(new), dtype=bool))
            return _EMPTY, _EMPTY
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
            return _EMPTY, _EMPTY
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
            return _EMPTY, _EMPTY
        lo, hi = unique_pairs(np.minimum(a, b), np.maximum(a, b))
        good = jaccard(self.sig, lo, hi) >= cfg.minhash_threshold
        old, new_roots = self.uf_text.union(lo[good], hi[good], self.doc_order)
        self.uf_text.make_strong(np.unique(self.uf_text.find(docs_ok)))
        return old, new_roots

    # -- groups and hubs ------------------------------------------------------------------------------
    def _linking_ident_mask(self, idents: np.ndarray) -> np.ndarray:
        """Identifiers whose kind is enabled evidence (names never link)."""
        kinds = self.ident_kind[idents]
        allowed = [KIND_CODE[k] for k in KINDS if k != "name" and self.config.uses(evidence_type(k))]
        return np.isin(kinds, allowed)

    def _ident_docs(self, idents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        qpos, docs = self.postings.lookup(idents)
        return idents[qpos], docs

    def _img_docs(self, roots: np.ndarray, hash_roots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hashes = np.flatnonzero(np.isin(hash_roots, roots))
        qpos, docs = self.phash_postings.lookup(hashes)
        return unique_pairs(hash_roots[hashes[qpos]], docs)

    def _text_docs(self, roots: np.ndarray, text_roots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        docs = np.flatnonzero(np.isin(text_roots, roots) & self.text_ok)
        return text_roots[docs], docs

    def _spread(self, docs: np.ndarray, exclude: int = -1) -> int:
        """Distinct contact identifiers among ``docs`` other than ``exclude``."""
        _, idents = _gather(self.doc_ptr, self.doc_idents, docs)
        idents = idents[np.isin(self.ident_kind[idents], CONTACT_CODES) & (idents != exclude)]
        # Identifiers already judged hubs (boilerplate carried by these records) say nothing about
        # how many posters the records come from.
        hubs = self.ident_hubs
        if len(idents) * SPREAD_MARK_RATIO < len(self.ident_names):
            return sum(1 for i in np.unique(idents).tolist() if i not in hubs)
        # A large group (a hub re-judged as every batch adds to it): mark the identifiers it carries
        # instead of sorting them, the same count in time linear in the group.
        seen = np.zeros(len(self.ident_names), dtype=bool)
        seen[idents] = True
        if hubs:
            seen[np.fromiter(hubs, dtype=np.int64, count=len(hubs))] = False
        return int(np.count_nonzero(seen))

    def _judge_one(self, kind: str, value: str, docs: np.ndarray, exclude: int = -1) -> SuppressedHub | None:
        if self._source_totals is None or len(self._source_totals) != len(self.sources):
            self._source_totals = np.bincount(self.source_of, minlength=len(self.sources))
        totals = self._source_totals
        return judge(
            self.config,
            kind,
            value,
            docs,
            self._spread(docs, exclude),
            self.source_of[docs],
            totals,
            self.sources,
            self.city_of[docs],
        )

    def _judge_groups(
        self,
        labels: np.ndarray,
        docs: np.ndarray,
        describe,
        hubs: dict[int, SuppressedHub],
        was_hub: dict[int, bool],
        n0: int,
        split_docs: list[np.ndarray],
        report: BatchReport,
        exclude_self: bool = False,
    ) -> None:
        """Re-judge each labelled group; record new hubs and the old records a new hub must un-link."""
        if labels.size == 0:
            return
        order = np.argsort(labels, kind="stable")
        labels, docs = labels[order], docs[order]
        uniq, starts, counts = np.unique(labels, return_index=True, return_counts=True)
        # Largest first: boilerplate touches the most records, and once it is a hub it no longer counts
        # towards the spread of the smaller evidence judged after it (see _spread).
        by_size = np.argsort(-counts, kind="stable")
        uniq, starts, counts = uniq[by_size], starts[by_size], counts[by_size]
        for label, start, count in zip(uniq.tolist(), starts.tolist(), counts.tolist(), strict=True):
            if count < self.config.hub_min_records:
                hubs.pop(label, None)
                continue
            group_docs = docs[start : start + count]
            kind, value = describe(label)
            hub = self._judge_one(kind, value, group_docs, label if exclude_self else -1)
            if hub is None:
                hubs.pop(label, None)
                continue
            hubs[label] = hub
            if not was_hub.get(label, False):
                report.new_hubs.append(hub)
                old = group_docs[group_docs < n0]
                if old.size > 1:
                    split_docs.append(old)

    def _judge_batch(
        self,
        n0: int,
        new: np.ndarray,
        img_old: np.ndarray,
        img_new: np.ndarray,
        txt_old: np.ndarray,
        txt_new: np.ndarray,
        split_docs: list[np.ndarray],
        report: BatchReport,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Re-judge all evidence the batch touched; return the groups whose edges must be (re)added."""
        # identifiers
        _, idents = _gather(self.doc_ptr, self.doc_idents, new)
        idents = np.unique(idents)
        idents = idents[self._linking_ident_mask(idents)]
        was = {int(i): True for i in idents.tolist() if int(i) in self.ident_hubs}
        labels, docs = self._ident_docs(idents)
        self._judge_groups(
            labels,
            docs,
            self._ident_describe,
            self.ident_hubs,
            was,
            n0,
            split_docs,
            report,
            exclude_self=True,
        )
        # image groups: a group that merged with another is judged afresh
        img_roots = _EMPTY
        if self.config.uses("image"):
            merged = set(img_old[img_old != img_new].tolist())
            was = {r: True for r in self.image_hubs if r not in merged}
            for r in merged:
                self.image_hubs.pop(r, None)
            _, hashes = _gather(self.doc_hptr, self.doc_hashes, new)
            img_roots = np.unique(np.concatenate([self.uf_img.find(hashes), img_new]))
            hash_roots = self.uf_img.roots()
            labels, docs = self._img_docs(img_roots, hash_roots)
            self._judge_groups(
                labels, docs, self._image_describe, self.image_hubs, was, n0, split_docs, report
            )
        # text groups
        txt_roots = _EMPTY
        if self.config.uses("text"):
            merged = set(txt_old[txt_old != txt_new].tolist())
            was = {r: True for r in self.text_hubs if r not in merged}
            for r in merged:
                self.text_hubs.pop(r, None)
            txt_roots = np.unique(np.concatenate([self.uf_text.find(new[self.text_ok[new]]), txt_new]))
            text_roots = self.uf_text.roots()
            labels, docs = self._text_docs(txt_roots, text_roots)
            self._judge_groups(labels, docs, self._text_describe, self.text_hubs, was, n0, split_docs, report)
        return idents, img_roots, txt_roots

    def _ident_describe(self, label: int) -> tuple[str, str]:
        kind, _, value = self.ident_names[label].partition(":")
        return ("image", "sha256:" + value) if kind == "sha256" else (kind, value)

    def _image_describe(self, root: int) -> tuple[str, str]:
        return "image", self.image_group_value(root)

    def _text_describe(self, root: int) -> tuple[str, str]:
        founder = int(self.uf_text.founder_of_root(np.array([root]))[0])
        return "text", self.template_id_of_founder(founder)

    def _release_stale_hubs(
        self, judged: tuple[np.ndarray, np.ndarray, np.ndarray], report: BatchReport
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Re-judge the boilerplate hubs this batch did not touch; return those no longer hubs, to link
        through.

        "Boilerplate" means in a large share of one source's records, judged on the corpus linked so far.
        Evidence that stops appearing keeps its records, but its source keeps growing: a phone in most of a
        new site's first ads can be in a tenth of them a month later. Without this, whether evidence links
        would depend on how the records were batched (an operator's handle judged on a site's first days
        stayed suppressed although the whole corpus, linked at once, keeps it). "Diverse" hubs are judged
        on their own records alone, which do not change until a batch touches them, so they are left
        alone. A released hub only adds edges: networks merge and nothing needs splitting. Boilerplate that
        stays a hub gets its figures brought up to date.
        """
        # Hubs of a kind the config does not use are never made, so each call below is then a no-op; the
        # group roots are computed only when there is boilerplate to re-judge.
        idents = self._release_stale(
            self.ident_hubs, judged[0], self._ident_docs, self._ident_describe, report
        )
        images = self._release_stale(
            self.image_hubs,
            judged[1],
            lambda r: self._img_docs(r, self.uf_img.roots()),
            self._image_describe,
            report,
        )
        texts = self._release_stale(
            self.text_hubs,
            judged[2],
            lambda r: self._text_docs(r, self.uf_text.roots()),
            self._text_describe,
            report,
        )
        return idents, images, texts

    def _release_stale(
        self,
        hubs: dict[int, SuppressedHub],
        judged: np.ndarray,
        docs_of: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
        describe: Callable[[int], tuple[str, str]],
        report: BatchReport,
    ) -> np.ndarray:
        """``_release_stale_hubs`` for one kind of evidence: the released labels."""
        boilerplate = [label for label, hub in hubs.items() if hub.reason == "boilerplate"]
        stale = np.setdiff1d(np.array(boilerplate, dtype=np.int64), judged)
        if not stale.size:
            return _EMPTY
        labels, docs = docs_of(stale)
        was = dict.fromkeys(stale.tolist(), True)
        exclude_self = hubs is self.ident_hubs  # an identifier is not among its own "other" contacts
        self._judge_groups(labels, docs, describe, hubs, was, self.n, [], report, exclude_self)
        released = [label for label in stale.tolist() if label not in hubs]
        report.released_hubs.extend(describe(label) for label in released)
        return np.array(released, dtype=np.int64)

    def _groups_of_docs(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All evidence groups touching ``docs`` (identifiers, image roots, text roots)."""
        _, idents = _gather(self.doc_ptr, self.doc_idents, docs)
        idents = np.unique(idents)
        idents = idents[self._linking_ident_mask(idents)]
        img_roots = _EMPTY
        if self.config.uses("image"):
            _, hashes = _gather(self.doc_hptr, self.doc_hashes, docs)
            img_roots = np.unique(self.uf_img.find(hashes))
        txt_roots = _EMPTY
        if self.config.uses("text"):
            txt_roots = np.unique(self.uf_text.find(docs[self.text_ok[docs]]))
        return idents, img_roots, txt_roots

    def _edges(
        self, idents: np.ndarray, img_roots: np.ndarray, txt_roots: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Star edges of every kept group among the given ones."""
        kept = np.array([i for i in idents.tolist() if i not in self.ident_hubs], dtype=np.int64)
        la, lb = _star(*self._ident_docs(kept))
        parts_a, parts_b = [la], [lb]
        if img_roots.size:
            kept = np.array([r for r in img_roots.tolist() if r not in self.image_hubs], dtype=np.int64)
            a, b = _star(*self._img_docs(kept, self.uf_img.roots()))
            parts_a.append(a)
            parts_b.append(b)
        if txt_roots.size:
            kept = np.array([r for r in txt_roots.tolist() if r not in self.text_hubs], dtype=np.int64)
            a, b = _star(*self._text_docs(kept, self.uf_text.roots()))
            parts_a.append(a)
            parts_b.append(b)
        return np.concatenate(parts_a), np.concatenate(parts_b)

    def _report_changes(
        self, report: BatchReport, n0: int, pre_founder: np.ndarray, post_founder: np.ndarray
    ) -> None:
        """Fill the batch report: changed ids, merges and splits."""
        old_part = post_founder[:n0]
        changed_old = np.flatnonzero(old_part != pre_founder)
        names: dict[int, str] = {}

        def name(founder: int) -> str:
            if founder not in names:
                names[founder] = self.network_id_of_founder(founder)
            return names[founder]

        for doc in changed_old.tolist():
            report.changes.append((self.keys[doc], name(int(pre_founder[doc])), name(int(post_founder[doc]))))
        for doc in range(n0, self.n):
            report.changes.append((self.keys[doc], None, name(int(post_founder[doc]))))
        if changed_old.size:
            pairs = np.unique(np.stack([post_founder[changed_old], pre_founder[changed_old]], axis=1), axis=0)
            by_new: dict[int, list[int]] = {}
            by_old: dict[int, list[int]] = {}
            for new_f, old_f in pairs.tolist():
                by_new.setdefault(new_f, []).append(old_f)
                by_old.setdefault(old_f, []).append(new_f)
            still = set(np.unique(old_part).tolist())
            pre_set = set(np.unique(pre_founder).tolist())
            for new_f, olds in sorted(by_new.items()):
                absorbed = [name(f) for f in olds if f != new_f and f not in still]
                if absorbed and new_f in pre_set:
                    report.merges.append((name(new_f), sorted(absorbed)))
            for old_f, news in sorted(by_old.items()):
                pieces = {name(f) for f in news}
                if old_f in still:
                    pieces.add(name(old_f))
                if len(pieces) > 1:
                    report.splits.append((name(old_f), sorted(pieces)))
