"""Hash lists and quarantined images (CSAM), watchlists and alerts, cases, notes and feedback.

Only new tables: ``records`` is not altered (a batch copy of it would drop its FTS triggers).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "csam_hash_lists",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("loaded_at", TZ, nullable=False),
        sa.Column("source_sha256", sa.String(64)),
        sa.UniqueConstraint("name", "kind", name="uq_csam_hash_lists_name_kind"),
    )
    op.create_table(
        "csam_hashes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "list_id", sa.Integer, sa.ForeignKey("csam_hash_lists.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.UniqueConstraint("list_id", "kind", "value", name="uq_csam_hashes_list_value"),
    )
    op.create_index("ix_csam_hashes_kind_value", "csam_hashes", ["kind", "value"])
    op.create_table(
        "csam_blocked_images",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("md5", sa.String(32), nullable=False),
        sa.Column("phash", sa.String(16)),
        sa.Column("list_id", sa.Integer, nullable=False),
        sa.Column("hash_kind", sa.String(10), nullable=False),
        sa.Column("matched_value", sa.String(64), nullable=False),
        sa.Column("distance", sa.Integer, nullable=False, server_default="0"),
        sa.Column("blocked_at", TZ, nullable=False),
    )
    op.create_table(
        "csam_matches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        sa.Column("record_pk", sa.Integer, nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("record_id", sa.String(1000), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("original_ref", sa.Text, nullable=False),
        sa.Column("found_at", TZ, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="new"),
        sa.Column("report_prepared_at", TZ),
        sa.UniqueConstraint("image_sha256", "record_pk", name="uq_csam_matches_image_record"),
    )
    op.create_index("ix_csam_matches_record", "csam_matches", ["record_pk"])
    op.create_table(
        "watchlist_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(400), nullable=False),
        sa.Column("image_phash", sa.String(16)),
        sa.Column("label", sa.String(200)),
        sa.Column("deliver", sa.Text),
        sa.Column("digest", sa.String(10), nullable=False, server_default="immediate"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_watchlist_entries_kind_value", "watchlist_entries", ["kind", "value"])
    op.create_index("ix_watchlist_entries_owner", "watchlist_entries", ["owner_id"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "entry_id", sa.Integer, sa.ForeignKey("watchlist_entries.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("record_pk", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("reason", sa.JSON, nullable=False),
        sa.Column("read_at", TZ),
        sa.Column("delivery", sa.String(10), nullable=False),
        sa.Column("due_at", TZ),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", TZ),
        sa.UniqueConstraint("entry_id", "record_pk", name="uq_alerts_entry_record"),
    )
    op.create_index("ix_alerts_user", "alerts", ["user_id", "id"])
    op.create_index("ix_alerts_delivery_due", "alerts", ["delivery", "due_at"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("created_by", sa.Integer),
        sa.Column("assigned_to", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_cases_agency", "cases", ["agency_id"])
    op.create_table(
        "case_networks",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("network_id", sa.String(80), primary_key=True),
        sa.Column("added_at", TZ, nullable=False),
        sa.Column("added_by", sa.Integer),
    )
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_case_notes_case", "case_notes", ["case_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="SET NULL")),
        sa.Column("record_pk", sa.Integer, sa.ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("field", sa.String(60)),
        sa.Column("value", sa.Text),
        sa.Column("rule_id", sa.String(120)),
        sa.Column("target", sa.String(12)),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_feedback_record", "feedback", ["record_pk"])
    op.create_index("ix_feedback_case", "feedback", ["case_id"])


def downgrade() -> None:
    for table in (
        "feedback",
        "case_notes",
        "case_networks",
        "cases",
        "alerts",
        "watchlist_entries",
        "csam_matches",
        "csam_blocked_images",
        "csam_hashes",
        "csam_hash_lists",
    ):
        op.drop_table(table)
