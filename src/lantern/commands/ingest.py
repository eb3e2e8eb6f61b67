"""``lantern ingest PATH...``: store records with their evidence, quarantining what cannot be read."""

from __future__ import annotations

from pathlib import Path

import typer

from lantern.commands.common import byte_progress, database_from, errors
from lantern.ingest.parallel import default_workers
from lantern.ingest.pipeline import Ingestor
from lantern.sources.files import expand_paths, input_size
from lantern.sources.formats import FORMATS
from lantern.sources.sites import SiteConfigError
from lantern.sources.sites import configure as configure_sites
from lantern.terminal import printable

PARALLEL_MIN_BYTES = 8_000_000
"""Below this (about 6,000 ads) starting worker processes costs more than it saves."""


def choose_workers(requested: int, configured: int, total_bytes: int | None) -> int:
    """The ``--workers`` option, else the setting, else one per core for a large input of known size."""
    if requested or configured:
        return requested or configured
    return default_workers() if total_bytes is not None and total_bytes >= PARALLEL_MIN_BYTES else 1


def ingest(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(
        ..., help="JSONL/CSV, WARC, Memex CDR or X/Mastodon JSON files (.gz too), folders (recursive), or -"
    ),
    csv_stdin: bool = typer.Option(False, "--csv", help="Read stdin as CSV instead of JSONL."),
    fmt: str = typer.Option(
        None,
        "--format",
        help="Read every input as jsonl, csv, warc, cdr, twitter or mastodon (default: by name and content).",
    ),
    sites: list[str] = typer.Option(
        None, "--sites", help="Site rules (TOML file or folder) for WARC/CDR pages, besides DATA_DIR/sites."
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero if any record was quarantined."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or per-record errors."),
    link: bool = typer.Option(
        True, "--link/--no-link", help="Link the new records into networks afterwards."
    ),
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        help="Processes that validate and extract records (0: LANTERN_INGEST_WORKERS, else one per core "
        f"when the inputs hold over {PARALLEL_MIN_BYTES // 1_000_000} MB, else 1).",
    ),
) -> None:
    """Ingest records: validate, preserve verbatim with SHA-256, extract, store and index them."""
    missing = [path for path in paths if path != "-" and not Path(path).exists()]
    if missing:
        errors.print(f"error: {printable(missing[0], 500)}: no such file or folder", markup=False)
        raise typer.Exit(2)
    if fmt is not None and fmt not in FORMATS:
        errors.print(f"error: --format must be one of {', '.join(FORMATS)}", markup=False)
        raise typer.Exit(2)
    settings, engine = database_from(ctx)
    try:
        configure_sites([settings.data_dir / "sites", *(sites or [])])
    except SiteConfigError as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from error
    inputs, skipped = expand_paths(paths)
    if csv_stdin:
        inputs = [(path, "csv" if path == "-" else kind) for path, kind in inputs]
    if fmt is not None:
        inputs = [(path, fmt) for path, _ in inputs]
    sizes = [input_size(path) for path, _ in inputs]
    total = None if None in sizes else sum(s or 0 for s in sizes)
    with byte_progress() as progress:
        if quiet:
            progress.stop()
        task = progress.add_task("ingest", total=total)

        def report(line: str) -> None:
            if not quiet:
                progress.console.print(line, markup=False, highlight=False)

        ingestor = Ingestor(
            engine,
            settings,
            on_problem=report,
            on_progress=lambda done: progress.advance(task, done),
            workers=choose_workers(workers, settings.ingest_workers, total),
        )
        summary = ingestor.run(inputs)
    if skipped:
        errors.print(
            f"skipped {len(skipped)} file(s) in folders that are not record files "
            f"(.jsonl, .ndjson, .csv, .warc, X/Mastodon .json) or whose names start with _ or ., "
            f"e.g. {printable(skipped[0], 500)}",
            markup=False,
        )
    typer.echo(summary.line())
    if link and (summary.stored or summary.revised):
        from lantern.networks.runner import run_link

        typer.echo(run_link(engine, settings).line())
    if strict and summary.quarantined:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
