"""``lantern users|tokens|agencies|audit|retention``: accounts, API tokens, the audit log, retention.

Whoever can run these verbs can already open the database, so they act as a trusted administrator;
every change they make is still audited, with ``via: cli`` and the operating-system user.
Passwords are read from a hidden prompt or, with ``--password-stdin``, from one line of stdin (for
scripts), never from the command line where ``ps`` and shell history would show them.
"""

from __future__ import annotations

import getpass
import sys
from datetime import timedelta
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from lantern.commands.common import console, database_from, errors
from lantern.security import accounts, audit, passwords, retention, roles, tokens
from lantern.security.clock import utcnow

users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens for scripts.", no_args_is_help=True)
agencies_app = typer.Typer(help="Manage agencies.", no_args_is_help=True)
audit_app = typer.Typer(help="Read and verify the tamper-evident audit log.", no_args_is_help=True)
retention_app = typer.Typer(help="Expire records not attached to a case.", no_args_is_help=True)

ADMIN_AGENCY = "Administrators"


def _actor() -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "unknown"
    return {"via": "cli", "os_user": user}


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"error: {message}", markup=False)
    return typer.Exit(code)


def _read_password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


def _cell(value: Any) -> Text:
    # Text, not str: rich would otherwise read [brackets] in names and logged queries as markup.
    return Text("" if value is None else str(value))


# --- users --------------------------------------------------------------------------------------


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name (letters, digits, . _ @ -; case-insensitive)."),
    agency: str = typer.Option(None, "--agency", help="Agency name (must exist unless --admin)."),
    role: str = typer.Option("investigator", "--role", help=f"One of {', '.join(roles.ROLES)}."),
    admin: bool = typer.Option(
        False, "--admin", help="Make an administrator (creates the agency if needed)."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create a user. The first administrator is created with ``lantern users add NAME --admin``."""
    _settings, engine = database_from(ctx)
    if admin:
        role, agency = "admin", agency or ADMIN_AGENCY
    if not agency:
        raise _fail("--agency is required (or --admin)")
    try:
        roles.check_role(role)
        with engine.connect() as connection:
            agency_id = accounts.agency_id_by_name(connection, agency)
        if agency_id is None:
            if not admin:
                raise _fail(f"no agency {agency!r}; create it with `lantern agencies add`")
            agency_id = accounts.create_agency(engine, agency, actor=_actor())
        password = _read_password(password_stdin)
        user = accounts.create_user(
            engine, username, password, agency_id=agency_id, role=role, actor=_actor()
        )
    except (accounts.AccountError, passwords.PasswordPolicyError, ValueError) as error:
        raise _fail(str(error)) from None
    console.print(f"created {user.role} {user.username!r} in agency {user.agency!r}", markup=False)


@users_app.command("list")
def users_list(ctx: typer.Context, agency: str = typer.Option(None, "--agency")) -> None:
    """List users with their agency, role and state."""
    _settings, engine = database_from(ctx)
    now = utcnow()
    with engine.connect() as connection:
        agency_id = accounts.agency_id_by_name(connection, agency) if agency else None
        if agency and agency_id is None:
            raise _fail(f"no agency {agency!r}")
        rows = accounts.list_users(connection, agency_id)
    table = Table("username", "agency", "role", "state", "totp", "created")
    for user in rows:
        state = "disabled" if user.disabled else "active"
        if user.locked_until and user.locked_until > now:
            state += ", locked"
        if user.must_change_password:
            state += ", must change password"
        table.add_row(
            _cell(user.username),
            _cell(user.agency),
            _cell(user.role),
            _cell(state),
            _cell("yes" if user.totp_enabled else "no"),
            _cell(user.created_at.strftime("%Y-%m-%d")),
        )
    console.print(table)


def _set_disabled(ctx: typer.Context, username: str, disabled: bool) -> None:
    _settings, engine = database_from(ctx)
    try:
        user = accounts.set_disabled(engine, username, disabled, actor=_actor())
    except accounts.AccountError as error:
        raise _fail(str(error)) from None
    console.print(f"{user.username!r} is {'disabled' if disabled else 'enabled'}", markup=False)


@users_app.command("disable")
def users_disable(ctx: typer.Context, username: str) -> None:
    """Disable a user: every session ends now and their API tokens stop working."""
    _set_disabled(ctx, username, True)


@users_app.command("enable")
def users_enable(ctx: typer.Context, username: str) -> None:
    """Re-enable a disabled user."""
    _set_disabled(ctx, username, False)


@users_app.command("role")
def users_role(ctx: typer.Context, username: str, role: str) -> None:
    """Change a user's role (takes effect on their next request)."""
    _settings, engine = database_from(ctx)
    try:
        user = accounts.set_role(engine, username, role, actor=_actor())
    except (accounts.AccountError, ValueError) as error:
        raise _fail(str(error)) from None
    console.print(f"{user.username!r} is now {user.role}", markup=False)


@users_app.command("reset")
def users_reset(
    ctx: typer.Context,
    username: str,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the one-time password from stdin instead of generating one."
    ),
) -> None:
    """Reset a password: prints a one-time password; the user must choose a new one at sign-in.

    Also clears a lockout and ends the user's sessions. Hand the password over out of band.
    """
    _settings, engine = database_from(ctx)
    chosen = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        password = accounts.reset_password(engine, username, chosen, actor=_actor())
    except (accounts.AccountError, passwords.PasswordPolicyError) as error:
        raise _fail(str(error)) from None
    if chosen:
        console.print(f"password of {username!r} reset; it must be changed at next sign-in", markup=False)
    else:
        console.print(f"one-time password for {username!r} (must be changed at next sign-in):", markup=False)
        console.print(password, markup=False, highlight=False)


