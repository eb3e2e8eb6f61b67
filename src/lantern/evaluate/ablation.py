"""Linking ablation: how much each kind of evidence adds, against the phone-only union-find baseline.

Relinks the stored records in memory (the store is not changed) with the linker restricted to phones,
then all contacts, then contacts and images, then everything, and scores each against ground truth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from lantern.evaluate.metrics import bcubed_prf, pairwise_prf
from lantern.evaluate.store_eval import read_truth
from lantern.link import LinkConfig, Linker, phone_union_find
from lantern.networks.inputs import link_doc, record_key
from lantern.store.queries import iter_records

LADDER = (
    ("phones only", "phones"),
    ("+ contacts", "contacts"),
    ("+ images", "images"),
    ("+ text (all)", "all"),
)


def _scores(predicted: list[str], true: list[str]) -> dict[str, Any]:
    return {
        "pairwise": pairwise_prf(predicted, true).as_dict(),
        "bcubed": bcubed_prf(predicted, true).as_dict(),
    }


def link_ablation(connection: Connection, truth_path: Path) -> dict[str, dict[str, Any]]:
    truth = {record_key(t["source"], t["id"]): t["operator"] for t in read_truth(truth_path)}
    docs = [link_doc(row) for row in iter_records(connection)]
    docs = [doc for doc in docs if doc.key in truth]
    docs.sort(key=lambda doc: (doc.posted_at is None, doc.posted_at or "", doc.key))
    true_labels = [truth[doc.key] for doc in docs]
    report: dict[str, dict[str, Any]] = {}
    baseline = phone_union_find(docs)
    report["baseline: phone union-find"] = _scores([baseline[doc.key] for doc in docs], true_labels)
    for label, preset in LADDER:
        result = Linker(LinkConfig.ablation(preset)).add(docs)
        report[label] = _scores([result.network_of(doc.key) for doc in docs], true_labels)
    return report
