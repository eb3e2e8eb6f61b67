"""Single sign-on: which OpenID Connect identity (issuer and subject) is which Lantern user.

A user created at their first sign-in through the agency's identity provider is found again by the
provider's stable subject, not by a username the provider could reassign. Local accounts have no row here.

Revision ID: 0016
Revises: 0009
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sso_identities",
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("issuer", "subject"),
    )
    op.create_index("ix_sso_identities_user", "sso_identities", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_sso_identities_user", table_name="sso_identities")
    op.drop_table("sso_identities")
