"""The city filter from an index: ``lower(location)``.

The search form's city filter is a case-insensitive prefix of the stated location. No index held the
location, so a full-text search filtered to a city read the row of each match until enough passed
(0.6-0.8 s for two common words on a million ads, SQLite; 1.3-1.7 s on PostgreSQL). With this index
SQLite reads the city's record ids off it (``lower(location)`` between the prefix and the prefix followed
by the highest code point) and filters the matches against them; PostgreSQL's ``text_pattern_ops``
serves ``lower(location) LIKE 'prefix%'`` directly, whatever the database's collation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_records_location_lower ON records (lower(location) text_pattern_ops)")
    else:
        op.execute("CREATE INDEX ix_records_location_lower ON records (lower(location))")


def downgrade() -> None:
    op.drop_index("ix_records_location_lower", table_name="records")
