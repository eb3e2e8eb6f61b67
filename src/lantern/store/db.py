"""Engine creation and migrations.

SQLite gets WAL (readers never block the ingest), NORMAL synchronous (durable at each commit under WAL
across application crashes, which is what the crash-safety guarantee needs) and foreign keys on.
PostgreSQL (through pg8000) gets batched multi-row INSERTs; see ``make_engine``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect

from lantern.store.dialect import json_text

MIGRATIONS = Path(__file__).parent / "migrations"


PAGE_SIZE = 16_384
"""Bytes per page of a new SQLite store (SQLite's default is 4,096; an existing store keeps the size it was
made with, since WAL mode fixes it). A record row is about 2.5 kB (its text and extraction), so a 4 kB
page held one row and left 1.2 kB empty (1M records: 935,929 leaf pages, 1.18 GB unused); a 16 kB page
holds six. Fewer, fuller pages mean fewer page writes when a full relink updates every row and smaller
scans when it rebuilds the indexes it set aside. 1M records, seed 3 (docs/benchmarks.md, session 16):
database 5.83 -> 4.73 GB, ``write_full_run`` 38.0 -> 25.1 s, the whole link 207.3-231.8 s (session 15)
-> 184.8-219.5 s, page latencies within run-to-run noise."""

WAL_AUTOCHECKPOINT_PAGES = 10_000
"""Pages the write-ahead log may hold before a commit copies them into the database (SQLite's default is
1,000). An ingest batch of 2,000 records wrote more than 1,000 4 kB pages, so with the default every
commit checkpointed, and the index pages that consecutive batches all touch were copied back each time;
at 10,000 they are copied about once in three batches (1M-record ingest: 154.2 -> 149.8 s of writer CPU,
docs/benchmarks.md session 13). With ``PAGE_SIZE`` pages the log holds up to about 160 MB between
checkpoints (a 1M-record ingest took 264 s against 272 s with 4 kB pages, session 16)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL: only a new, empty file takes it
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and their pragmas set."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, json_serializer=json_text, json_deserializer=orjson.loads)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        # pg8000's executemany sends one statement per row: a round trip each, which made a batch of
        # 2,000 records with their entities take seconds. SQLAlchemy's "insertmanyvalues" turns a
        # plain INSERT executemany into multi-row VALUES pages instead (as it does for psycopg2), kept
        # under its parameter cap (32,700, half of PostgreSQL's 65,535 per statement).
        engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the newest by default)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` removes every table)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@cache
def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def is_current(engine: Engine) -> bool:
    """Whether the database is already at the newest migration (cheap check before migrating)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return version == _head_revision()


def open_database(url: str) -> Engine:
    """An engine on a database migrated to the newest schema, with every index of ``records`` in place
    (a full relink that stopped half-way leaves some dropped: ``lantern.store.indexes``)."""
    from lantern.store.indexes import restore_indexes
    from lantern.store.schema import records

    engine = make_engine(url)
    if not is_current(engine):
        migrate(engine)
    restore_indexes(engine, [records])
    return engine
