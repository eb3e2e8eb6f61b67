"""Metrics on small examples computed by hand (the arithmetic is in each test's comments)."""

from __future__ import annotations

import itertools
import random

import pytest

from lantern.evaluate.metrics import (
    align_labels,
    average_precision,
    bcubed_prf,
    extraction_prf,
    extraction_report,
    pairwise_prf,
    prf_from_counts,
)


def test_extraction_micro_average_pools_counts_over_records() -> None:
    # record 1: predicted {a, b}, true {a, c} -> tp 1, fp 1, fn 1
    # record 2: predicted {d},    true {d}    -> tp 1
    # record 3: predicted {},     true {e}    -> fn 1
    # micro: tp 2, fp 1, fn 2 -> P 2/3, R 2/4, F1 = 2PR/(P+R) = 4/7
    result = extraction_prf([["a", "b"], ["d"], []], [["a", "c"], ["d"], ["e"]])
    assert result.precision == pytest.approx(2 / 3)
    assert result.recall == pytest.approx(0.5)
    assert result.f1 == pytest.approx(4 / 7)
    assert (result.tp, result.fp, result.fn) == (2, 1, 2)


def test_extraction_compares_dicts_by_content_and_ignores_duplicates() -> None:
    predicted = [[{"handle": "x_fict1", "platform": "kik"}, {"platform": "kik", "handle": "x_fict1"}]]
    true = [[{"platform": "kik", "handle": "x_fict1"}]]
    result = extraction_prf(predicted, true)
    assert (result.tp, result.fp, result.fn) == (1, 0, 0)


def test_extraction_report_per_field_and_empty_conventions() -> None:
    predicted = [{"phones": ["+12125550123"]}, {"phones": []}]
    true = [{"phones": ["+12125550123"], "emails": []}, {"phones": []}]
    report = extraction_report(predicted, true, ["phones", "emails"])
    assert report["phones"].f1 == 1.0
    # Nothing predicted and nothing true: vacuously perfect, not a division by zero.
    assert (report["emails"].precision, report["emails"].recall) == (1.0, 1.0)


def test_extraction_rejects_misaligned_inputs() -> None:
    with pytest.raises(ValueError):
        extraction_prf([["a"]], [["a"], ["b"]])


def test_prf_from_counts_zero_f1() -> None:
    result = prf_from_counts(0, 3, 2)
    assert (result.precision, result.recall, result.f1) == (0.0, 0.0, 0.0)


def _brute_pairs(predicted: list, true: list) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(true)), 2):
        same_pred, same_true = predicted[i] == predicted[j], true[i] == true[j]
        tp += same_pred and same_true
        fp += same_pred and not same_true
        fn += same_true and not same_pred
    return tp, fp, fn


def test_pairwise_by_hand() -> None:
    # true clusters: A = {0,1,2}, B = {3,4}; predicted: X = {0,1}, Y = {2,3,4}
    # true pairs: C(3,2)+C(2,2) = 4; predicted pairs: C(2,2)+C(3,2) = 4
    # cells: (X,A)=2, (Y,A)=1, (Y,B)=2 -> TP = 1 + 0 + 1 = 2 -> P = 2/4, R = 2/4, F1 = 1/2
    true = ["A", "A", "A", "B", "B"]
    predicted = ["X", "X", "Y", "Y", "Y"]
    result = pairwise_prf(predicted, true)
    assert (result.precision, result.recall, result.f1) == (0.5, 0.5, 0.5)
    assert (result.tp, result.fp, result.fn) == (2, 2, 2)


def test_pairwise_matches_brute_force_on_random_labels() -> None:
    rng = random.Random(7)
    for _ in range(20):
        true = [rng.randrange(5) for _ in range(30)]
        predicted = [rng.randrange(6) for _ in range(30)]
        result = pairwise_prf(predicted, true)
        assert (result.tp, result.fp, result.fn) == _brute_pairs(predicted, true)


def test_pairwise_all_singletons_is_vacuously_precise() -> None:
    result = pairwise_prf([1, 2, 3], ["a", "a", "b"])
    assert (result.precision, result.recall, result.f1) == (1.0, 0.0, 0.0)


def test_bcubed_by_hand() -> None:
    # Same example as above. Per record precision |cluster ∩ class| / |cluster|:
    #   0,1 (X, A): 2/2 = 1; 2 (Y, A): 1/3; 3,4 (Y, B): 2/3 -> P = (1+1+1/3+2/3+2/3)/5 = 11/15
    # Per record recall / |class|: 0,1: 2/3; 2: 1/3; 3,4: 2/2 -> R = (2/3+2/3+1/3+1+1)/5 = 11/15
    true = ["A", "A", "A", "B", "B"]
    predicted = ["X", "X", "Y", "Y", "Y"]
    result = bcubed_prf(predicted, true)
    assert result.precision == pytest.approx(11 / 15)
    assert result.recall == pytest.approx(11 / 15)
    assert result.f1 == pytest.approx(11 / 15)


def test_bcubed_one_big_cluster() -> None:
    # Everything merged: recall 1; precision = (2*(2/4) + 2*(2/4)) / 4 = 1/2
    result = bcubed_prf([0, 0, 0, 0], ["a", "a", "b", "b"])
    assert (result.precision, result.recall) == (0.5, 1.0)


def test_align_labels_treats_missing_records_as_singletons() -> None:
    predicted, true = align_labels({"s:1": "n1", "s:2": "n1"}, {"s:1": "A", "s:2": "A", "s:3": "A"})
    assert true == ["A", "A", "A"]
    assert predicted[:2] == ["n1", "n1"] and predicted[2] not in ("n1",)
    assert pairwise_prf(predicted, true).recall == pytest.approx(1 / 3)


def test_average_precision_by_hand() -> None:
    # ranked labels: 1, 0, 1, 0, 1 -> precision at hits: 1/1, 2/3, 3/5 -> AP = (1 + 2/3 + 3/5) / 3
    scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    labels = [1, 0, 1, 0, 1]
    assert average_precision(scores, labels) == pytest.approx((1 + 2 / 3 + 3 / 5) / 3)


def test_average_precision_ties_are_one_threshold() -> None:
    # Two items tied at the top, one relevant: precision at that threshold 1/2, recall 1 -> AP 1/2,
    # whichever order the tie is listed in.
    assert average_precision([0.5, 0.5], [1, 0]) == pytest.approx(0.5)
    assert average_precision([0.5, 0.5], [0, 1]) == pytest.approx(0.5)


def test_average_precision_edge_cases() -> None:
    assert average_precision([0.1, 0.9], [1, 1]) == 1.0
    assert average_precision([0.3, 0.2], [0, 0]) == 0.0
    with pytest.raises(ValueError):
        average_precision([0.1], [1, 0])


def test_expected_in_top_breaks_ties_in_expectation() -> None:
    """A 0/1 baseline is neither flattered nor punished by storage order at the cut."""
    from lantern.evaluate.metrics import expected_in_top

    scores = [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    flags = [True, False, True, False, False, False]
    assert expected_in_top(scores, flags, k=2) == 1.0
    assert expected_in_top(scores, flags, k=4) == 1.0 + 2 * (1 / 4)
    assert expected_in_top(scores, flags, k=10) == 2.0
