"""``lantern cases create|list|show|attach|note|status|assign|feedback|labels|export``.

The acting user is named with ``--user`` (the audit log records it, with ``via: cli``); as with
``lantern users``, whoever can run these verbs can already open the database.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.text import Text
from sqlalchemy import Engine

from lantern.cases import service
from lantern.commands.common import console, database_from, errors
from lantern.commands.watch_alerts import cli_actor
from lantern.evidence.bundle import export_case
from lantern.instants import format_instant
from lantern.networks.runner import current_result
from lantern.security.accounts import User, agency_id_by_name, get_user

cases_app = typer.Typer(
    help="Cases: records, networks, notes, feedback and evidence export.", no_args_is_help=True
)


def _fail(message: str) -> typer.Exit:
    errors.print(f"error: {message}", markup=False)
    return typer.Exit(2)


def _user(engine: Engine, username: str | None) -> User | None:
    if not username:
        return None
    with engine.connect() as connection:
        user = get_user(connection, username)
    if user is None:
        raise _fail(f"no user {username!r}")
    return user


def _uid(user: User | None) -> int | None:
    return user.id if user else None


def _line(*fields: object) -> None:
    console.print(Text("\t".join("" if f is None else str(f) for f in fields)), soft_wrap=True)


@cases_app.command("create")
def create(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="Case title."),
    agency: str = typer.Option(..., "--agency", help="Agency that owns the case."),
    user: str = typer.Option(None, "--user", help="Acting user (becomes the assignee)."),
) -> None:
    """Open a case."""
    _, engine = database_from(ctx)
    acting = _user(engine, user)
    with engine.connect() as connection:
        agency_id = agency_id_by_name(connection, agency)
    if agency_id is None:
        raise _fail(f"no agency {agency!r}")
    case_id = service.create_case(
        engine, agency_id=agency_id, title=title, user_id=_uid(acting), actor=cli_actor()
    )
    console.print(f"case {case_id} created")


@cases_app.command("list")
def list_(ctx: typer.Context, agency: str = typer.Option(None, "--agency")) -> None:
    """List cases."""
    _, engine = database_from(ctx)
    agency_id = None
    if agency:
        with engine.connect() as connection:
            agency_id = agency_id_by_name(connection, agency)
    _line("id", "status", "assignee", "title")
    for row in service.list_cases(engine, agency_id=agency_id):
        _line(row["id"], row["status"], row["assignee"], row["title"])


@cases_app.command("show")
def show(
    ctx: typer.Context, case_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Show a case with its records, networks, notes and feedback."""
    _, engine = database_from(ctx)
    try:
        case = service.get_case(engine, case_id)
    except service.CaseError as error:
        raise _fail(str(error)) from error
    if as_json:
        console.print_json(json.dumps(case, default=str))
        return
    _line(f"case {case['id']}", case["status"], case["title"])
    for row in case["records"]:
        posted = format_instant(row["posted_at"], row["posted_at_offset"])
        _line("record", row["id"], f"{row['source']}/{row['record_id']}", posted, row["location"])
    for row in case["networks"]:
        _line("network", row["network_id"], row["size"])
    for row in case["notes"]:
        _line("note", row["created_at"], row["username"], row["body"])
    for row in case["feedback"]:
        _line("feedback", row["kind"], row["field"] or row["rule_id"] or row["target"], row["verdict"],
              f"{row['source']}/{row['record_id']}")  # fmt: skip


@cases_app.command("attach")
def attach(
    ctx: typer.Context,
    case_id: int = typer.Argument(...),
    records: list[str] = typer.Option(None, "--record", help="Record PK or SOURCE/ID (repeatable)."),
    networks: list[str] = typer.Option(None, "--network", help="Network id (repeatable)."),
    user: str = typer.Option(None, "--user"),
) -> None:
    """Attach records and networks (their records are held from retention)."""
    _, engine = database_from(ctx)
    acting = _user(engine, user)
    try:
        if records:
            service.attach_records(engine, case_id, records, user_id=_uid(acting))
        for network in networks or []:
            service.attach_network(engine, case_id, network, user_id=_uid(acting))
    except service.CaseError as error:
        raise _fail(str(error)) from error
    console.print(f"case {case_id}: attached {len(records or [])} records, {len(networks or [])} networks")


