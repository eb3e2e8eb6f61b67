"""``lantern stats``: what the store holds, at a glance."""

from __future__ import annotations

import typer
from rich.table import Table

from lantern.commands.common import console, database_from
from lantern.store.queries import counts


def _table(title: str, rows: dict) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name, value in rows.items():
        table.add_row(str(name), f"{value:,}" if isinstance(value, int) else str(value))
    return table


def stats(ctx: typer.Context) -> None:
    """Counts of records, revisions, images, identifiers, networks and quarantined input."""
    settings, engine = database_from(ctx)
    with engine.connect() as connection:
        figures = counts(connection)
    console.print(f"[bold]Lantern store[/] {settings.database_url}")
    overview = {
        "records": figures["records"],
        "revisions": figures["revisions"],
        "images (distinct)": figures["images"],
        "image uses": figures["image_uses"],
        "networks": figures["networks"],
        "quarantined": figures["quarantined"],
        "posted from": figures["posted_from"] or "-",
        "posted to": figures["posted_to"] or "-",
    }
    console.print(_table("Overview", overview))
    if figures["by_source"]:
        console.print(_table("Records by source", figures["by_source"]))
    if figures["by_kind"]:
        console.print(_table("Records by kind", figures["by_kind"]))
    if figures["entities"]:
        console.print(_table("Distinct identifiers", figures["entities"]))
    if figures["quarantine_reasons"]:
        console.print(_table("Quarantined by field", figures["quarantine_reasons"]))
    run = figures["last_run"]
    if run:
        console.print(
            f"last ingest #{run['id']} ({run['status']}, started {run['started_at']:%Y-%m-%d %H:%M}): "
            f"read {run['read']}: stored {run['stored']}, revised {run['revised']}, "
            f"unchanged {run['unchanged']}, quarantined {run['quarantined']}",
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    app.command()(stats)
