"""The tables. Migrations in ``migrations/versions`` create exactly these; keep the two in step.

Written with SQLAlchemy Core types that both SQLite and PostgreSQL support. Full-text search lives
outside this metadata (an FTS5 table on SQLite, a tsvector column on PostgreSQL) because it is
dialect-specific; see ``migrations`` and ``fulltext.py``.
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
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
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
    # The UTC offsets (minutes) the source stated for posted_at / collected_at, which are kept in UTC;
    # NULL when it stated none (lantern.instants; migration 0010).
    Column("posted_at_offset", SmallInteger),
    Column("collected_at_offset", SmallInteger),
    UniqueConstraint("source", "record_id", name="uq_records_source_record_id"),
    Index("ix_records_posted_at", "posted_at"),
    Index("ix_records_first_ingested_at", "first_ingested_at"),
    Index("ix_records_network_id", "network_id"),
    Index("ix_records_risk", "minor_score", "trafficking_score", "id"),
    Index("ix_records_source_kind", "source", "kind"),
    Index("ix_records_trafficking_score", "trafficking_score"),
)
Index(
    "ix_records_location_lower",
    func.lower(records.c.location),
    postgresql_ops={"lower_1": "text_pattern_ops"},
)  # the city filter's prefix (migration 0009 creates it, with text_pattern_ops on PostgreSQL)

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
    Column("collected_at_offset", SmallInteger),
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
    Index("ix_entities_kind_value_record", "kind", "value", "record_pk"),
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
    Column("pid", Integer),  # the ingest process, so a later run can tell a dead "running" run
    Column("host", String(255)),
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

# --- Accounts, sessions, API tokens, audit and retention holds (issue 8; see docs/security.md) ---

agencies = Table(
    "agencies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("name", name="uq_agencies_name"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(150), nullable=False),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("totp_secret", String(64)),
    Column("totp_last_step", BigInteger),
    Column("must_change_password", Boolean, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("username", name="uq_users_username"),
    Index("ix_users_agency", "agency_id"),
)

# Single sign-on (migration 0016): the OpenID Connect identity of users created at their first SSO sign-in.
sso_identities = Table(
    "sso_identities",
    metadata,
    Column("issuer", String(500), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_sso_identities_user", "user_id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("csrf_token_hash", String(64), nullable=False),
    Column("ip", String(64)),
    Column("user_agent", String(400)),
    Index("ix_sessions_user", "user_id"),
    Index("ix_sessions_expires_at", "expires_at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
    Index("ix_api_tokens_user", "user_id"),
)

# No foreign keys: the log must outlive (and never cascade from) the rows it talks about. Ids are
# assigned by the appender (last id + 1) because the id is part of each entry's hash.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", Integer),
    Column("agency_id", Integer),
    Column("action", String(60), nullable=False),
    Column("target", Text),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("prev_hash", name="uq_audit_log_prev_hash"),  # a fork cannot be committed
    Index("ix_audit_log_agency_id", "agency_id", "id"),
    Index("ix_audit_log_at", "at"),
)
# A case's timeline is its audit entries (``target = 'case:N'``); targets are bounded text, so the index
# holds their first 100 characters (a btree entry must stay small on PostgreSQL).
AUDIT_TARGET_PREFIX = func.substr(audit_log.c.target, 1, 100)
Index("ix_audit_log_target", AUDIT_TARGET_PREFIX, audit_log.c.id)

# Minimal hold table so retention can never purge case evidence. The cases issue adds ``cases`` and a
# foreign key from ``case_id``; RESTRICT makes deleting a held record fail in the database itself.
case_records = Table(
    "case_records",
    metadata,
    Column("case_id", Integer, primary_key=True),
    Column("record_pk", Integer, ForeignKey("records.id", ondelete="RESTRICT"), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", Integer),
    Column("via_network", String(80)),  # pulled in by this attached network; NULL: attached by hand
    Index("ix_case_records_record", "record_pk"),
)

# --- Child sexual abuse material hash lists, watchlists and alerts, cases (issue 9) ---
# Only new tables (migration 0005): ``records`` is never altered. See docs/csam.md and docs/cases.md.

csam_hash_lists = Table(
    "csam_hash_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(10), nullable=False),  # sha256 | md5 | phash
    Column("entries", Integer, nullable=False, server_default="0"),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("source_sha256", String(64)),
    UniqueConstraint("name", "kind", name="uq_csam_hash_lists_name_kind"),
)

csam_hashes = Table(
    "csam_hashes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", Integer, ForeignKey("csam_hash_lists.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("value", String(64), nullable=False),
    UniqueConstraint("list_id", "kind", "value", name="uq_csam_hashes_list_value"),
    Index("ix_csam_hashes_kind_value", "kind", "value"),
)

# One row per image found on a list: its hashes only. Its bytes are never written to the image store.
# No foreign keys, like the audit log: the block must outlive any purge of the records that carried it.
csam_blocked_images = Table(
    "csam_blocked_images",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("md5", String(32), nullable=False),
    Column("phash", String(16)),
    Column("list_id", Integer, nullable=False),
    Column("hash_kind", String(10), nullable=False),
    Column("matched_value", String(64), nullable=False),
    Column("distance", Integer, nullable=False, server_default="0"),
    Column("blocked_at", DateTime(timezone=True), nullable=False),
)

csam_matches = Table(
    "csam_matches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("image_sha256", String(64), nullable=False),
    Column("record_pk", Integer, nullable=False),
    Column("source", String(1000), nullable=False),
    Column("record_id", String(1000), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("original_ref", Text, nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False, server_default="new"),  # new | report_prepared
    Column("report_prepared_at", DateTime(timezone=True)),
    UniqueConstraint("image_sha256", "record_pk", name="uq_csam_matches_image_record"),
    Index("ix_csam_matches_record", "record_pk"),
)

watchlist_entries = Table(
    "watchlist_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("owner_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # phone | email | handle | payment | image | search
    Column("value", String(400), nullable=False),
    Column("image_phash", String(16)),
    Column("label", String(200)),
    Column("deliver", Text),  # email:ADDRESS | webhook:URL | NULL (inbox only)
    Column("digest", String(10), nullable=False, server_default="immediate"),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_watchlist_entries_kind_value", "kind", "value"),
    Index("ix_watchlist_entries_owner", "owner_id"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_id", Integer, ForeignKey("watchlist_entries.id", ondelete="CASCADE"), nullable=False),
    Column("record_pk", Integer, ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("agency_id", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reason", JSON, nullable=False),
    Column("read_at", DateTime(timezone=True)),
    Column("delivery", String(10), nullable=False),  # pending | sent | inbox (nothing to send)
    Column("due_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    UniqueConstraint("entry_id", "record_pk", name="uq_alerts_entry_record"),
    Index("ix_alerts_user", "user_id", "id"),
    Index("ix_alerts_delivery_due", "delivery", "due_at"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("title", String(400), nullable=False),
    Column("status", String(20), nullable=False, server_default="open"),
    Column("created_by", Integer),
    Column("assigned_to", Integer, ForeignKey("users.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_cases_agency", "agency_id"),
)

case_networks = Table(
    "case_networks",
    metadata,
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", String(80), primary_key=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", Integer),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_notes_case", "case_id"),
)

# Investigators' judgements: on one extracted value, one indicator firing, or the record's outcome.
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="SET NULL")),
    Column("record_pk", Integer, ForeignKey("records.id", ondelete="CASCADE")),  # or network_id
    Column("network_id", String(80)),
    Column("user_id", Integer),
    Column("agency_id", Integer, nullable=False),
    Column("kind", String(12), nullable=False),  # extraction | indicator | outcome
    Column("field", String(60)),
    Column("value", Text),
    Column("rule_id", String(120)),
    Column("target", String(12)),  # trafficking | minor (outcome)
    Column("verdict", String(10), nullable=False),  # correct | incorrect
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_feedback_record", "record_pk"),
    Index("ix_feedback_case", "case_id"),
    Index("ix_feedback_network", "network_id"),
)


def _review_table(name: str, key: Column) -> Table:
    """Triage state per agency: one row per record or network an agency reviewed, dismissed, escalated
    or assigned; no row means "new"."""
    return Table(
        name,
        metadata,
        Column("agency_id", Integer, ForeignKey("agencies.id"), primary_key=True),
        key,
        Column("state", String(12), nullable=False),  # new | reviewed | dismissed | escalated
        Column("assignee_id", Integer, ForeignKey("users.id")),
        Column("updated_by", Integer),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )


record_reviews = _review_table(
    "record_reviews",
    Column("record_pk", Integer, ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
)
network_reviews = _review_table("network_reviews", Column("network_id", String(80), primary_key=True))

# What the user had seen when they last opened Today: the visit before this one (``since_*``) is what
# "new since your last visit" is measured from; record ids grow with collection, so a mark is the
# highest record id then.
user_visits = Table(
    "user_visits",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("visit_at", DateTime(timezone=True), nullable=False),
    Column("visit_mark", Integer, nullable=False),
    Column("since_at", DateTime(timezone=True)),
    Column("since_mark", Integer),
)
