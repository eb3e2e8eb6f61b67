"""The tables. Migrations in ``migrations/versions`` create exactly these; keep the two in step.

Written with SQLAlchemy Core types that both SQLite and PostgreSQL support. Full-text search lives
outside this metadata (an FTS5 table on SQLite, a tsvector column on PostgreSQL) because it is
dialect-specific; see ``migrations`` and ``search.py``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(1000), nullable=False),
    Column("record_id", String(1000), nullable=False),
    Column("kind", String(8), nullable=False, server_default="ad"),
    Column("url", Text),
    Column("title", Text),
    Column("body", Text),
    Column("location", Text),
    Column("author", Text),
    Column("posted_at", DateTime(timezone=True)),
    Column("collected_at", DateTime(timezone=True)),
    Column("extra", JSON, nullable=False),
    Column("extracted", JSON, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("first_ingested_at", DateTime(timezone=True), nullable=False),
    Column("last_ingested_at", DateTime(timezone=True), nullable=False),
    Column("network_id", String(80)),
    Column("trafficking_score", Float, nullable=False, server_default="0"),
    Column("minor_score", Float, nullable=False, server_default="0"),
    Column("linked_revision", Integer),
    Column("network_indicators", JSON),
    UniqueConstraint("source", "record_id", name="uq_records_source_record_id"),
    Index("ix_records_posted_at", "posted_at"),
    Index("ix_records_network_id", "network_id"),
    Index("ix_records_minor_score", "minor_score"),
    Index("ix_records_trafficking_score", "trafficking_score"),
)

record_revisions = Table(
    "record_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_pk", Integer, ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("raw", Text, nullable=False),
    Column("raw_sha256", String(64), nullable=False),
    Column("raw_format", String(8), nullable=False),
    Column("collected_at", DateTime(timezone=True)),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("origin_file", Text, nullable=False),
    Column("origin_line", Integer, nullable=False),
    UniqueConstraint("record_pk", "revision", name="uq_revisions_record_revision"),
    UniqueConstraint("record_pk", "content_sha256", name="uq_revisions_record_content"),
)

images = Table(
    "images",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(40), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("phash", String(16)),
    Column("first_ingested_at", DateTime(timezone=True), nullable=False),
    Index("ix_images_phash", "phash"),
)

record_images = Table(
    "record_images",
    metadata,
    Column("record_pk", Integer, ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("image_sha256", String(64), ForeignKey("images.sha256"), nullable=False),
    Column("original_ref", Text, nullable=False),
    Index("ix_record_images_sha256", "image_sha256"),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_pk", Integer, ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value", String(400), nullable=False),
    Column("obscured", Boolean, nullable=False, server_default="0"),
    Index("ix_entities_kind_value", "kind", "value"),
    Index("ix_entities_record", "record_pk"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("origin_file", Text, nullable=False),
    Column("origin_line", Integer, nullable=False),
    Column("field", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("raw_sha256", String(64), nullable=False),
    Column("raw_size", BigInteger, nullable=False),
    Column("raw_truncated", Boolean, nullable=False, server_default="0"),
    Column("run_id", Integer),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("origin_file", "origin_line", "raw_sha256", name="uq_quarantine_origin"),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("paths", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("read", Integer, nullable=False, server_default="0"),
    Column("stored", Integer, nullable=False, server_default="0"),
    Column("revised", Integer, nullable=False, server_default="0"),
    Column("unchanged", Integer, nullable=False, server_default="0"),
    Column("quarantined", Integer, nullable=False, server_default="0"),
)

networks = Table(
    "networks",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("first_seen", String(40)),
    Column("last_seen", String(40)),
    Column("trafficking_score", Float, nullable=False, server_default="0"),
    Column("minor_score", Float, nullable=False, server_default="0"),
    Column("summary", JSON, nullable=False),
    Column("indicators", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_networks_minor_score", "minor_score"),
    Index("ix_networks_trafficking_score", "trafficking_score"),
)

suppressed_hubs = Table(
    "suppressed_hubs",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("value", String(400), primary_key=True),
    Column("reason", String(40), nullable=False),
    Column("records", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("detail", JSON, nullable=False),
)
