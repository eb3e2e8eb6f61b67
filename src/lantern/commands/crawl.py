"""``lantern crawl SITE_FILE`` and ``lantern watch``: collect from classified sites into the database."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from lantern.commands.common import database_from, errors, settings_from
from lantern.sources.sites import SiteConfigError, load_site


def _check_site(site_file: str) -> None:
    if not Path(site_file).is_file():
        errors.print(f"error: {site_file}: no such site file", markup=False)
        raise typer.Exit(2)
    try:
        load_site(site_file)
    except SiteConfigError as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from error


def crawl(
    ctx: typer.Context,
    site_file: str = typer.Argument(..., help="Site file (TOML) with site, pages, fields and crawl tables."),
    ingest: bool = typer.Option(True, "--ingest/--no-ingest", help="Ingest the records afterwards."),
    link: bool = typer.Option(
        True, "--link/--no-link", help="Link the new records into networks afterwards."
    ),
) -> None:
    """Crawl a classified site politely, keep every response in WARC, and ingest the ads found."""
    _check_site(site_file)
    from lantern.sources.crawl import crawl_site, ingest_run
    from lantern.sources.sites import configure

    settings = settings_from(ctx)
    outcome = crawl_site(site_file, settings)
    typer.echo(outcome.line())
    typer.echo(f"run folder: {outcome.run_dir}")
    if not ingest:
        return
    settings, engine = database_from(ctx)
    configure([settings.data_dir / "sites", site_file])
    summary = ingest_run(
        outcome.run_dir, engine, settings, on_problem=lambda line: errors.print(line, markup=False)
    )
    typer.echo(summary.line())
    if link and (summary.stored or summary.revised):
        from lantern.networks.runner import run_link

        typer.echo(run_link(engine, settings).line())
    if not outcome.finished:
        raise typer.Exit(1)


def watch(
    ctx: typer.Context,
    site_files: list[str] = typer.Argument(None, help="Site files to collect from."),
    interval: float = typer.Option(3600.0, "--interval", help="Seconds between cycles."),
    once: bool = typer.Option(False, "--once", help="Run one cycle per site and stop."),
    status: bool = typer.Option(False, "--status", help="Print the watch state (JSON) and exit."),
) -> None:
    """Collect continuously: crawl → ingest → link → alerts per site, resumable after a crash."""
    from lantern.sources.crawl import watch as watching

    if status:
        typer.echo(json.dumps(watching.read_state(settings_from(ctx)), indent=2))
        return
    if not site_files:
        errors.print("error: name at least one site file (or use --status)", markup=False)
        raise typer.Exit(2)
    for site_file in site_files:
        _check_site(site_file)
    settings, engine = database_from(ctx)
    from lantern.sources.sites import configure

    configure([settings.data_dir / "sites", *site_files])
    watching.watch(
        list(site_files),
        engine,
        settings,
        interval=interval,
        cycles=1 if once else None,
        say=lambda line: typer.echo(line),
    )


def register(app: typer.Typer) -> None:
    app.command()(crawl)
    app.command()(watch)
