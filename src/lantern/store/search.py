"""Full-text search over title and body: FTS5 on SQLite, tsvector on PostgreSQL.

The search itself is ``lantern.web.queries.search`` (the web page, the JSON API); this module keeps the
SQLite index fed and turns what a user typed into each engine's query. Queries come from users who
paste ad text, so they are never passed to the engine's query language as-is: each word becomes a
quoted term, for FTS5 or for PostgreSQL's ``to_tsquery``, which makes operator injection impossible.
"""

from __future__ import annotations

import re

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 32


_INDEX_NEW = text(
    "INSERT INTO records_fts(rowid, title, body) SELECT id, title, body FROM records WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def index_new_records(connection: Connection, pks: list[int]) -> None:
    """Add newly inserted records to the SQLite full-text index (PostgreSQL's column maintains itself)."""
    if connection.dialect.name != "sqlite":
        return
    for start in range(0, len(pks), 900):
        connection.execute(_INDEX_NEW, {"ids": pks[start : start + 900]})


def fts5_query(user_text: str) -> str:
    """AND of quoted words: ``new town`` → ``"new" "town"``; a trailing ``*`` keeps prefix search."""
    terms = []
    for match in WORD.finditer(user_text):
        word = match.group(0)
        prefix = user_text[match.end() : match.end() + 1] == "*"
        terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms[:MAX_TERMS])


def tsquery_text(user_text: str) -> str:
    """The PostgreSQL twin of ``fts5_query``: an AND of quoted words for ``to_tsquery``.

    ``new town`` → ``'new' & 'town'``, and a trailing ``*`` keeps prefix search (``'dall':*``).
    ``plainto_tsquery`` alone would be injection-proof but cannot express the prefix search the SQLite
    side offers; quoting each word (letters, digits, underscores only) as a lexeme keeps that property,
    since such a word can hold no quote, operator or weight character.
    """
    terms = []
    for match in WORD.finditer(user_text):
        prefix = user_text[match.end() : match.end() + 1] == "*"
        terms.append(f"'{match.group(0)}'" + (":*" if prefix else ""))
    return " & ".join(terms[:MAX_TERMS])
