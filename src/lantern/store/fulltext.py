"""Full-text search over title and body, and its query plans: one object per database.

:func:`full_text` picks the object once from the engine's dialect (FTS5 on SQLite, ``tsvector`` on
PostgreSQL); the search box, the watchlist matcher and the writer ask it the same questions and never
test the dialect themselves:

* :meth:`FullText.match`: the records matching some words and the record filters (None when nothing can);
* :meth:`FullText.count_capped`: how many, counted up to ``TOTAL_CAP``;
* :meth:`FullText.ranked_window`: a page by relevance, ranking the newest ``RANK_WINDOW`` matches;
* :meth:`FullText.in_order`: a page in an index order (date, risk);
* :meth:`FullText.snippets`: title and body snippets with ``\\x02``/``\\x03`` around the matched words;
* :meth:`FullText.search_within`: saved searches tested against a batch of new records only;
* :meth:`FullText.dense_carrying`: the plan for an identifier thousands of records carry;
* :meth:`FullText.index_new_records`: keep the index fed after an insert.

Queries come from users who paste ad text, so they are never passed to the engine's query language
as-is: each word becomes a quoted term, for FTS5 or for PostgreSQL's ``to_tsquery``, which makes
operator injection impossible.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    column,
    exists,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.engine import Connection

from lantern.store import queries as store_queries
from lantern.store.filters import (
    RecordFilters,
    city_conditions,
    city_prefix,
    filter_conditions,
    indexed_conditions,
    like_escape,
)
from lantern.store.schema import entities, record_images, records

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 32
RANK_WINDOW = 2000
"""Relevance ranks the newest this many matches: exact below, bounded above (a common word over millions
of ads still answers in milliseconds; the page says when the window applied)."""
ID_LIST_MAX = 100_000
"""A full-text search on SQLite tests a filter that an index answers (city, site, dates, kind, scores)
against the list of record ids the index gives, when that list holds at most this many: the matches are
then filtered without reading their rows. A filter that passes more records is tested on the row, where
enough matches pass within a few thousand rows."""
MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"

FTS = table("records_fts", column("rowid"))


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


@dataclass(frozen=True)
class TextMatch:
    """The records matching a query's words and the filters, as one database plans them.

    ``query`` is the engine's query text; ``listed`` are conditions the full-text index (and, on SQLite,
    lists of ids read off other indexes) answer without reading a row; ``on_rows`` are tested on each
    matching row."""

    query: str
    listed: tuple[Any, ...] = ()
    on_rows: tuple[Any, ...] = field(default=())


class FullText(ABC):
    """One database's full-text search and the plans around it (see the module docstring)."""

    name: str

    @abstractmethod
    def query_text(self, user_text: str) -> str:
        """What the user typed as this engine's query: an AND of quoted words, or '' for no word."""

    @abstractmethod
    def match(self, connection: Connection, words: str, filters: RecordFilters) -> TextMatch | None:
        """The matches of ``words`` under ``filters``; None when no word was typed or a filter passes no
        record at all."""

    @abstractmethod
    def count_capped(self, connection: Connection, match: TextMatch) -> tuple[int, bool]:
        """How many records match, up to ``TOTAL_CAP``, and whether more do."""

    @abstractmethod
    def ranked_window(
        self, connection: Connection, match: TextMatch, limit: int, offset: int
    ) -> tuple[list[int], int, bool]:
        """Up to ``limit + 1`` record ids from ``offset`` by relevance (best first, ties by id), the capped
        count and whether it is a lower bound. Only the newest ``RANK_WINDOW`` matches are ranked when
        more match."""

    @abstractmethod
    def in_order(
        self, connection: Connection, match: TextMatch, order: list[Any], limit: int, offset: int, many: bool
    ) -> list[int]:
        """Up to ``limit + 1`` record ids from ``offset`` in ``order`` (columns of ``records``); ``many``
        says the capped count overflowed, so walking the order's index beats sorting every match."""

    @abstractmethod
    def snippets(
        self, connection: Connection, match: TextMatch, pks: list[int]
    ) -> dict[int, tuple[str, str]]:
        """Title and body snippets of ``pks`` with ``MARK_OPEN``/``MARK_CLOSE`` around matched words."""

    @abstractmethod
    def search_within(
        self, connection: Connection, searches: list[tuple[int, str]], pks: list[int]
    ) -> list[tuple[int, str, int]]:
        """(entry, query, record) for each saved search ``(entry, words)`` matching a record among ``pks``;
        the cost follows the batch, not the corpus."""

    def dense_carrying(self, mode: str, values: list[str]) -> Any | None:
        """A condition for records carrying an identifier that thousands of records carry, planned as a
        walk of records newest-first that probes each one's identifiers; None where sorting the
        identifier index's hits is the better plan."""
        return None

    def index_new_records(self, connection: Connection, pks: list[int]) -> None:
        """Add newly inserted records to the index (a no-op where the database maintains it itself)."""
        return None


