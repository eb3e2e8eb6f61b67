"""``lantern spark load``: the link job's network ids into a Lantern store (SQLite or PostgreSQL).

Why SQLAlchemy and not JDBC: the store's URL is a SQLAlchemy URL (pg8000 or SQLite), no JDBC driver is
bundled, and the result is one short row per record, so reading the Parquet with PyArrow on the driver
and updating in batches (``lantern.store.dialect.update_rows``: one ``UPDATE ... FROM unnest`` per batch
on PostgreSQL) is simple and fast enough. Spark is not needed for this step.

Only ``records.network_id`` is set, for records already in the store (ingested by ``lantern ingest``);
records the store does not hold are counted and skipped. Network summaries, network scores and the
linker state are not written: ``lantern link --full`` remains the way to get those, and it will replace
these ids with its own (the same ones when it links the corpus in one batch; see lantern.spark.link).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from lantern.store.dialect import update_rows
from lantern.store.schema import records

BATCH = 20_000
_SET_NETWORK = {"network_id": "_network"}


@dataclass
class LoadSummary:
    """Counts for the CLI line."""

    rows: int = 0
    updated: int = 0
    missing: int = 0

    def line(self) -> str:
        return f"loaded {self.rows} rows: {self.updated} records updated, {self.missing} not in the store"


def _pks(connection, source: str, ids: list[str]) -> dict[str, int]:
    """Primary keys of (source, record_id) pairs that exist, 900 ids a query (SQLite's bound limit)."""
    found: dict[str, int] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        query = select(records.c.id, records.c.record_id).where(
            records.c.source == source, records.c.record_id.in_(chunk)
        )
        found.update({record_id: pk for pk, record_id in connection.execute(query)})
    return found


def load_networks(engine: Engine, networks_path: str, *, batch_size: int = BATCH) -> LoadSummary:
    """Set ``records.network_id`` from the link job's Parquet folder (or file); one transaction."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(Path(networks_path)), format="parquet")
    summary = LoadSummary()
    with engine.begin() as connection:
        for batch in dataset.to_batches(columns=["source", "id", "network_id"], batch_size=batch_size):
            rows = batch.to_pylist()
            summary.rows += len(rows)
            by_source: dict[str, list[dict[str, str]]] = {}
            for row in rows:
                by_source.setdefault(row["source"], []).append(row)
            updates = []
            for source, group in by_source.items():
                pks = _pks(connection, source, [row["id"] for row in group])
                for row in group:
                    pk = pks.get(row["id"])
                    if pk is None:
                        summary.missing += 1
                    else:
                        updates.append({"_pk": pk, "_network": row["network_id"]})
            update_rows(connection, records, "id", updates, _SET_NETWORK)
            summary.updated += len(updates)
    return summary
