"""Instants keep their UTC offset; ingest runs record their process.

Until now SQLite stored ``2024-01-01T10:00:00+02:00`` as ``2024-01-01 10:00:00`` (the clock reading
without its offset, two hours off), and neither database kept the offset the source stated. Records
and revisions get ``posted_at_offset`` / ``collected_at_offset`` (minutes east of UTC; NULL when the
source stated none), and every stored instant is put right from the preserved original of its revision:
the time text in the raw record whose reading matches what was stored (the field itself for JSON lines,
the cells of a CSV row, ISO 8601 text in a page) gives the instant in UTC and its offset. A WARC
capture time (``WARC-Date``, UTC by the standard) and a page date that site rules read without a zone
were stored as UTC already: their offset is 0. A time whose original cannot be found is left as it
is, read as UTC, with no offset.

``ingest_runs`` gets ``pid`` and ``host``, so a run left "running" by a killed process can be marked
failed by the next one.

Revision ID: 0010
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0012"
branch_labels = None
depends_on = None

CHUNK = 2000
PAGE_FORMATS = ("warc", "cdr")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?")
TZ = sa.DateTime(timezone=True)

records = sa.table(
    "records",
    sa.column("id", sa.Integer),
    sa.column("revision", sa.Integer),
    sa.column("posted_at", TZ),
    sa.column("collected_at", TZ),
    sa.column("posted_at_offset", sa.SmallInteger),
    sa.column("collected_at_offset", sa.SmallInteger),
)
revisions = sa.table(
    "record_revisions",
    sa.column("id", sa.Integer),
    sa.column("record_pk", sa.Integer),
    sa.column("revision", sa.Integer),
    sa.column("raw", sa.Text),
    sa.column("raw_format", sa.String),
    sa.column("collected_at", TZ),
    sa.column("collected_at_offset", sa.SmallInteger),
)


NEW_COLUMNS = (
    ("records", "posted_at_offset", "SMALLINT"),
    ("records", "collected_at_offset", "SMALLINT"),
    ("record_revisions", "collected_at_offset", "SMALLINT"),
    ("ingest_runs", "pid", "INTEGER"),
    ("ingest_runs", "host", "VARCHAR(255)"),
)


def upgrade() -> None:
    # Plain ALTERs (no batch copy of the table): a copy would drop the FTS triggers and the expression
    # index on ``records``.
    for table, column, kind in NEW_COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    _repair(op.get_bind())


def downgrade() -> None:
    for table, column, _kind in reversed(NEW_COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def _texts(raw: str, raw_format: str, field: str) -> list[str]:
    """Time texts in a preserved original that may be the one ``field`` was read from, best first."""
    found: list[str] = []
    if raw_format in ("jsonl", "cdr"):
        try:
            document = json.loads(raw)
        except ValueError:
            document = None
        if isinstance(document, dict):
            keys = (field,) if raw_format == "jsonl" else ("timestamp_crawl", "timestamp", "crawl_timestamp")
            found.extend(v for k in keys if isinstance(v := document.get(k), str))
    found.extend(_ISO.findall(raw[:2_000_000]))
    return found


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _stated(stored: datetime, texts: list[str]) -> tuple[datetime, int | None] | None:
    """(UTC instant, stated offset) from the first text that reads as what was stored, if any.

    SQLite kept the clock reading without the offset (a naive value); PostgreSQL kept the instant.
    """
    for text in texts:
        moment = _parse(text)
        if moment is None:
            continue
        offset = moment.utcoffset()
        if stored.tzinfo is None:
            matches = moment.replace(tzinfo=None) == stored
        else:
            matches = (moment if offset is not None else moment.replace(tzinfo=UTC)) == stored
        if matches:
            if offset is None:
                return moment.replace(tzinfo=UTC), None
            return moment.astimezone(UTC), int(offset.total_seconds() // 60)
    return None


def _fixed(
    stored: datetime | None, raw: str, raw_format: str, field: str
) -> tuple[datetime | None, int | None]:
    if stored is None:
        return None, None
    stated = _stated(stored, _texts(raw, raw_format, field))
    if stated is not None:
        return stated
    as_utc = stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)
    # Page capture times (WARC-Date) and zone-less page dates were stored as UTC already.
    return as_utc, (0 if raw_format in PAGE_FORMATS or raw_format in ("twitter", "mastodon") else None)


def _repair(connection: sa.Connection) -> None:
    current = sa.select(
        revisions.c.id,
        revisions.c.record_pk,
        revisions.c.raw,
        revisions.c.raw_format,
        revisions.c.collected_at,
        (revisions.c.revision == records.c.revision).label("is_current"),
        records.c.posted_at,
    ).select_from(revisions.join(records, records.c.id == revisions.c.record_pk))
    last = 0
    while True:
        rows = connection.execute(
            current.where(revisions.c.id > last).order_by(revisions.c.id).limit(CHUNK)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        revision_rows, record_rows = [], []
        for row in rows:
            collected, collected_offset = _fixed(row.collected_at, row.raw, row.raw_format, "collected_at")
            revision_rows.append({"_pk": row.id, "at": collected, "offset": collected_offset})
            if row.is_current:
                posted, posted_offset = _fixed(row.posted_at, row.raw, row.raw_format, "posted_at")
                record_rows.append(
                    {
                        "_pk": row.record_pk,
                        "posted": posted,
                        "posted_offset": posted_offset,
                        "collected": collected,
                        "collected_offset": collected_offset,
                    }
                )
        _update(connection, revisions, revision_rows, {"collected_at": "at", "collected_at_offset": "offset"})
        _update(
            connection,
            records,
            record_rows,
            {
                "posted_at": "posted",
                "posted_at_offset": "posted_offset",
                "collected_at": "collected",
                "collected_at_offset": "collected_offset",
            },
        )


def _update(
    connection: sa.Connection, table: sa.TableClause, rows: list[dict], columns: dict[str, str]
) -> None:
    """UPDATE many rows by id: an executemany on SQLite, one ``UPDATE ... FROM unnest`` on PostgreSQL
    (pg8000 would send one statement per row)."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("_pk"))
            .values({column: sa.bindparam(param) for column, param in columns.items()})
        )
        connection.execute(statement, rows)
        return
    kinds = {"posted_at": "TIMESTAMPTZ", "collected_at": "TIMESTAMPTZ"}
    names = ["_pk", *columns.values()]
    casts = ", ".join(
        f"CAST(:p{i} AS {'INTEGER' if i == 0 else kinds.get(column, 'SMALLINT')}[])"
        for i, column in enumerate(["id", *columns])
    )
    aliases = ", ".join(f"c{i}" for i in range(len(names)))
    assignments = ", ".join(f"{column} = v.c{i + 1}" for i, column in enumerate(columns))
    connection.execute(
        sa.text(
            f"UPDATE {table.name} SET {assignments} FROM unnest({casts}) AS v({aliases}) "
            f"WHERE {table.name}.id = v.c0"
        ),
        {f"p{i}": [row[name] for row in rows] for i, name in enumerate(names)},
    )
