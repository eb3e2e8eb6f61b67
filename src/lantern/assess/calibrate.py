"""Calibration: fit rule weights from investigators' labelled outcomes with a logistic model.

Without labels the documented expert priors stand (INDICATORS.md §7) and every output says so. With
labels (JSONL of ``{"source", "id", "label": 0|1, "target": "trafficking"|"minor"}``), a logistic
regression over "rule fired" features fits one weight per rule and the bias; stratified k-fold
cross-validation reports average precision and ROC AUC per fold, so an agency sees how much to trust
the fit before adopting it. The fitted weights are written as an ordinary override file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from lantern.assess.catalogue import Catalogue


@dataclass
class Calibration:
    """The fit for one target: weights per rule id, bias, and cross-validated metrics."""

    target: str
    bias: float
    weights: dict[str, float]
    folds: list[dict[str, float]] = field(default_factory=list)
    average_precision: float = 0.0
    roc_auc: float = 0.0
    n: int = 0
    positives: int = 0


def read_labels(path: Path) -> list[dict[str, Any]]:
    """Labels from JSONL; malformed lines are an error naming the line (labels are precious)."""
    labels = []
    for number, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        item = orjson.loads(line)
        if item.get("label") not in (0, 1) or item.get("target") not in ("trafficking", "minor"):
            raise ValueError(f"{path}:{number}: need label 0|1 and target trafficking|minor")
        labels.append(item)
    return labels


def fit(features: list[set[str]], labels: list[int], target: str, rule_ids: list[str],
        folds: int = 5, seed: int = 0) -> Calibration:  # fmt: skip
    """Fit a logistic model on rule-fired indicators; cross-validate, then refit on everything."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    x = np.array([[1.0 if r in f else 0.0 for r in rule_ids] for f in features])
    y = np.array(labels)
    result = Calibration(target, 0.0, {}, n=len(y), positives=int(y.sum()))
    if len(set(labels)) < 2:
        raise ValueError(f"{target}: labels need both outcomes (0 and 1)")
    k = max(2, min(folds, int(y.sum()), int(len(y) - y.sum())))
    predicted = np.zeros(len(y))
    for index, (train, test) in enumerate(StratifiedKFold(k, shuffle=True, random_state=seed).split(x, y)):
        model = LogisticRegression(C=1.0, max_iter=1000).fit(x[train], y[train])
        p = model.predict_proba(x[test])[:, 1]
        predicted[test] = p
        fold = {
            "fold": index,
            "n": len(test),
            "average_precision": float(average_precision_score(y[test], p)),
        }
        fold["roc_auc"] = float(roc_auc_score(y[test], p)) if len(set(y[test])) > 1 else float("nan")
        result.folds.append(fold)
    result.average_precision = float(average_precision_score(y, predicted))
    result.roc_auc = float(roc_auc_score(y, predicted))
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    result.bias = float(model.intercept_[0])
    result.weights = {r: round(float(w), 4) for r, w in zip(rule_ids, model.coef_[0], strict=True)}
    return result


def override_toml(catalogue: Catalogue, fits: list[Calibration]) -> str:
    """An override file carrying the fitted weights (rules that never fired keep their priors)."""
    lines = [
        "# Fitted by `lantern calibrate` from labelled outcomes; an override of the shipped catalogue.",
        f'version = "{catalogue.version}+calibrated"',
        "calibrated = true",
        "",
        "[scoring]",
    ]
    for cal in fits:
        lines.append(f"{cal.target}_bias = {cal.bias:.4f}")
    lines.append("")
    scores = {r.id: r.score for r in catalogue.rules}
    for cal in fits:
        lines.append(f"# {cal.target}: n={cal.n}, positives={cal.positives}, cross-validated AP="
                     f"{cal.average_precision:.3f}, ROC AUC={cal.roc_auc:.3f}")  # fmt: skip
        for rule_id, weight in cal.weights.items():
            if scores.get(rule_id) != cal.target:
                continue
            lines += ["[[rules]]", f'id = "{rule_id}"', f"weight = {weight}", ""]
    return "\n".join(lines) + "\n"
