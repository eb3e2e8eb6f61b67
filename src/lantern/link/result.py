"""Read-only answers over a linker after a batch: networks, hubs, explanations, summaries, export.

A LinkResult is a view of the linker at the generation it was made; after a later ``add`` it refuses to
answer (StaleResultError) rather than mix two states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from lantern.link.explain import Hop, shortest_paths
from lantern.link.hubs import SuppressedHub
from lantern.link.identifiers import KIND_CODE
from lantern.link.report import BatchReport
from lantern.link.template import Template, build_template
from lantern.link.timeutil import to_iso

if TYPE_CHECKING:
    from lantern.link.linker import Linker

TEMPLATE_MAX_MEMBERS = 50
"""Templates are aligned over at most this many members (the earliest); enough to show the shared text."""
NETWORK_TEMPLATES_KEPT = 256
"""Networks whose template names a result remembers (a dict of a few thousand entries at most each)."""


class StaleResultError(RuntimeError):
    """The linker has changed since this result was made."""


@dataclass(frozen=True)
class NetworkInfo:
    """A network's id and size."""

    id: str
    records: int


@dataclass(frozen=True)
class Stop:
    """One stop of a network's itinerary: a city and when it was advertised there."""

    city: str
    first_seen: str | None
    last_seen: str | None
    records: int


@dataclass
class NetworkSummary:
    """What an investigator reads first about a network."""

    id: str
    records: list[str]
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    """pHashes (hex) and SHA-256 values seen in the network."""
    sites: list[str] = field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None
    itinerary: list[Stop] = field(default_factory=list)
    """Cities ordered by when the network was first seen there (then by last seen, then name)."""
    templates: list[str] = field(default_factory=list)
    """Ids of text templates (near-duplicate groups of 2+ records) among its records."""


