"""``lantern export ads|clusters``: the stored records with their extracted fields, or their networks."""

from __future__ import annotations

import csv
from enum import StrEnum
from typing import Any

import orjson
import typer
from sqlalchemy import func, select

from lantern.commands.common import count_progress, database_from, errors, output_stream
from lantern.instants import stated_iso
from lantern.records import KNOWN_FIELDS
from lantern.store.queries import cluster_label, iter_records
from lantern.store.schema import records


class What(StrEnum):
    ads = "ads"
    clusters = "clusters"


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


AD_CSV_COLUMNS = (
    *(name for name in KNOWN_FIELDS if name != "images"),
    "revision",
    "content_sha256",
    "network",
    "phones",
    "emails",
    "handles",
    "payments",
    "ages",
    "trafficking",
    "minor",
)


def ad_object(row: dict[str, Any]) -> dict[str, Any]:
    """One stored record as exported: what the source said, then what Lantern derived from it."""
    return {
        "source": row["source"],
        "id": row["record_id"],
        "kind": row["kind"],
        "url": row["url"],
        "posted_at": stated_iso(row["posted_at"], row["posted_at_offset"]),
        "collected_at": stated_iso(row["collected_at"], row["collected_at_offset"]),
        "title": row["title"],
        "body": row["body"],
        "location": row["location"],
        "author": row["author"],
        "extra": row["extra"],
        "revision": row["revision"],
        "content_sha256": row["content_sha256"],
        "network": cluster_label(row),
        "extracted": row["extracted"],
    }


def _ad_csv_row(row: dict[str, Any]) -> list[Any]:
    ad = ad_object(row)
    fields = ad.pop("extracted")
    joined = {
        "phones": "|".join(fields.get("phones", [])),
        "emails": "|".join(fields.get("emails", [])),
        "handles": "|".join(f"{h['platform']}:{h['handle']}" for h in fields.get("handles", [])),
        "payments": "|".join(
            f"{p['platform']}:{p.get('handle') or p.get('address')}" for p in fields.get("payments", [])
        ),
        "ages": "|".join(str(age) for age in fields.get("ages", [])),
        "trafficking": fields.get("risk", {}).get("trafficking", 0.0),
        "minor": fields.get("risk", {}).get("minor", 0.0),
    }
    merged = {**ad, **joined}
    return [merged.get(column) for column in AD_CSV_COLUMNS]


def export(
    ctx: typer.Context,
    what: What = typer.Argument(..., help="ads: records with extracted fields; clusters: record → network"),
    output: str = typer.Option(None, "-o", "--output", help="File to write (default stdout)."),
    fmt: Format = typer.Option(Format.jsonl, "--format", help="jsonl or csv"),
) -> None:
    """Export the store for other tools: every record, or one line per record naming its network."""
    _settings, engine = database_from(ctx)
    written = 0
    with engine.connect() as connection, output_stream(output) as out, count_progress(transient=True) as bar:
        total = connection.execute(select(func.count()).select_from(records)).scalar_one()
        if output in (None, "-"):
            bar.stop()
        task = bar.add_task(f"export {what.value}", total=total)
        writer = csv.writer(out) if fmt is Format.csv else None
        if writer is not None:
            writer.writerow(AD_CSV_COLUMNS if what is What.ads else ("source", "id", "cluster"))
        for row in iter_records(connection):
            if what is What.clusters:
                item: Any = {"source": row["source"], "id": row["record_id"], "cluster": cluster_label(row)}
                line = list(item.values())
            else:
                item = ad_object(row)
                line = _ad_csv_row(row) if writer is not None else None
            if writer is not None:
                writer.writerow(line)
            else:
                out.write(orjson.dumps(item).decode() + "\n")
            written += 1
            bar.advance(task)
    errors.print(f"exported {written} {what.value if what is What.ads else 'records with their clusters'}")


def register(app: typer.Typer) -> None:
    app.command()(export)
