"""``lantern eval --truth FILE``: how well the stored extraction, linking and scores match ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer
from rich.table import Table

from lantern.commands.common import console, database_from, errors
from lantern.evaluate.ablation import link_ablation
from lantern.evaluate.store_eval import evaluate_store


def _prf_row(table: Table, name: str, figures: dict[str, float]) -> None:
    table.add_row(
        name,
        f"{figures['precision']:.3f}",
        f"{figures['recall']:.3f}",
        f"{figures['f1']:.3f}",
        f"{int(figures['tp']):,}" if figures.get("tp") else "",
    )


def _ranking_row(table: Table, name: str, figures: dict[str, Any], style: str = "") -> None:
    table.add_row(
        name,
        f"{figures['average_precision']:.3f}",
        f"{figures['precision_at_100']:.2f}",
        f"{figures['independents_in_top_100']:g}",
        f"{figures['positives']:,}",
        style=style or None,
    )


def render(report: dict[str, Any]) -> None:
    table = Table(title="Extraction and linking against ground truth", title_justify="left")
    for column in ("measure", "precision", "recall", "F1", "true positives"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for field, figures in report["extraction"].items():
        _prf_row(table, f"extract {field}", figures)
    _prf_row(table, "link pairwise", report["linking"]["pairwise"])
    _prf_row(table, "link B-cubed", report["linking"]["bcubed"])
    console.print(table)
    ranking = Table(title="Risk ranking (leads, not verdicts)", title_justify="left")
    for column in ("ranking", "average precision", "precision@100", "independents in top 100", "positives"):
        ranking.add_column(
            column, justify="left" if column == "ranking" else "right", no_wrap=column == "ranking"
        )
    for name in ("minor_risk", "trafficking_risk"):
        _ranking_row(ranking, name.replace("_", " "), report[name], style="bold")
        for label, figures in report.get("baselines", {}).get(name, {}).items():
            _ranking_row(ranking, f"  baseline: {label}", figures)
    console.print(ranking)
    linking = report["linking"]
    console.print(
        f"records scored {report['records_scored']:,} of {report['truth_records']:,} in the truth file; "
        f"networks predicted {linking['networks_predicted']:,}, true {linking['networks_true']:,}",
        soft_wrap=True,
    )


def render_ablation(rows: dict[str, dict[str, Any]]) -> None:
    table = Table(title="Linking ablation (relinked in memory; the store is unchanged)", title_justify="left")
    for column in (
        "evidence",
        "pairwise P",
        "pairwise R",
        "pairwise F1",
        "B-cubed P",
        "B-cubed R",
        "B-cubed F1",
    ):
        table.add_column(column, justify="left" if column == "evidence" else "right")
    for label, figures in rows.items():
        pair, cubed = figures["pairwise"], figures["bcubed"]
        table.add_row(
            label,
            *(f"{pair[k]:.3f}" for k in ("precision", "recall", "f1")),
            *(f"{cubed[k]:.3f}" for k in ("precision", "recall", "f1")),
        )
    console.print(table)


def evaluate(
    ctx: typer.Context,
    truth: Path = typer.Option(
        ..., "--truth", exists=True, dir_okay=False, help="_truth.jsonl from lantern synth"
    ),
    out: Path = typer.Option(
        None, "--out", help="Where to write the JSON report (default DATA_DIR/eval.json)."
    ),
    ablation: bool = typer.Option(
        False, "--ablation", help="Also relink in memory per evidence type, beside the phone-only baseline."
    ),
) -> None:
    """Score the store against a synthetic world's ground truth: extraction, linking, risk ranking."""
    settings, engine = database_from(ctx)
    with engine.connect() as connection:
        report = evaluate_store(connection, truth)
        if report["records_scored"] and ablation:
            report["link_ablation"] = link_ablation(connection, truth)
    if report["records_scored"] == 0:
        errors.print("error: no stored record matches the truth file; ingest the world first", markup=False)
        raise typer.Exit(1)
    render(report)
    if ablation:
        render_ablation(report["link_ablation"])
    target = out or settings.data_dir / "eval.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
    errors.print(f"wrote {target}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
