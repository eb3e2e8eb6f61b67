"""Metrics against ground truth (synthetic or hand-labelled), as pure functions."""

from lantern.evaluate.metrics import (
    PRF,
    align_labels,
    average_precision,
    bcubed_prf,
    canonical,
    extraction_prf,
    extraction_report,
    pairwise_prf,
    prf_from_counts,
)

__all__ = [
    "PRF",
    "align_labels",
    "average_precision",
    "bcubed_prf",
    "canonical",
    "extraction_prf",
    "extraction_report",
    "pairwise_prf",
    "prf_from_counts",
]
