"""``lantern extract [FILE|-] [-o OUT]``: what Lantern reads out of each record, without storing anything.

Records are read by ingest's own ``RecordReader``, so the output is what ingest would store (images
fingerprinted, not copied), and a record ingest would quarantine is refused here with the same reason.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from lantern.commands.common import byte_progress, errors, output_stream, settings_from
from lantern.ingest.parse import format_problem
from lantern.ingest.reader import RecordReader
from lantern.sources.files import detect_format, input_size, read_items


def extract(
    ctx: typer.Context,
    path: str = typer.Argument("-", help="A JSONL or CSV file of records, or - for stdin."),
    output: str = typer.Option(None, "-o", "--output", help="Write JSON lines here instead of stdout."),
    csv_stdin: bool = typer.Option(False, "--csv", help="Read stdin as CSV instead of JSONL."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Processes that read records (output order kept)."
    ),
) -> None:
    """Print one JSON object per record with every extracted field and where in the text it came from."""
    if path != "-" and not Path(path).is_file():
        errors.print(f"error: {path}: no such file", markup=False)
        raise typer.Exit(2)
    settings = settings_from(ctx)
    fmt = "csv" if (csv_stdin and path == "-") else (detect_format(Path(path)) or "jsonl")
    reader = RecordReader.from_settings(settings)
    read = written = refused = 0
    with output_stream(output) as out, byte_progress(transient=True) as progress:
        if output in (None, "-"):
            progress.stop()
        task = progress.add_task("extract", total=input_size(path))
        for item, reading in reader.pipe(read_items(path, fmt), workers, settings.batch_size):
            read += 1
            progress.advance(task, len(item.raw) + 1)
            if reading.problem is not None:
                refused += 1
                errors.print(
                    format_problem(item.origin, item.line, reading.problem), markup=False, highlight=False
                )
                continue
            record = reading.record
            assert record is not None, "a reading without a problem has its record"
            out.write(
                orjson.dumps({"source": record.source, "id": record.id, **reading.fields()}).decode() + "\n"
            )
            written += 1
    errors.print(f"read {read}: extracted {written}, refused {refused}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(extract)
