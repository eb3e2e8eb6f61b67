"""``lantern link``, ``explain``, ``networks``, ``network`` and ``hubs``: operator networks and why."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from lantern.commands.common import console, count_progress, database_from, errors
from lantern.networks.runner import current_result, run_link
from lantern.store.schema import networks, suppressed_hubs


def link(
    ctx: typer.Context,
    full: bool = typer.Option(
        False, "--full", help="Relink everything from scratch instead of only new records."
    ),
) -> None:
    """Link records into networks by shared contacts, near-duplicate images and template text."""
    settings, engine = database_from(ctx)
    with count_progress() as progress:
        task = progress.add_task("link", total=None)
        summary = run_link(
            engine,
            settings,
            full=full,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    typer.echo(summary.line())


def explain(
    ctx: typer.Context,
    first: str = typer.Argument(..., help="SOURCE:ID of one record"),
    second: str = typer.Argument(..., help="SOURCE:ID of another record"),
) -> None:
    """The chain of evidence that puts two records in the same network."""
    settings, _engine = database_from(ctx)
    result = current_result(settings)
    if result is None:
        errors.print("error: nothing is linked yet; run `lantern link` first", markup=False)
        raise typer.Exit(1)
    for key in (first, second):
        try:
            result.network_of(key)
        except KeyError:
            errors.print(f"error: {key} is not a linked record (expected SOURCE:ID)", markup=False)
            raise typer.Exit(1) from None
    hops = result.explain(first, second)
    if hops is None:
        typer.echo(f"{first} and {second} are in different networks: no evidence joins them.")
        raise typer.Exit(1)
    typer.echo(f"{first} and {second} are both in network {result.network_of(first)}:")
    for hop in hops:
        typer.echo(f"  {hop}")


def list_networks(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", min=1),
    sort: str = typer.Option("minor", "--sort", help="minor, trafficking or size"),
) -> None:
    """Networks of two or more records, likely minors first."""
    _settings, engine = database_from(ctx)
    order = {
        "minor": (networks.c.minor_score.desc(), networks.c.trafficking_score.desc()),
        "trafficking": (networks.c.trafficking_score.desc(),),
        "size": (networks.c.size.desc(),),
    }.get(sort)
    if order is None:
        errors.print("error: --sort takes minor, trafficking or size", markup=False)
        raise typer.Exit(2)
    with engine.connect() as connection:
        rows = (
            connection.execute(select(networks).order_by(*order, networks.c.id).limit(limit)).mappings().all()
        )
    table = Table(title="Networks (leads, not verdicts)", title_justify="left")
    for column in (
        "network",
        "records",
        "minor",
        "trafficking",
        "first seen",
        "last seen",
        "cities",
        "phones",
    ):
        table.add_column(column)
    for row in rows:
        summary = row["summary"]
        table.add_row(
            row["id"],
            str(row["size"]),
            f"{row['minor_score']:.2f}",
            f"{row['trafficking_score']:.2f}",
            (row["first_seen"] or "")[:10],
            (row["last_seen"] or "")[:10],
            str(len(summary.get("itinerary", []))),
            str(len(summary.get("phones", []))),
        )
    console.print(table)


def show_network(
    ctx: typer.Context, network_id: str = typer.Argument(..., help="a network id (N-…)")
) -> None:
    """One network: contacts, personas, sites, the city itinerary and the indicators that fired."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        row = connection.execute(select(networks).where(networks.c.id == network_id)).mappings().first()
    if row is None:
        errors.print(f"error: no network {network_id} of two or more records", markup=False)
        raise typer.Exit(1)
    summary = row["summary"]
    console.print(
        f"[bold]{row['id']}[/]: {row['size']} records, {summary['first_seen']} to {summary['last_seen']}"
    )
    console.print(
        f"scores (leads, not verdicts): minor {row['minor_score']:.2f}, trafficking {row['trafficking_score']:.2f}"
    )
    for label in ("phones", "emails", "handles", "payments", "names", "sites", "templates"):
        values = summary.get(label) or []
        if values:
            console.print(
                f"{label}: " + ", ".join(values[:30]) + (" …" if len(values) > 30 else ""), markup=False
            )
    itinerary = Table(title="Itinerary", title_justify="left")
    for column in ("city", "first seen", "last seen", "records"):
        itinerary.add_column(column)
    for stop in summary.get("itinerary", []):
        itinerary.add_row(
            stop["city"],
            (stop["first_seen"] or "")[:16],
            (stop["last_seen"] or "")[:16],
            str(stop["records"]),
        )
    console.print(itinerary)
    for indicator in row["indicators"]:
        console.print(
            f"{indicator['id']} ({indicator['weight']:+g}): {indicator['explanation']}", markup=False
        )


def hubs(ctx: typer.Context, limit: int = typer.Option(50, "--limit", min=1)) -> None:
    """Identifiers and images the linker refused to link through (site boilerplate, stock photos)."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        rows = connection.execute(
            select(suppressed_hubs).order_by(suppressed_hubs.c.records.desc()).limit(limit)
        ).all()
    if not rows:
        typer.echo("no suppressed hubs")
    for row in rows:
        typer.echo(row.description)


def register(app: typer.Typer) -> None:
    app.command()(link)
    app.command()(explain)
    app.command("networks")(list_networks)
    app.command("network")(show_network)
    app.command()(hubs)
