"""``lantern demo``: build a fictional world, run every stage over it and open the workspace.

It is the README's main-job command, so it must work from a fresh clone with nothing but the package:
the world is generated (no download), ingested into a fresh data folder, linked and scored, and then the
web app is served on 127.0.0.1.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from lantern.commands.common import Options, byte_progress, console, count_progress, errors
from lantern.config import load_settings
from lantern.ingest.pipeline import Ingestor
from lantern.networks.runner import run_link
from lantern.security.accounts import create_demo_account
from lantern.sources.files import expand_paths, input_size
from lantern.store.db import open_database
from lantern.synth import RECORDS_FILE, TRUTH_FILE, generate

MARKER = ".lantern-demo"


def _fresh_folder(folder: Path) -> None:
    """Empty ``folder`` if it is an earlier demo's; refuse to touch anything else."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            errors.print(f"error: {folder} holds data that is not a Lantern demo; choose another --data-dir")
            raise typer.Exit(2)
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("created by `lantern demo`; the whole folder is replaced by the next demo\n")


def demo(
    ctx: typer.Context,
    records: int = typer.Option(5000, "--records", min=10, help="How many fictional records to generate."),
    seed: int = typer.Option(1, "--seed", help="Seed of the synthetic world."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web app when the data is ready."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Generate a demo world (fictional, with images), ingest, link and score it, then serve the web app."""
    options: Options = ctx.obj or Options()
    folder = Path(options.data_dir or "./lantern-demo").resolve()
    _fresh_folder(folder)
    settings = load_settings(folder, options.database_url)
    world = folder / "world"

    with count_progress() as progress:
        task = progress.add_task("generate world", total=records)
        summary = generate(
            world,
            records,
            seed=seed,
            images=True,
            progress=lambda done: progress.update(task, completed=done),
        )
    console.print(
        f"world: {summary['records']:,} records from {summary['operators']} operators and "
        f"{summary['independent_providers']} independent providers ({summary['minors']} minors)"
    )

    engine = open_database(settings.database_url, upgrade=True)
    inputs, _skipped = expand_paths([str(world / RECORDS_FILE)])
    with byte_progress() as progress:
        task = progress.add_task("ingest", total=input_size(str(world / RECORDS_FILE)))
        ingestor = Ingestor(engine, settings, on_progress=lambda done: progress.advance(task, done))
        result = ingestor.run(inputs)
    console.print(f"ingest: {result.line()}")
    with count_progress() as progress:
        task = progress.add_task("link", total=result.stored)
        linked = run_link(
            engine, settings, full=True, on_progress=lambda done, total: progress.update(task, completed=done)
        )
    console.print(f"link: {linked.line()}")
    username, password = create_demo_account(engine)
    where = (
        f"http://{host}:{port}/login" if serve else f"the sign-in page of `lantern --data-dir {folder} serve`"
    )
    console.print(
        f"demo sign-in: open {where} and sign in with username {username} and password {password} "
        "(a supervisor of a fictional agency; the password is shown only now)",
        markup=False,
        soft_wrap=True,
    )
    console.print(
        f"evaluate against ground truth: lantern --data-dir {folder} eval --truth {world / TRUTH_FILE}",
        soft_wrap=True,
    )
    if serve:
        from lantern.commands.serve import run_server

        run_server(settings, host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command()(demo)
