"""``lantern spark extract``: input records (JSONL or Parquet) -> Parquet of extracted fields.

Each Spark task runs exactly the local pipeline's per-record code: ``parse_item`` (the same validation and
quarantine rules as ingest), ``extract_record`` and ``Assessor.assess_record``, then ``link_doc`` and the
linker's ``normalise`` to derive the identifiers the linker would intern. So a record's ``fields`` here are
byte-for-byte what ingest would store, and the identifiers are what the local linker would link on.

Images: each task validates and fingerprints the image files a record names with ingest's own
``ImagePreserver`` (same path confinement, size and pixel limits, Pillow checks and ``fingerprint_image``
pHash), resolving relative paths against the folder of the input file the record came from (Spark's
``_metadata.file_path``), exactly as ingest resolves them against the record file's folder. So
``fields["images"]`` holds ingest's ``{"sha256", "phash"}`` per image and ``phashes`` the record's pHashes.
Nothing is written to an image store (that is ingest's job) and no CSAM hash list is consulted (it lives
in the database; a listed image's hashes are the same either way, so linking is unaffected). A record whose
image cannot be read or is refused gets ``problem`` set, as ingest quarantines it. Image files must be
readable by the workers: on a cluster, input and images belong on a shared file system; input that is not
on a ``file:`` path cannot have local images, so such records are refused with a problem saying so.

``text`` is the linker's text (title and body without markup, ``link_doc``); the link job MinHashes it
with the link configuration, so changing text settings needs no re-extraction.

Rows that fail validation are kept with ``problem`` set and no fields, so nothing disappears silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import orjson

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

_WORKER: dict[Any, Any] = {}
"""Per Python worker: the extractor for a region, built once (the assessor's catalogue load is not free),
and the image preserver, whose cache keeps a photo shared by many records from being decoded again."""


def _settings_default(name: str) -> Any:
    from lantern.config import Settings

    return next(f.default for f in dataclass_fields(Settings) if f.name == name)


@dataclass(frozen=True)
class ImageLimits:
    """Ingest's image settings (``Settings.max_image_bytes`` etc.); small and picklable for the workers."""

    max_bytes: int = _settings_default("max_image_bytes")
    max_pixels: int = _settings_default("max_image_pixels")
    roots: tuple[str, ...] = ()
    """Extra folders image paths may point into (``Settings.image_roots``), besides the input's folder."""

    @classmethod
    def from_settings(cls, settings: Any) -> ImageLimits:
        return cls(settings.max_image_bytes, settings.max_image_pixels, tuple(map(str, settings.image_roots)))


def _preserver(limits: ImageLimits):
    """Ingest's ImagePreserver without a store folder: it validates and fingerprints, writes nothing."""
    cached = _WORKER.get(limits)
    if cached is None:
        from lantern.ingest.images import ImagePreserver

        cached = _WORKER[limits] = ImagePreserver(
            None,
            max_bytes=limits.max_bytes,
            max_pixels=limits.max_pixels,
            roots=tuple(Path(root).resolve() for root in limits.roots),
        )
    return cached


def input_folder(uri: str | None) -> Path | None:
    """The local folder of an input file URI (``file:/data/x.jsonl`` -> ``/data``); None when not local."""
    if not uri:
        return None
    parts = urlsplit(uri)
    if parts.scheme not in ("", "file"):
        return None
    return Path(unquote(parts.path)).parent


def _extractor(region: str):
    """``extract_record`` + ``assess_record`` for one record, as ingest's ``default_extractor`` does."""
    cached = _WORKER.get(region)
    if cached is None:
        from lantern.assess import Assessor
        from lantern.extract import ExtractConfig, extract_record

        config = ExtractConfig(default_region=region)
        assessor = Assessor.load()

        def run(record):
            fields = extract_record(record, config)
            assessor.assess_record(record, fields)
            return fields

        cached = _WORKER[region] = run
    return cached


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


def process(items: Iterable[Item], region: str, limits: ImageLimits | None = None) -> Iterator[tuple]:
    """Output rows (in OUTPUT_DDL order) for raw items (see ``Item``)."""
    from lantern.ingest.images import is_remote
    from lantern.ingest.parse import Problem, parse_item
    from lantern.ingest.prepare import preserve_images
    from lantern.networks.inputs import link_doc
    from lantern.sources.files import RawItem

    extract = _extractor(region)
    preserver = _preserver(limits or ImageLimits())
    for raw, data, uri in items:
        folder = input_folder(uri)
        item = RawItem(origin="spark", line=0, raw=raw, fmt="jsonl", base_dir=folder or Path("."), data=data)
        record = parse_item(item)
        if isinstance(record, Problem):
            yield _refused(record)
            continue
        if folder is None and any(not is_remote(ref) for ref in record.images):
            yield _refused(Problem("images", f"image files cannot be read beside a non-local input {uri!r}"))
            continue
        stored = preserve_images(record, item, preserver)
        if isinstance(stored, Problem):
            yield _refused(stored)
            continue
        fields = extract(record)
        # What ingest's ``prepare`` stores, so link_doc sees the same image hashes as the local linker.
        fields["images"] = [{"sha256": image.sha256, "phash": image.phash} for image in stored]
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


def extract_frame(
    spark: SparkSession, inputs: list[str], region: str = "US", images: ImageLimits | None = None
) -> DataFrame:
    """The extracted DataFrame for input files (all JSONL or all Parquet)."""
    from pyspark.sql import functions as F

    from lantern.spark.session import arrow_udfs_available

    formats = {_input_format(path) for path in inputs}
    if len(formats) != 1:
        raise ValueError("inputs must be all JSONL or all Parquet")
    fmt = formats.pop()
    limits = images or ImageLimits()
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
                rows = [dict(zip(COLUMNS, r, strict=True)) for r in process(items, region, limits)]
                if rows:
                    yield pa.RecordBatch.from_pylist(rows, schema=arrow_schema)

        return source.mapInArrow(arrow_batches, OUTPUT_DDL)
    rdd = source.rdd.mapPartitions(
        lambda rows: process((item_of(row.asDict(recursive=True)) for row in rows), region, limits)
    )
    return spark.createDataFrame(rdd, OUTPUT_DDL)


def run_extract(
    spark: SparkSession,
    inputs: list[str],
    output: str,
    region: str = "US",
    images: ImageLimits | None = None,
) -> dict[str, int]:
    """Extract ``inputs`` into the Parquet folder ``output`` (overwritten); returns read/extracted/refused."""
    extract_frame(spark, inputs, region, images).write.mode("overwrite").parquet(output)
    written = spark.read.parquet(output)
    counts = written.selectExpr("count(*) AS n", "count(problem) AS refused").first()
    return {
        "read": int(counts["n"]),
        "extracted": int(counts["n"] - counts["refused"]),
        "refused": int(counts["refused"]),
    }
