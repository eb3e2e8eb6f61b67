"""The ranked queue reads one index: (minor_score, trafficking_score, id) replaces the minor_score index.

The triage queue (likely minors first, then trafficking, newest first among equal scores) was answered
from two single-column indexes joined by OR and then sorted whole: every scored record was sorted for
each page (253 ms for the query alone on 100,000 records; the queue's pages took 92-215 ms on a million,
SQLite, against 31-39 ms with this index). Walked backwards, this index is the queue's order itself, so a
page reads only its own rows. It still serves ``minor_score >= x`` filters, which is all the
single-column index was used for.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_risk", "records", ["minor_score", "trafficking_score", "id"])
    op.drop_index("ix_records_minor_score", table_name="records")


def downgrade() -> None:
    op.create_index("ix_records_minor_score", "records", ["minor_score"])
    op.drop_index("ix_records_risk", table_name="records")
