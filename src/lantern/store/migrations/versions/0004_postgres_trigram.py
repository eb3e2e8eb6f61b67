"""PostgreSQL: a trigram index on entity values for partial identifier search. No-op on SQLite.

Identifier search looks values up by substring as well as exactly: a handle typed without its
platform is matched with ``value LIKE '%:handle'``, and an investigator may paste part of a phone
number or e-mail. A b-tree on (kind, value) cannot serve a leading wildcard, so on PostgreSQL those
queries would read every entity; ``pg_trgm``'s GIN index serves ``LIKE``/``ILIKE`` with wildcards on
either side. SQLite has no equivalent, so nothing changes there.

``pg_trgm`` is a trusted extension (PostgreSQL 13+), so a database owner without superuser rights can
create it; it ships in Debian's ``postgresql-15`` package.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_entities_value_trgm ON entities USING gin (value gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_entities_value_trgm")
    # The extension stays: it may have been installed by an administrator before this migration (the
    # upgrade only adds it when missing), and other objects in the database may depend on it.
