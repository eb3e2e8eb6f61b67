"""Records by site and kind from one small index: (source, kind).

``lantern stats`` counts records per kind (ads, posts). No index held ``kind``, so the count read the whole
table: 5.4 s warm and over 40 s cold on a million records (5.7 GB, SQLite). Scanning this index instead
takes 0.3 s, and it serves the per-site count too. ``kind`` is not its first column, so a search filtered
by kind alone (two values, so a poor index) never walks it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_source_kind", "records", ["source", "kind"])


def downgrade() -> None:
    op.drop_index("ix_records_source_kind", table_name="records")
