"""``lantern config show`` and ``lantern db current|upgrade``: what the server will use, and its schema.

``config show`` prints every effective setting (after the arguments, ``LANTERN_*`` variables and the
``LANTERN_CONFIG`` file), secrets masked, so an operator can check a deployment before starting it.
``db upgrade`` is the one command that migrates an existing database; every other one refuses to run on an
out-of-date schema (``lantern.store.db.open_database``).
"""

from __future__ import annotations

import orjson
import typer

from lantern.commands.common import console, errors, settings_from
from lantern.config import shown_settings
from lantern.store.db import current_revision, head_revision, make_engine, open_database
from lantern.store.urls import masked_url

config_app = typer.Typer(help="Show the effective settings.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema: where it is, and upgrading it.", no_args_is_help=True)


@config_app.command("show")
def config_show(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object instead of name = value lines."),
) -> None:
    """Every setting as Lantern will use it (secrets masked)."""
    shown = shown_settings(settings_from(ctx))
    if as_json:
        typer.echo(orjson.dumps(shown, option=orjson.OPT_INDENT_2).decode())
        return
    for name, value in shown.items():
        typer.echo(f"{name} = {orjson.dumps(value).decode()}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """The schema revision the database is at, and the newest this Lantern knows (exit 1 when behind)."""
    settings = settings_from(ctx)
    engine = make_engine(settings.database_url)
    current, head = current_revision(engine), head_revision()
    engine.dispose()
    state = "current" if current == head else "out of date: run `lantern db upgrade`"
    console.print(f"{masked_url(settings.database_url)}: schema {current or '(none)'}, newest {head} ({state})",
                  markup=False, highlight=False)  # fmt: skip
    if current != head:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the database to the newest schema (take a `lantern backup` first)."""
    settings = settings_from(ctx)
    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    engine.dispose()
    open_database(settings.database_url, upgrade=True).dispose()
    after = head_revision()
    message = "already current" if before == after else f"upgraded {before or '(empty)'} -> {after}"
    errors.print(f"{masked_url(settings.database_url)}: {message}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
    app.add_typer(db_app, name="db")
