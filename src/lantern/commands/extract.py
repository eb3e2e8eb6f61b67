"""``lantern extract [FILE|-] [-o OUT]``: what Lantern reads out of each record, without storing anything."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from lantern.commands.common import byte_progress, errors, output_stream, settings_from
from lantern.ingest.images import ImagePreserver
from lantern.ingest.parse import Problem, format_problem, parse_item
from lantern.ingest.reader import RecordReader
from lantern.sources.files import detect_format, input_size, read_items


def extract(
    ctx: typer.Context,
    path: str = typer.Argument("-", help="A JSONL or CSV file of records, or - for stdin."),
    output: str = typer.Option(None, "-o", "--output", help="Write JSON lines here instead of stdout."),
    csv_stdin: bool = typer.Option(False, "--csv", help="Read stdin as CSV instead of JSONL."),
) -> None:
    """Print one JSON object per record with every extracted field and where in the text it came from."""
    if path != "-" and not Path(path).is_file():
        errors.print(f"error: {path}: no such file", markup=False)
        raise typer.Exit(2)
    settings = settings_from(ctx)
    fmt = "csv" if (csv_stdin and path == "-") else (detect_format(Path(path)) or "jsonl")
    extractor = RecordReader.from_settings(settings).extract
    fingerprints = ImagePreserver(
        None,
        max_bytes=settings.max_image_bytes,
        max_pixels=settings.max_image_pixels,
        roots=settings.image_roots,
    )
    read = written = refused = 0
    with output_stream(output) as out, byte_progress(transient=True) as progress:
        if output in (None, "-"):
            progress.stop()
        task = progress.add_task("extract", total=input_size(path))
        for item in read_items(path, fmt):
            read += 1
            progress.advance(task, len(item.raw) + 1)
            record = parse_item(item)
            if isinstance(record, Problem):
                refused += 1
                errors.print(format_problem(item.origin, item.line, record), markup=False, highlight=False)
                continue
            fields = extractor(record)
            fields["images"] = []
            for ref in record.images:
                image = fingerprints.preserve(ref, item.base_dir)
                if isinstance(image, Problem):
                    errors.print(format_problem(item.origin, item.line, image), markup=False, highlight=False)
                elif image is not None:
                    fields["images"].append({"sha256": image.sha256, "phash": image.phash, "ref": ref})
            out.write(orjson.dumps({"source": record.source, "id": record.id, **fields}).decode() + "\n")
            written += 1
    errors.print(f"read {read}: extracted {written}, refused {refused}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(extract)
