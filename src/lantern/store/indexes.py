"""Indexes set aside while a bulk update rewrites a column across a whole table, and built again after.

Changing an indexed column moves the row's entry in that index: a delete and an insert at a random place
in a B-tree that, at a million records, no cache holds. A full relink rewrites the network and both scores
of every record, and on the 1M SQLite store each of the three indexes on those columns added 12–13 µs a
row to the update (docs/benchmarks.md, session 12). Building an index afresh is one scan and one sort.

The indexes are dropped in their own transaction and created again after the update, so a crash between
the two leaves them missing: ``restore_indexes`` (run by ``lantern.store.db.open_database``) creates any
index of the schema that the database lacks, and the relink that the crash left pending sets them aside
and builds them again itself. Readers meanwhile see the same rows, only without those indexes to speed
them; a command or web app that opens the store meanwhile builds them at once, and the relink then keeps
them current as it did before (slower, same result).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, Index, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex, DropIndex

_INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :table",
}
"""Index names by table, asked of the catalogue directly: SQLAlchemy's reflection warns about (and skips)
the expression index on ``lower(location)``."""


def indexes_on(table: Table, columns: Iterable[str]) -> list[Index]:
    """The table's indexes that include any of ``columns``, by name (expression indexes never do)."""
    wanted = set(columns)
    chosen = [index for index in table.indexes if any(column.name in wanted for column in index.columns)]
    return sorted(chosen, key=lambda index: str(index.name))


@contextmanager
def indexes_set_aside(engine: Engine, table: Table, columns: Iterable[str]) -> Iterator[None]:
    """Drop the indexes of ``table`` on ``columns`` for the duration of the block, then create them again
    (also when the block raises)."""
    chosen = indexes_on(table, columns)
    with engine.begin() as connection:
        for index in chosen:
            connection.execute(DropIndex(index, if_exists=True))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for index in chosen:
                connection.execute(CreateIndex(index, if_not_exists=True))


def missing_indexes(connection: Connection, tables: Iterable[Table]) -> list[Index]:
    """Indexes the schema declares that the database does not have."""
    query = text(_INDEX_NAMES[connection.dialect.name])
    missing = []
    for table in tables:
        present = set(connection.execute(query, {"table": table.name}).scalars())
        missing.extend(index for index in table.indexes if index.name not in present)
    return sorted(missing, key=lambda index: str(index.name))


def restore_indexes(engine: Engine, tables: Iterable[Table]) -> list[str]:
    """Create whatever index of ``tables`` is missing (left so by a bulk update that did not finish);
    returns their names."""
    with engine.begin() as connection:
        missing = missing_indexes(connection, tables)
        for index in missing:
            connection.execute(CreateIndex(index))
    return [str(index.name) for index in missing]
