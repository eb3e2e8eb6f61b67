"""``lantern watchlist add|list|remove`` and ``lantern alerts list|deliver``.

Whoever runs these can open the database, so they act as a trusted administrator (as ``lantern users``
does); additions and removals are still audited with ``via: cli``.
"""

from __future__ import annotations

import getpass
from typing import Any

import typer
from rich.text import Text

from lantern.commands.common import console, database_from, errors
from lantern.security.accounts import get_user
from lantern.watch import entries as watch_entries
from lantern.watch.deliver import deliver_due
from lantern.watch.inbox import list_alerts

watchlist_app = typer.Typer(
    help="Watch for phones, e-mails, handles, payments, images or searches.", no_args_is_help=True
)
alerts_app = typer.Typer(help="Read and deliver watchlist alerts.", no_args_is_help=True)


def cli_actor() -> dict[str, Any]:
    """Who ran the verb, for the audit log."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "unknown"
    return {"via": "cli", "os_user": user}


@watchlist_app.command("add")
def add(
    ctx: typer.Context,
    value: str = typer.Argument(
        ..., help="Phone, e-mail, handle, payment handle, image file or search words."
    ),
    agency: str = typer.Option(..., "--agency", help="Agency the entry belongs to."),
    owner: str = typer.Option(..., "--owner", help="User whose inbox receives the alerts."),
    kind: str = typer.Option(..., "--kind", help="phone|email|handle|payment|image|search"),
    deliver: str = typer.Option(
        None, "--deliver", help="email:ADDRESS or webhook:URL (default: inbox only)."
    ),
    digest: str = typer.Option("immediate", "--digest", help="immediate|hourly|daily"),
    label: str = typer.Option(None, "--label", help="A name for the entry shown in alerts."),
) -> None:
    """Add a watchlist entry; new ingests are matched against it from now on."""
    settings, engine = database_from(ctx)
    try:
        row = watch_entries.add_entry(
            engine, agency=agency, owner=owner, kind=kind, value=value, deliver=deliver, digest=digest,
            label=label, default_region=settings.default_region, actor=cli_actor(),
        )  # fmt: skip
    except watch_entries.WatchlistError as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from error
    console.print(Text(f"watchlist entry {row['id']}: {kind} {row['value']} ({digest})"))


@watchlist_app.command("list")
def list_(
    ctx: typer.Context, all_: bool = typer.Option(False, "--all", help="Include removed entries.")
) -> None:
    """List watchlist entries."""
    _, engine = database_from(ctx)
    console.print("id\towner\tkind\tvalue\tdeliver\tdigest\tactive", markup=False, soft_wrap=True)
    for row in watch_entries.list_entries(engine, active_only=not all_):
        fields = (row[k] for k in ("id", "owner", "kind", "value", "deliver", "digest", "active"))
        console.print(Text("\t".join("" if f is None else str(f) for f in fields)), soft_wrap=True)


@watchlist_app.command("remove")
def remove(ctx: typer.Context, entry_id: int = typer.Argument(..., help="Entry id.")) -> None:
    """Stop watching an entry (its alerts stay)."""
    _, engine = database_from(ctx)
    if not watch_entries.remove_entry(engine, entry_id, actor=cli_actor()):
        errors.print(f"error: no active watchlist entry {entry_id}", markup=False)
        raise typer.Exit(2)
    console.print(f"removed watchlist entry {entry_id}")


@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context,
    user: str = typer.Option(None, "--user", help="Only this user's inbox."),
    unread: bool = typer.Option(False, "--unread", help="Only unread alerts."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
) -> None:
    """List alerts, newest first."""
    _, engine = database_from(ctx)
    user_id = None
    if user:
        with engine.connect() as connection:
            found = get_user(connection, user)
        if found is None:
            errors.print(f"error: no user {user!r}", markup=False)
            raise typer.Exit(2)
        user_id = found.id
    # One tab-separated line per alert: readable, and greppable by scripts at any terminal width.
    console.print("id\towner\tentry\tmatched\trecord\tdelivery\tcreated", markup=False, soft_wrap=True)
    for row in list_alerts(engine, user_id=user_id, unread_only=unread, limit=limit):
        fields = (row["id"], row["owner"], f"{row['entry_id']}:{row['entry_kind']}", row["reason"].get("kind"),
                  f"{row['source']}/{row['record_id']}", row["delivery"], row["created_at"])  # fmt: skip
        console.print(Text("\t".join("" if f is None else str(f) for f in fields)), soft_wrap=True)


@alerts_app.command("deliver")
def alerts_deliver(ctx: typer.Context) -> None:
    """Send due alerts (immediate retries and hourly/daily digests); the watch loop runs this too."""
    settings, engine = database_from(ctx)
    report = deliver_due(engine, settings)
    console.print(report.line())
    for line in report.errors:
        errors.print(line, markup=False)
    if report.alerts_failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(watchlist_app, name="watchlist")
    app.add_typer(alerts_app, name="alerts")
