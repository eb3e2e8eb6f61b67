"""``lantern calibrate LABELS [--out FILE]``: fit indicator weights from labelled outcomes.

Reads the stored records' indicators, joins them with the labels by source and id, fits a logistic
model per target with cross-validation, prints the metrics and writes the fitted weights as an override
file (use it with LANTERN_INDICATORS). Without labels the expert priors stand.
"""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select, tuple_

from lantern.assess.calibrate import fit, override_toml, read_labels
from lantern.assess.catalogue import load_catalogue
from lantern.commands.common import console, database_from, errors
from lantern.store.schema import records


def calibrate(
    ctx: typer.Context,
    labels: Path = typer.Argument(..., help="JSONL of {source, id, label: 0|1, target: trafficking|minor}."),
    out: Path = typer.Option(Path("indicators.calibrated.toml"), "--out", help="Override file to write."),
    folds: int = typer.Option(5, "--folds", min=2, max=20, help="Cross-validation folds."),
) -> None:
    """Fit rule weights from investigators' labels and write them as an override file."""
    if not labels.is_file():
        errors.print(f"error: {labels}: no such file", markup=False)
        raise typer.Exit(2)
    items = read_labels(labels)
    catalogue = load_catalogue()
    if not items:
        console.print("No labels: the documented expert priors stand (catalogue not calibrated).")
        raise typer.Exit(0)
    _, engine = database_from(ctx)
    fired: dict[tuple[str, str], set[str]] = {}
    keys = list({(i["source"], str(i["id"])) for i in items})
    with engine.connect() as connection:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            query = select(records.c.source, records.c.record_id, records.c.extracted).where(
                tuple_(records.c.source, records.c.record_id).in_(chunk)
            )
            for row in connection.execute(query):
                indicators = (row.extracted or {}).get("indicators", [])
                fired[(row.source, row.record_id)] = {i["id"] for i in indicators}
    fits = []
    for target in ("trafficking", "minor"):
        chosen = [i for i in items if i["target"] == target and (i["source"], str(i["id"])) in fired]
        if not chosen:
            continue
        rule_ids = [r.id for r in catalogue.rules if r.score == target]
        try:
            result = fit([fired[(i["source"], str(i["id"]))] for i in chosen], [int(i["label"]) for i in chosen],
                         target, rule_ids, folds=folds)  # fmt: skip
        except ValueError as error:
            errors.print(f"{target}: {error}; expert priors kept", markup=False)
            continue
        fits.append(result)
        console.print(f"[bold]{target}[/]: n={result.n} positives={result.positives} "
                      f"AP={result.average_precision:.3f} ROC AUC={result.roc_auc:.3f}")  # fmt: skip
        for fold in result.folds:
            console.print(f"  fold {fold['fold']}: n={fold['n']} AP={fold['average_precision']:.3f} "
                          f"ROC AUC={fold['roc_auc']:.3f}")  # fmt: skip
    missing = len(items) - sum(f.n for f in fits)
    if missing:
        console.print(f"{missing} labels had no stored record or no usable target and were skipped.")
    if not fits:
        console.print("Nothing could be fitted: the documented expert priors stand.")
        raise typer.Exit(1)
    out.write_text(override_toml(catalogue, fits), encoding="utf-8")
    console.print(f"wrote {out}; use it with LANTERN_INDICATORS={out}")


def register(app: typer.Typer) -> None:
    app.command()(calibrate)