@cases_app.command("note")
def note(ctx: typer.Context, case_id: int = typer.Argument(...), body: str = typer.Argument(...),
         user: str = typer.Option(None, "--user")) -> None:  # fmt: skip
    """Add a note."""
    _, engine = database_from(ctx)
    try:
        service.add_note(engine, case_id, body, user_id=_uid(_user(engine, user)))
    except service.CaseError as error:
        raise _fail(str(error)) from error
    console.print(f"case {case_id}: note added")


@cases_app.command("status")
def status(ctx: typer.Context, case_id: int = typer.Argument(...), new: str = typer.Argument(..., help="open|active|referred|closed"),
           user: str = typer.Option(None, "--user")) -> None:  # fmt: skip
    """Change a case's status."""
    _, engine = database_from(ctx)
    try:
        service.set_status(engine, case_id, new, user_id=_uid(_user(engine, user)))
    except service.CaseError as error:
        raise _fail(str(error)) from error
    console.print(f"case {case_id}: {new}")


@cases_app.command("assign")
def assign(ctx: typer.Context, case_id: int = typer.Argument(...), assignee: str = typer.Argument(...),
           user: str = typer.Option(None, "--user")) -> None:  # fmt: skip
    """Assign a case to a user of its agency."""
    _, engine = database_from(ctx)
    target = _user(engine, assignee)
    try:
        service.assign(engine, case_id, target.id, user_id=_uid(_user(engine, user)))  # type: ignore[union-attr]
    except service.CaseError as error:
        raise _fail(str(error)) from error
    console.print(f"case {case_id}: assigned to {assignee}")


@cases_app.command("feedback")
def feedback_(
    ctx: typer.Context,
    case_id: int = typer.Argument(...),
    record: str = typer.Option(..., "--record", help="Record PK or SOURCE/ID."),
    verdict: str = typer.Option(..., "--verdict", help="correct|incorrect"),
    field: str = typer.Option(None, "--field", help="Extraction feedback: the field (phones, ages, ...)."),
    value: str = typer.Option(None, "--value", help="Extraction feedback: the extracted value judged."),
    indicator: str = typer.Option(None, "--indicator", help="Indicator feedback: the rule id."),
    outcome: str = typer.Option(None, "--outcome", help="Outcome feedback: trafficking|minor."),
    note_text: str = typer.Option(None, "--note"),
    user: str = typer.Option(..., "--user"),
) -> None:
    """Mark an extraction, an indicator or a record's outcome correct or incorrect."""
    _, engine = database_from(ctx)
    acting = _user(engine, user)
    kind = "outcome" if outcome else "indicator" if indicator else "extraction"
    try:
        service.add_feedback(engine, case_id, record, kind=kind, verdict=verdict, user_id=acting.id,  # type: ignore[union-attr]
                             agency_id=acting.agency_id, field=field, value=value, rule_id=indicator,  # type: ignore[union-attr]
                             target=outcome, note=note_text)  # fmt: skip
    except service.CaseError as error:
        raise _fail(str(error)) from error
    console.print(f"case {case_id}: {kind} feedback recorded")


@cases_app.command("labels")
def labels(
    ctx: typer.Context, out: Path = typer.Option(..., "-o", "--out", help="JSONL for `lantern calibrate`.")
) -> None:
    """Export outcome feedback as calibration labels ({source, id, label, target})."""
    _, engine = database_from(ctx)
    items = service.calibration_labels(engine)
    out.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    console.print(f"wrote {len(items)} labels to {out}")


@cases_app.command("export")
def export(
    ctx: typer.Context,
    case_id: int = typer.Argument(...),
    out: Path = typer.Option(None, "-o", "--out", help="Zip file (default case-<ID>.zip)."),
    user: str = typer.Option(None, "--user", help="Exporting user (audited)."),
) -> None:
    """Export a case as evidence: PDF report and bundle (JSON/CSV, originals, hash manifest), zipped."""
    settings, engine = database_from(ctx)
    acting = _user(engine, user)
    target = out or Path(f"case-{case_id}.zip")
    linked = current_result(settings)
    explain = (lambda founder, keys: linked.explain_from(founder, keys, 2000)) if linked is not None else None
    try:
        result = export_case(engine, case_id, target, images_dir=settings.images_dir, user_id=_uid(acting),
                             exported_by=acting.username if acting else None, actor=cli_actor(),
                             explain=explain)  # fmt: skip
    except service.CaseError as error:
        raise _fail(str(error)) from error
    console.print(f"wrote {result.path}: {result.records} records, {result.images} images, "
                  f"{result.withheld_images} withheld; SHA-256 {result.sha256}")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