@users_app.command("totp")
def users_totp(
    ctx: typer.Context,
    username: str,
    remove: bool = typer.Option(False, "--remove", help="Remove the second factor (lost device)."),
) -> None:
    """Enrol a TOTP second factor and print the provisioning URI to scan (replaces an old one)."""
    _settings, engine = database_from(ctx)
    try:
        if remove:
            accounts.remove_totp(engine, username, actor=_actor())
            console.print(f"second factor removed from {username!r}", markup=False)
            return
        secret, uri = accounts.enrol_totp(engine, username, actor=_actor())
    except accounts.AccountError as error:
        raise _fail(str(error)) from None
    console.print("scan this URI in an authenticator app (shown once):", markup=False)
    console.print(uri, markup=False, highlight=False, soft_wrap=True)
    console.print(f"or enter the secret: {secret}", markup=False, highlight=False)


# --- tokens -------------------------------------------------------------------------------------


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The user the token acts as."),
    name: str = typer.Option(..., "--name", help="What the token is for."),
    scope: list[str] = typer.Option(
        ["read"], "--scope", help=f"Repeat for several: {', '.join(roles.SCOPES)}."
    ),
    expires_days: int = typer.Option(None, "--expires-days", min=1, help="Expire after N days."),
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        user = accounts.get_user(connection, username)
    if user is None:
        raise _fail(f"no user {username!r}")
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    try:
        token_id, token = tokens.create(engine, user.id, name, scope, expires_at=expires, actor=_actor())
    except ValueError as error:
        raise _fail(str(error)) from None
    console.print(
        f"token {token_id} for {user.username!r} (shown once; send as 'Authorization: Bearer ...'):",
        markup=False,
    )
    console.print(token, markup=False, highlight=False)


@tokens_app.command("list")
def tokens_list(ctx: typer.Context, user: str = typer.Option(None, "--user")) -> None:
    """List tokens (never their values)."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        owner = accounts.get_user(connection, user) if user else None
        if user and owner is None:
            raise _fail(f"no user {user!r}")
        rows = tokens.list_tokens(connection, owner.id if owner else None)
    table = Table("id", "user", "name", "scopes", "created", "last used", "state")
    for row in rows:
        state = "revoked" if row["revoked_at"] else "active"
        if row["expires_at"] and not row["revoked_at"]:
            state = f"expires {row['expires_at']:%Y-%m-%d}"
        table.add_row(
            _cell(row["id"]),
            _cell(row["username"]),
            _cell(row["name"]),
            _cell(",".join(row["scopes"])),
            _cell(f"{row['created_at']:%Y-%m-%d}"),
            _cell(f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never"),
            _cell(state),
        )
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(ctx: typer.Context, token_id: int) -> None:
    """Revoke a token by id (see ``tokens list``)."""
    _settings, engine = database_from(ctx)
    if not tokens.revoke(engine, token_id, actor=_actor()):
        raise _fail(f"no active token {token_id}")
    console.print(f"token {token_id} revoked")


# --- agencies -----------------------------------------------------------------------------------


@agencies_app.command("add")
def agencies_add(ctx: typer.Context, name: str) -> None:
    """Create an agency. Cases and watchlists belong to one agency and are invisible to the others."""
    _settings, engine = database_from(ctx)
    try:
        agency_id = accounts.create_agency(engine, name, actor=_actor())
    except accounts.AccountError as error:
        raise _fail(str(error)) from None
    console.print(f"agency {agency_id}: {name.strip()!r}", markup=False)


@agencies_app.command("list")
def agencies_list(ctx: typer.Context) -> None:
    """List agencies and how many users each has."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        rows = accounts.list_agencies(connection)
    table = Table("id", "name", "users", "created")
    for row in rows:
        table.add_row(
            _cell(row["id"]), _cell(row["name"]), _cell(row["users"]), _cell(f"{row['created_at']:%Y-%m-%d}")
        )
    console.print(table)


