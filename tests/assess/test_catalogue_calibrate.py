"""Override files change weights and add rules; calibration recovers weight signs and writes an override."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from lantern.assess import Assessor, load_catalogue
from lantern.assess.calibrate import fit, override_toml
from lantern.records import InputRecord, empty_extraction

OVERRIDE = """
version = "agency-test"
[sources]
AGENCY = "Example agency field guide (fictional)"

[[rules]]
id = "T01"
weight = 0.5

[[rules]]
id = "X01"
name = "Agency phrase"
category = "agency"
tier = "C"
direction = "up"
score = "trafficking"
weight = 1.25
kind = "text"
patterns = ['\\bblue\\s+lantern\\s+special\\b']
keywords = ["lantern"]
explanation = "Agency-listed phrase (\\"{text}\\")."
sources = ["AGENCY"]
"""


def fired(assessor: Assessor, body: str) -> dict[str, float]:
    extracted = empty_extraction()
    assessor.assess_record(InputRecord.model_validate({"id": "1", "source": "t", "body": body}), extracted)
    return {i["id"]: i["weight"] for i in extracted["indicators"]}


def test_override_changes_weight_and_adds_rule(tmp_path: Path) -> None:
    path = tmp_path / "agency.toml"
    path.write_text(OVERRIDE, encoding="utf-8")
    shipped = Assessor.load(use_env=False)
    agency = Assessor.load(path)
    body = "No games. Ask about the blue lantern special."
    assert fired(shipped, body) == {"T01": 2.0}
    assert fired(agency, body) == {"T01": 0.5, "X01": 1.25}
    assert agency.catalogue_info.version == "agency-test"


def test_override_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "agency.toml"
    path.write_text(OVERRIDE, encoding="utf-8")
    monkeypatch.setenv("LANTERN_INDICATORS", str(path))
    assert "X01" in {r.id for r in Assessor.load().catalogue}


def test_bad_override_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[rules]]\nid = "T01"\nweight = "heavy"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="T01"):
        load_catalogue(path)


def test_calibration_recovers_signs_and_writes_override(tmp_path: Path) -> None:
    rng = random.Random(5)
    features, labels = [], []
    for _ in range(400):
        fired_ids = {r for r, p in (("T01", 0.5), ("T05", 0.5), ("T16", 0.5)) if rng.random() < p}
        logit = -0.5 + 2.0 * ("T01" in fired_ids) - 2.0 * ("T05" in fired_ids)
        labels.append(int(rng.random() < 1 / (1 + 2.718281828**-logit)))
        features.append(fired_ids)
    result = fit(features, labels, "trafficking", ["T01", "T05", "T16"], folds=4)
    assert result.weights["T01"] > 0.5 and result.weights["T05"] < -0.5
    assert abs(result.weights["T16"]) < 0.6
    assert len(result.folds) == 4 and 0.5 < result.roc_auc <= 1.0
    catalogue = load_catalogue(use_env=False)
    out = tmp_path / "calibrated.toml"
    out.write_text(override_toml(catalogue, [result]), encoding="utf-8")
    calibrated = load_catalogue(out)
    assert calibrated.calibrated
    assert calibrated.by_id()["T01"].weight == result.weights["T01"]
    assert calibrated.scoring["trafficking_bias"] == pytest.approx(result.bias, abs=1e-3)
