"""Identifier look-ups answered from the index alone: (kind, value, record_pk) replaces (kind, value).

Every search by phone, e-mail or handle, every entity page and the watchlists ask which records carry an
identifier. With (kind, value) only, each of those rows was then read from the table for its
``record_pk``: on PostgreSQL the entity page of a phone on 302,007 of a million records read 32,000 heap
pages (270 ms) to sample 5,000 of them. With ``record_pk`` in the index the answer is an index-only scan
on PostgreSQL and a covering index on SQLite. The index stays usable for (kind) and (kind, value).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entities_kind_value_record", "entities", ["kind", "value", "record_pk"])
    op.drop_index("ix_entities_kind_value", table_name="entities")


def downgrade() -> None:
    op.create_index("ix_entities_kind_value", "entities", ["kind", "value"])
    op.drop_index("ix_entities_kind_value_record", table_name="entities")
