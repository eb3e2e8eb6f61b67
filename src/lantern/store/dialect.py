"""The few statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, DateTime, LargeBinary, Table, bindparam, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


class EncodedJSON(str):
    """JSON text already made by ``json_text``: a JSON column given one stores it as it is.

    Ingest encodes each record's extraction in the process that read it, so the writer neither
    rebuilds the nested mentions from a pickle nor encodes them again (``ingest.reader.Extraction``).
    """


def json_text(value: object) -> str:
    """A JSON column's value as the store writes it (the engine's serializer, bulk updates, COPY)."""
    if type(value) is EncodedJSON:
        return value
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


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
            values = [json_text(value) for value in values]
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


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """A plain INSERT of many rows (every row with the same keys): COPY on PostgreSQL with pg8000.

    pg8000 rewrites the parameter style of every statement in Python, character by character, and
    SQLAlchemy's multi-row VALUES pages are long statements: that rewriting was over half of the time
    ingest spent writing a batch to PostgreSQL. ``COPY ... FROM STDIN`` sends the rows as data, with no
    statement to rewrite and less for the server to parse. Values are written as SQLAlchemy would bind
    them (JSON as the engine's JSON text, ``None`` in a JSON column as JSON ``null``).
    """
    if not rows:
        return
    if connection.dialect.name == "sqlite":
        _insert_sqlite(connection, table, rows)
        return
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "pg8000":
        connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    writers = [_copy_writer(table.c[name].type) for name in names]
    lines = []
    for row in rows:
        cells = []
        for name, write in zip(names, writers, strict=True):
            value = row[name]
            cells.append(write(value) if value is not None or write is _json_cell else "\\N")
        lines.append("\t".join(cells))
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    payload = io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement, stream=payload)
    finally:
        cursor.close()


def _insert_sqlite(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """The driver's own ``executemany`` with each value passed through its column type's bind processor,
    the very functions SQLAlchemy would call (JSON text, datetime strings): the stored bytes are the same.
    SQLAlchemy's per-row parameter handling around those calls was a third of the time ingest spent
    writing to SQLite. Columns left out of the rows get their server defaults, as with ``insert()``."""
    dialect = connection.dialect
    names = list(rows[0])
    processors = [_bind_processor(table.c[name].type, dialect) for name in names]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    columns = list(zip(names, processors, strict=True))
    values = [
        tuple(row[name] if convert is None else convert(row[name]) for name, convert in columns)
        for row in rows
    ]
    connection.exec_driver_sql(statement, values)


def _bind_processor(column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The column type's bind processor; for date-times, one that remembers what it made.

    A batch's rows share a few date-times (the time of the ingest, in several columns of every row), and
    SQLite's processor formats each with a ``%``-template: about a twentieth of what writing a record
    cost. Within one statement, the same value gets the same text from a dictionary (keyed with its UTC
    offset too: equal instants in different zones are written with their own clock fields).
    """
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column_type, DateTime):
        return process
    made: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        if value is None:
            return None
        key = (value, value.utcoffset()) if isinstance(value, datetime) else value
        text = made.get(key)
        if text is None:
            text = made[key] = process(value)
        return text

    return remembered


def _text_cell(value: Any) -> str:
    """COPY's text format: backslash, tab, newline and carriage return are written as escapes."""
    text = str(value).replace("\\", "\\\\")
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json_cell(value: Any) -> str:
    # JSON escapes control characters inside strings, so only its backslashes need doubling
    return json_text(value).replace("\\", "\\\\")


def _bool_cell(value: Any) -> str:
    return "t" if value else "f"


def _time_cell(value: Any) -> str:
    return value.isoformat() if isinstance(value, (datetime, date)) else _text_cell(value)


def _bytes_cell(value: Any) -> str:
    return "\\\\x" + bytes(value).hex()


def _copy_writer(column_type: Any) -> Callable[[Any], str]:
    """How one column's Python value is written in COPY's text format."""
    if isinstance(column_type, JSON):
        return _json_cell
    if isinstance(column_type, Boolean):
        return _bool_cell
    if isinstance(column_type, LargeBinary):
        return _bytes_cell
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return _text_cell
    return _time_cell if python_type in (datetime, date) else _text_cell
