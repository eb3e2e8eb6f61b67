"""Networks: each record's network, network summaries and scores, suppressed hubs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTERs (no batch copy of the table): a copy would drop the FTS triggers on ``records``.
    op.add_column("records", sa.Column("linked_revision", sa.Integer))
    op.add_column("records", sa.Column("network_indicators", sa.JSON))
    op.create_table(
        "networks",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.String(40)),
        sa.Column("last_seen", sa.String(40)),
        sa.Column("trafficking_score", sa.Float, nullable=False, server_default="0"),
        sa.Column("minor_score", sa.Float, nullable=False, server_default="0"),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("indicators", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_networks_minor_score", "networks", ["minor_score"])
    op.create_index("ix_networks_trafficking_score", "networks", ["trafficking_score"])
    op.create_table(
        "suppressed_hubs",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("value", sa.String(400), primary_key=True),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("suppressed_hubs")
    op.drop_table("networks")
    for column in ("network_indicators", "linked_revision"):
        op.execute(f"ALTER TABLE records DROP COLUMN {column}")
