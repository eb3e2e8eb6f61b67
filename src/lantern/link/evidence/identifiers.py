"""Shared identifiers as evidence: a phone, email, handle, payment handle or exact image (SHA-256) that two
records both carry joins them. Each identifier is one group, labelled by its interned id."""

from __future__ import annotations

import numpy as np

from lantern.link import decide
from lantern.link.arrays import gather
from lantern.link.config import LinkConfig
from lantern.link.doc import LinkDoc
from lantern.link.evidence.base import Evidence
from lantern.link.explain import Hop, Search
from lantern.link.identifiers import CONTACT_CODES, KIND_CODE, normalise
from lantern.link.records import RecordTable
from lantern.link.sorted_index import SortedIndex

DOC_FIELDS = (
    ("phone", "phones"),
    ("email", "emails"),
    ("handle", "handles"),
    ("payment", "payments"),
    ("sha256", "image_sha256"),
    ("name", "names"),
)
"""Identifier kind and the LinkDoc field it comes from, in interning order."""

SPREAD_MARK_RATIO = 16
"""``spread`` counts distinct identifiers by marking a table of all of them, rather than sorting, when the
group carries at least one identifier for every this many known ones."""


class IdentifierEvidence(Evidence):
    """Interned identifiers, each record's identifiers (CSR) and each identifier's records (postings)."""

    name = "ident"
    exclude_self = True

    def __init__(self, config: LinkConfig, records: RecordTable) -> None:
        super().__init__(config, records)
        self.ident_names: list[str] = []
        self._ident_index: dict[str, int] = {}
        self.ident_kind = np.zeros(0, dtype=np.int8)
        self.doc_ptr = np.zeros(1, dtype=np.int64)
        self.doc_idents = np.zeros(0, dtype=np.int64)
        self.postings = SortedIndex()
        self.spread = self._spread
        self._linking_codes = [KIND_CODE[kind] for kind in decide.linking_kinds(config)]

    def register(self, docs: list[LinkDoc], new: np.ndarray) -> None:
        ident_rows: list[int] = []
        ident_kinds: list[int] = []
        ident_counts = []
        names, index = self.ident_names, self._ident_index
        for doc in docs:
            row: dict[int, None] = {}
            for kind, attr in DOC_FIELDS:
                for raw in getattr(doc, attr) or ():
                    value = normalise(kind, str(raw))
                    if value is None:
                        continue
                    name = f"{kind}:{value}"
                    ident = index.get(name)
                    if ident is None:
                        ident = index[name] = len(names)
                        names.append(name)
                        ident_kinds.append(KIND_CODE[kind])
                    row[ident] = None
            ident_rows.extend(row)
            ident_counts.append(len(row))
        self.ident_kind = np.concatenate([self.ident_kind, np.asarray(ident_kinds, dtype=np.int8)])
        rows = np.asarray(ident_rows, dtype=np.int64)
        counts = np.asarray(ident_counts, dtype=np.int64)
        self.doc_ptr = np.concatenate([self.doc_ptr, self.doc_ptr[-1] + np.cumsum(counts)])
        self.doc_idents = np.concatenate([self.doc_idents, rows])
        self.postings.insert(rows, np.repeat(new, counts))

    def of_docs(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(doc, identifier) pairs of ``docs``, every kind (names included)."""
        return gather(self.doc_ptr, self.doc_idents, docs)

    def linking(self, idents: np.ndarray) -> np.ndarray:
        """Those of ``idents`` whose kind is enabled evidence (names never link)."""
        return idents[np.isin(self.ident_kind[idents], self._linking_codes)]

    def touched(self, new: np.ndarray, merged: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        return self.groups_of(new)

    def groups_of(self, docs: np.ndarray) -> np.ndarray:
        return self.linking(np.unique(self.of_docs(docs)[1]))

    def members(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        qpos, docs = self.postings.lookup(labels)
        return labels[qpos], docs

    def describe(self, label: int) -> tuple[str, str]:
        kind, _, value = self.ident_names[label].partition(":")
        return ("image", "sha256:" + value) if kind == "sha256" else (kind, value)

    def _spread(self, docs: np.ndarray, exclude: int = -1) -> int:
        """Distinct contact identifiers among ``docs`` other than ``exclude``."""
        _, idents = self.of_docs(docs)
        idents = idents[np.isin(self.ident_kind[idents], CONTACT_CODES) & (idents != exclude)]
        # Identifiers already judged hubs (boilerplate carried by these records) say nothing about
        # how many posters the records come from.
        hubs = self.hubs
        if len(idents) * SPREAD_MARK_RATIO < len(self.ident_names):
            return sum(1 for i in np.unique(idents).tolist() if i not in hubs)
        # A large group (a hub re-judged as every batch adds to it): mark the identifiers it carries
        # instead of sorting them, the same count in time linear in the group.
        seen = np.zeros(len(self.ident_names), dtype=bool)
        seen[idents] = True
        if hubs:
            seen[np.fromiter(hubs, dtype=np.int64, count=len(hubs))] = False
        return int(np.count_nonzero(seen))

    def neighbours(self, doc: int, search: Search, out: list[tuple[int, Hop]]) -> None:
        keys = self.records.keys
        key = keys[doc]
        expanded = search.expanded(self.name)
        _, idents = self.of_docs(np.array([doc], dtype=np.int64))
        for ident in self.linking(idents).tolist():
            if ident in self.hubs or ident in expanded:
                continue
            expanded.add(ident)
            kind, _, value = self.ident_names[ident].partition(":")
            if kind == "sha256":
                kind, label = "image", f"image sha256 {value[:16]}"
            else:
                label = f"{kind} {value}"
            for other in self.postings.values_of(ident).tolist():
                if other != doc:
                    out.append((other, Hop(key, keys[other], kind, label, value)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "ident_kind": self.ident_kind,
            "doc_ptr": self.doc_ptr,
            "doc_idents": self.doc_idents,
            "postings_keys": self.postings.keys,
            "postings_values": self.postings.values,
        }

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.ident_kind = arrays["ident_kind"]
        self.doc_ptr = arrays["doc_ptr"]
        self.doc_idents = arrays["doc_idents"]
        self.postings = SortedIndex(arrays["postings_keys"], arrays["postings_values"])

    def restore_names(self, names: list[str]) -> None:
        self.ident_names = names
        self._ident_index = {k: i for i, k in enumerate(names)}
