"""``lantern spark extract|link|load``: the batch pipeline on Apache Spark (local mode by default).

Spark is imported only when a verb runs, so the rest of the CLI starts as fast as before and works
without Java.
"""

from __future__ import annotations

import shutil

import typer

from lantern.commands.common import database_from, errors, settings_from

spark_app = typer.Typer(
    name="spark",
    help="Extract and link large corpora with PySpark (local mode unless --master), then load the result.",
    no_args_is_help=True,
)

MASTER = typer.Option(
    None, "--master", envvar="LANTERN_SPARK_MASTER", help="Spark master (default local[*])."
)


def _session(master: str | None):
    if shutil.which("java") is None and not __import__("os").environ.get("JAVA_HOME"):
        errors.print("error: Spark needs Java 17+ (no `java` on PATH and no JAVA_HOME)", markup=False)
        raise typer.Exit(2)
    from lantern.spark.session import get_session

    return get_session(master)


@spark_app.command("extract")
def extract(
    ctx: typer.Context,
    inputs: list[str] = typer.Argument(..., help="JSONL (.jsonl, .gz) or Parquet files/folders of records."),
    output: str = typer.Option(..., "-o", "--output", help="Parquet folder to write (replaced)."),
    master: str = MASTER,
) -> None:
    """Run the same extraction, per-ad assessment and image fingerprinting as ingest, in parallel."""
    from lantern.ingest.reader import ReaderConfig
    from lantern.spark.extract import run_extract

    settings = settings_from(ctx)
    counts = run_extract(_session(master), inputs, output, ReaderConfig.from_settings(settings))
    typer.echo(
        f"read {counts['read']}: extracted {counts['extracted']}, refused {counts['refused']} -> {output}"
    )


@spark_app.command("link")
def link(
    extracted: str = typer.Argument(..., help="Parquet written by `lantern spark extract`."),
    output: str = typer.Option(
        ..., "-o", "--output", help="Parquet folder of network ids to write (replaced)."
    ),
    evidence: str = typer.Option(
        "contacts",
        "--evidence",
        help="phones | contacts | images (+ exact and near-duplicate images) | all (+ near-duplicate text).",
    ),
    master: str = MASTER,
) -> None:
    """Link records that share evidence into networks, as one full run of the local linker would."""
    from lantern.spark.link import EVIDENCE_LEVELS, run_link

    if evidence not in EVIDENCE_LEVELS:
        errors.print(f"error: --evidence must be one of {', '.join(EVIDENCE_LEVELS)}", markup=False)
        raise typer.Exit(2)
    try:
        summary = run_link(_session(master), extracted, output, evidence=evidence)
    except ValueError as error:  # e.g. Parquet from an older extract job without the text column
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from None
    typer.echo(summary.line())


@spark_app.command("load")
def load(
    ctx: typer.Context,
    networks: str = typer.Argument(..., help="Parquet written by `lantern spark link`."),
    database_url: str = typer.Option(
        None, "--database-url", help="SQLAlchemy URL of the store (default: the global option/settings)."
    ),
) -> None:
    """Write each record's network id into the store (records must already be ingested)."""
    from lantern.spark.load import load_networks
    from lantern.store.db import open_database

    if database_url:
        engine = open_database(database_url)
    else:
        _settings, engine = database_from(ctx)
    typer.echo(load_networks(engine, networks).line())


def register(app: typer.Typer) -> None:
    app.add_typer(spark_app, name="spark")
