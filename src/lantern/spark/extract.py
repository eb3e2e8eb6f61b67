"""``lantern spark extract``: input records (JSONL or Parquet) -> Parquet of extracted fields.

Each Spark task reads records with ingest's own ``RecordReader`` (``lantern.ingest.reader``: the same
validation and quarantine rules, extraction, per-ad assessment and image policy), then derives with
``link_doc`` and the linker's ``normalise`` the identifiers the linker would intern. So a record's
``fields`` here are byte-for-byte what ingest would store, and the identifiers are what the local linker
would link on.

Images: the reader validates and fingerprints the image files a record names (same path confinement,
size and pixel limits, Pillow checks and pHash), resolving relative paths against the folder of the input
file the record came from (Spark's ``_metadata.file_path``), exactly as ingest resolves them against the
record file's folder. So ``fields["images"]`` holds ingest's ``{"sha256", "phash"}`` per image and
``phashes`` the record's pHashes. Nothing is written to an image store (that is ingest's job) and no CSAM
hash list is consulted (it lives in the database; a listed image's hashes are the same either way, so
linking is unaffected). A record whose image cannot be read or is refused, or whose extraction fails,
gets ``problem`` set, as ingest quarantines it. Image files must be
readable by the workers: on a cluster, input and images belong on a shared file system; input that is not
on a ``file:`` path cannot have local images, so such records are refused with a problem saying so.

``text`` is the linker's text (title and body without markup, ``link_doc``); the link job MinHashes it
with the link configuration, so changing text settings needs no re-extraction.

Rows that fail validation are kept with ``problem`` set and no fields, so nothing disappears silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import orjson

from lantern.ingest.reader import ReaderConfig, RecordReader

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from lantern.link.doc import LinkDoc

OUTPUT_DDL = (
    "source string, id string, key string, posted_at string, posted_epoch double, city string, "
    "network_name string, template_name string, identifiers array<string>, phashes array<string>, "
    "text string, fields string, problem string"
)
"""One row per input record. ``identifiers`` are ``kind:value`` in the order the local linker interns them
(its tie-break for hub judgement depends on that order); ``network_name`` is the id the record's network
gets if this record founds it (``short_id("N-", key)``), ``template_name`` likewise for a near-duplicate
text group (``short_id("T-", key)``), both precomputed so the link job needs no Python UDF."""
COLUMNS = tuple(part.strip().split(" ")[0] for part in OUTPUT_DDL.split(","))

FILE_COLUMN = "_lantern_input_file"
"""The input file of each row (Spark's ``_metadata.file_path``), for resolving relative image paths."""

_READERS: dict[Any, Any] = {}
"""Per Python worker: the record reader for a configuration, built once (the assessor's catalogue load is
not free), whose image cache keeps a photo shared by many records from being decoded again."""


def _reader(config: ReaderConfig) -> RecordReader:
    cached = _READERS.get(config)
    if cached is None:
        cached = _READERS[config] = RecordReader(config)
    return cached


def input_folder(uri: str | None) -> Path | None:
    """The local folder of an input file URI (``file:/data/x.jsonl`` -> ``/data``); None when not local."""
    if not uri:
        return None
    parts = urlsplit(uri)
    if parts.scheme not in ("", "file"):
        return None
    return Path(unquote(parts.path)).parent


def link_identifiers(doc) -> list[str]:
    """``kind:value`` identifiers of a LinkDoc in the local linker's interning order, names left out.

    Uses the linker's own field table and ``normalise`` so the strings are the ones it links on.
    """
    from lantern.link.evidence.identifiers import DOC_FIELDS
    from lantern.link.identifiers import normalise

    row: dict[str, None] = {}
    for kind, attr in DOC_FIELDS:
        if kind == "name":
            continue  # names never link and are no contact (they add no hub spread)
        for raw in getattr(doc, attr) or ():
            value = normalise(kind, str(raw))
            if value is not None:
                row[f"{kind}:{value}"] = None
    return list(row)


def _plain(value: Any) -> Any:
    """Parquet values as the JSON a record file would hold (times as ISO 8601, which InputRecord requires)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


Item = tuple[bytes, dict[str, Any] | None, str | None]
"""(raw bytes, mapped dict or None for a JSON line, input file URI or None)."""


def _refused(problem: Any) -> tuple:
    """The row of a record ingest would quarantine: only ``problem`` set (lists empty rather than null)."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(identifiers=[], phashes=[], problem=f"{problem.field}: {problem.reason}")
    return tuple(row.values())


def doc_row(doc: LinkDoc, fields: str | None = None) -> tuple:
    """One output row (OUTPUT_DDL order) for a record the linker would see as ``doc``."""
    from lantern.link.arrays import short_id
    from lantern.link.timeutil import to_epoch

    epoch = to_epoch(doc.posted_at)
    return (
        doc.source,
        doc.record_id,
        doc.key,
        doc.posted_at,
        epoch if math.isfinite(epoch) else math.inf,
        doc.city,
        short_id("N-", doc.key),
        short_id("T-", doc.key),
        link_identifiers(doc),
        list(doc.image_phashes),
        doc.text,
        fields,
        None,
    )


def process(items: Iterable[Item], config: ReaderConfig | None = None) -> Iterator[tuple]:
    """Output rows (in OUTPUT_DDL order) for raw items (see ``Item``)."""
    from lantern.ingest.images import is_remote
    from lantern.ingest.parse import Problem
    from lantern.networks.inputs import link_doc
    from lantern.sources.files import RawItem

    reader = _reader(config or ReaderConfig())
    for raw, data, uri in items:
        folder = input_folder(uri)
        item = RawItem(origin="spark", line=0, raw=raw, fmt="jsonl", base_dir=folder or Path("."), data=data)
        text = reader.read_text(item)
        parsed = text[0]
        if folder is None and not isinstance(parsed, Problem) and not all(map(is_remote, parsed.images)):
            yield _refused(Problem("images", f"image files cannot be read beside a non-local input {uri!r}"))
            continue
        reading = reader.finish(item, text)
        record = reading.record
        if reading.problem is not None or record is None:
            yield _refused(reading.problem)
            continue
        # What ingest stores, images included, so link_doc sees the same image hashes as the local linker.
        fields = reading.fields()
        row = {
            "source": record.source,
            "record_id": record.id,
            "posted_at": record.posted_at,
            "location": record.location,
            "title": record.title,
            "body": record.body,
            "extracted": fields,
        }
        yield doc_row(link_doc(row), orjson.dumps(fields, option=orjson.OPT_NON_STR_KEYS).decode())


def _input_format(path: str) -> str:
    """``parquet`` for .parquet files and folders, else ``jsonl`` (Spark reads .gz/.bz2 transparently)."""
    p = Path(path)
    if p.suffix == ".parquet" or p.is_dir():
        return "parquet"
    return "jsonl"


def extract_frame(spark: SparkSession, inputs: list[str], config: ReaderConfig | None = None) -> DataFrame:
    """The extracted DataFrame for input files (all JSONL or all Parquet)."""
    from pyspark.sql import functions as F

    from lantern.spark.session import arrow_udfs_available

    formats = {_input_format(path) for path in inputs}
    if len(formats) != 1:
        raise ValueError("inputs must be all JSONL or all Parquet")
    fmt = formats.pop()
    config = config or ReaderConfig()
    source = spark.read.text(inputs) if fmt == "jsonl" else spark.read.parquet(*inputs)
    # Taken straight from the file scan (the hidden column is resolvable there), before any filter.
    source = source.withColumn(FILE_COLUMN, F.col("_metadata.file_path"))
    if fmt == "jsonl":
        source = source.where("trim(value) != ''")

    def item_of(row: dict[str, Any]) -> Item:
        uri = row.pop(FILE_COLUMN)
        if fmt == "jsonl":
            return row["value"].encode("utf-8", "surrogatepass"), None, uri
        data = _plain(row)
        return orjson.dumps(data), data, uri

    if arrow_udfs_available():
        import pyarrow as pa

        text, texts = pa.string(), pa.list_(pa.string())
        types = {"posted_epoch": pa.float64(), "identifiers": texts, "phashes": texts}
        arrow_schema = pa.schema([(name, types.get(name, text)) for name in COLUMNS])

        def arrow_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                items = (item_of(r) for r in batch.to_pylist())
                rows = [dict(zip(COLUMNS, r, strict=True)) for r in process(items, config)]
                if rows:
                    yield pa.RecordBatch.from_pylist(rows, schema=arrow_schema)

        return source.mapInArrow(arrow_batches, OUTPUT_DDL)
    rdd = source.rdd.mapPartitions(
        lambda rows: process((item_of(row.asDict(recursive=True)) for row in rows), config)
    )
    return spark.createDataFrame(rdd, OUTPUT_DDL)


def run_extract(
    spark: SparkSession, inputs: list[str], output: str, config: ReaderConfig | None = None
) -> dict[str, int]:
    """Extract ``inputs`` into the Parquet folder ``output`` (overwritten); returns read/extracted/refused.

    ``config`` is the reading configuration (``ReaderConfig.from_settings``); the default reads as a
    fresh installation does (region US, the default image limits)."""
    extract_frame(spark, inputs, config).write.mode("overwrite").parquet(output)
    written = spark.read.parquet(output)
    counts = written.selectExpr("count(*) AS n", "count(problem) AS refused").first()
    return {
        "read": int(counts["n"]),
        "extracted": int(counts["n"] - counts["refused"]),
        "refused": int(counts["refused"]),
    }
