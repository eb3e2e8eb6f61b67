"""Scoring what is in the store against a synthetic world's ground truth (``lantern eval``).

Streams the store once, so it runs on a million records; only the per-record labels needed for the
linking and ranking metrics are held in memory.

Site boilerplate: a truth line's ``boilerplate`` (``{"phones": [...], "emails": [...]}``) lists the
site footer's support contacts written in that record. They are really in the text, so extracting them is
right (linking later suppresses them as hubs), yet they are nobody's own contact, so the truth's
``phones``/``emails`` leave them out. Extraction scoring therefore ignores a predicted value that is listed
in the record's ``boilerplate`` for that field: it counts as neither a true nor a false positive. Only
those values are ignored; a boilerplate value that is also a true value scores as usual, and every other
prediction counts. Truth files written before ``boilerplate`` existed score as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from lantern.evaluate.metrics import (
    average_precision,
    bcubed_prf,
    canonical,
    expected_in_top,
    pairwise_prf,
    prf_from_counts,
)
from lantern.store.queries import cluster_label, iter_records

EXTRACTION_FIELDS = ("phones", "emails", "handles", "payments", "ages", "names")
TOP_N = 100
BASELINES: dict[str, tuple[str, ...]] = {
    "minor_risk": ("age_18_19", "T03", "E04", "T02"),
    "trafficking_risk": ("T01", "T02", "T09", "age_18_19"),
}
"""Single-indicator rankings printed beside each score: the cues an investigator would otherwise sort by
(a stated age of 18-19, youth language, youth emoji; trust language, third-party voice) and the obscured
phone, the one indicator validated against case outcomes on its own."""
BASELINE_NAMES = {
    "age_18_19": "stated age 18-19 alone",
    "T01": "trust language alone (T01)",
    "T02": "obscured phone alone (T02)",
    "T03": "youth language alone (T03)",
    "E04": "youth emoji alone (E04)",
    "T09": "third-party voice alone (T09)",
}


def _lowered(values: list[Any]) -> list[Any]:
    out = []
    for value in values:
        if isinstance(value, str):
            out.append(value.lower())
        elif isinstance(value, dict):
            ident = value.get("handle") or value.get("address") or ""
            out.append(
                {
                    "platform": str(value.get("platform", "")).lower(),
                    "handle": str(ident).lower().lstrip("@$"),
                }
            )
        else:
            out.append(value)
    return out


def _comparable(field: str, values: list[Any]) -> set:
    if field in ("emails", "names", "handles", "payments"):
        values = _lowered(values)
    return {canonical(v) for v in values}


def score_fields(extracted: dict[str, Any], expected: dict[str, Any], counts: dict[str, list[int]]) -> None:
    """Add one record's per-field ``[true positives, false positives, false negatives]`` to ``counts``.

    Predicted values listed in ``expected["boilerplate"][field]`` (and not true values) are dropped
    before counting: see the module docstring for why.
    """
    boilerplate = expected.get("boilerplate") or {}
    for field, tally in counts.items():
        guessed = _comparable(field, list(extracted.get(field, [])))
        actual = _comparable(field, list(expected.get(field, [])))
        if boilerplate.get(field):
            guessed -= _comparable(field, list(boilerplate[field])) - actual
        hits = len(guessed & actual)
        tally[0] += hits
        tally[1] += len(guessed) - hits
        tally[2] += len(actual) - hits


def read_truth(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield orjson.loads(line)


def is_network_member(truth: dict[str, Any]) -> bool:
    """Ground truth for the trafficking score: the record belongs to an operator, not an independent."""
    return not str(truth["operator"]).startswith("ind")


def ranking_figures(scores: list[float], labels: list[bool], independents: list[bool]) -> dict[str, float]:
    """Average precision, precision in the top 100 and independents in the top 100 (ties in expectation)."""
    k = min(TOP_N, len(scores)) or 1
    return {
        "average_precision": average_precision(scores, labels),
        "positives": sum(labels),
        "precision_at_100": round(expected_in_top(scores, labels, TOP_N) / k, 4),
        "independents_in_top_100": round(expected_in_top(scores, independents, TOP_N), 1),
    }


def _cues(extracted: dict[str, Any]) -> set[str]:
    """The baseline cues one record shows: the rules it fired and a stated age of 18-19."""
    cues = {i.get("id") for i in extracted.get("indicators") or []}
    if any(a in (18, 19) for a in extracted.get("ages") or []):
        cues.add("age_18_19")
    return cues


def evaluate_store(connection: Connection, truth_path: Path) -> dict[str, Any]:
    """Extraction P/R/F1 per field, linking pairwise and B-cubed, and risk-ranking figures."""
    truth = {(t["source"], t["id"]): t for t in read_truth(truth_path)}
    counts = {field: [0, 0, 0] for field in EXTRACTION_FIELDS}
    predicted_labels: list[str] = []
    true_labels: list[str] = []
    minor_scores: list[float] = []
    minor_labels: list[bool] = []
    trafficking_scores: list[float] = []
    member_labels: list[bool] = []
    independents: list[bool] = []
    cues: list[set[str]] = []
    matched = 0
    for row in iter_records(connection):
        expected = truth.get((row["source"], row["record_id"]))
        if expected is None:
            continue
        matched += 1
        score_fields(row["extracted"] or {}, expected, counts)
        predicted_labels.append(cluster_label(row))
        true_labels.append(expected["operator"])
        minor_scores.append(float(row["minor_score"]))
        minor_labels.append(bool(expected["minor"]))
        trafficking_scores.append(float(row["trafficking_score"]))
        member_labels.append(is_network_member(expected))
        independents.append(not is_network_member(expected))
        cues.append(_cues(row["extracted"] or {}))
    labels = {"minor_risk": minor_labels, "trafficking_risk": member_labels}
    baselines = {
        score: {
            BASELINE_NAMES[cue]: ranking_figures([float(cue in c) for c in cues], labels[score], independents)
            for cue in wanted
        }
        for score, wanted in BASELINES.items()
    }
    return {
        "truth_records": len(truth),
        "records_scored": matched,
        "truth_records_not_in_store": len(truth) - matched,
        "extraction": {field: prf_from_counts(*tally).as_dict() for field, tally in counts.items()},
        "linking": {
            "pairwise": pairwise_prf(predicted_labels, true_labels).as_dict(),
            "bcubed": bcubed_prf(predicted_labels, true_labels).as_dict(),
            "networks_predicted": len(set(predicted_labels)),
            "networks_true": len(set(true_labels)),
        },
        "minor_risk": ranking_figures(minor_scores, minor_labels, independents),
        "trafficking_risk": ranking_figures(trafficking_scores, member_labels, independents),
        "baselines": baselines,
    }
