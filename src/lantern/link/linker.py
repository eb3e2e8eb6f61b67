"""The incremental linker: records in, evidence indexes and networks out, state kept between batches.

``Linker`` is a facade over one ``RecordTable`` and three kinds of evidence (``lantern.link.evidence``:
shared identifiers, near-duplicate images, template text); the rules they apply are in
``lantern.link.decide``. Flow of ``Linker.add`` for a batch of new records:

1. register the records (keys, times, cities, texts) and each kind's indexes (identifiers interned to
   ints, image hashes);
2. each kind links what is new: images index new distinct pHashes (multi-index hashing) and join near
   neighbours in an image-group union-find; texts are MinHashed, LSH candidates (at most
   ``lsh_bucket_cap`` older records per bucket) verified by estimated Jaccard and joined in a text-group
   union-find;
3. every piece of evidence the batch touched (identifiers, image groups, text groups) is re-judged as hub
   or not, and so is every standing boilerplate hub, against its source as it now stands (a phone judged
   boilerplate on a young site's first records can be released as the site grows);
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

import io
from collections.abc import Iterable
from typing import BinaryIO

import numpy as np

from lantern.link.arrays import short_id
from lantern.link.config import LinkConfig
from lantern.link.doc import LinkDoc
from lantern.link.evidence.base import Evidence
from lantern.link.evidence.identifiers import IdentifierEvidence
from lantern.link.evidence.images import ImageEvidence
from lantern.link.evidence.text import TextEvidence
from lantern.link.hubs import SuppressedHub
from lantern.link.packed import PackedStrings, pack_strings, unpack_strings
from lantern.link.records import RecordTable
from lantern.link.report import BatchReport
from lantern.link.result import LinkResult
from lantern.link.state import FORMAT_VERSION, read_state, write_arrays
from lantern.link.unionfind import UnionFind


class Linker:
    """Links records into networks, incrementally. See the module docstring for the rules."""

    def __init__(self, config: LinkConfig | None = None) -> None:
        self.config = config or LinkConfig()
        self.generation = 0
        self.records = RecordTable(self.config.keep_text)
        self.identifiers = IdentifierEvidence(self.config, self.records)
        self.images = ImageEvidence(self.config, self.records)
        self.text = TextEvidence(self.config, self.records)
        # Image and text groups count their spread in contact identifiers.
        self.images.spread = self.text.spread = self.identifiers.spread
        self.uf_net = UnionFind()

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The evidence kinds in the order they are judged (identifier hubs first: they leave the spread
        of the image and text groups judged after them)."""
        return (self.identifiers, self.images, self.text)

    @property
    def n(self) -> int:
        """Number of records linked so far."""
        return self.records.n

    @property
    def keys(self) -> list[str]:
        return self.records.keys

    def index_of(self, key: str) -> int:
        """Record index of a key (KeyError when unknown)."""
        return self.records.index_of(key)

    def doc_order(self, nodes: np.ndarray) -> list[np.ndarray]:
        """lexsort keys putting records earliest first: posting time, then key."""
        return self.records.doc_order(nodes)

    def network_id_of_founder(self, founder: int) -> str:
        """Network name from its founding record."""
        return short_id("N-", self.records.keys[founder])

    @property
    def suppressed_hubs(self) -> list[SuppressedHub]:
        return [hub for evidence in self.evidence for hub in evidence.hubs.values()]

    # -- state ---------------------------------------------------------------------------------------
    def state(self) -> bytes:
        """Everything needed to continue linking later, as pickle-free bytes (see state.py)."""
        return dump_state(self)

    @classmethod
    def from_state(cls, data: bytes | BinaryIO) -> Linker:
        """A linker restored from ``state()`` bytes; it links new records as if it had never stopped."""
        return load_state(data)

    # ------------------------------------------------------------------------------------------------
    def add(self, docs: Iterable[LinkDoc]) -> LinkResult:
        """Link a batch of new records; returns a result over everything linked so far."""
        report = BatchReport()
        fresh: list[LinkDoc] = []
        seen: set[str] = set()
        for doc in docs:
            if doc.key in self.records or doc.key in seen:
                report.skipped.append(doc.key)
                continue
            seen.add(doc.key)
            fresh.append(doc)
        n0 = self.n
        pre_roots = self.uf_net.roots()
        pre_founder = self.uf_net.founder_of_root(pre_roots)
        new = self.records.register(fresh)
        for evidence in self.evidence:
            evidence.register(fresh, new)
        report.added = len(new)
        self.uf_net.grow(len(new))
        merged = [evidence.link(fresh, new) for evidence in self.evidence]

        split_docs: list[np.ndarray] = []
        groups = [
            evidence.judge_batch(new, pair, n0, split_docs, report)
            for evidence, pair in zip(self.evidence, merged, strict=True)
        ]
        # Boilerplate hubs this batch did not touch are re-judged against their grown sources: without
        # this, whether evidence links would depend on how the records were batched. "Diverse" hubs are
        # judged on their own records alone, which do not change until a batch touches them. A released
        # hub only adds edges: networks merge and nothing needs splitting.
        groups = [
            np.union1d(labels, evidence.release_stale(labels, self.n, report))
            for evidence, labels in zip(self.evidence, groups, strict=True)
        ]
        if split_docs:
            old_docs = np.unique(np.concatenate(split_docs))
            touched = np.unique(pre_roots[old_docs])
            members = np.flatnonzero(np.isin(pre_roots, touched))
            self.uf_net.reset(members, self.uf_net.founder_of_root(touched))
            groups = [
                np.union1d(labels, evidence.groups_of(members))
                for evidence, labels in zip(self.evidence, groups, strict=True)
            ]
        edges = [evidence.edges(labels) for evidence, labels in zip(self.evidence, groups, strict=True)]
        a = np.concatenate([edge[0] for edge in edges])
        b = np.concatenate([edge[1] for edge in edges])
        self.uf_net.union(a, b, self.doc_order)
        post_roots = self.uf_net.roots()
        self.uf_net.make_strong(np.unique(post_roots))
        self._report_changes(report, n0, pre_founder, self.uf_net.founder_of_root(post_roots))
        self.generation += 1
        return LinkResult(self, report)

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

        keys = self.records.keys
        for doc in changed_old.tolist():
            report.changes.append((keys[doc], name(int(pre_founder[doc])), name(int(post_founder[doc]))))
        for doc in range(n0, self.n):
            report.changes.append((keys[doc], None, name(int(post_founder[doc]))))
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


