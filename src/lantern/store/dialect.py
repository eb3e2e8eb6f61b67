"""The few statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Table, bindparam, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def insert_ignoring_duplicates(connection: Connection, table: Table):
    """An INSERT that skips rows colliding with a unique key (idempotent re-ingest and re-runs)."""
    if connection.dialect.name == "postgresql":
        # RETURNING lets SQLAlchemy batch the rows into multi-row VALUES pages: without it, an INSERT
        # with ON CONFLICT is sent row by row. Nothing reads the returned keys.
        return postgresql.insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return sqlite.insert(table).on_conflict_do_nothing()


def update_rows(
    connection: Connection, table: Table, key: str, rows: Sequence[dict[str, Any]], columns: dict[str, str]
) -> None:
    """``UPDATE table SET column = row[param] ... WHERE key = row["_pk"]`` for many rows at once.

    ``columns`` maps each column to set onto the row's parameter name; ``key`` is the column matched
    against ``_pk``. SQLite runs the classic executemany (in-process, so a statement per row is cheap).
    pg8000 would send one statement per row, a network round trip each, so on PostgreSQL the rows go
    as one array per column into a single ``UPDATE ... FROM unnest(...)``: one round trip for any
    number of rows and a handful of parameters, whatever PostgreSQL's 65,535-parameter limit.
    """
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        statement = (
            update(table)
            .where(table.c[key] == bindparam("_pk"))
            .values({column: bindparam(param) for column, param in columns.items()})
        )
        connection.execute(statement, list(rows))
        return
    names = ["_pk", *columns.values()]
    targets = [key, *columns]
    casts, params = [], {}
    for index, (name, target) in enumerate(zip(names, targets, strict=True)):
        column_type = table.c[target].type
        values = [row[name] for row in rows]
        if isinstance(column_type, JSON):
            # JSON travels as text (pg8000 has no json[] adapter) and is cast back per element. None
            # becomes JSON null, as SQLAlchemy's JSON type stores it, so both paths store the same.
            values = [orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode() for value in values]
            casts.append(f"CAST(:p{index} AS TEXT[])")
        else:
            casts.append(f"CAST(:p{index} AS {column_type.compile(dialect=connection.dialect)}[])")
        params[f"p{index}"] = values
    quote = connection.dialect.identifier_preparer.quote
    assignments = ", ".join(
        f"{quote(column)} = CAST(v.c{index + 1} AS JSON)"
        if isinstance(table.c[column].type, JSON)
        else f"{quote(column)} = v.c{index + 1}"
        for index, column in enumerate(columns)
    )
    aliases = ", ".join(f"c{index}" for index in range(len(names)))
    name = quote(table.name)
    connection.execute(
        text(
            f"UPDATE {name} SET {assignments} FROM unnest({', '.join(casts)}) AS v({aliases}) "
            f"WHERE {name}.{quote(key)} = v.c0"
        ),
        params,
    )
