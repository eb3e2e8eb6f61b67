"""``lantern backup OUT`` and ``lantern restore OUT`` (``lantern.backup``): copy an installation, bring it back."""

from __future__ import annotations

from pathlib import Path

import typer

from lantern.backup import BackupError, backup, restore
from lantern.commands.common import errors, settings_from
from lantern.commands.watch_alerts import cli_actor
from lantern.security import audit
from lantern.store.db import head_revision, open_database


def backup_command(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="A new or empty folder to write the backup into."),
) -> None:
    """A consistent copy of the store (SQLite online backup or pg_dump), the images, the linker's state
    and the rest of the data folder, with a manifest of SHA-256 hashes."""
    settings = settings_from(ctx)
    engine = open_database(settings.database_url)
    audit.record(engine, "backup.create", target=str(out.resolve()), detail=cli_actor())
    engine.dispose()
    try:
        summary = backup(settings, out.resolve())
    except BackupError as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from None
    errors.print(summary.line(), markup=False)
    errors.print("Keep the manifest's SHA-256 apart from the backup; `lantern restore` checks every file.")


def restore_command(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="A folder `lantern backup` wrote."),
) -> None:
    """Restore a backup into an empty data folder and an empty database (checks every hash first)."""
    settings = settings_from(ctx)
    try:
        manifest = restore(settings, folder.resolve())
    except BackupError as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from None
    errors.print(
        f"restored {len(manifest['files'])} files and the {manifest['database']} store (schema {manifest['schema']}, "
        f"backed up {manifest['created_at']}) into {settings.data_dir}",
        markup=False,
    )
    if manifest["schema"] != head_revision():
        errors.print(f"the schema is older than this Lantern's ({head_revision()}): run `lantern db upgrade`")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
