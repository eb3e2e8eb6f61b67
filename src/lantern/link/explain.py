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


def neighbours(linker: Linker, doc: int) -> list[tuple[int, Hop]]:
    """Records one hop of kept evidence away from ``doc``, with the hop."""
    from lantern.link.linker import _gather

    cfg = linker.config
    out: list[tuple[int, Hop]] = []
    key = linker.keys[doc]
    one = np.array([doc], dtype=np.int64)
    _, idents = _gather(linker.doc_ptr, linker.doc_idents, one)
    idents = idents[linker._linking_ident_mask(idents)]
    for ident in idents.tolist():
        if ident in linker.ident_hubs:
            continue
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
            if int(linker.uf_img.find(np.array([hid]))[0]) in linker.image_hubs:
                continue
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
            from lantern.link.text import band_hashes, jaccard

            bh = band_hashes(linker.sig[one], linker.bands, linker.rows)[0]
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


def shortest_path(linker: Linker, a: int, b: int, allowed: np.ndarray | None = None) -> list[Hop] | None:
    """Hops from record a to record b over kept evidence (fewest hops), or None when not connected.

    ``allowed`` (bool per record) bounds the search, normally to the records of a's network.
    """
    if a == b:
        return []
    previous: dict[int, tuple[int, Hop]] = {a: (a, Hop("", "", "", "", ""))}
    queue = deque([a])
    while queue:
        doc = queue.popleft()
        for other, hop in neighbours(linker, doc):
            if other in previous or (allowed is not None and not allowed[other]):
                continue
            previous[other] = (doc, hop)
            if other == b:
                path: list[Hop] = []
                node = b
                while node != a:
                    node, step = previous[node]
                    path.append(step)
                return path[::-1]
            queue.append(other)
    return None
