"""Storage: SQL schema, migrations, writes and queries (SQLite by default, PostgreSQL when it grows)."""
