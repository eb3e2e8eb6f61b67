"""What every verb shares: the settings chosen on the command line, the consoles, progress bars."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from sqlalchemy import Engine

from lantern.config import Settings, load_settings
from lantern.store.db import open_database
from lantern.terminal import SafeConsole

console = SafeConsole()
errors = SafeConsole(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class Options:
    data_dir: str | None = None
    database_url: str | None = None


def settings_from(ctx: typer.Context) -> Settings:
    options: Options = ctx.obj or Options()
    return load_settings(options.data_dir, options.database_url)


def database_from(ctx: typer.Context) -> tuple[Settings, Engine]:
    settings = settings_from(ctx)
    return settings, open_database(settings.database_url)


def byte_progress(*, transient: bool = False) -> Progress:
    """A bar for reading files: the bytes read, the speed and the time left."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=transient,
    )


def count_progress(*, transient: bool = False) -> Progress:
    """A bar for work counted in items."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=transient,
    )


@contextmanager
def output_stream(path: str | None):
    """A text stream for ``-o FILE``, or stdout."""
    if path in (None, "-"):
        import sys

        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle
