"""``lantern triage [--minor] [--limit N]``: the ranked queue of records with the top reasons per item.

Leads, not verdicts (PRINCIPLES.md §1): each row shows the score and the rules that raised it, with the
text they matched, so an investigator can judge the lead. ``--minor`` ranks by the separate likely-minor
score (children first, §3).
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table
from sqlalchemy import select

from lantern.commands.common import console, database_from
from lantern.store.queries import RISK_ORDER
from lantern.store.schema import records

REASONS = 3


def top_reasons(indicators: list[dict[str, Any]], score: str, count: int = REASONS) -> list[dict[str, Any]]:
    """The strongest positive firings for one score, one per rule, strongest first."""
    best: dict[str, dict[str, Any]] = {}
    for item in indicators or []:
        if item.get("score", "trafficking") != score or float(item.get("weight", 0)) <= 0:
            continue
        if item["id"] not in best:
            best[item["id"]] = item
    return sorted(best.values(), key=lambda i: -float(i["weight"]))[:count]


def queue(connection: Any, *, minor: bool, limit: int) -> list[dict[str, Any]]:
    """Rows of the ranked queue: key, both scores, title and the top reasons."""
    # Newest first among equal scores, as the web queue: both orders are an index walked backwards.
    order = RISK_ORDER if minor else (records.c.trafficking_score.desc(), records.c.id.desc())
    column = records.c.minor_score if minor else records.c.trafficking_score
    query = (
        select(
            records.c.source,
            records.c.record_id,
            records.c.title,
            records.c.trafficking_score,
            records.c.minor_score,
            records.c.network_id,
            records.c.extracted,
        )
        .where(column > 0)
        .order_by(*order)
        .limit(limit)
    )
    rows = []
    for row in connection.execute(query):
        extracted = row.extracted or {}
        rows.append({
            "key": f"{row.source}:{row.record_id}",
            "title": row.title or "",
            "trafficking": float(row.trafficking_score),
            "minor": float(row.minor_score),
            "network": row.network_id,
            "reasons": top_reasons(extracted.get("indicators", []), "minor" if minor else "trafficking"),
        })  # fmt: skip
    return rows


def triage(
    ctx: typer.Context,
    minor: bool = typer.Option(False, "--minor", help="Rank by the likely-minor score instead."),
    limit: int = typer.Option(50, "--limit", min=1, max=100_000, help="How many records to show."),
) -> None:
    """The ranked queue with the top reasons per record. Leads for a human, never verdicts."""
    _, engine = database_from(ctx)
    with engine.connect() as connection:
        rows = queue(connection, minor=minor, limit=limit)
    title = "Likely-minor queue" if minor else "Trafficking-risk queue"
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("record")
    table.add_column("minor" if minor else "risk", justify="right")
    table.add_column("other", justify="right")
    table.add_column("top reasons")
    for rank, row in enumerate(rows, 1):
        main, other = (row["minor"], row["trafficking"]) if minor else (row["trafficking"], row["minor"])
        reasons = "\n".join(
            f"{r['id']} (+{float(r['weight']):g}): {r['explanation']}" for r in row["reasons"]
        )
        table.add_row(str(rank), row["key"], f"{main:.2f}", f"{other:.2f}", reasons or "-")
    console.print(table)
    if not rows:
        console.print("No scored records yet.")
    console.print("Scores are leads for human review, not findings. Weights: see `lantern calibrate`.")


def register(app: typer.Typer) -> None:
    app.command()(triage)