# -- saving and loading (the file format is in state.py) ------------------------------------------------
def write_state(linker: Linker, target: BinaryIO) -> None:
    """The linker's full state written to a file: at a million records it is about a gigabyte, and building
    it as bytes first held it in memory two or three times over."""
    records = linker.records
    arrays: dict[str, np.ndarray] = {}
    for name, strings in (
        ("keys", records.keys),
        ("sources", records.sources),
        ("cities", records.cities),
        ("idents", linker.identifiers.ident_names),
        ("texts", records.texts),
    ):
        packed = strings.pack() if isinstance(strings, PackedStrings) else pack_strings(strings)
        arrays[f"{name}_blob"], arrays[f"{name}_off"] = packed
    arrays.update(source_of=records.source_of, city_of=records.city_of, times=records.times)
    for evidence in linker.evidence:
        arrays.update(evidence.arrays())
    for name, value in linker.uf_net.arrays().items():
        arrays[f"uf_net_{name}"] = value
    meta = {
        "format_version": FORMAT_VERSION,
        "generation": linker.generation,
        "config": linker.config.to_dict(),
        **{f"{evidence.name}_hubs": evidence.hubs_json() for evidence in linker.evidence},
    }
    write_arrays(target, arrays, meta)


def dump_state(linker: Linker) -> bytes:
    """The linker's full state as bytes."""
    buffer = io.BytesIO()
    write_state(linker, buffer)
    return buffer.getvalue()


def load_state(data: bytes | BinaryIO) -> Linker:
    """Rebuild a linker from ``dump_state`` bytes, or from a file ``write_state`` wrote."""
    arrays, meta = read_state(io.BytesIO(data) if isinstance(data, bytes) else data)
    linker = Linker(LinkConfig.from_dict(meta["config"]))
    linker.generation = int(meta["generation"])
    records = linker.records
    records.restore(
        unpack_strings(arrays["keys_blob"], arrays["keys_off"]),
        unpack_strings(arrays["sources_blob"], arrays["sources_off"]),
        unpack_strings(arrays["cities_blob"], arrays["cities_off"]),
        PackedStrings(arrays["texts_blob"], arrays["texts_off"]),  # read a few at a time
    )
    records.source_of, records.city_of, records.times = (
        arrays["source_of"],
        arrays["city_of"],
        arrays["times"],
    )
    linker.identifiers.restore_names(unpack_strings(arrays["idents_blob"], arrays["idents_off"]))
    for evidence in linker.evidence:
        evidence.restore(arrays)
        evidence.load_hubs(meta[f"{evidence.name}_hubs"])
    linker.uf_net = UnionFind.from_arrays(
        arrays["uf_net_parent"], arrays["uf_net_founder"], arrays["uf_net_strong"]
    )
    return linker