_INDEX_NEW = text(
    "INSERT INTO records_fts(rowid, title, body) SELECT id, title, body FROM records WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_SQLITE_FILL = text(
    "INSERT INTO temp.watch_batch_fts(rowid, title, body) SELECT id, title, body FROM records WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_SQLITE_SEARCH = text("SELECT rowid FROM temp.watch_batch_fts WHERE watch_batch_fts MATCH :query")


class SQLiteFullText(FullText):
    """FTS5 (``records_fts``, an external-content table fed by the writer), ranked by ``bm25``."""

    name = "sqlite"

    def query_text(self, user_text: str) -> str:
        return fts5_query(user_text)

    def match(self, connection: Connection, words: str, filters: RecordFilters) -> TextMatch | None:
        query = fts5_query(words)
        if not query:
            return None
        split = self._split_filters(connection, filters)
        if split is None:
            return None
        on_rows, id_lists = split
        matches = text("records_fts MATCH :match").bindparams(match=query)
        return TextMatch(query=query, listed=(matches, *id_lists), on_rows=tuple(on_rows))

    def _split_filters(
        self, connection: Connection, filters: RecordFilters
    ) -> tuple[list[Any], list[Any]] | None:
        """The filters split by how they are tested: on the rows of the matches, or as lists of record
        ids read off an index (see ``ID_LIST_MAX``; the city too, through its ``lower(location)`` index).
        None when a filter passes no record at all.

        A condition tested on rows writes each column with SQLite's unary ``+``, which keeps the planner
        from walking that column's index and asking the full-text index about every record on the way."""
        on_rows: list[Any] = []
        id_lists: list[Any] = []
        candidates = [
            (select(records.c.id).where(condition).correlate(None), hidden)
            for condition, hidden in zip(
                indexed_conditions(filters), indexed_conditions(filters, hidden=True), strict=True
            )
        ]
        if filters.city:
            candidates.insert(0, (_city_ids(filters), city_conditions(filters, hidden=True)[0]))
        for ids, hidden in candidates:
            few = select(func.count()).select_from(ids.limit(ID_LIST_MAX + 1).subquery())
            passing = connection.execute(few).scalar_one()
            if not passing:
                return None
            if passing <= ID_LIST_MAX:
                id_lists.append(literal_column("+records_fts.rowid").in_(ids))
            else:
                on_rows.append(hidden)
        return on_rows, id_lists

    def _joined(self, match: TextMatch) -> Any:
        joined = FTS.join(records, records.c.id == FTS.c.rowid)
        return select(records.c.id).select_from(joined).where(*match.listed, *match.on_rows)

    def count_capped(self, connection: Connection, match: TextMatch) -> tuple[int, bool]:
        if match.on_rows:
            return store_queries.capped_count(connection, self._joined(match))
        # count in the full-text index (and the id lists) alone
        return store_queries.capped_count(
            connection, select(FTS.c.rowid).select_from(FTS).where(*match.listed)
        )

    def ranked_window(
        self, connection: Connection, match: TextMatch, limit: int, offset: int
    ) -> tuple[list[int], int, bool]:
        total, lower_bound = self.count_capped(connection, match)
        if not total:
            return [], 0, False
        score = literal_column("bm25(records_fts, 2.0, 1.0)").label("score")
        if match.on_rows:
            joined = FTS.join(records, records.c.id == FTS.c.rowid)
            inner = select(records.c.id.label("id"), score).select_from(joined)
        else:
            inner = select(FTS.c.rowid.label("id"), score).select_from(FTS)
        inner = inner.where(*match.listed, *match.on_rows)
        if lower_bound or total > RANK_WINDOW:  # rank the newest only
            inner = inner.order_by(FTS.c.rowid.desc()).limit(RANK_WINDOW)
        window = inner.subquery()  # else every match: no order for the planner to follow
        ranked = select(window.c.id).order_by(window.c.score, window.c.id).limit(limit + 1).offset(offset)
        return list(connection.execute(ranked).scalars()), total, lower_bound

    def in_order(
        self, connection: Connection, match: TextMatch, order: list[Any], limit: int, offset: int, many: bool
    ) -> list[int]:
        stmt = self._joined(match)
        if many:
            # Many matches, by date or risk: walk that order's index and keep the records the full-text
            # index lists (the unary + keeps SQLite from reading each match's row by key to sort them all).
            found = literal_column("+records.id").in_(select(FTS.c.rowid).where(*match.listed))
            stmt = select(records.c.id).where(found).where(*match.on_rows)
        return list(connection.execute(stmt.order_by(*order).limit(limit + 1).offset(offset)).scalars())

    def snippets(
        self, connection: Connection, match: TextMatch, pks: list[int]
    ) -> dict[int, tuple[str, str]]:
        if not pks:
            return {}
        rows = connection.execute(
            text(
                "SELECT rowid, snippet(records_fts, 0, char(2), char(3), '…', 12), "
                "snippet(records_fts, 1, char(2), char(3), '…', 24) FROM records_fts "
                "WHERE records_fts MATCH :match AND rowid IN (" + ",".join(str(int(pk)) for pk in pks) + ")"
            ),
            {"match": match.query},
        )
        return {int(pk): (title or "", body or "") for pk, title, body in rows}

    def search_within(
        self, connection: Connection, searches: list[tuple[int, str]], pks: list[int]
    ) -> list[tuple[int, str, int]]:
        """FTS5 cannot restrict a MATCH to a set of rowids cheaply (it walks each term's postings over the
        whole corpus), so the batch's records are indexed into a small temporary FTS5 table with the same
        tokenizer as ``records_fts`` and the searches run against that."""
        hits: list[tuple[int, str, int]] = []
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.watch_batch_fts USING fts5("
            "title, body, tokenize='unicode61 remove_diacritics 2')"
        )
        connection.exec_driver_sql("DELETE FROM temp.watch_batch_fts")
        try:
            connection.execute(_SQLITE_FILL, {"ids": pks})
            for entry_id, user_text in searches:
                query = fts5_query(user_text)
                if query:
                    rows = connection.execute(_SQLITE_SEARCH, {"query": query}).scalars()
                    hits.extend((entry_id, user_text, int(pk)) for pk in rows)
        finally:
            connection.exec_driver_sql("DELETE FROM temp.watch_batch_fts")
        return hits

    def dense_carrying(self, mode: str, values: list[str]) -> Any:
        """Sorting thousands of (kind, value) index hits per page is slow, so the query walks records
        newest-first and probes each record's identifiers: the unary ``+`` stops the planner from using
        the (kind, value) index, which makes it choose that walk."""
        if mode == "image":
            probe = record_images.alias("ri")
            return exists(
                select(literal(1))
                .select_from(probe)
                .where(probe.c.record_pk == records.c.id)
                .where(
                    text("+ri.image_sha256 IN :dense_values").bindparams(
                        bindparam("dense_values", values, expanding=True)
                    )
                )
            )
        prefix_handle = mode == "handle" and values and ":" not in values[0]
        entity = entities.alias("e")
        value_test = (
            text("+e.value LIKE :dense_pattern ESCAPE '\\'").bindparams(
                dense_pattern="%:" + like_escape(values[0])
            )
            if prefix_handle
            else text("+e.value IN :dense_values").bindparams(
                bindparam("dense_values", values, expanding=True)
            )
        )
        return exists(
            select(literal(1))
            .select_from(entity)
            .where(entity.c.record_pk == records.c.id)
            .where(text("+e.kind = :dense_kind").bindparams(dense_kind="handle" if prefix_handle else mode))
            .where(value_test)
        )

    def index_new_records(self, connection: Connection, pks: list[int]) -> None:
        for start in range(0, len(pks), 900):
            connection.execute(_INDEX_NEW, {"ids": pks[start : start + 900]})


def _city_ids(filters: RecordFilters) -> Any:
    """The records of the city filter, read off the ``lower(location)`` index: SQLite uses an expression
    index for a range, not for ``LIKE``, so the prefix is also written as the range from the prefix to
    the prefix followed by the highest code point (UTF-8 compares bytewise)."""
    prefix, located = city_prefix(filters), func.lower(records.c.location)
    in_range = and_(located >= prefix, located < prefix + "\U0010ffff")
    return select(records.c.id).where(in_range, *city_conditions(filters)).correlate(None)


_POSTGRES_SEARCH = text(
    "SELECT id FROM records WHERE id IN :ids AND search_vector @@ to_tsquery('simple', :query)"
).bindparams(bindparam("ids", expanding=True))


class PostgresFullText(FullText):
    """The generated ``records.search_vector`` column with its GIN index, ranked by ``ts_rank``: the same
    words (a trailing ``*`` searches a prefix) and the same ``RANK_WINDOW`` bound as on SQLite."""

    name = "postgresql"

    def query_text(self, user_text: str) -> str:
        return tsquery_text(user_text)

    def match(self, connection: Connection, words: str, filters: RecordFilters) -> TextMatch | None:
        query = tsquery_text(words)
        if not query:
            return None
        matches = literal_column("records.search_vector").op("@@")(func.to_tsquery("simple", query))
        return TextMatch(query=query, listed=(matches,), on_rows=tuple(filter_conditions(filters)))

    def _matching(self, match: TextMatch) -> Any:
        return select(records.c.id).where(*match.listed).where(*match.on_rows)

    def count_capped(self, connection: Connection, match: TextMatch) -> tuple[int, bool]:
        # Counting in primary-key order lets PostgreSQL stop a walk of the key after the cap for a common
        # word instead of building the full-text index's bitmap of every match; for a rare word its
        # statistics still pick the index.
        return store_queries.capped_count(connection, self._matching(match), newest_first=True)

    def ranked_window(
        self, connection: Connection, match: TextMatch, limit: int, offset: int
    ) -> tuple[list[int], int, bool]:
        # Ranking every match read each matching row's tsvector; one walk of the newest matches, with
        # their ranks, also gives the capped count: one query instead of two.
        cap = store_queries.TOTAL_CAP
        vector = literal_column("records.search_vector")
        newest = connection.execute(
            select(records.c.id, func.ts_rank(vector, func.to_tsquery("simple", match.query)))
            .where(*match.listed)
            .where(*match.on_rows)
            .order_by(records.c.id.desc())
            .limit(max(cap, RANK_WINDOW) + 1)
        ).all()
        total, lower_bound = min(len(newest), cap), len(newest) > cap
        ranked = sorted(newest[:RANK_WINDOW], key=lambda row: (-row[1], row[0]))  # rank desc, then id
        return [int(pk) for pk, _ in ranked[offset : offset + limit + 1]], total, lower_bound

    def in_order(
        self, connection: Connection, match: TextMatch, order: list[Any], limit: int, offset: int, many: bool
    ) -> list[int]:
        stmt = self._matching(match).order_by(*order).limit(limit + 1).offset(offset)
        return list(connection.execute(stmt).scalars())

    def snippets(
        self, connection: Connection, match: TextMatch, pks: list[int]
    ) -> dict[int, tuple[str, str]]:
        if not pks:
            return {}
        tsquery = func.to_tsquery("simple", match.query)
        options = f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=24, MinWords=8"
        rows = connection.execute(
            select(
                records.c.id,
                func.ts_headline("simple", func.coalesce(records.c.title, ""), tsquery, options),
                func.ts_headline("simple", func.coalesce(records.c.body, ""), tsquery, options),
            ).where(records.c.id.in_(pks))
        )
        return {int(pk): (title or "", body or "") for pk, title, body in rows}

    def search_within(
        self, connection: Connection, searches: list[tuple[int, str]], pks: list[int]
    ) -> list[tuple[int, str, int]]:
        """The id list is looked up by primary key and only those rows' ``search_vector`` tested."""
        hits: list[tuple[int, str, int]] = []
        for entry_id, user_text in searches:
            query = tsquery_text(user_text)
            if query:
                rows = connection.execute(_POSTGRES_SEARCH, {"query": query, "ids": pks}).scalars()
                hits.extend((entry_id, user_text, int(pk)) for pk in rows)
        return hits


FULL_TEXT: dict[str, FullText] = {"sqlite": SQLiteFullText(), "postgresql": PostgresFullText()}


def full_text(connection: Connection) -> FullText:
    """The full-text search of the connection's database."""
    try:
        return FULL_TEXT[connection.dialect.name]
    except KeyError:
        raise ValueError(f"no full-text search for the {connection.dialect.name!r} database") from None
