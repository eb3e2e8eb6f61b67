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

from lantern.files import private_folder
from lantern.store.dialect import json_text
from lantern.store.urls import engine_arguments

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
    """An engine for ``url``; SQLite files get their folder created (readable by the owner only) and their
    pragmas set; ``postgresql://`` URLs go through pg8000 with libpq's ``sslmode`` (``store.urls``)."""
    target, connect_args = engine_arguments(url)
    if target.get_backend_name() == "sqlite" and target.database not in (None, "", ":memory:"):
        private_folder(Path(target.database).parent)
    engine = create_engine(
        target, json_serializer=json_text, json_deserializer=orjson.loads, connect_args=connect_args
    )
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


class SchemaOutOfDate(RuntimeError):
    """The database was made by an older (or newer) Lantern; ``lantern db upgrade`` moves it on."""


@cache
def head_revision() -> str:
    """The newest migration this Lantern knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


@cache
def _known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions())


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for a database with no Lantern schema yet."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def is_current(engine: Engine) -> bool:
    """Whether the database is already at the newest migration (cheap check before migrating)."""
    return current_revision(engine) == head_revision()


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return not inspect(connection).get_table_names()


def check_schema(engine: Engine) -> None:
    """SchemaOutOfDate, in one line saying what to do, unless the schema is the newest."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaOutOfDate(
            "the database holds tables but no Lantern schema; point database_url at an empty one"
        )
    if current not in _known_revisions():
        raise SchemaOutOfDate(
            f"the database is at schema {current}, made by a newer Lantern than this one (newest known: "
            f"{head}); run the Lantern that made it, or restore a backup"
        )
    raise SchemaOutOfDate(
        f"the database is at schema {current}, this Lantern needs {head}: back it up "
        "(lantern backup OUT) and run `lantern db upgrade`"
    )


def open_database(url: str, *, upgrade: bool = False) -> Engine:
    """An engine on a database at the newest schema, with every index of ``records`` in place (a full
    relink that stopped half-way leaves some dropped: ``lantern.store.indexes``).

    A new, empty database gets the schema. An existing one at an older schema is migrated only with
    ``upgrade`` (``lantern db upgrade``, ``lantern demo``); otherwise SchemaOutOfDate, so that no command
    changes a production schema as a side effect and the server never starts on a schema it does not know.
    """
    from lantern.store.indexes import restore_indexes
    from lantern.store.schema import records

    engine = make_engine(url)
    if not is_current(engine):
        if upgrade or (current_revision(engine) is None and _is_empty(engine)):
            migrate(engine)
        else:
            check_schema(engine)
    restore_indexes(engine, [records])
    return engine
