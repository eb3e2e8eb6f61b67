"""``lantern export ads|clusters|network|case``: the store for analysts' tools.

``ads`` writes records with their extracted fields (JSON lines, CSV, XLSX, Parquet), filtered; ``clusters``
one line per record naming its network; ``network`` and ``case`` a graph of records and the evidence that
ties them (GraphML, GEXF, an entity-link CSV for i2 and Maltego) or their itinerary (GeoJSON, KML). Every
export is written to the audit log with its filters and the operating-system user.
"""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson
import typer
from sqlalchemy import select

from lantern.commands.common import count_progress, database_from, errors, output_stream
from lantern.commands.watch_alerts import cli_actor
from lantern.exports.ads import BINARY_FORMATS, AdFilter, AdFormat, ad_rows, count_ads, write_ads
from lantern.exports.network import (
    NetworkFormat,
    Subject,
    case_subject,
    network_subject,
    record_links,
    subject_links,
    write_subject,
)
from lantern.networks.runner import current_result
from lantern.security import audit
from lantern.store.queries import cluster_label, iter_records
from lantern.store.schema import cases
from lantern.tabular import write_csv

export_app = typer.Typer(help="Export records, networks and cases for other tools.", no_args_is_help=True)
OUTPUT = typer.Option(None, "-o", "--output", help="File to write (default stdout).")
GRAPH_FORMAT = typer.Option(
    NetworkFormat.graphml,
    "--format",
    help="graphml, gexf, csv (entity-link table for i2/Maltego), geojson or kml.",
)


class ClusterFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _binary_output(output: str | None, what: str) -> Any:
    if output in (None, "-"):
        if sys.stdout.isatty():
            errors.print(f"error: {what} is binary; write it to a file with -o FILE", markup=False)
            raise typer.Exit(2)
        return sys.stdout.buffer
    return open(output, "wb")


@export_app.command("ads")
def export_ads(
    ctx: typer.Context,
    output: str = OUTPUT,
    fmt: AdFormat = typer.Option(
        AdFormat.jsonl, "--format", help="jsonl, csv (UTF-8 with BOM), xlsx or parquet."
    ),
    network: str = typer.Option(None, "--network", help="Only this network's records (N-…)."),
    case: int = typer.Option(None, "--case", help="Only the records this case holds."),
    min_minor: float = typer.Option(
        None, "--min-minor", min=0, max=1, help="Likely-minor score at least this."
    ),
    min_trafficking: float = typer.Option(
        None, "--min-trafficking", min=0, max=1, help="Trafficking score floor."
    ),
    since: datetime = typer.Option(None, "--since", help="Posted on or after (YYYY-MM-DD or a time, UTC)."),
    until: datetime = typer.Option(
        None, "--until", help="Posted on or before (a date covers the whole day)."
    ),
) -> None:
    """Records with what Lantern extracted and both scores, for spreadsheets and data tools."""
    _settings, engine = database_from(ctx)
    where = AdFilter(network, case, min_minor, min_trafficking, since, until)
    with engine.connect() as connection, count_progress(transient=True) as bar:
        total = count_ads(connection, where)
        if output in (None, "-"):
            bar.stop()
        task = bar.add_task("export ads", total=total)
        stream = _binary_output(output, fmt.value) if fmt in BINARY_FORMATS else None
        if stream is not None:
            with stream:
                written = write_ads(ad_rows(connection, where), fmt, stream, on_row=lambda: bar.advance(task))
        else:
            with output_stream(output) as out:
                written = write_ads(ad_rows(connection, where), fmt, out, on_row=lambda: bar.advance(task))
    filters = {
        k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(where).items() if v is not None
    }
    audit.record(engine, "export.ads", target=output or "stdout",
                 detail={"format": fmt.value, "records": written, "filters": filters, **cli_actor()})  # fmt: skip
    errors.print(f"exported {written} records")


@export_app.command("clusters")
def export_clusters(
    ctx: typer.Context,
    output: str = OUTPUT,
    fmt: ClusterFormat = typer.Option(ClusterFormat.jsonl, "--format", help="jsonl or csv"),
) -> None:
    """One line per record naming its network ({"source", "id", "cluster"})."""
    _settings, engine = database_from(ctx)
    written = 0
    with engine.connect() as connection, output_stream(output) as out:
        lines = ((row["source"], row["record_id"], cluster_label(row)) for row in iter_records(connection))
        if fmt is ClusterFormat.csv:
            written = write_csv(out, ("source", "id", "cluster"), lines)
        else:
            for source, record_id, cluster in lines:
                out.write(
                    orjson.dumps({"source": source, "id": record_id, "cluster": cluster}).decode() + "\n"
                )
                written += 1
    errors.print(f"exported {written} records with their clusters")


def _write_subject(
    ctx: typer.Context, subject: Subject, fmt: NetworkFormat, output: str | None, target: str
) -> None:
    settings, engine = database_from(ctx)
    links = subject_links(subject, fmt, current_result(settings))
    stream = _binary_output(output, fmt.value)
    with stream:
        write_subject(subject, fmt, stream, links=links, record_href=record_links(settings.base_url))
    audit.record(engine, f"export.{target.split(':')[0]}", target=target,
                 detail={"format": fmt.value, "records": len(subject.rows), **cli_actor()})  # fmt: skip
    errors.print(f"exported {subject.title}: {len(subject.rows)} records as {fmt.value}", markup=False)


@export_app.command("network")
def export_network(
    ctx: typer.Context,
    network_id: str = typer.Argument(..., help="The network's id (N-…)."),
    fmt: NetworkFormat = GRAPH_FORMAT,
    output: str = OUTPUT,
) -> None:
    """A network's records and the evidence that ties them (a graph), or its itinerary (a map)."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        subject = network_subject(connection, network_id)
    if subject is None:
        errors.print(f"error: no network {network_id!r} (lantern networks lists them)", markup=False)
        raise typer.Exit(1)
    _write_subject(ctx, subject, fmt, output, f"network:{network_id}")


@export_app.command("case")
def export_case(
    ctx: typer.Context,
    case_id: int = typer.Argument(..., help="The case's number."),
    fmt: NetworkFormat = GRAPH_FORMAT,
    output: str = OUTPUT,
) -> None:
    """A case's records as a graph of their evidence, or their itinerary (``lantern cases export`` writes
    the evidence bundle)."""
    _settings, engine = database_from(ctx)
    with engine.connect() as connection:
        title = connection.execute(select(cases.c.title).where(cases.c.id == case_id)).scalar()
        if title is None:
            errors.print(f"error: no case {case_id}", markup=False)
            raise typer.Exit(1)
        subject = case_subject(connection, case_id, title)
    _write_subject(ctx, subject, fmt, output, f"case:{case_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
