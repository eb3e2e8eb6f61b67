"""Core tables: records with revisions, images, entities, quarantine, ingest runs, full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("record_id", sa.String(1000), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False, server_default="ad"),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("body", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("posted_at", TZ),
        sa.Column("collected_at", TZ),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.Column("extracted", sa.JSON, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("first_ingested_at", TZ, nullable=False),
        sa.Column("last_ingested_at", TZ, nullable=False),
        sa.Column("network_id", sa.String(80)),
        sa.Column("trafficking_score", sa.Float, nullable=False, server_default="0"),
        sa.Column("minor_score", sa.Float, nullable=False, server_default="0"),
        sa.UniqueConstraint("source", "record_id", name="uq_records_source_record_id"),
    )
    op.create_index("ix_records_posted_at", "records", ["posted_at"])
    op.create_index("ix_records_network_id", "records", ["network_id"])
    op.create_index("ix_records_minor_score", "records", ["minor_score"])
    op.create_index("ix_records_trafficking_score", "records", ["trafficking_score"])

    op.create_table(
        "record_revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_pk", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("raw_format", sa.String(8), nullable=False),
        sa.Column("collected_at", TZ),
        sa.Column("ingested_at", TZ, nullable=False),
        sa.Column("origin_file", sa.Text, nullable=False),
        sa.Column("origin_line", sa.Integer, nullable=False),
        sa.UniqueConstraint("record_pk", "revision", name="uq_revisions_record_revision"),
        sa.UniqueConstraint("record_pk", "content_sha256", name="uq_revisions_record_content"),
    )

    op.create_table(
        "images",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("phash", sa.String(16)),
        sa.Column("first_ingested_at", TZ, nullable=False),
    )
    op.create_index("ix_images_phash", "images", ["phash"])

    op.create_table(
        "record_images",
        sa.Column("record_pk", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("image_sha256", sa.String(64), sa.ForeignKey("images.sha256"), nullable=False),
        sa.Column("original_ref", sa.Text, nullable=False),
    )
    op.create_index("ix_record_images_sha256", "record_images", ["image_sha256"])

    op.create_table(
        "entities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_pk", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.String(400), nullable=False),
        sa.Column("obscured", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_entities_kind_value", "entities", ["kind", "value"])
    op.create_index("ix_entities_record", "entities", ["record_pk"])

    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("origin_file", sa.Text, nullable=False),
        sa.Column("origin_line", sa.Integer, nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("raw_size", sa.BigInteger, nullable=False),
        sa.Column("raw_truncated", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("run_id", sa.Integer),
        sa.Column("quarantined_at", TZ, nullable=False),
        sa.UniqueConstraint("origin_file", "origin_line", "raw_sha256", name="uq_quarantine_origin"),
    )

    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("paths", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revised", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("quarantined", sa.Integer, nullable=False, server_default="0"),
    )

    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_fts()
    else:
        _create_postgres_fts()


def _create_sqlite_fts() -> None:
    # External-content FTS5 table, so the text is stored once. New rows are indexed in bulk by the
    # writer (``lantern.store.fulltext.FullText.index_new_records``), which is four times faster than a per-row
    # insert trigger; deletes and text updates are rare and kept in step by triggers.
    op.execute(
        "CREATE VIRTUAL TABLE records_fts USING fts5("
        "title, body, content='records', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER records_fts_ad AFTER DELETE ON records BEGIN "
        "INSERT INTO records_fts(records_fts, rowid, title, body) "
        "VALUES ('delete', old.id, old.title, old.body); END"
    )
    op.execute(
        "CREATE TRIGGER records_fts_au AFTER UPDATE OF title, body ON records BEGIN "
        "INSERT INTO records_fts(records_fts, rowid, title, body) "
        "VALUES ('delete', old.id, old.title, old.body); "
        "INSERT INTO records_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
    )


def _create_postgres_fts() -> None:
    op.execute(
        "ALTER TABLE records ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('simple', coalesce(body, '')), 'B')) STORED"
    )
    op.execute("CREATE INDEX ix_records_search_vector ON records USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS records_fts")
    for table in ("ingest_runs", "quarantine", "entities", "record_images", "images", "record_revisions"):
        op.drop_table(table)
    op.drop_table("records")
