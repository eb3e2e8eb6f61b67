"""Why two records are in one network: the shortest path over kept evidence.

Breadth-first search from one record, expanding only through evidence the linker kept (never through a
suppressed hub), restricted to the records of the same network. Each hop names the evidence the way an
investigator would check it by hand: the shared phone, the pHash distance of the two pictures, the
estimated text similarity and the template both texts follow.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lantern.link.images import hamming

if TYPE_CHECKING:
    from lantern.link.linker import Linker


@dataclass(frozen=True)
class Hop:
    """One step of an explanation: ``source`` –[evidence]– ``target``."""

    source: str
    target: str
    kind: str
    """phone, email, handle, payment, image or text."""
    evidence: str
    """e.g. ``phone +17135550142``, ``image phash distance 4``, ``text jaccard 0.82, template T-…``."""
    value: str
    """The identifier, the two hashes, or the template id."""
    score: float | None = None
    """pHash distance or estimated Jaccard, when the evidence has one."""

    def __str__(self) -> str:
        return f"{self.source} –[{self.evidence}]– {self.target}"


class _Search:
    """What one search has already expanded, and the text band keys of the records it may visit.

    Evidence expanded once reaches no record it has not reached: every holder of a phone is listed the
    first time any holder is expanded, so each identifier and each image hash is expanded once per search
    (a phone on 5,000 records of a network was listed 5,000 times). The LSH band keys of the allowed
    records are computed in one vectorised pass instead of record by record (about two thirds of a
    record's expansion on a million-record store).
    """

    def __init__(self, linker: Linker, allowed: np.ndarray | None) -> None:
        self.linker = linker
        self.idents: set[int] = set()
        self.hashes: set[int] = set()
        self.members = np.flatnonzero(allowed) if allowed is not None else None
        self._band_keys: np.ndarray | None = None

    def band_keys(self, doc: int) -> np.ndarray:
        from lantern.link.text import band_hashes

        linker = self.linker
        if self.members is None:
            return band_hashes(linker.sig[[doc]], linker.bands, linker.rows)[0]
        if self._band_keys is None:
            self._band_keys = band_hashes(linker.sig[self.members], linker.bands, linker.rows)
        return self._band_keys[int(np.searchsorted(self.members, doc))]


def neighbours(linker: Linker, doc: int, search: _Search | None = None) -> list[tuple[int, Hop]]:
    """Records one hop of kept evidence away from ``doc``, with the hop (within ``search``: only through
    evidence that search has not expanded yet)."""
    from lantern.link.linker import _gather

    search = search or _Search(linker, None)
    cfg = linker.config
    out: list[tuple[int, Hop]] = []
    key = linker.keys[doc]
    one = np.array([doc], dtype=np.int64)
    _, idents = _gather(linker.doc_ptr, linker.doc_idents, one)
    idents = idents[linker._linking_ident_mask(idents)]
    for ident in idents.tolist():
        if ident in linker.ident_hubs or ident in search.idents:
            continue
        search.idents.add(ident)
        kind, _, value = linker.ident_names[ident].partition(":")
        if kind == "sha256":
            kind, label = "image", f"image sha256 {value[:16]}"
        else:
            label = f"{kind} {value}"
        for other in linker.postings.values_of(ident).tolist():
            if other != doc:
                out.append((other, Hop(key, linker.keys[other], kind, label, value)))
    if cfg.uses("image"):
        _, hashes = _gather(linker.doc_hptr, linker.doc_hashes, one)
        for hid in hashes.tolist():
            if hid in search.hashes or int(linker.uf_img.find(np.array([hid]))[0]) in linker.image_hubs:
                continue
            search.hashes.add(hid)
            value = linker.phash_values[hid : hid + 1]
            near = [hid]
            a, b, _ = linker.mih.neighbours(np.array([hid]), value, linker.phash_values)
            near += [y if x == hid else x for x, y in zip(a.tolist(), b.tolist(), strict=True)]
            for other_hash in near:
                dist = int(hamming(value, linker.phash_values[other_hash : other_hash + 1])[0])
                pair = f"{int(value.view(np.uint64)[0]):016x}~{int(linker.phash_values[other_hash : other_hash + 1].view(np.uint64)[0]):016x}"
                for other in linker.phash_postings.values_of(other_hash).tolist():
                    if other != doc:
                        hop = Hop(
                            key, linker.keys[other], "image", f"image phash distance {dist}", pair, dist
                        )
                        out.append((other, hop))
    if cfg.uses("text") and linker.text_ok[doc]:
        root = int(linker.uf_text.find(one)[0])
        if root not in linker.text_hubs:
            from lantern.link.text import jaccard

            bh = search.band_keys(doc)
            cands = np.unique(
                np.concatenate([idx.values_of(int(v)) for idx, v in zip(linker.lsh, bh, strict=True)])
            )
            cands = cands[cands != doc]
            if cands.size:
                cands = cands[linker.uf_text.find(cands) == root]
                sims = jaccard(linker.sig, np.full(len(cands), doc), cands)
                founder = int(linker.uf_text.founder_of_root(np.array([root]))[0])
                tid = linker.template_id_of_founder(founder)
                for other, sim in zip(cands.tolist(), sims.tolist(), strict=True):
                    if sim >= cfg.minhash_threshold:
                        label = f"text jaccard {sim:.2f}, template {tid}"
                        out.append((other, Hop(key, linker.keys[other], "text", label, tid, round(sim, 4))))
    return out


def shortest_paths(
    linker: Linker,
    a: int,
    targets: list[int],
    allowed: np.ndarray | None = None,
    max_expanded: int | None = None,
) -> dict[int, list[Hop] | None]:
    """Fewest-hop paths from record a to each target, from one breadth-first search.

    A network page explains its first members from the founder: one search that stops when every target
    is reached, instead of one search per target (on a network of 24,000 records, 40 searches of about
    1,500 expansions each took the page 13 minutes). ``max_expanded`` bounds the records expanded; a
    target not reached within it is None, as one in another network is (the page then offers the path on
    demand). The paths are those the per-target search finds: breadth-first order decides each record's
    first hop, and expanding evidence once changes no first hop.
    """
    previous: dict[int, tuple[int, Hop]] = {a: (a, Hop("", "", "", "", ""))}
    wanted = set(targets) - {a}
    search = _Search(linker, allowed)
    queue = deque([a])
    expanded = 0
    while queue and wanted and (max_expanded is None or expanded < max_expanded):
        doc = queue.popleft()
        expanded += 1
        for other, hop in neighbours(linker, doc, search):
            if other in previous or (allowed is not None and not allowed[other]):
                continue
            previous[other] = (doc, hop)
            wanted.discard(other)
            queue.append(other)
    return {target: _path(previous, a, target) for target in targets}


def _path(previous: dict[int, tuple[int, Hop]], a: int, b: int) -> list[Hop] | None:
    if b not in previous:
        return None
    path: list[Hop] = []
    node = b
    while node != a:
        node, step = previous[node]
        path.append(step)
    return path[::-1]
