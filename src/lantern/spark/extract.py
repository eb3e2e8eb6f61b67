"""``lantern spark extract``: input records (JSONL or Parquet) -> Parquet of extracted fields.

Each Spark task runs exactly the local pipeline's per-record code: ``parse_item`` (the same validation and
quarantine rules as ingest), ``extract_record`` and ``Assessor.assess_record``, then ``link_doc`` and the
linker's ``normalise`` to derive the identifiers the linker would intern. So a record's ``fields`` here are
byte-for-byte what ``lantern extract`` / ingest would store (images excepted: Spark workers do not fetch or
fingerprint image files, so ``fields["images"]`` is empty), and the identifiers are what the local linker
would link on.

Rows that fail validation are kept with ``problem`` set and no fields, so nothing disappears silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

OUTPUT_DDL = (
    "source string, id string, key string, posted_at string, posted_epoch double, city string, "
    "network_name string, identifiers array<string>, phashes array<string>, fields string, problem string"
)
"""One row per input record. ``identifiers`` are ``kind:value`` in the order the local linker interns them
(its tie-break for hub judgement depends on that order); ``network_name`` is the id the record's network
gets if this record founds it (``short_id("N-", key)``), precomputed so the link job needs no Python UDF."""
COLUMNS = tuple(part.strip().split(" ")[0] for part in OUTPUT_DDL.split(","))

_WORKER: dict[str, Any] = {}
"""Per Python worker: the extractor for a region, built once (the assessor's catalogue load is not free)."""


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
    from lantern.link.identifiers import normalise
    from lantern.link.linker import _DOC_FIELDS

    row: dict[str, None] = {}
    for kind, attr in _DOC_FIELDS:
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


def process(items: Iterable[tuple[bytes, dict[str, Any] | None]], region: str) -> Iterator[tuple]:
    """Output rows (in OUTPUT_DDL order) for raw items: (JSON line bytes, None) or (raw, mapped dict)."""
    from lantern.ingest.parse import Problem, parse_item
    from lantern.link.linker import short_id
    from lantern.link.timeutil import to_epoch
    from lantern.networks.inputs import city_of, link_doc, record_key
    from lantern.sources.files import RawItem

    extract = _extractor(region)
    base = Path(".")
    for raw, data in items:
        item = RawItem(origin="spark", line=0, raw=raw, fmt="jsonl", base_dir=base, data=data)
        record = parse_item(item)
        if isinstance(record, Problem):
            yield (None, None, None, None, None, None, None, [], [], None, f"{record.field}: {record.reason}")
            continue
        fields = extract(record)
        fields["images"] = []
        row = {
            "source": record.source,
            "record_id": record.id,
            "posted_at": record.posted_at,
            "location": record.location,
            "title": record.title,
            "body": record.body,
            "extracted": fields,
        }
        doc = link_doc(row)
        key = record_key(record.source, record.id)
        epoch = to_epoch(doc.posted_at)
        yield (
            record.source,
            record.id,
            key,
            doc.posted_at,
            epoch if math.isfinite(epoch) else math.inf,
            city_of(row),
            short_id("N-", key),
            link_identifiers(doc),
            list(doc.image_phashes),
            orjson.dumps(fields, option=orjson.OPT_NON_STR_KEYS).decode(),
            None,
        )


def _input_format(path: str) -> str:
    """``parquet`` for .parquet files and folders, else ``jsonl`` (Spark reads .gz/.bz2 transparently)."""
    p = Path(path)
    if p.suffix == ".parquet" or p.is_dir():
        return "parquet"
    return "jsonl"


def extract_frame(spark: SparkSession, inputs: list[str], region: str = "US") -> DataFrame:
    """The extracted DataFrame for input files (all JSONL or all Parquet)."""
    from lantern.spark.session import arrow_udfs_available

    formats = {_input_format(path) for path in inputs}
    if len(formats) != 1:
        raise ValueError("inputs must be all JSONL or all Parquet")
    fmt = formats.pop()
    source = spark.read.text(inputs) if fmt == "jsonl" else spark.read.parquet(*inputs)
    if fmt == "jsonl":
        source = source.where("trim(value) != ''")

    def items_of_rows(rows: Iterable[Any]) -> Iterator[tuple[bytes, dict[str, Any] | None]]:
        for row in rows:
            if fmt == "jsonl":
                yield row["value"].encode("utf-8", "surrogatepass"), None
            else:
                data = _plain(row.asDict(recursive=True))
                yield orjson.dumps(data), data

    if arrow_udfs_available():
        import pyarrow as pa

        text, texts = pa.string(), pa.list_(pa.string())
        types = {"posted_epoch": pa.float64(), "identifiers": texts, "phashes": texts}
        arrow_schema = pa.schema([(name, types.get(name, text)) for name in COLUMNS])

        def arrow_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                if fmt == "jsonl":
                    items = (
                        (v.encode("utf-8", "surrogatepass"), None) for v in batch.column("value").to_pylist()
                    )
                else:
                    items = ((orjson.dumps(d), d) for d in (_plain(r) for r in batch.to_pylist()))
                rows = [dict(zip(COLUMNS, r, strict=True)) for r in process(items, region)]
                if rows:
                    yield pa.RecordBatch.from_pylist(rows, schema=arrow_schema)

        return source.mapInArrow(arrow_batches, OUTPUT_DDL)
    rdd = source.rdd.mapPartitions(lambda rows: process(items_of_rows(rows), region))
    return spark.createDataFrame(rdd, OUTPUT_DDL)


def run_extract(spark: SparkSession, inputs: list[str], output: str, region: str = "US") -> dict[str, int]:
    """Extract ``inputs`` into the Parquet folder ``output`` (overwritten); returns read/extracted/refused."""
    extract_frame(spark, inputs, region).write.mode("overwrite").parquet(output)
    written = spark.read.parquet(output)
    counts = written.selectExpr("count(*) AS n", "count(problem) AS refused").first()
    return {
        "read": int(counts["n"]),
        "extracted": int(counts["n"] - counts["refused"]),
        "refused": int(counts["refused"]),
    }
