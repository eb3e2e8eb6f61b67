"""The search box: what the query is (a contact or words), the matching records, and the filter options.

Every query is bounded (LIMIT, capped counts, bounded page numbers) because a page that scans the whole
store on each click becomes unusable at the millions of ads investigators work with. Full-text plans
are the database's (``lantern.store.fulltext``); this module only asks them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from lantern.extract import ExtractConfig, extract_text
from lantern.store import fulltext
from lantern.store import queries as store_queries
from lantern.store.filters import carrying, filter_conditions, identifier_match
from lantern.store.fulltext import WORD, full_text
from lantern.store.queries import RISK_ORDER
from lantern.store.schema import entities, records
from lantern.web.models import Interpretation, SearchFilters, SearchResponse, SortOrder, without_nul
from lantern.web.views.cards import (
    PAGE_SIZE,
    bounded_page,
    carrying_planned,
    marked_snippet,
    mention_snippet,
    rows_by_pk,
    summary,
)

MAX_QUERY_CHARS = 500
EMAIL_RE = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
AT_HANDLE_RE = re.compile(r"^@([\w.\-]{1,100})$")
PLATFORM_HANDLE_RE = re.compile(r"^([a-z][a-z0-9_]{1,30}):\s*([^\s:]{1,200})$", re.IGNORECASE)


def interpret_query(query: str, config: ExtractConfig) -> Interpretation:
    """Read the search box as a contact when it is one (in any format, disguised too), else as text.

    The extractor is the same one that reads ads, so "seven one three 555 oh one four two" typed from an
    ad finds the records that wrote the number any other way.
    """
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        return Interpretation(mode="empty", description="Type a phone, email, handle or words")
    at_handle = AT_HANDLE_RE.match(query)
    if at_handle:
        name = at_handle.group(1).lower()
        return Interpretation(mode="handle", values=[name], description=f"Handle @{name} on any platform")
    platform_handle = PLATFORM_HANDLE_RE.match(query)
    if platform_handle and not query.lower().startswith(("http:", "https:")):
        value = f"{platform_handle.group(1)}:{platform_handle.group(2)}".lower()
        if not any(ch.isdigit() for ch in platform_handle.group(2)[:1]):
            return Interpretation(mode="handle", values=[value], description=f"Handle {value}")
    found = extract_text(query, config, field="body")
    covered = [0] * len(query)
    for mention in found.get("mentions", []):
        if mention.get("type") in ("phone", "email"):
            start, end = mention["span"]
            for i in range(max(0, start), min(len(query), end)):
                covered[i] = 1
    leftover = "".join(ch for ch, c in zip(query, covered, strict=True) if not c)
    if len(WORD.findall(leftover)) == 0 or sum(covered) >= 0.8 * len(query):
        if found.get("phones"):
            phones = list(dict.fromkeys(found["phones"]))
            return Interpretation(mode="phone", values=phones, description="Phone " + ", ".join(phones))
        if found.get("emails"):
            emails = list(dict.fromkeys(e.lower() for e in found["emails"]))
            return Interpretation(mode="email", values=emails, description="Email " + ", ".join(emails))
    if EMAIL_RE.match(query):
        return Interpretation(mode="email", values=[query.lower()], description=f"Email {query.lower()}")
    return Interpretation(mode="text", values=[query], description="Words in title or text")


def order_of(sort: SortOrder) -> list[Any]:
    """The columns of a listing's order (relevance is the full-text engine's, not an order of columns)."""
    if sort == "risk":
        return list(RISK_ORDER)
    return [records.c.posted_at.desc(), records.c.id.desc()]


@dataclass
class Found:
    """What a search fetched: one page of record ids (one more than the page when there is a next),
    their card rows, the full-text snippets (marked title and body) and the capped count."""

    pks: list[int] = field(default_factory=list)
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    snippets: dict[int, tuple[str, str]] = field(default_factory=dict)
    total: int = 0
    lower_bound: bool = False


def fetch_search(
    connection: Connection,
    interpretation: Interpretation,
    filters: SearchFilters,
    sort: SortOrder,
    page: int,
    page_size: int,
) -> Found:
    """One page of records for the interpreted query and the filters."""
    conditions = filter_conditions(filters)
    offset = (page - 1) * page_size
    if interpretation.mode == "empty" and not conditions:
        return Found()
    if interpretation.mode == "text":
        found = _fetch_text(connection, interpretation.values[0], filters, sort, page_size, offset)
    else:
        found = _fetch_identifier(connection, interpretation, conditions, sort, page_size, offset)
    found.rows = rows_by_pk(connection, found.pks[:page_size])
    return found


def _fetch_identifier(
    connection: Connection,
    interpretation: Interpretation,
    conditions: list[Any],
    sort: SortOrder,
    limit: int,
    offset: int,
) -> Found:
    mode, values = interpretation.mode, interpretation.values
    stmt = select(records.c.id).where(*conditions)
    if mode != "empty":
        stmt = stmt.where(carrying(mode, values))
    if mode != "empty" and not conditions:
        # capped count straight from the (kind, value) index: no records join, stops at the cap
        counted = select(entities.c.record_pk).where(identifier_match(mode, values))
        total, lower_bound = store_queries.capped_count(connection, counted)
    else:
        total, lower_bound = store_queries.capped_count(connection, stmt)
    if mode != "empty":
        planned = carrying_planned(connection, mode, values, total, by_risk=sort == "risk")
        stmt = select(records.c.id).where(*conditions).where(planned)
    pks = list(connection.execute(stmt.order_by(*order_of(sort)).limit(limit + 1).offset(offset)).scalars())
    return Found(pks=pks, total=total, lower_bound=lower_bound)


def _fetch_text(
    connection: Connection, words: str, filters: SearchFilters, sort: SortOrder, limit: int, offset: int
) -> Found:
    engine = full_text(connection)
    match = engine.match(connection, words, filters)
    if match is None:
        return Found()
    if sort == "relevance":
        pks, total, lower_bound = engine.ranked_window(connection, match, limit, offset)
    else:
        total, lower_bound = engine.count_capped(connection, match)
        pks = engine.in_order(connection, match, order_of(sort), limit, offset, lower_bound) if total else []
    snippets = engine.snippets(connection, match, pks[:limit])
    return Found(pks=pks, snippets=snippets, total=total, lower_bound=lower_bound)


def search_view(
    query: str,
    interpretation: Interpretation,
    filters: SearchFilters,
    sort: SortOrder,
    page: int,
    page_size: int,
    found: Found,
) -> SearchResponse:
    """The search page (and ``/api/search``) from what was fetched."""
    values = set(interpretation.values)
    results = []
    for pk in found.pks[:page_size]:
        row = found.rows.get(pk)
        if row is None:
            continue
        snippet = marked_snippet(*found.snippets[pk]) if pk in found.snippets else None
        if snippet is None and interpretation.mode in ("phone", "email", "handle"):
            snippet = mention_snippet(row, interpretation.mode, values)
        results.append(summary(row, snippet))
    window = fulltext.RANK_WINDOW
    return SearchResponse(
        query=query[:MAX_QUERY_CHARS],
        interpretation=interpretation,
        filters=filters,
        sort=sort,
        page=page,
        page_size=page_size,
        has_next=len(found.pks) > page_size,
        total=found.total,
        total_is_lower_bound=found.lower_bound,
        note=(
            f"More than {store_queries.TOTAL_CAP:,} matches: relevance ranks the {window:,} most recently "
            "ingested. Add words or filters, or sort by date."
            if interpretation.mode == "text" and sort == "relevance" and found.lower_bound
            else None
        ),
        results=results,
    )


def search(
    connection: Connection,
    query: str,
    filters: SearchFilters,
    *,
    sort: SortOrder = "relevance",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    config: ExtractConfig | None = None,
) -> SearchResponse:
    """One search box: contacts by exact normalised value, everything else by full text; then filters."""
    page = bounded_page(page)
    query = without_nul(query)
    interpretation = interpret_query(query, config or ExtractConfig())
    found = fetch_search(connection, interpretation, filters, sort, page, page_size)
    return search_view(query, interpretation, filters, sort, page, page_size, found)


# --------------------------------------------------------------------------------------------- options

_options_cache: dict[tuple[str, str], tuple[float, list[str]]] = {}
OPTIONS_TTL_S = 600.0
CITY_SAMPLE = 20_000


def filter_options(connection: Connection, which: str) -> list[str]:
    """Every site, and the most common cities of the newest records, for the filter form; cached.

    Sites come from the (source, record_id) index. Cities are suggestions for a typed prefix, so they
    are counted over the newest ``CITY_SAMPLE`` records (where an investigator is looking) rather than
    the whole table, which has no index on location.
    """
    key = (connection.engine.url.render_as_string(), which)  # one process may serve several stores
    cached = _options_cache.get(key)
    if cached and time.monotonic() - cached[0] < OPTIONS_TTL_S:
        return cached[1]
    if which == "site":
        column_ = records.c.source
        rows: Any = records
    else:
        rows = select(records.c.location).order_by(records.c.id.desc()).limit(CITY_SAMPLE).subquery()
        column_ = rows.c.location
    values = [
        str(v)
        for v in connection.execute(
            select(column_)
            .select_from(rows)
            .where(column_.is_not(None))
            .group_by(column_)
            .order_by(func.count().desc())
            .limit(300)
        ).scalars()
    ]
    _options_cache[key] = (time.monotonic(), values)
    return values
