"""``lantern csam load-hashes|list-matches|report``: hash lists and the mandated-report path.

Nothing here ever prints, writes or opens an image: matches are listed by hash and record reference,
and the report package is metadata only (docs/csam.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.text import Text

from lantern.commands.common import console, database_from, errors
from lantern.commands.watch_alerts import cli_actor
from lantern.csam.report import MatchNotFound, build_report
from lantern.csam.store import list_matches, load_hashes

csam_app = typer.Typer(
    help="Child sexual abuse material: hash lists, matches, report packages.", no_args_is_help=True
)


@csam_app.command("load-hashes")
def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="One hash per line (first field); # comments allowed."),
    fmt: str = typer.Option(..., "--format", help="sha256|md5|phash (PDQ needs a PDQ implementation)."),
    list_name: str = typer.Option(
        "default", "--list-name", help="Name of the list (adds to it if it exists)."
    ),
) -> None:
    """Load a hash list; stored images that match are removed from the store and their records flagged."""
    settings, engine = database_from(ctx)
    if not file.is_file():
        errors.print(f"error: {file}: no such file", markup=False)
        raise typer.Exit(2)
    try:
        report = load_hashes(engine, file, fmt, list_name=list_name, images_dir=settings.images_dir,
                             actor=cli_actor(), phash_distance=settings.csam_phash_distance)  # fmt: skip
    except ValueError as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from error
    console.print(
        f"list {list_name!r} ({fmt}): {report.added} added, {report.refused} lines refused; "
        f"{report.newly_blocked_images} stored images blocked, {report.flagged_records} records flagged"
    )


@csam_app.command("list-matches")
def matches(
    ctx: typer.Context, status: str = typer.Option(None, "--status", help="new|report_prepared")
) -> None:
    """List matches by hash and record reference (no image is ever shown)."""
    _, engine = database_from(ctx)
    with engine.connect() as connection:
        rows = list_matches(connection, status=status)
    console.print("id\timage_sha256\tlist\tby\trecord\tfound\tstatus", markup=False, soft_wrap=True)
    for row in rows:
        fields = (row["id"], row["image_sha256"], row["list_name"], row["hash_kind"],
                  f"{row['source']}/{row['record_id']}", row["found_at"], row["status"])  # fmt: skip
        console.print(Text("\t".join(str(f) for f in fields)), soft_wrap=True)


@csam_app.command("report")
def report(
    ctx: typer.Context,
    match_id: int = typer.Argument(..., help="Match id from list-matches."),
    out: Path = typer.Option(..., "-o", "--out", help="JSON file to write."),
) -> None:
    """Write the mandated-report package (metadata for a CyberTipline report, never the image)."""
    _, engine = database_from(ctx)
    try:
        package = build_report(engine, match_id, actor=cli_actor())
    except MatchNotFound as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from error
    out.write_text(json.dumps(package, indent=2, ensure_ascii=False), encoding="utf-8")
    console.print(f"wrote {out} (metadata only; no image)")


def register(app: typer.Typer) -> None:
    app.add_typer(csam_app, name="csam")
