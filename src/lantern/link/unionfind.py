"""A growable, array-backed union-find whose components carry a stable *founder*.

Why arrays: a million Python objects per structure would cost gigabytes; three int64/bool arrays cost
17 bytes a node and serialise as they are. Why bulk unions: a batch of edges is merged in one vectorised
step (scipy connected components over the touched roots) instead of a Python call per edge.

The founder is what gives components stable identifiers. When components merge, the founder of the
merged component is the earliest *strong* founder among them (strong = it already named a component the
caller published), else the earliest weak one. "Earliest" is decided by an ordering function the caller
supplies (posting time then key for records), so a rerun on the same data names components the same way,
and an incremental merge keeps the name of the older component.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

OrderFn = Callable[[np.ndarray], list[np.ndarray]]
"""Given node ids, return np.lexsort keys (least significant first) that order them earliest first."""


class UnionFind:
    """Union-find over nodes 0..n-1 with founders; see the module docstring."""

    def __init__(self, n: int = 0) -> None:
        self.n = 0
        self._parent = np.zeros(0, dtype=np.int64)
        self._founder = np.zeros(0, dtype=np.int64)
        self._strong = np.zeros(0, dtype=bool)
        self.grow(n)

    # -- size -------------------------------------------------------------------------------------------
    def grow(self, count: int) -> np.ndarray:
        """Add ``count`` singleton nodes (weak founders of themselves) and return their ids."""
        start, end = self.n, self.n + count
        if end > len(self._parent):
            cap = max(end, 2 * len(self._parent), 1024)
            for name, dtype in (("_parent", np.int64), ("_founder", np.int64), ("_strong", bool)):
                old = getattr(self, name)
                new = np.zeros(cap, dtype=dtype)
                new[: len(old)] = old
                setattr(self, name, new)
        ids = np.arange(start, end, dtype=np.int64)
        self._parent[start:end] = ids
        self._founder[start:end] = ids
        self._strong[start:end] = False
        self.n = end
        return ids

    # -- queries ----------------------------------------------------------------------------------------
    def find(self, nodes: np.ndarray | list[int]) -> np.ndarray:
        """Roots of ``nodes`` (vectorised pointer jumping, compressing the queried paths)."""
        x = np.asarray(nodes, dtype=np.int64)
        parent = self._parent
        r = parent[x]
        while True:
            rr = parent[r]
            if np.array_equal(rr, r):
                break
            r = rr
        parent[x] = r
        return r

    def roots(self) -> np.ndarray:
        """Root of every node, compressing every path."""
        p = self._parent[: self.n]
        while True:
            pp = p[p]
            if np.array_equal(pp, p):
                return p.copy()
            p[:] = pp

    def founder_of_root(self, roots: np.ndarray) -> np.ndarray:
        """Founder node of each given root."""
        return self._founder[np.asarray(roots, dtype=np.int64)]

    def strong(self, nodes: np.ndarray) -> np.ndarray:
        """Whether each node (a root) has a strong founder."""
        return self._strong[np.asarray(nodes, dtype=np.int64)]

    # -- updates ----------------------------------------------------------------------------------------
    def union(self, a: np.ndarray, b: np.ndarray, order: OrderFn) -> tuple[np.ndarray, np.ndarray]:
        """Merge the components of each edge (a[i], b[i]).

        Returns (old_roots, new_roots): every root that took part and the root it now belongs to, so the
        caller can tell which components merged.
        """
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        if a.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ra, rb = self.find(a), self.find(b)
        keep = ra != rb
        ra, rb = ra[keep], rb[keep]
        if ra.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        nodes = np.unique(np.concatenate([ra, rb]))
        ia, ib = np.searchsorted(nodes, ra), np.searchsorted(nodes, rb)
        m = len(nodes)
        graph = coo_matrix((np.ones(len(ia), dtype=np.int8), (ia, ib)), shape=(m, m))
        _, labels = connected_components(graph, directed=False)
        founders = self._founder[nodes]
        weak = ~self._strong[nodes]
        # Per label: strong founders first, then the earliest founder.
        order_keys = order(founders)
        idx = np.lexsort([*order_keys, weak, labels])
        first = np.ones(m, dtype=bool)
        first[1:] = labels[idx][1:] != labels[idx][:-1]
        chosen = idx[first]  # positions in `nodes`, one per label, in label order
        rep_root = nodes[chosen]
        new_roots = rep_root[labels]
        self._parent[nodes] = new_roots
        self._strong[rep_root] = ~weak[chosen]
        return nodes, new_roots

    def reset(self, nodes: np.ndarray, strong_founders: np.ndarray) -> None:
        """Make ``nodes`` singletons again (before re-linking them after a split).

        Nodes listed in ``strong_founders`` stay strong, so the piece that holds an old component's
        founder keeps that component's name.
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        self._parent[nodes] = nodes
        self._founder[nodes] = nodes
        self._strong[nodes] = np.isin(nodes, strong_founders)

    def make_strong(self, roots: np.ndarray) -> None:
        """Mark roots' founders as published names (end of a batch)."""
        self._strong[np.asarray(roots, dtype=np.int64)] = True

    # -- persistence ------------------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """The state as plain arrays."""
        return {
            "parent": self._parent[: self.n].copy(),
            "founder": self._founder[: self.n].copy(),
            "strong": self._strong[: self.n].copy(),
        }

    @classmethod
    def from_arrays(cls, parent: np.ndarray, founder: np.ndarray, strong: np.ndarray) -> UnionFind:
        """Inverse of arrays()."""
        uf = cls(0)
        uf.n = len(parent)
        uf._parent = np.array(parent, dtype=np.int64)
        uf._founder = np.array(founder, dtype=np.int64)
        uf._strong = np.array(strong, dtype=bool)
        return uf
