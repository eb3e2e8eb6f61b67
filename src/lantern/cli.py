"""The ``lantern`` command. Each verb group lives in ``lantern.commands`` and registers itself here."""

from __future__ import annotations

import sys

import typer

from lantern.commands import (
    accounts,
    backup,
    calibrate,
    cases,
    common,
    config_db,
    crawl,
    csam,
    demo,
    evaluate,
    export,
    extract,
    ingest,
    link,
    serve,
    spark,
    stats,
    synth,
    triage,
    watch_alerts,
)

app = typer.Typer(
    name="lantern",
    help="Lantern: find and identify victims of trafficking in online ads and posts. Leads, not verdicts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: str = typer.Option(
        None, "--data-dir", envvar="LANTERN_DATA_DIR", help="Data folder (default ./lantern-data)."
    ),
    database_url: str = typer.Option(
        None, "--database-url", envvar="LANTERN_DATABASE_URL", help="SQLAlchemy URL (default SQLite)."
    ),
) -> None:
    ctx.obj = common.Options(data_dir=data_dir, database_url=database_url)


for module in (demo, accounts, ingest, extract, crawl, link, export, stats, triage, serve, synth, evaluate, calibrate,
               watch_alerts, csam, cases, spark, config_db, backup):  # fmt: skip
    module.register(app)


def main() -> None:
    """The ``lantern`` command: files it creates are its user's alone; a configuration or schema mistake
    is one line on stderr and exit status 2, not a traceback."""
    from lantern.config import ConfigError
    from lantern.files import owner_only
    from lantern.store.db import SchemaOutOfDate

    owner_only()
    try:
        app()
    except ConfigError as error:
        common.errors.print(f"lantern: configuration: {error}", markup=False)
        sys.exit(2)
    except SchemaOutOfDate as error:
        common.errors.print(f"lantern: {error}", markup=False)
        sys.exit(2)
