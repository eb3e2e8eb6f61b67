"""Pure metric functions for scoring extraction, linking and ranking against ground truth.

No database, no I/O: callers pass predicted and true values, so the same functions score a test fixture,
a synthetic world of a million records or a partner's labelled sample. Linking metrics are computed from
contingency counts (sums of C(n, 2)), never by enumerating pairs, so they stay linear in the number of
records.

Conventions, chosen so a metric is defined on every input: a precision or recall whose denominator is
zero is 1.0 (nothing was claimed, so nothing was wrong; nothing was to be found, so nothing was missed),
and F1 is 0.0 when precision and recall are both 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1, with the counts behind them where the metric has counts."""

    precision: float
    recall: float
    f1: float
    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 1.0


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def prf_from_counts(tp: float, fp: float, fn: float) -> PRF:
    """Precision, recall and F1 from true-positive, false-positive and false-negative counts."""
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return PRF(precision, recall, _f1(precision, recall), tp, fp, fn)


def canonical(value: Any) -> Hashable:
    """A hashable form of an extracted value, so dicts like {"platform", "handle"} compare by content.

    Strings are compared as given: normalising (case, E.164) is the extractor's job and is what is scored.
    """
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(canonical(v) for v in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(canonical(v) for v in value))
    return value


def extraction_prf(predicted: Iterable[Iterable[Any]], true: Iterable[Iterable[Any]]) -> PRF:
    """Micro-averaged precision/recall/F1 of one field over records.

    ``predicted`` and ``true`` are parallel: for each record, the set of values predicted and the set that
    is true. Duplicates within a record count once. Every record's counts are pooled (micro average), so
    records with many values weigh more, as each value is a separate lead for an investigator.
    """
    tp = fp = fn = 0
    predicted_list = list(predicted)
    true_list = list(true)
    if len(predicted_list) != len(true_list):
        raise ValueError(f"{len(predicted_list)} predicted records but {len(true_list)} true records")
    for guess, truth in zip(predicted_list, true_list, strict=True):
        guessed = {canonical(v) for v in guess}
        actual = {canonical(v) for v in truth}
        hits = len(guessed & actual)
        tp += hits
        fp += len(guessed) - hits
        fn += len(actual) - hits
    return prf_from_counts(tp, fp, fn)


def extraction_report(
    predicted: Sequence[Mapping[str, Iterable[Any]]],
    true: Sequence[Mapping[str, Iterable[Any]]],
    fields: Sequence[str],
) -> dict[str, PRF]:
    """``extraction_prf`` for each named field; a field missing from a record counts as empty."""
    return {
        name: extraction_prf((p.get(name, ()) for p in predicted), (t.get(name, ()) for t in true))
        for name in fields
    }


def _contingency(predicted: Sequence[Hashable], true: Sequence[Hashable]) -> tuple[Counter, Counter, Counter]:
    if len(predicted) != len(true):
        raise ValueError(f"{len(predicted)} predicted labels but {len(true)} true labels")
    cells: Counter = Counter(zip(predicted, true, strict=True))
    clusters: Counter = Counter(predicted)
    classes: Counter = Counter(true)
    return cells, clusters, classes


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_prf(predicted: Sequence[Hashable], true: Sequence[Hashable]) -> PRF:
    """Pairwise linking precision/recall/F1 from cluster labels, in O(records).

    A pair of records is a true positive when both are in the same predicted cluster and the same true
    cluster. With n_ij records in predicted cluster i and true cluster j, TP = sum C(n_ij, 2), predicted
    pairs = sum_i C(a_i, 2), true pairs = sum_j C(b_j, 2). Counts are returned in tp/fp/fn (pairs).
    """
    cells, clusters, classes = _contingency(predicted, true)
    tp = sum(_pairs(n) for n in cells.values())
    predicted_pairs = sum(_pairs(n) for n in clusters.values())
    true_pairs = sum(_pairs(n) for n in classes.values())
    return prf_from_counts(tp, predicted_pairs - tp, true_pairs - tp)


def bcubed_prf(predicted: Sequence[Hashable], true: Sequence[Hashable]) -> PRF:
    """B-cubed precision/recall/F1 (Bagga & Baldwin 1998), from the same contingency counts.

    Per record e: precision = |cluster(e) ∩ class(e)| / |cluster(e)|, recall = ... / |class(e)|, each
    averaged over records. Grouping records by cell gives sum_ij n_ij^2 / a_i (and / b_j) over N.
    """
    cells, clusters, classes = _contingency(predicted, true)
    total = len(predicted)
    if total == 0:
        return PRF(1.0, 1.0, 1.0)
    precision = sum(n * n / clusters[i] for (i, _), n in cells.items()) / total
    recall = sum(n * n / classes[j] for (_, j), n in cells.items()) / total
    return PRF(precision, recall, _f1(precision, recall))


def align_labels(
    predicted: Mapping[Hashable, Hashable], true: Mapping[Hashable, Hashable]
) -> tuple[list[Hashable], list[Hashable]]:
    """Parallel label lists over the records in ``true``; a record the linker left out is a singleton."""
    keys = list(true)
    return [predicted.get(key, ("unlinked", key)) for key in keys], [true[key] for key in keys]


def average_precision(scores: Sequence[float], labels: Sequence[bool | int]) -> float:
    """Average precision of a ranking: the mean of precision at each rank where a relevant item appears.

    Tied scores are one threshold (as scikit-learn computes it), so the result does not depend on the
    order of tied items: AP = sum over distinct thresholds of (R_k - R_{k-1}) * P_k. Returns 0.0 when
    there is no relevant item, since there is nothing a ranking could surface.
    """
    if len(scores) != len(labels):
        raise ValueError(f"{len(scores)} scores but {len(labels)} labels")
    positives = sum(1 for label in labels if label)
    if positives == 0:
        return 0.0
    ranked = sorted(zip(scores, labels, strict=True), key=lambda item: -item[0])
    ap = 0.0
    seen = hits = 0
    previous_recall = 0.0
    index = 0
    while index < len(ranked):
        score = ranked[index][0]
        while index < len(ranked) and ranked[index][0] == score:
            seen += 1
            hits += 1 if ranked[index][1] else 0
            index += 1
        recall = hits / positives
        ap += (recall - previous_recall) * (hits / seen)
        previous_recall = recall
    return ap


def expected_in_top(scores: Sequence[float], flags: Sequence[bool], k: int = 100) -> float:
    """How many flagged items the top ``k`` of a ranking holds, ties at the cut broken uniformly at random.

    A 0/1 baseline (one indicator alone) ties thousands of records; counting them in storage order would
    flatter or punish it by accident, so the tied block at the cut contributes its expected share.
    """
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    if len(order) <= k:
        return float(sum(1 for i in order if flags[i]))
    threshold = scores[order[k - 1]]
    above = [i for i in order if scores[i] > threshold]
    tied = [i for i in order if scores[i] == threshold]
    room = k - len(above)
    return sum(1 for i in above if flags[i]) + room * sum(1 for i in tied if flags[i]) / len(tied)
