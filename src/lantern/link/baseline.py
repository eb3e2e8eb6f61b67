"""The baseline the linker is measured against: records sharing a phone are one cluster, no hub checks.

This is what most published systems start from (DIG links ads through shared phones and emails), so the
evaluation reports how much hub suppression and the other evidence types change pairwise and B-cubed
scores relative to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lantern.link.doc import LinkDoc
from lantern.link.identifiers import normalise


def phone_union_find(docs: Iterable[LinkDoc]) -> dict[str, str]:
    """Record key -> cluster id (the smallest key of the cluster), joining records that share a phone."""
    keys: list[str] = []
    phone_ids: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for doc in docs:
        index = len(keys)
        keys.append(doc.key)
        for raw in doc.phones:
            phone = normalise("phone", raw)
            if phone is not None:
                rows.append(index)
                cols.append(phone_ids.setdefault(phone, len(phone_ids)))
    n, m = len(keys), len(phone_ids)
    # Bipartite record-phone graph: records are nodes 0..n-1, phones n..n+m-1.
    graph = coo_matrix(
        (np.ones(len(rows), dtype=np.int8), (np.asarray(rows, np.int64), np.asarray(cols, np.int64) + n)),
        shape=(n + m, n + m),
    )
    _, labels = connected_components(graph, directed=False)
    labels = labels[:n]
    # Name each cluster after its smallest key, so the output does not depend on input order.
    names: dict[int, str] = {}
    for key, label in zip(keys, labels.tolist(), strict=True):
        if label not in names or key < names[label]:
            names[label] = key
    return {key: names[label] for key, label in zip(keys, labels.tolist(), strict=True)}


def export_clusters(docs: Iterable[LinkDoc], clusters: dict[str, str]) -> Iterator[dict[str, str]]:
    """The baseline in the same ``{"source","id","cluster"}`` shape as LinkResult.export."""
    for doc in docs:
        yield {"source": doc.source, "id": doc.record_id, "cluster": clusters[doc.key]}
