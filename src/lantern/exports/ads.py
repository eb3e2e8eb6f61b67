"""Stored records for analysts' tools: JSON lines, CSV and XLSX for Excel, Parquet for pandas, DuckDB or
Power BI, with filters (a network, a case, score floors, a posting period).

Every format carries the same fields: what the source said, then what Lantern derived (contacts, ages,
both scores, the network). CSV and XLSX cells go through ``lantern.tabular``, so hostile ad text never runs
as a formula; Parquet keeps lists as lists and the full extraction as JSON text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import IO, Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from lantern.instants import stated_iso
from lantern.records import KNOWN_FIELDS
from lantern.store.queries import cluster_label, iter_records
from lantern.store.schema import case_records, records
from lantern.tabular import write_csv, write_xlsx


class AdFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"


BINARY_FORMATS = frozenset({AdFormat.xlsx, AdFormat.parquet})
MEDIA_TYPES = {
    AdFormat.jsonl: "application/x-ndjson",
    AdFormat.csv: "text/csv; charset=utf-8",
    AdFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    AdFormat.parquet: "application/vnd.apache.parquet",
}

AD_COLUMNS = (
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
"""The flat columns of CSV, XLSX and Parquet (lists are ``|``-joined in CSV and XLSX)."""
LIST_COLUMNS = ("phones", "emails", "handles", "payments", "ages")


@dataclass(frozen=True)
class AdFilter:
    """Which records an export holds; every field left empty means no restriction."""

    network: str | None = None
    case: int | None = None
    min_minor: float | None = None
    min_trafficking: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    """Inclusive: a date given without a time covers that whole day."""

    def described(self) -> dict[str, Any]:
        """The filters that are set, as JSON values (for the audit log)."""
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in vars(self).items()
            if v is not None
        }

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.network:
            found.append(records.c.network_id == self.network)
        if self.case is not None:
            held = select(case_records.c.record_pk).where(case_records.c.case_id == self.case)
            found.append(records.c.id.in_(held))
        if self.min_minor is not None:
            found.append(records.c.minor_score >= self.min_minor)
        if self.min_trafficking is not None:
            found.append(records.c.trafficking_score >= self.min_trafficking)
        if self.since is not None:
            found.append(records.c.posted_at >= _utc(self.since))
        if self.until is not None:
            until = _utc(self.until)
            if until.time() == time(0):
                found.append(records.c.posted_at < until + timedelta(days=1))
            else:
                found.append(records.c.posted_at <= until)
        return found


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def ad_object(row: dict[str, Any]) -> dict[str, Any]:
    """One stored record as exported: what the source said, then what Lantern derived from it."""
    return {
        "source": row["source"],
        "id": row["record_id"],
        "kind": row["kind"],
        "url": row["url"],
        "posted_at": stated_iso(row["posted_at"], row.get("posted_at_offset")),
        "collected_at": stated_iso(row["collected_at"], row.get("collected_at_offset")),
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


def ad_columns(row: dict[str, Any]) -> dict[str, Any]:
    """One record as the flat columns of :data:`AD_COLUMNS`, lists kept as lists."""
    ad = ad_object(row)
    fields = ad.pop("extracted")
    risk = fields.get("risk", {})
    derived = {
        "phones": list(fields.get("phones", [])),
        "emails": list(fields.get("emails", [])),
        "handles": [f"{h['platform']}:{h['handle']}" for h in fields.get("handles", [])],
        "payments": [
            f"{p['platform']}:{p.get('handle') or p.get('address')}" for p in fields.get("payments", [])
        ],
        "ages": [int(age) for age in fields.get("ages", [])],
        # the scores triage ranks by: the record's own, raised by its network (likely-minor propagation)
        "trafficking": float(row.get("trafficking_score", risk.get("trafficking", 0.0))),
        "minor": float(row.get("minor_score", risk.get("minor", 0.0))),
    }
    merged = {**ad, **derived}
    merged["extra"] = orjson.dumps(ad["extra"]).decode() if ad["extra"] else None
    return {column: merged.get(column) for column in AD_COLUMNS}


def _joined_row(row: dict[str, Any]) -> list[Any]:
    columns = ad_columns(row)
    for name in LIST_COLUMNS:
        columns[name] = "|".join(str(v) for v in columns[name])
    return list(columns.values())


def count_ads(connection: Connection, where: AdFilter) -> int:
    query = select(func.count()).select_from(records).where(*where.conditions())
    return connection.execute(query).scalar_one()


def ad_rows(connection: Connection, where: AdFilter) -> Iterator[dict[str, Any]]:
    """The matching stored records, in primary-key order, read in bounded chunks."""
    return iter_records(connection, *where.conditions())


def write_ads(rows: Iterator[dict[str, Any]], fmt: AdFormat, out: IO[Any], *, on_row: Any = None) -> int:
    """Write ``rows`` to ``out`` (text for jsonl and csv, binary for xlsx and parquet); returns the count.
    ``on_row`` is called after each record (a progress bar)."""

    def counted(items: Iterator[Any]) -> Iterator[Any]:
        for item in items:
            yield item
            if on_row is not None:
                on_row()

    if fmt is AdFormat.jsonl:
        written = 0
        for row in counted(rows):
            out.write(orjson.dumps(ad_object(row)).decode() + "\n")
            written += 1
        return written
    if fmt is AdFormat.csv:
        return write_csv(out, AD_COLUMNS, (_joined_row(row) for row in counted(rows)))
    if fmt is AdFormat.xlsx:
        return write_xlsx(out, AD_COLUMNS, (_joined_row(row) for row in counted(rows)), sheet="records")
    return write_parquet(counted(rows), out)


PARQUET_BATCH = 2000


def parquet_schema() -> Any:
    import pyarrow as pa

    types = {name: pa.string() for name in AD_COLUMNS}
    types.update(
        {
            "posted_at": pa.timestamp("us", tz="UTC"),
            "collected_at": pa.timestamp("us", tz="UTC"),
            "revision": pa.int32(),
            "phones": pa.list_(pa.string()),
            "emails": pa.list_(pa.string()),
            "handles": pa.list_(pa.string()),
            "payments": pa.list_(pa.string()),
            "ages": pa.list_(pa.int32()),
            "trafficking": pa.float64(),
            "minor": pa.float64(),
        }
    )
    return pa.schema([(name, types[name]) for name in AD_COLUMNS] + [("extracted", pa.string())])


def write_parquet(rows: Iterator[dict[str, Any]], out: IO[bytes]) -> int:
    """Rows as a Parquet file, written a batch at a time (times as UTC timestamps, lists as lists)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    written = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch.clear()

        for row in rows:
            columns = ad_columns(row)
            columns["posted_at"], columns["collected_at"] = row["posted_at"], row["collected_at"]
            columns["extracted"] = orjson.dumps(row["extracted"]).decode()
            batch.append(columns)
            written += 1
            if len(batch) >= PARQUET_BATCH:
                flush()
        flush()
    return written