class LinkResult:
    """Answers over the linker's current state, plus the report of the batch that produced it."""

    def __init__(self, linker: Linker, report: BatchReport) -> None:
        self._linker = linker
        self._generation = linker.generation
        self.report = report
        self._roots: np.ndarray | None = None
        self._founders: np.ndarray | None = None
        self._ids: dict[int, str] = {}
        self._by_id: dict[str, int] | None = None
        self._docs_of: dict[int, np.ndarray] | None = None
        self._text_sizes: np.ndarray | None = None
        self._text_roots: np.ndarray | None = None
        self._template_roots: dict[str, int] | None = None
        self._network_templates: dict[str, dict[str, int]] = {}

    # -- internals ------------------------------------------------------------------------------------
    def _check(self) -> Linker:
        if self._linker.generation != self._generation:
            raise StaleResultError("the linker changed after this result was made; use the newest result")
        return self._linker

    def _state(self) -> tuple[np.ndarray, np.ndarray]:
        linker = self._check()
        if self._roots is None:
            self._roots = linker.uf_net.roots()
            self._founders = linker.uf_net.founder_of_root(self._roots)
        assert self._founders is not None
        return self._roots, self._founders

    def _name(self, founder: int) -> str:
        if founder not in self._ids:
            self._ids[founder] = self._linker.network_id_of_founder(founder)
        return self._ids[founder]

    def _members(self, network_id: str) -> np.ndarray:
        """Record indexes of a network, ascending. Grouped once per result: scanning every record for each
        network made summarising all networks quadratic (hours at a million records)."""
        _, founders = self._state()
        if self._by_id is None or self._docs_of is None:
            order = np.argsort(founders, kind="stable")
            uniq, starts, counts = np.unique(founders[order], return_index=True, return_counts=True)
            self._docs_of = {
                f: order[a : a + c]
                for f, a, c in zip(uniq.tolist(), starts.tolist(), counts.tolist(), strict=True)
            }
            self._by_id = {self._name(f): f for f in uniq.tolist()}
        founder = self._by_id.get(network_id)
        if founder is None:
            raise KeyError(network_id)
        return self._docs_of[founder]

    def _text_group_sizes(self) -> np.ndarray:
        """Records per text group (indexed by root), computed once per result rather than per network."""
        linker = self._check()
        if self._text_sizes is None:
            self._text_sizes = np.bincount(self._text_group_roots()[linker.text.text_ok], minlength=linker.n)
        return self._text_sizes

    def _text_group_roots(self) -> np.ndarray:
        """Each record's text group (its root), once per result: a network page asks for up to 40
        templates, and each asked for the roots of every record again (a full pass at a million)."""
        linker = self._check()
        if self._text_roots is None:
            self._text_roots = linker.text.uf_text.roots()
        return self._text_roots

    # -- networks -------------------------------------------------------------------------------------
    def network_of(self, key: str) -> str:
        """The network id of a record (every record is in one, possibly alone)."""
        return self.network_at(self._linker.index_of(key))

    def network_at(self, index: int) -> str:
        """The network id of the record at a linker index (``Linker.index_of``)."""
        _, founders = self._state()
        return self._name(int(founders[index]))

    def network_sizes(self) -> np.ndarray:
        """The size of each record's network, by linker index (1 for a record alone)."""
        _, founders = self._state()
        _, inverse, counts = np.unique(founders, return_inverse=True, return_counts=True)
        return counts[inverse]

    def member_indexes(self, network_id: str) -> np.ndarray:
        """Linker indexes of a network's records, ascending."""
        return self._members(network_id)

    def networks(self, min_size: int = 2) -> list[NetworkInfo]:
        """Networks with at least ``min_size`` records, largest first."""
        _, founders = self._state()
        uniq, counts = np.unique(founders, return_counts=True)
        keep = counts >= min_size
        order = np.argsort(-counts[keep], kind="stable")
        return [
            NetworkInfo(self._name(int(f)), int(c))
            for f, c in zip(uniq[keep][order].tolist(), counts[keep][order].tolist(), strict=True)
        ]

    def members(self, network_id: str) -> list[str]:
        """Record keys of a network, earliest first."""
        linker = self._check()
        docs = self._members(network_id)
        order = np.lexsort(linker.doc_order(docs))
        return [linker.keys[i] for i in docs[order].tolist()]

    @property
    def suppressed_hubs(self) -> list[SuppressedHub]:
        """Every piece of evidence currently suppressed as a hub, most records first."""
        linker = self._check()
        return sorted(linker.suppressed_hubs, key=lambda h: (-h.records, h.kind, h.value))

    # -- explanations ---------------------------------------------------------------------------------
    def explain(self, a_key: str, b_key: str) -> list[Hop] | None:
        """The shortest evidence path between two records, or None when they are in different networks."""
        linker = self._check()
        linker.index_of(b_key)  # an unknown record is an error here, not "another network"
        return self.explain_from(a_key, [b_key])[b_key]

    def explain_from(
        self, a_key: str, b_keys: list[str], max_expanded: int | None = None
    ) -> dict[str, list[Hop] | None]:
        """The shortest evidence path from one record to each of several, found by one search.

        None for a record in another network, one not linked, or one not reached within
        ``max_expanded`` expanded records (``explain.shortest_paths``).
        """
        linker = self._check()
        roots, _ = self._state()
        a = linker.index_of(a_key)
        same = roots == roots[a]
        targets: dict[str, int] = {}
        for key in b_keys:
            try:
                targets[key] = linker.index_of(key)
            except KeyError:
                continue
        reachable = [b for b in targets.values() if same[b]]
        found = shortest_paths(linker, a, reachable, same, max_expanded)
        return {key: found.get(targets[key]) if key in targets else None for key in b_keys}

    def summary(self, network_id: str) -> NetworkSummary:
        """Records, contacts, names, images, sites, first/last seen and itinerary of one network."""
        linker = self._check()
        docs = self._members(network_id)
        docs = docs[np.lexsort(linker.doc_order(docs))]
        _, idents = linker.identifiers.of_docs(docs)
        idents = np.unique(idents)
        by_kind: dict[int, list[str]] = {}
        for ident in idents.tolist():
            kind, _, value = linker.identifiers.ident_names[ident].partition(":")
            by_kind.setdefault(KIND_CODE[kind], []).append(value)
        _, hashes = linker.images.of_docs(docs)
        values = linker.images.phash_values[np.unique(hashes)].view(np.uint64)
        phashes = [f"{int(v):016x}" for v in values.tolist()]
        records = linker.records
        times = records.times[docs]
        finite = times[np.isfinite(times)]
        summary = NetworkSummary(
            id=network_id,
            records=[linker.keys[i] for i in docs.tolist()],
            phones=sorted(by_kind.get(KIND_CODE["phone"], [])),
            emails=sorted(by_kind.get(KIND_CODE["email"], [])),
            handles=sorted(by_kind.get(KIND_CODE["handle"], [])),
            payments=sorted(by_kind.get(KIND_CODE["payment"], [])),
            names=sorted(by_kind.get(KIND_CODE["name"], [])),
            images=sorted(phashes) + sorted("sha256:" + v for v in by_kind.get(KIND_CODE["sha256"], [])),
            sites=sorted({records.sources[s] for s in records.source_of[docs].tolist()}),
            first_seen=to_iso(float(finite.min())) if finite.size else None,
            last_seen=to_iso(float(finite.max())) if finite.size else None,
            itinerary=self._itinerary(docs),
        )
        text = linker.text
        text_docs = docs[text.text_ok[docs]]
        if text_docs.size:
            roots = text.uf_text.find(text_docs)
            uniq, counts = np.unique(roots, return_counts=True)
            sizes = dict(zip(uniq.tolist(), counts.tolist(), strict=True))
            group_sizes = self._text_group_sizes()
            summary.templates = sorted(
                text.template_id(r) for r in uniq.tolist() if sizes[r] >= 1 and group_sizes[r] >= 2
            )
        return summary

    def _itinerary(self, docs: np.ndarray) -> list[Stop]:
        records = self._linker.records
        stops: dict[int, list[float]] = {}
        for city, t in zip(records.city_of[docs].tolist(), records.times[docs].tolist(), strict=True):
            if city >= 0:
                stops.setdefault(city, []).append(t)
        rows = []
        for city, times in stops.items():
            first, last = min(times), max(times)
            rows.append((first, last, records.cities[city], len(times)))
        rows.sort()
        return [Stop(name, to_iso(first), to_iso(last), count) for first, last, name, count in rows]

    # -- templates ------------------------------------------------------------------------------------
    def template_of(self, key: str, text_of: Callable[[str], str] | None = None) -> Template | None:
        """The template of a record's near-duplicate text group (None if its text has no near-duplicate)."""
        linker = self._check()
        doc = linker.index_of(key)
        if not linker.text.text_ok[doc]:
            return None
        root = int(self._text_group_roots()[doc])
        members = np.flatnonzero((self._text_group_roots() == root) & linker.text.text_ok)
        if members.size < 2:
            return None
        return self._template(root, members, text_of)

    def template(
        self, template_id: str, text_of: Callable[[str], str] | None = None, network_id: str | None = None
    ) -> Template:
        """A template by id (``T-…``), with its slots. ``text_of`` supplies texts when keep_text is off.

        ``network_id`` names that network's text groups first (kept for the next call): naming every text
        group of the store (a hash each) took 4-6 s at a million records, the first time a process showed
        any template."""
        linker = self._check()
        roots = self._text_group_roots()
        root = self._network_template_names(network_id).get(template_id) if network_id else None
        if root is None:
            if self._template_roots is None:
                self._template_roots = self._template_names(None)  # once per result
            root = self._template_roots.get(template_id)
        if root is None:
            raise KeyError(template_id)
        members = np.flatnonzero((roots == root) & linker.text.text_ok)
        return self._template(root, members, text_of)

    def _network_template_names(self, network_id: str) -> dict[str, int]:
        """Template id to root for one network's text groups, remembered for a few hundred networks."""
        names = self._network_templates.get(network_id)
        if names is None:
            try:
                members = self._members(network_id)
            except KeyError:
                return {}
            if len(self._network_templates) >= NETWORK_TEMPLATES_KEPT:
                self._network_templates.clear()
            names = self._network_templates[network_id] = self._template_names(members)
        return names

    def _template_names(self, docs: np.ndarray | None) -> dict[str, int]:
        """Template id to text-group root, for the groups of ``docs`` (every record when None) that hold
        two records or more: a record alone in its group is no template, and most records are alone."""
        linker = self._linker
        roots = self._text_group_roots()
        if docs is None:
            ok_roots = np.unique(roots[linker.text.text_ok])
        else:
            docs = np.asarray(docs, dtype=np.int64)
            ok_roots = np.unique(roots[docs[linker.text.text_ok[docs]]])
        ok_roots = ok_roots[self._text_group_sizes()[ok_roots] >= 2]
        return {linker.text.template_id(root): root for root in ok_roots.tolist()}

    def _template(self, root: int, members: np.ndarray, text_of: Callable[[str], str] | None) -> Template:
        linker = self._linker
        members = members[np.lexsort(linker.doc_order(members))][:TEMPLATE_MAX_MEMBERS]
        keys = [linker.keys[i] for i in members.tolist()]
        if text_of is not None:
            texts = [text_of(k) for k in keys]
        elif linker.config.keep_text:
            texts = [linker.records.texts[i] for i in members.tolist()]
        else:
            raise ValueError("keep_text is off: pass text_of to read the texts from the store")
        return build_template(linker.text.template_id(root), keys, texts, linker.config.max_text_tokens)

    # -- export ---------------------------------------------------------------------------------------
    def export(self) -> Iterator[dict[str, str]]:
        """One ``{"source", "id", "cluster"}`` per record, for the evaluator and for CSV export."""
        linker = self._check()
        _, founders = self._state()
        for doc, founder in enumerate(founders.tolist()):
            key = linker.keys[doc]
            source = linker.records.sources[int(linker.records.source_of[doc])]
            prefix = source + ":"
            record_id = key[len(prefix) :] if key.startswith(prefix) else key
            yield {"source": source, "id": record_id, "cluster": self._name(founder)}
