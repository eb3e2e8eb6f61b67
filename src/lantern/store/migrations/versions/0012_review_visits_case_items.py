"""The investigator's workspace: triage state per agency, the user's last visit, where a case's records
came from, feedback on networks, and case activity read off the audit log by target.

* ``record_reviews`` / ``network_reviews``: new, reviewed, dismissed or escalated, with an assignee, per
  agency (the corpus is shared; what a unit has reviewed is its own).
* ``user_visits``: the record-id mark of the user's previous visit to Today ("new since your last visit").
* ``case_records.via_network``: the attached network that pulled a record in (NULL: attached by hand).
  Existing rows whose record belongs to a network attached to the same case at the same moment or
  earlier are marked as pulled in by it.
* ``feedback.network_id``, and ``feedback.record_pk`` nullable: a judgement on a whole network.
* ``ix_records_first_ingested_at``: networks that grew since a date (records arrive in this order, so
  the index only grows at its end).
* ``ix_audit_log_target``: a case's timeline is its audit entries (``target = 'case:N'``), found by the
  first 100 characters of the target.

Revision ID: 0012
Revises: 0016
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0016"
branch_labels = None
depends_on = None


def _review_table(name: str, key: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), primary_key=True),
        key,
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("assignee_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("updated_by", sa.Integer),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def upgrade() -> None:
    _review_table(
        "record_reviews",
        sa.Column("record_pk", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    )
    _review_table("network_reviews", sa.Column("network_id", sa.String(80), primary_key=True))
    op.create_table(
        "user_visits",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("visit_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visit_mark", sa.Integer, nullable=False),
        sa.Column("since_at", sa.DateTime(timezone=True)),
        sa.Column("since_mark", sa.Integer),
    )
    with op.batch_alter_table("case_records") as batch:
        batch.add_column(sa.Column("via_network", sa.String(80)))
    op.execute(
        "UPDATE case_records SET via_network = ("
        " SELECT cn.network_id FROM case_networks cn JOIN records r ON r.network_id = cn.network_id"
        " WHERE cn.case_id = case_records.case_id AND r.id = case_records.record_pk"
        " AND cn.added_at <= case_records.added_at LIMIT 1)"
    )
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("network_id", sa.String(80)))
        batch.alter_column("record_pk", existing_type=sa.Integer, nullable=True)
        batch.create_index("ix_feedback_network", ["network_id"])
    op.create_index("ix_records_first_ingested_at", "records", ["first_ingested_at"])
    op.create_index("ix_audit_log_target", "audit_log", [sa.text("substr(target, 1, 100)"), "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_index("ix_records_first_ingested_at", table_name="records")
    op.execute("DELETE FROM feedback WHERE record_pk IS NULL")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_network")
        batch.alter_column("record_pk", existing_type=sa.Integer, nullable=False)
        batch.drop_column("network_id")
    with op.batch_alter_table("case_records") as batch:
        batch.drop_column("via_network")
    op.drop_table("user_visits")
    op.drop_table("network_reviews")
    op.drop_table("record_reviews")
