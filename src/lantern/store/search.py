"""Full-text search over title and body: FTS5 on SQLite, tsvector on PostgreSQL, one function for both.

Queries come from users who paste ad text, so they are never passed to the engine's query language
as-is: each word becomes a quoted term, for FTS5 or for PostgreSQL's ``to_tsquery``, which makes
operator injection impossible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 32


@dataclass(slots=True, frozen=True)
class Hit:
    record_pk: int
    rank: float
    title_snippet: str
    body_snippet: str


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


def search_text(connection: Connection, user_text: str, *, limit: int = 50, offset: int = 0) -> list[Hit]:
    """Records matching every word, best first, with highlighted snippets (``[`` ``]`` mark matches)."""
    if connection.dialect.name == "postgresql":
        return _search_postgres(connection, user_text, limit, offset)
    query = fts5_query(user_text)
    if not query:
        return []
    rows = connection.execute(
        text(
            "SELECT rowid, bm25(records_fts, 2.0, 1.0) AS rank, "
            "snippet(records_fts, 0, '[', ']', '…', 12), snippet(records_fts, 1, '[', ']', '…', 24) "
            "FROM records_fts WHERE records_fts MATCH :query ORDER BY rank LIMIT :limit OFFSET :offset"
        ),
        {"query": query, "limit": limit, "offset": offset},
    )
    return [Hit(int(pk), float(rank), title or "", body or "") for pk, rank, title, body in rows]


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


def _search_postgres(connection: Connection, user_text: str, limit: int, offset: int) -> list[Hit]:
    query = tsquery_text(user_text)
    if not query:
        return []
    rows = connection.execute(
        text(
            "SELECT id, ts_rank(search_vector, q) AS rank, "
            "ts_headline('simple', coalesce(title, ''), q, 'StartSel=[, StopSel=], MaxWords=12, MinWords=4'), "
            "ts_headline('simple', coalesce(body, ''), q, 'StartSel=[, StopSel=], MaxWords=24, MinWords=8') "
            "FROM records, to_tsquery('simple', :query) AS q WHERE search_vector @@ q "
            "ORDER BY rank DESC, id LIMIT :limit OFFSET :offset"
        ),
        {"query": query, "limit": limit, "offset": offset},
    )
    return [Hit(int(pk), -float(rank), title or "", body or "") for pk, rank, title, body in rows]
