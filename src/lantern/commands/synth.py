"""The ``lantern synth`` verb: write a synthetic world with ground truth for demos and evaluation."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lantern.synth import generate, load_config


def register(app: typer.Typer) -> None:
    """Add the ``synth`` command to ``app``; cli.py calls this so each verb lives in its own module."""

    @app.command("synth")
    def synth(
        ads: int = typer.Option(1000, "--ads", min=0, help="Number of records (ads and posts) to write."),
        seed: int = typer.Option(
            0, "--seed", help="Random seed; the same seed and size give identical files."
        ),
        out: Path = typer.Option(..., "--out", help="Folder for records.jsonl, _truth.jsonl, _world.json."),
        images: bool = typer.Option(
            False, "--images", help="Also write small abstract images into OUT/images."
        ),
        config: Path | None = typer.Option(
            None,
            "--config",
            exists=True,
            dir_okay=False,
            help="TOML file overriding the world's proportions.",
        ),
    ) -> None:
        """Generate a fictional corpus of ads and posts with exact ground truth (docs/synthetic-world.md)."""
        console = Console(stderr=True)
        try:
            world_config = load_config(config)
        except (ValueError, OSError) as error:
            console.print(f"[red]bad --config:[/red] {error}")
            raise typer.Exit(2) from error
        with Progress(
            TextColumn("synth"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("records", total=ads)
            summary = generate(
                out,
                ads,
                seed=seed,
                config=world_config,
                images=images,
                progress=lambda done: progress.update(task, completed=done),
            )
        typer.echo(
            f"wrote {summary['records']} records ({summary['ads']} ads, {summary['posts']} posts) from "
            f"{summary['operators']} operators and {summary['independent_providers']} independents, "
            f"{summary['minors']} minors, {summary['image_files']} images to {out} in {summary['seconds']}s"
        )