# --- audit --------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    anchor: str = typer.Option(None, "--anchor", help="ID:HASH from an earlier `lantern audit anchor`."),
) -> None:
    """Check the hash chain; exit 1 naming the first broken entry."""
    _settings, engine = database_from(ctx)
    try:
        with engine.connect() as connection:
            result = audit.verify(connection, anchor)
    except ValueError as error:
        raise _fail(str(error)) from None
    if not result.ok:
        errors.print(f"audit log BROKEN at entry {result.broken_id}: {result.reason}", markup=False)
        raise typer.Exit(1)
    message = f"audit log intact: {result.entries} entries"
    if result.last_id:
        message += f", newest {result.last_id}:{result.last_hash}"
    if anchor:
        message += "; anchor found unchanged"
    console.print(message, markup=False, highlight=False)


@audit_app.command("anchor")
def audit_anchor(ctx: typer.Context) -> None:
    """Print ID:HASH of the newest entry. Store it outside this database (it proves nothing kept here)."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        value = audit.anchor(connection)
    if value is None:
        raise _fail("the audit log is empty", 1)
    console.print(value, markup=False, highlight=False)


@audit_app.command("log")
def audit_show(
    ctx: typer.Context,
    agency: str = typer.Option(None, "--agency", help="Only this agency's entries."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
) -> None:
    """Show the newest entries, newest first: id, time (UTC), user, action, target, detail (JSON)."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        agency_id = accounts.agency_id_by_name(connection, agency) if agency else None
        if agency and agency_id is None:
            raise _fail(f"no agency {agency!r}")
        rows = audit.entries(connection, agency_id=agency_id, limit=limit)
    # One tab-separated line per entry (not a table): entries are long and the output is made to be grepped.
    for row in rows:
        user = row["username"] or ("-" if row["user_id"] is None else f"#{row['user_id']}")
        fields = [
            str(row["id"]),
            f"{row['at']:%Y-%m-%dT%H:%M:%SZ}",
            user,
            row["action"],
            row["target"] or "-",
        ]
        fields.append(audit.canonical_json(row["detail"]))
        console.print("\t".join(fields), markup=False, highlight=False, soft_wrap=True)


# --- retention ----------------------------------------------------------------------------------


@retention_app.command("apply")
def retention_apply(
    ctx: typer.Context,
    days: int = typer.Option(
        None, "--days", min=1, help="Retention period (default LANTERN_RETENTION_DAYS or 180)."
    ),
    execute: bool = typer.Option(False, "--execute", help="Really delete (default: dry run)."),
) -> None:
    """Purge records not seen for DAYS and not attached to a case (dry run unless --execute)."""
    settings, engine = database_from(ctx)
    try:
        report = retention.apply(engine, settings, days, execute=execute, actor=_actor())
    except ValueError as error:
        raise _fail(str(error)) from None
    verb = "purged" if execute else "would purge"
    console.print(
        f"{verb}: {report.records} records last seen before {report.cutoff:%Y-%m-%d %H:%M} UTC "
        f"({report.days} days), {report.revisions} revisions, {report.entities} entities, "
        f"{report.image_links} image links, {report.images} images, {report.quarantined} quarantined lines; "
        f"{report.held} expired records kept because a case holds them",
        markup=False,
        highlight=False,
    )
    for item in report.sample:
        console.print(
            f"  {item['source']} {item['record_id']} (last seen {item['last_seen']:%Y-%m-%d})",
            markup=False,
            highlight=False,
        )
    if report.records > len(report.sample):
        console.print(f"  … and {report.records - len(report.sample)} more", markup=False)
    if execute:
        console.print(
            f"removed {report.image_files} image files; audited as retention.purge. "
            "Networks are rebuilt by the next `lantern link` (now a full relink).",
            markup=False,
        )
    else:
        console.print("dry run: nothing deleted; add --execute to purge", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(agencies_app, name="agencies")
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")
