"""Read queries the web app needs beyond ``lantern.store.queries``; portable SQLite/PostgreSQL SQL.

Every query is bounded (LIMIT, capped counts, bounded page numbers) because a page that scans the whole
store on each click becomes unusable at the millions of ads investigators work with.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Select,
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
from sqlalchemy.engine import Connection, Engine

from lantern.assess import load_catalogue
from lantern.extract import ExtractConfig, extract_text
from lantern.networks.inputs import city_of, record_key
from lantern.store.queries import ANY_RISK, RISK_ORDER, fill_network_indicators
from lantern.store.schema import (
    entities,
    images,
    networks,
    record_images,
    record_revisions,
    records,
    suppressed_hubs,
)
from lantern.store.search import WORD, fts5_query, tsquery_text
from lantern.web.highlight import (
    MARK_CLOSE,
    MARK_OPEN,
    Segment,
    plain,
    plain_marks,
    plain_segments,
    plain_text,
    split_markers,
    window,
)
from lantern.web.links import LinkCache, explain_many, key_href, templates_of
from lantern.web.models import (
    Bucket,
    ContactUse,
    EntityDetail,
    EntityRef,
    FieldText,
    Graph,
    GraphEdge,
    GraphNode,
    HubInfo,
    HubsPage,
    ImageInfo,
    IndicatorGroup,
    Interpretation,
    ItineraryStop,
    NetworkCount,
    NetworkDetail,
    NetworkFigures,
    NetworkMember,
    PathStep,
    Reason,
    RecordDetail,
    RecordImage,
    RecordSummary,
    Revision,
    SearchFilters,
    SearchResponse,
    SharedIdentifier,
    Snippet,
    SortOrder,
    SpanNote,
    TriagePage,
    WhyResponse,
    without_nul,
)
from lantern.web.security import image_may_be_shown
from lantern.web.urls import entity_url, record_url

PAGE_SIZE = 20
MAX_PAGE = 250  # bounded offset: 5,000 results deep is far past what anyone pages through
TOTAL_CAP = 2000
RANK_WINDOW = 2000  # relevance ranks the newest this many matches: exact below, bounded above
DENSE_MATCHES = 200  # above this, walk records newest-first and probe membership (see _uses)
MAX_QUERY_CHARS = 500
MAX_NETWORK_MEMBERS = 500
MAX_GRAPH_IDENTIFIERS = 80
MAX_GRAPH_RECORDS = 300
MAX_HUBS = 2000
EXPLAIN_MEMBERS = 40  # evidence paths computed with the page; the rest on demand (/api/networks/…/why)
EXPLAIN_EXPANDED = 2000
"""Records the page's path search may expand: on a network of tens of thousands the members listed first
can be many hops from the founder; those not reached get their path on demand instead."""
TEMPLATES_SHOWN = 4
ID_LIST_MAX = 100_000
"""A full-text search on SQLite tests a filter that an index answers (city, site, dates, kind, scores)
against the list of record ids the index gives, when that list holds at most this many: the matches are
then filtered without reading their rows (0.3-0.6 s on a million records for a week, a score or a
smaller site, when each match's 4.5 kB row was read until enough passed; 26-59 ms now). A filter that
passes more records is tested on the row, where enough matches pass within a few thousand rows."""
ENTITY_SAMPLE = 2_000
"""Records an entity page reads for its city, site, network and timeline breakdowns. An identifier on more
records (a site's help line on hundreds of thousands) is counted exactly from its index, its first and
last dates come from two index walks, and the breakdowns from an even sample of about this many of its
records, which the page says. The sample's rows lie all over the table: on a million records, with the
page cache cold, 5,000 of them took 2.4-2.9 s to read, and 2,000 (shares within about a percentage point)
cost a third of that."""
CONTACT_KINDS = ("phone", "email", "handle", "payment", "url")
FIELDS = ("title", "body", "location", "url", "author")

FTS = table("records_fts", column("rowid"))

SUMMARY_COLUMNS = (
    records.c.id,
    records.c.source,
    records.c.record_id,
    records.c.kind,
    records.c.title,
    records.c.body,
    records.c.location,
    records.c.posted_at,
    records.c.trafficking_score,
    records.c.minor_score,
    records.c.network_id,
    records.c.extracted,
    records.c.posted_at_offset,
)

EMAIL_RE = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
AT_HANDLE_RE = re.compile(r"^@([\w.\-]{1,100})$")
PLATFORM_HANDLE_RE = re.compile(r"^([a-z][a-z0-9_]{1,30}):\s*([^\s:]{1,200})$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------- helpers


def bounded_page(page: int) -> int:
    return min(max(page, 1), MAX_PAGE)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def reasons_of(extracted: dict[str, Any], limit: int | None = None) -> list[Reason]:
    """The indicators that fired for a record, heaviest first; malformed entries are skipped, not trusted."""
    reasons: list[Reason] = []
    for item in extracted.get("indicators") or []:
        if not isinstance(item, dict):
            continue
        try:
            weight = float(item.get("weight") or 0.0)
        except (TypeError, ValueError):
            weight = 0.0
        span = item.get("span")
        valid_span = (
            (int(span[0]), int(span[1]))
            if isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(v, int) for v in span)
            else None
        )
        reasons.append(
            Reason(
                id=str(item.get("id") or "indicator"),
                explanation=str(item.get("explanation") or item.get("description") or ""),
                weight=weight,
                field=str(item["field"]) if item.get("field") else None,
                span=valid_span,
                text=str(item["text"]) if item.get("text") is not None else None,
                score=str(item["score"]) if item.get("score") else None,
                path=_path_steps(item.get("path")),
            )
        )
    reasons.sort(key=lambda r: -r.weight)
    return reasons[:limit] if limit else reasons


def _path_steps(path: object) -> list[PathStep]:
    """A propagation path (record keys and the identifiers between them) as steps with record links."""
    if not isinstance(path, list):
        return []
    steps = []
    for item in path[:50]:
        label = str(item)[:400]
        source, sep, record_id = label.partition(":")
        is_record = bool(sep) and " " not in label
        steps.append(
            PathStep(
                kind="record" if is_record else "evidence",
                label=label,
                href=record_url(source, record_id) if is_record else None,
            )
        )
    return steps


@lru_cache(maxsize=1)
def _rule_names() -> dict[str, str]:
    try:
        return {rule_id: rule.name for rule_id, rule in load_catalogue().by_id().items()}
    except Exception:  # a broken override file must not take the pages down
        return {}


def indicator_groups(items: object, per_group: int = 25) -> list[IndicatorGroup]:
    """Firings grouped by rule (a network fires one rule for many phones), heaviest rule first."""
    reasons = reasons_of({"indicators": items if isinstance(items, list) else []})
    groups: dict[str, list[Reason]] = defaultdict(list)
    for reason in reasons:
        groups[reason.id].append(reason)
    names = _rule_names()
    out = [
        IndicatorGroup(
            id=rule_id,
            name=names.get(rule_id, rule_id),
            score=firings[0].score,
            weight=firings[0].weight,
            count=len(firings),
            items=firings[:per_group],
        )
        for rule_id, firings in groups.items()
    ]
    out.sort(key=lambda g: (g.score != "minor", -g.weight, -g.count, g.id))
    return out


def _snippet_from_segments(field: str, segments: list[Segment]) -> Snippet:
    text_value, marks = plain_marks(segments)
    return Snippet(field=field, text=text_value, marks=marks)


def _mention_snippet(row: dict[str, Any], kind: str, values: set[str]) -> Snippet | None:
    """A window around the first mention of the searched contact, so the result shows where it was."""
    for mention in row["extracted"].get("mentions") or []:
        if not isinstance(mention, dict) or mention.get("type") != kind:
            continue
        value = mention.get("value")
        if kind == "handle" and isinstance(value, dict):
            value = f"{value.get('platform')}:{value.get('handle')}".lower()
        if str(value) not in values and not (
            kind == "handle" and any(str(value).endswith(v) for v in values)
        ):
            continue
        field = mention.get("field")
        source_text = row.get(field) if field in ("title", "body", "location") else None
        span = mention.get("span")
        if not isinstance(source_text, str) or not isinstance(span, list) or len(span) != 2:
            continue
        start, end = max(0, int(span[0])), min(len(source_text), int(span[1]))
        if start >= end:
            continue
        # Ad bodies are HTML: show the plain text, with the mention's span carried over.
        text_value, positions = plain_text(source_text)
        start, end = positions[start], positions[end]
        if start >= end:
            continue
        piece, left, right = window(text_value, start, end)
        return Snippet(field=str(field), text=piece, marks=[(left, right)])
    return None


def _summary(row: dict[str, Any], snippet: Snippet | None = None, reasons: int = 3) -> RecordSummary:
    extracted = row["extracted"] if isinstance(row["extracted"], dict) else {}
    if snippet is None and row.get("body"):
        body = plain(row["body"][:4000])
        snippet = Snippet(field="body", text=body[:220] + ("…" if len(body) > 220 else ""))
    return RecordSummary(
        source=row["source"],
        record_id=row["record_id"],
        kind=row["kind"],
        title=row["title"],
        location=row["location"],
        posted_at=row["posted_at"],
        trafficking_score=row["trafficking_score"] or 0.0,
        minor_score=row["minor_score"] or 0.0,
        network_id=row["network_id"],
        snippet=snippet,
        reasons=reasons_of(extracted, reasons),
        phones=[str(p) for p in (extracted.get("phones") or [])][:5],
        posted_at_offset=row.get("posted_at_offset"),
    )


def _rows_by_pk(connection: Connection, pks: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not pks:
        return {}
    rows = connection.execute(select(*SUMMARY_COLUMNS).where(records.c.id.in_(list(pks)))).mappings()
    return {row["id"]: dict(row) for row in rows}


# ------------------------------------------------------------------------------------------ search box


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


def _filter_conditions(filters: SearchFilters) -> list[Any]:
    """The filters as conditions on ``records``."""
    return _city_conditions(filters) + _indexed_conditions(filters)


def _city_conditions(filters: SearchFilters, *, hidden: bool = False) -> list[Any]:
    """The city filter, a case-insensitive prefix of the stated location (``hidden``: see
    ``_indexed_conditions``)."""
    if not filters.city:
        return []
    pattern = _like_escape(_city_prefix(filters)) + "%"
    location = literal_column("+records.location") if hidden else records.c.location
    return [func.lower(location).like(pattern, escape="\\")]


def _city_prefix(filters: SearchFilters) -> str:
    return (filters.city or "").strip().lower()[:200]


def _city_ids_sqlite(filters: SearchFilters) -> Any:
    """The records of the city filter, read off the ``lower(location)`` index (migration 0009): SQLite
    uses an expression index for a range, not for ``LIKE``, so the prefix is also written as the range
    from the prefix to the prefix followed by the highest code point (UTF-8 compares bytewise)."""
    prefix, located = _city_prefix(filters), func.lower(records.c.location)
    in_range = and_(located >= prefix, located < prefix + "\U0010ffff")
    return select(records.c.id).where(in_range, *_city_conditions(filters)).correlate(None)


def _indexed_conditions(filters: SearchFilters, *, hidden: bool = False) -> list[Any]:
    """One condition per filter that an index answers: site, dates, kind, minimum scores.

    ``hidden`` writes each column with SQLite's unary ``+``, which keeps the planner from walking that
    column's index and asking the full-text index about every record on the way (about 10 µs a record:
    3-13 s for a site of 300,000 in a million)."""

    def column_(col: Any) -> Any:
        return literal_column(f"+records.{col.name}", type_=col.type) if hidden else col

    conditions: list[Any] = []
    if filters.site:
        conditions.append(column_(records.c.source) == filters.site[:1000])
    dated = []
    if filters.date_from:
        dated.append(column_(records.c.posted_at) >= datetime.combine(filters.date_from, dtime.min))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), dtime.min)
        dated.append(column_(records.c.posted_at) < end)
    if dated:
        conditions.append(and_(*dated))
    if filters.kind:
        conditions.append(column_(records.c.kind) == filters.kind)
    if filters.min_trafficking is not None:
        conditions.append(column_(records.c.trafficking_score) >= filters.min_trafficking)
    if filters.min_minor is not None:
        conditions.append(column_(records.c.minor_score) >= filters.min_minor)
    return conditions


def _text_filters_sqlite(
    connection: Connection, filters: SearchFilters
) -> tuple[list[Any], list[Any]] | None:
    """The filters of a full-text search on SQLite, split by how they are tested: on the rows of the
    matches, or as lists of record ids read off an index (see ``ID_LIST_MAX``; the city too, since
    migration 0009). None when a filter passes no record at all."""
    on_rows: list[Any] = []
    id_lists: list[Any] = []
    candidates = [
        (select(records.c.id).where(condition).correlate(None), hidden)
        for condition, hidden in zip(
            _indexed_conditions(filters), _indexed_conditions(filters, hidden=True), strict=True
        )
    ]
    if filters.city:
        candidates.insert(0, (_city_ids_sqlite(filters), _city_conditions(filters, hidden=True)[0]))
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


def _order(sort: SortOrder) -> list[Any]:
    if sort == "risk":
        return list(RISK_ORDER)
    return [records.c.posted_at.desc(), records.c.id.desc()]


def _capped_total(connection: Connection, stmt: Select, *, newest_first: bool = False) -> tuple[int, bool]:
    """Count matches up to ``TOTAL_CAP`` only: an exact count over millions costs more than it tells.

    ``newest_first`` counts in primary-key order, which lets PostgreSQL stop a walk of the key after the
    cap for a common word instead of building the full-text index's bitmap of every match (24 against 326
    ms for ``sweet friendly`` on a million ads); for a rare word its statistics still pick the index."""
    counted = stmt.order_by(None)
    if newest_first:
        counted = counted.order_by(records.c.id.desc())
    capped = connection.execute(
        select(func.count()).select_from(counted.limit(TOTAL_CAP + 1).subquery())
    ).scalar_one()
    return min(capped, TOTAL_CAP), capped > TOTAL_CAP


def _carrying(mode: str, values: list[str], dense: bool) -> Any:
    """Records carrying the identifier (or using the image).

    Sparse identifiers are looked up through the (kind, value) index and sorted. For dense ones (a site's
    help line in every ad, a stock photo) sorting thousands of rows per page is slow, so on SQLite the
    query instead walks records newest-first and probes each record's identifiers: the unary ``+`` stops
    the planner from using the (kind, value) index, which makes it choose that walk.
    """
    prefix_handle = mode == "handle" and values and ":" not in values[0]
    if not dense:
        if mode == "image":
            match = record_images.c.image_sha256.in_(values)
            return records.c.id.in_(select(record_images.c.record_pk).where(match))
        return records.c.id.in_(select(entities.c.record_pk).where(_identifier_match(mode, values)))
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
    probe = entities.alias("e")
    value_test = (
        text("+e.value LIKE :dense_pattern ESCAPE '\\'").bindparams(
            dense_pattern="%:" + _like_escape(values[0])
        )
        if prefix_handle
        else text("+e.value IN :dense_values").bindparams(bindparam("dense_values", values, expanding=True))
    )
    return exists(
        select(literal(1))
        .select_from(probe)
        .where(probe.c.record_pk == records.c.id)
        .where(text("+e.kind = :dense_kind").bindparams(dense_kind="handle" if prefix_handle else mode))
        .where(value_test)
    )


def _identifier_match(mode: str, values: list[str]) -> Any:
    """The ``entities`` rows of the identifiers: exact values, or a handle on any platform."""
    if mode == "handle" and values and ":" not in values[0]:
        return and_(
            entities.c.kind == "handle", entities.c.value.like("%:" + _like_escape(values[0]), escape="\\")
        )
    return and_(entities.c.kind == mode, entities.c.value.in_(values))


def _capped_identifier_total(connection: Connection, mode: str, values: list[str]) -> tuple[int, bool]:
    """Capped count straight from the (kind, value) index: no records join, stops at the cap."""
    stmt = select(entities.c.record_pk).where(_identifier_match(mode, values))
    return _capped_total(connection, stmt)


def _dense_ok(connection: Connection, sort: SortOrder) -> bool:
    return connection.dialect.name == "sqlite" and sort != "risk"


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
    config = config or ExtractConfig()
    page = bounded_page(page)
    query = without_nul(query)
    interpretation = interpret_query(query, config)
    conditions = _filter_conditions(filters)
    offset = (page - 1) * page_size
    snippets: dict[int, Snippet] = {}
    if interpretation.mode == "empty" and not conditions:
        pks: list[int] = []
        total, lower_bound = 0, False
    elif interpretation.mode == "text":
        pks, snippets, total, lower_bound = _text_search(
            connection, interpretation.values[0], filters, sort, page_size, offset
        )
    else:
        stmt = select(records.c.id).where(*conditions)
        if interpretation.mode != "empty":
            stmt = stmt.where(_carrying(interpretation.mode, interpretation.values, dense=False))
        if interpretation.mode != "empty" and not conditions:
            total, lower_bound = _capped_identifier_total(
                connection, interpretation.mode, interpretation.values
            )
        else:
            total, lower_bound = _capped_total(connection, stmt)
        if interpretation.mode != "empty" and total > DENSE_MATCHES and _dense_ok(connection, sort):
            stmt = select(records.c.id).where(*conditions)
            stmt = stmt.where(_carrying(interpretation.mode, interpretation.values, dense=True))
        pks = list(
            connection.execute(stmt.order_by(*_order(sort)).limit(page_size + 1).offset(offset)).scalars()
        )
    has_next = len(pks) > page_size
    pks = pks[:page_size]
    rows = _rows_by_pk(connection, pks)
    values = set(interpretation.values)
    results = []
    for pk in pks:
        row = rows.get(pk)
        if row is None:
            continue
        snippet = snippets.get(pk)
        if snippet is None and interpretation.mode in ("phone", "email", "handle"):
            snippet = _mention_snippet(row, interpretation.mode, values)
        results.append(_summary(row, snippet))
    return SearchResponse(
        query=query[:MAX_QUERY_CHARS],
        interpretation=interpretation,
        filters=filters,
        sort=sort,
        page=page,
        page_size=page_size,
        has_next=has_next,
        total=total,
        total_is_lower_bound=lower_bound,
        note=(
            f"More than {TOTAL_CAP:,} matches: relevance ranks the {RANK_WINDOW:,} most recently ingested. "
            "Add words or filters, or sort by date."
            if interpretation.mode == "text" and sort == "relevance" and lower_bound
            else None
        ),
        results=results,
    )


def _text_search(
    connection: Connection,
    words: str,
    filters: SearchFilters,
    sort: SortOrder,
    limit: int,
    offset: int,
) -> tuple[list[int], dict[int, Snippet], int, bool]:
    if connection.dialect.name == "postgresql":
        return _text_search_postgres(connection, words, _filter_conditions(filters), sort, limit, offset)
    match = fts5_query(words)
    if not match:
        return [], {}, 0, False
    matches = text("records_fts MATCH :match").bindparams(match=match)
    split = _text_filters_sqlite(connection, filters)
    if split is None:
        return [], {}, 0, False
    on_rows, id_lists = split
    listed = [matches, *id_lists]  # answered by the full-text index and the id lists, no row read
    joined = FTS.join(records, records.c.id == FTS.c.rowid)
    stmt = select(records.c.id).select_from(joined).where(*listed, *on_rows)
    if on_rows:
        total, lower_bound = _capped_total(connection, stmt)
    else:  # count in the full-text index (and the id lists) alone
        total, lower_bound = _capped_total(connection, select(FTS.c.rowid).select_from(FTS).where(*listed))
    if not total:
        return [], {}, 0, False
    if sort == "relevance":
        # Rank the newest RANK_WINDOW matches only: exact for specific queries, and a common word over
        # millions of ads still answers in milliseconds (the page says when the window applied).
        score = literal_column("bm25(records_fts, 2.0, 1.0)").label("score")
        if on_rows:
            inner = select(records.c.id.label("id"), score).select_from(joined)
        else:
            inner = select(FTS.c.rowid.label("id"), score).select_from(FTS)
        inner = inner.where(*listed, *on_rows)
        if lower_bound or total > RANK_WINDOW:  # rank the newest only
            inner = inner.order_by(FTS.c.rowid.desc()).limit(RANK_WINDOW)
        window_ = inner.subquery()  # else every match: no order for the planner to follow
        ranked = select(window_.c.id).order_by(window_.c.score, window_.c.id).limit(limit + 1).offset(offset)
        pks = list(connection.execute(ranked).scalars())
    else:
        if lower_bound:
            # Many matches, by date or risk: walk that order's index and keep the records the full-text
            # index lists (the unary + keeps SQLite from reading each match's row by key to sort them
            # all: 0.4 s warm and 27 s with a cold cache for two common words over a million ads).
            found = literal_column("+records.id").in_(select(FTS.c.rowid).where(*listed))
            stmt = select(records.c.id).where(found).where(*on_rows)
        pks = list(connection.execute(stmt.order_by(*_order(sort)).limit(limit + 1).offset(offset)).scalars())
    snippets: dict[int, Snippet] = {}
    if pks:
        rows = connection.execute(
            text(
                "SELECT rowid, snippet(records_fts, 0, char(2), char(3), '…', 12), "
                "snippet(records_fts, 1, char(2), char(3), '…', 24) FROM records_fts "
                "WHERE records_fts MATCH :match AND rowid IN ("
                + ",".join(str(int(pk)) for pk in pks[:limit])
                + ")"
            ),
            {"match": match},
        )
        for pk, title_snip, body_snip in rows:
            snippets[int(pk)] = _pick_snippet(title_snip or "", body_snip or "", MARK_OPEN, MARK_CLOSE)
    return pks, snippets, total, lower_bound


def _pick_snippet(title: str, body: str, open_marker: str, close_marker: str) -> Snippet:
    """The body snippet when the match is in the body, else the title's."""
    field, text_value = ("body", body) if open_marker in body or not title else ("title", title)
    segments = split_markers(text_value, open_marker, close_marker)
    return _snippet_from_segments(field, plain_segments(segments, cut=text_value.startswith("…")))


def _text_search_postgres(
    connection: Connection, words: str, conditions: list[Any], sort: SortOrder, limit: int, offset: int
) -> tuple[list[int], dict[int, Snippet], int, bool]:
    """The PostgreSQL twin of the FTS5 search: the same words (a trailing ``*`` searches a prefix), the
    same ``RANK_WINDOW`` bound on relevance, ``ts_rank`` in place of ``bm25``."""
    terms = tsquery_text(words)
    if not terms:
        return [], {}, 0, False
    tsquery = func.to_tsquery("simple", terms)
    vector = literal_column("records.search_vector")
    matches = vector.op("@@")(tsquery)
    stmt = select(records.c.id).where(matches).where(*conditions)
    if sort == "relevance":
        # Rank the newest RANK_WINDOW matches only, as on SQLite (ranking every match read each matching
        # row's tsvector: 0.9 s for two common words over a million ads, docs/benchmarks.md). One walk of
        # the newest matches, with their ranks, also gives the capped count: one query instead of two.
        newest = connection.execute(
            select(records.c.id, func.ts_rank(vector, tsquery))
            .where(matches)
            .where(*conditions)
            .order_by(records.c.id.desc())
            .limit(max(TOTAL_CAP, RANK_WINDOW) + 1)
        ).all()
        total, lower_bound = min(len(newest), TOTAL_CAP), len(newest) > TOTAL_CAP
        ranked = sorted(newest[:RANK_WINDOW], key=lambda row: (-row[1], row[0]))  # rank desc, then id
        pks = [int(pk) for pk, _ in ranked[offset : offset + limit + 1]]
    else:
        total, lower_bound = _capped_total(connection, stmt, newest_first=True)
        pks = list(connection.execute(stmt.order_by(*_order(sort)).limit(limit + 1).offset(offset)).scalars())
    snippets: dict[int, Snippet] = {}
    if pks:
        options = "StartSel=\x02, StopSel=\x03, MaxWords=24, MinWords=8"
        rows = connection.execute(
            select(
                records.c.id,
                func.ts_headline("simple", func.coalesce(records.c.title, ""), tsquery, options),
                func.ts_headline("simple", func.coalesce(records.c.body, ""), tsquery, options),
            ).where(records.c.id.in_(pks[:limit]))
        )
        for pk, title_snip, body_snip in rows:
            snippets[int(pk)] = _pick_snippet(title_snip or "", body_snip or "", MARK_OPEN, MARK_CLOSE)
    return pks, snippets, total, lower_bound


# --------------------------------------------------------------------------------------------- options

_options_cache: dict[tuple[str, str], tuple[float, list[str]]] = {}
OPTIONS_TTL_S = 600.0
CITY_SAMPLE = 20_000


def filter_options(connection: Connection, which: str) -> list[str]:
    """Every site, and the most common cities of the newest records, for the filter form; cached.

    Sites come from the (source, record_id) index. Cities are suggestions for a typed prefix, so they
    are counted over the newest ``CITY_SAMPLE`` records (where an investigator is looking) rather than
    the whole table, which has no index on location: 2.4-15 s on a million records, every ten minutes.
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


# ---------------------------------------------------------------------------------------------- triage


def triage(connection: Connection, *, page: int = 1, page_size: int = PAGE_SIZE) -> TriagePage:
    """Likely minors first, then the trafficking score, newest first among equals: children first
    (PRINCIPLES.md §3). One index walk per page (``RISK_ORDER``)."""
    page = bounded_page(page)
    stmt = (
        select(*SUMMARY_COLUMNS)
        .where(ANY_RISK)
        .order_by(*RISK_ORDER)
        .limit(page_size + 1)
        .offset((page - 1) * page_size)
    )
    rows = [dict(r) for r in connection.execute(stmt).mappings()]
    return TriagePage(
        page=page,
        page_size=page_size,
        has_next=len(rows) > page_size,
        results=[_summary(row) for row in rows[:page_size]],
    )


# ---------------------------------------------------------------------------------------------- record


def _image_info(row: dict[str, Any], engine: Engine) -> dict[str, Any]:
    return {
        "sha256": row["sha256"],
        "media_type": row["media_type"],
        "width": row["width"],
        "height": row["height"],
        "size_bytes": row["size_bytes"],
        "phash": row["phash"],
        "may_be_shown": image_may_be_shown(row["sha256"], engine),
    }


def _field_notes(
    extracted: dict[str, Any], field: str, text_value: str, reasons: list[Reason]
) -> list[SpanNote]:
    from lantern.web.highlight import clamp_span

    notes: list[SpanNote] = []
    for mention in extracted.get("mentions") or []:
        if not isinstance(mention, dict) or mention.get("field") != field:
            continue
        span = clamp_span(mention.get("span"), len(text_value))
        if span is None:
            continue
        kind = str(mention.get("type") or "entity")
        value = mention.get("value")
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
        label = f"{kind}: {value}"
        if mention.get("obscured"):
            techniques = ", ".join(str(t) for t in mention.get("techniques") or [])
            label += f" (disguised: {techniques})" if techniques else " (disguised)"
        notes.append(SpanNote(start=span[0], end=span[1], kind=kind, label=label))
    for reason in reasons:
        if reason.field != field or reason.span is None:
            continue
        span = clamp_span(list(reason.span), len(text_value))
        if span is None:
            continue
        notes.append(
            SpanNote(
                start=span[0],
                end=span[1],
                kind="indicator",
                label=f"indicator {reason.id} (weight {reason.weight:g}): {reason.explanation}",
            )
        )
    return notes


def _network_indicators(connection: Connection, row: Any) -> list[Any]:
    """The record's network indicators: its network's (stored once, on the network row) and its own part."""
    filled = [{"network_id": row["network_id"], "network_indicators": row["network_indicators"]}]
    fill_network_indicators(connection, filled)
    return filled[0]["network_indicators"] or []


def record_detail(connection: Connection, source: str, record_id: str) -> RecordDetail | None:
    """Everything about one record: highlighted fields, entities, reasons, images and all revisions."""
    row = (
        connection.execute(
            select(records).where(records.c.source == source, records.c.record_id == record_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    extracted = row["extracted"] if isinstance(row["extracted"], dict) else {}
    reasons = reasons_of(extracted)
    fields = []
    for field in FIELDS:
        value = row[field]
        if value:
            fields.append(
                FieldText(field=field, text=value, notes=_field_notes(extracted, field, value, reasons))
            )
    entity_rows = connection.execute(
        select(entities.c.kind, entities.c.value, entities.c.obscured)
        .where(entities.c.record_pk == row["id"])
        .order_by(entities.c.kind, entities.c.value)
    ).all()
    image_rows = connection.execute(
        select(images, record_images.c.position, record_images.c.original_ref)
        .select_from(record_images.join(images, images.c.sha256 == record_images.c.image_sha256))
        .where(record_images.c.record_pk == row["id"], record_images.c.revision == row["revision"])
        .order_by(record_images.c.position)
    ).mappings()
    revisions = connection.execute(
        select(record_revisions)
        .where(record_revisions.c.record_pk == row["id"])
        .order_by(record_revisions.c.revision.desc())
    ).mappings()
    network_size = 0
    if row["network_id"]:
        network_size = connection.execute(
            select(func.count()).select_from(records).where(records.c.network_id == row["network_id"])
        ).scalar_one()
    return RecordDetail(
        source=row["source"],
        record_id=row["record_id"],
        kind=row["kind"],
        url=row["url"],
        title=row["title"],
        body=row["body"],
        location=row["location"],
        author=row["author"],
        posted_at=row["posted_at"],
        collected_at=row["collected_at"],
        posted_at_offset=row["posted_at_offset"],
        collected_at_offset=row["collected_at_offset"],
        network_id=row["network_id"],
        network_size=network_size,
        trafficking_score=row["trafficking_score"] or 0.0,
        minor_score=row["minor_score"] or 0.0,
        content_sha256=row["content_sha256"],
        revision=row["revision"],
        fields=fields,
        entities=[EntityRef(kind=k, value=v, obscured=bool(o)) for k, v, o in entity_rows],
        indicators=reasons,
        network_indicators=indicator_groups(_network_indicators(connection, row))
        if row["network_id"]
        else [],
        images=[
            RecordImage(
                **_image_info(dict(r), connection.engine),
                position=r["position"],
                original_ref=r["original_ref"],
            )
            for r in image_rows
        ],
        revisions=[Revision(**{k: r[k] for k in Revision.model_fields}) for r in revisions],
        extracted=extracted,
    )


# --------------------------------------------------------------------------------------------- network


def _first_location(extracted: dict[str, Any]) -> dict[str, Any] | None:
    for place in extracted.get("locations") or []:
        if not isinstance(place, dict):
            continue
        lat, lon = place.get("lat"), place.get("lon")
        if (
            isinstance(lat, (int, float))
            and isinstance(lon, (int, float))
            and -90 <= lat <= 90
            and -180 <= lon <= 180
        ):
            return place
    return None


def _itinerary(rows: list[dict[str, Any]]) -> list[ItineraryStop]:
    """Postings in time order, consecutive ones in the same place merged into one stop."""
    stops: list[ItineraryStop] = []
    dated = sorted(rows, key=lambda r: (r["posted_at"] is None, r["posted_at"] or datetime.min))
    for row in dated:
        place = _first_location(row["extracted"])
        if place is None:
            continue
        name = str(place.get("name") or "?")
        if stops and stops[-1].name == name and stops[-1].admin1 == place.get("admin1"):
            stops[-1].count += 1
            stops[-1].last_seen = row["posted_at"] or stops[-1].last_seen
            continue
        stops.append(
            ItineraryStop(
                name=name,
                admin1=str(place["admin1"]) if place.get("admin1") else None,
                country=str(place["country"]) if place.get("country") else None,
                lat=float(place["lat"]),
                lon=float(place["lon"]),
                first_seen=row["posted_at"],
                last_seen=row["posted_at"],
                count=1,
            )
        )
    return stops


def timeline(dates: Iterable[datetime | None]) -> list[Bucket]:
    """Counts per day, or per month when the range is long, with empty buckets kept so gaps show."""
    days = sorted(d.date() for d in dates if d is not None)
    if not days:
        return []
    counts = Counter(days)
    if (days[-1] - days[0]).days > 120:
        months = Counter(d.strftime("%Y-%m") for d in days)
        labels, cursor = [], date(days[0].year, days[0].month, 1)
        while cursor <= days[-1]:
            labels.append(cursor.strftime("%Y-%m"))
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        return [Bucket(label=label, count=months.get(label, 0)) for label in labels]
    return [
        Bucket(
            label=(days[0] + timedelta(days=i)).isoformat(), count=counts.get(days[0] + timedelta(days=i), 0)
        )
        for i in range((days[-1] - days[0]).days + 1)
    ]


def _uses(pairs: Iterable[tuple[tuple[str, str], dict[str, Any]]]) -> list[ContactUse]:
    grouped: dict[tuple[str, str], list[datetime | None]] = defaultdict(list)
    for key, row in pairs:
        grouped[key].append(row["posted_at"])
    uses = []
    for (kind, value), seen in grouped.items():
        dated = [d for d in seen if d is not None]
        uses.append(
            ContactUse(
                kind=kind,
                value=value,
                count=len(seen),
                first_seen=min(dated) if dated else None,
                last_seen=max(dated) if dated else None,
            )
        )
    uses.sort(key=lambda u: (-u.count, u.kind, u.value))
    return uses


def _hub_rows(connection: Connection) -> dict[tuple[str, str], HubInfo]:
    """Suppressed hubs by (kind, value); the table is small (one row per hub)."""
    return {
        (row["kind"], row["value"]): _hub_info(dict(row))
        for row in connection.execute(select(suppressed_hubs).limit(MAX_HUBS)).mappings()
    }


def _hub_info(row: dict[str, Any]) -> HubInfo:
    kind, value = str(row["kind"]), str(row["value"])
    linkable = kind in ("phone", "email", "handle", "payment")
    return HubInfo(
        kind=kind,
        value=value,
        reason=str(row["reason"]),
        records=int(row["records"] or 0),
        description=str(row["description"] or ""),
        href=entity_url(kind, value) if linkable else None,
    )


def hubs(connection: Connection, kind: str | None = None) -> HubsPage:
    """Identifiers the linker does not link through (site boilerplate, stock images), largest first."""
    stmt = select(suppressed_hubs)
    count = select(func.count()).select_from(suppressed_hubs)
    if kind:
        stmt = stmt.where(suppressed_hubs.c.kind == kind)
        count = count.where(suppressed_hubs.c.kind == kind)
    rows = connection.execute(
        stmt.order_by(
            suppressed_hubs.c.records.desc(), suppressed_hubs.c.kind, suppressed_hubs.c.value
        ).limit(MAX_HUBS)
    ).mappings()
    return HubsPage(total=connection.execute(count).scalar_one(), hubs=[_hub_info(dict(r)) for r in rows])


def _stops(summary: dict[str, Any], rows: list[dict[str, Any]]) -> list[ItineraryStop]:
    """The linker's itinerary (one stop per city, ordered by first seen), placed with the coordinates
    the extractor found for that city in the members' ads."""
    places: dict[str, dict[str, Any]] = {}
    for row in rows:
        place = _first_location(row["extracted"])
        if place is not None:
            places.setdefault(city_of(row) or "", place)
    stops = []
    for stop in summary.get("itinerary") or []:
        if not isinstance(stop, dict) or not stop.get("city"):
            continue
        city = str(stop["city"])
        place = places.get(city)
        name, _, admin1 = city.partition(", ")
        stops.append(
            ItineraryStop(
                name=str(place.get("name") or name) if place else name,
                admin1=(str(place["admin1"]) if place.get("admin1") else None) if place else (admin1 or None),
                country=str(place["country"]) if place and place.get("country") else None,
                lat=float(place["lat"]) if place else None,
                lon=float(place["lon"]) if place else None,
                first_seen=_parse_time(stop.get("first_seen")),
                last_seen=_parse_time(stop.get("last_seen")),
                count=int(stop.get("records") or 0),
            )
        )
    return stops


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def network_detail(
    connection: Connection, network_id: str, links: LinkCache | None = None
) -> NetworkDetail | None:
    """A network as the linker and the assessor left it: figures, scores and indicators, itinerary,
    templates, and each member with the evidence path that ties it to the network's first record.

    The graph shows records as small nodes and the identifiers they share as labelled ones; suppressed
    hubs (site boilerplate, stock images) never link anything and are listed separately.
    """
    total = connection.execute(
        select(func.count()).select_from(records).where(records.c.network_id == network_id)
    ).scalar_one()
    if total == 0:
        return None
    net = connection.execute(select(networks).where(networks.c.id == network_id)).mappings().first()
    summary: dict[str, Any] = net["summary"] if net is not None and isinstance(net["summary"], dict) else {}
    rows = [
        dict(r)
        for r in connection.execute(
            select(*SUMMARY_COLUMNS)
            .where(records.c.network_id == network_id)
            .order_by(records.c.posted_at, records.c.id)
            .limit(MAX_NETWORK_MEMBERS)
        ).mappings()
    ]
    by_pk = {row["id"]: row for row in rows}
    pks = list(by_pk)
    hub_rows = _hub_rows(connection)
    entity_rows = connection.execute(
        select(entities.c.record_pk, entities.c.kind, entities.c.value).where(entities.c.record_pk.in_(pks))
    ).all()
    image_rows = connection.execute(
        select(record_images.c.record_pk, record_images.c.image_sha256, images.c.phash)
        .select_from(record_images.join(images, images.c.sha256 == record_images.c.image_sha256))
        .where(record_images.c.record_pk.in_(pks))
        .distinct()
    ).all()
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    for pk, kind, value in entity_rows:
        holders[(kind, value)].add(pk)
    image_hubs: set[str] = set()
    for pk, sha, phash in image_rows:
        holders[("image", sha)].add(pk)
        if phash and ("image", f"phash:{phash}") in hub_rows:
            image_hubs.add(sha)
    seen_hubs: dict[tuple[str, str], HubInfo] = {}
    for key in holders:
        if key in hub_rows:
            seen_hubs[key] = hub_rows[key]
    for _, _, phash in image_rows:
        if phash and ("image", f"phash:{phash}") in hub_rows:
            seen_hubs[("image", f"phash:{phash}")] = hub_rows[("image", f"phash:{phash}")]
    for template_id in summary.get("templates") or []:
        if ("text", template_id) in hub_rows:
            seen_hubs[("text", template_id)] = hub_rows[("text", template_id)]

    def is_hub(key: tuple[str, str]) -> bool:
        return key in hub_rows or (key[0] == "image" and key[1] in image_hubs)

    shared = {
        key: pks_ for key, pks_ in holders.items() if len(pks_) > 1 and key[0] != "name" and not is_hub(key)
    }
    founder = str(
        (summary.get("records") or [None])[0] or record_key(rows[0]["source"], rows[0]["record_id"])
    )
    explain_keys = [record_key(row["source"], row["record_id"]) for row in rows[:EXPLAIN_MEMBERS]]
    paths = (
        links.call(lambda result: explain_many(result, founder, explain_keys, EXPLAIN_EXPANDED), {})
        if links
        else {}
    )

    members = []
    for row in rows:
        mine = [
            SharedIdentifier(kind=k, value=v, shared_with=len(holders[(k, v)]) - 1)
            for (k, v) in shared
            if row["id"] in holders[(k, v)]
        ]
        mine.sort(key=lambda s: (-s.shared_with, s.kind, s.value))
        key = record_key(row["source"], row["record_id"])
        members.append(NetworkMember(**_summary(row).model_dump(), shared=mine, why=paths.get(key)))

    graph_rows = rows[:MAX_GRAPH_RECORDS]
    graph_pks = {row["id"] for row in graph_rows}
    nodes = [
        GraphNode(
            id=f"r{row['id']}",
            label=(row["title"] or row["record_id"])[:40],
            kind="record",
            href=record_url(row["source"], row["record_id"]),
        )
        for row in graph_rows
    ]
    strongest = sorted(
        ((key, holder & graph_pks) for key, holder in shared.items()),
        key=lambda item: (-len(item[1]), item[0]),
    )
    edges = []
    for index, ((kind, value), holder_pks) in enumerate(
        [item for item in strongest if len(item[1]) > 1][:MAX_GRAPH_IDENTIFIERS]
    ):
        node_id = f"i{index}"
        nodes.append(
            GraphNode(
                id=node_id,
                label=value if kind != "image" else f"image {value[:10]}",
                kind=kind,
                href=entity_url(kind, value),
                count=len(holder_pks),
            )
        )
        edges.extend(GraphEdge(source=f"r{pk}", target=node_id) for pk in sorted(holder_pks))

    hub_values = set(hub_rows)
    contacts = _uses(((kind, value), by_pk[pk]) for pk, kind, value in entity_rows if kind in CONTACT_KINDS)
    for use in contacts:
        use.hub = (use.kind, use.value) in hub_values
    personas = _uses(((kind, value), by_pk[pk]) for pk, kind, value in entity_rows if kind == "name")
    image_uses = _uses((("image", sha), by_pk[pk]) for pk, sha, _ in image_rows)
    for use in image_uses:
        use.hub = use.value in image_hubs
    template_ids = [str(t) for t in summary.get("templates") or []]
    templates, more_templates = (
        links.call(
            lambda result: templates_of(result, template_ids, TEMPLATES_SHOWN, network_id), ([], template_ids)
        )
        if links and template_ids
        else ([], template_ids)
    )
    figures = None
    if summary:
        figures = NetworkFigures(
            records=int(summary.get("record_count") or total),
            phones=len(summary.get("phones") or []),
            emails=len(summary.get("emails") or []),
            handles=len(summary.get("handles") or []),
            payments=len(summary.get("payments") or []),
            names=len(summary.get("names") or []),
            images=len(summary.get("images") or []),
            sites=len(summary.get("sites") or []),
            cities=len(summary.get("itinerary") or []),
            templates=len(template_ids),
        )
    return NetworkDetail(
        network_id=network_id,
        member_count=total,
        truncated=total > len(rows),
        scored=net is not None,
        first_seen=net["first_seen"] if net is not None else None,
        last_seen=net["last_seen"] if net is not None else None,
        trafficking_score=float(net["trafficking_score"]) if net is not None else 0.0,
        minor_score=float(net["minor_score"]) if net is not None else 0.0,
        figures=figures,
        sites=[str(s) for s in summary.get("sites") or []],
        founder=founder,
        founder_href=key_href(founder),
        indicators=indicator_groups(net["indicators"]) if net is not None else [],
        templates=templates,
        more_templates=more_templates,
        hubs=sorted(seen_hubs.values(), key=lambda h: (-h.records, h.kind, h.value)),
        explained=len(paths),
        members=members,
        graph=Graph(nodes=nodes, edges=edges),
        itinerary=_stops(summary, rows) if summary else _itinerary(rows),
        timeline=timeline(row["posted_at"] for row in rows),
        contacts=contacts,
        personas=personas,
        images=image_uses,
    )


def why(connection: Connection, network_id: str, key: str, links: LinkCache) -> WhyResponse | None:
    """The evidence path from the network's first record to one member (for members beyond the first
    ones the network page explains)."""
    source, _, record_id = key.partition(":")
    member = connection.execute(
        select(records.c.id).where(
            records.c.source == source, records.c.record_id == record_id, records.c.network_id == network_id
        )
    ).first()
    if member is None:
        return None
    summary = connection.execute(select(networks.c.summary).where(networks.c.id == network_id)).scalar()
    founder = (summary or {}).get("records", [None])[0] if isinstance(summary, dict) else None
    if not founder:
        return None
    hops = links.call(lambda result: explain_many(result, founder, [key]).get(key), None)
    return WhyResponse(network_id=network_id, founder=founder, record=key, hops=hops)


# --------------------------------------------------------------------------------------------- entities


def normalise_entity(kind: str, value: str, config: ExtractConfig) -> str:
    """The stored form of a typed identifier: E.164 phones, lower-case emails and handles."""
    value = without_nul(value).strip()[:400]
    if kind == "phone" and not re.fullmatch(r"\+\d{6,15}", value):
        phones = extract_text(value, config).get("phones") or []
        return phones[0] if phones else value
    if kind in ("email", "handle"):
        return value.lower()
    return value


def image_info(connection: Connection, sha256: str) -> ImageInfo | None:
    row = connection.execute(select(images).where(images.c.sha256 == sha256)).mappings().first()
    return ImageInfo(**_image_info(dict(row), connection.engine)) if row else None


def _entity_count(connection: Connection, kind: str, value: str) -> int:
    """How many records carry the identifier (use the image), from its index alone.

    Ingest keeps one ``entities`` row per record and identifier (and replaces them with each revision);
    an image may appear in several revisions and positions of one record, hence the distinct count."""
    if kind == "image":
        stmt = select(func.count(func.distinct(record_images.c.record_pk))).where(
            record_images.c.image_sha256 == value
        )
    else:
        stmt = select(func.count()).select_from(entities).where(_identifier_match(kind, [value]))
    return int(connection.execute(stmt).scalar_one())


def _one_in(row_id: Any, stride: int) -> Any:
    """True for about one row in ``stride``, spread evenly over any run of ids.

    A plain ``id % stride`` would follow any rhythm in the ids (a phone written on every other ad of a
    site would be sampled entirely or not at all); Fibonacci hashing (the id times 2**32 over the golden
    ratio, modulo 2**32) scatters arithmetic runs of ids evenly."""
    golden, modulus = literal_column("2654435761"), literal_column("4294967296")  # bigint literals
    return (row_id * golden) % modulus < literal_column(str(4294967296 // stride))


def _entity_facts(kind: str, value: str, stride: int) -> Select:
    """Date, place, site and network of the records carrying the identifier: all of them, or about one in
    ``stride`` by record id. Ids grow with ingest, so the sample spreads over the whole history, and the
    test is read off the (kind, value, record_pk) index, so only the sampled records are fetched."""
    facts = (records.c.posted_at, records.c.location, records.c.source, records.c.network_id)
    if kind == "image":
        stmt = select(*facts).where(_carrying("image", [value], dense=False))
        return stmt.where(_one_in(records.c.id, stride)) if stride > 1 else stmt
    stmt = select(*facts).join_from(entities, records, records.c.id == entities.c.record_pk)
    stmt = stmt.where(_identifier_match(kind, [value]))
    return stmt.where(_one_in(entities.c.record_pk, stride)) if stride > 1 else stmt


def _seen_edges(connection: Connection, carrying: Any) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest dates of the records carrying an identifier: one index walk from each end
    of ``posted_at`` (dense identifiers are met within a few records)."""
    dated = select(records.c.posted_at).where(records.c.posted_at.is_not(None), carrying).limit(1)
    first = connection.execute(dated.order_by(records.c.posted_at.asc())).scalar()
    last = connection.execute(dated.order_by(records.c.posted_at.desc())).scalar()
    return first, last


def entity_detail(
    connection: Connection, kind: str, value: str, *, page: int = 1, page_size: int = PAGE_SIZE
) -> EntityDetail:
    """Everything that uses one phone, email, handle, payment, URL, name or image, over time.

    The count and the first and last dates are exact; the breakdowns read at most about
    ``ENTITY_SAMPLE`` records (``sampled`` says how many)."""
    page = bounded_page(page)
    total = _entity_count(connection, kind, value)
    stride = max(1, -(-total // ENTITY_SAMPLE))
    facts = connection.execute(_entity_facts(kind, value, stride)).all()
    dated = [f.posted_at for f in facts if f.posted_at is not None]
    by_city = Counter(f.location or "(none)" for f in facts).most_common(25)
    by_site = Counter(f.source for f in facts).most_common(25)
    networks = Counter(f.network_id for f in facts if f.network_id).most_common(25)
    listed = _carrying(kind, [value], dense=total > DENSE_MATCHES and _dense_ok(connection, "date"))
    if stride > 1:
        first_seen, last_seen = _seen_edges(connection, listed)
    else:
        first_seen, last_seen = (min(dated), max(dated)) if dated else (None, None)
    pks = list(
        connection.execute(
            select(records.c.id)
            .where(listed)
            .order_by(records.c.posted_at.desc(), records.c.id.desc())
            .limit(page_size + 1)
            .offset((page - 1) * page_size)
        ).scalars()
    )
    rows = _rows_by_pk(connection, pks[:page_size])
    summaries = []
    for pk in pks[:page_size]:
        if pk in rows:
            snippet = _mention_snippet(rows[pk], kind, {value}) if kind != "image" else None
            summaries.append(_summary(rows[pk], snippet))
    return EntityDetail(
        kind=kind,  # type: ignore[arg-type]
        value=value,
        count=total,
        sampled=len(facts),
        first_seen=first_seen,
        last_seen=last_seen,
        by_city=[Bucket(label=k, count=c) for k, c in by_city],
        by_site=[Bucket(label=k, count=c) for k, c in by_site],
        timeline=timeline(dated),
        networks=[NetworkCount(network_id=k, count=c) for k, c in networks],
        image=image_info(connection, value) if kind == "image" else None,
        page=page,
        page_size=page_size,
        has_next=len(pks) > page_size,
        records=summaries,
    )


def records_using_images(
    connection: Connection, shas: Sequence[str], per_image: int = 10
) -> dict[str, tuple[list[RecordSummary], int]]:
    """For each image, a few records that use it (newest first) and how many use it in all."""
    if not shas:
        return {}
    counts = dict(
        connection.execute(
            select(record_images.c.image_sha256, func.count(func.distinct(record_images.c.record_pk)))
            .where(record_images.c.image_sha256.in_(list(shas)))
            .group_by(record_images.c.image_sha256)
        ).all()
    )
    out: dict[str, tuple[list[RecordSummary], int]] = {}
    for sha in shas:
        pks = list(
            connection.execute(
                select(records.c.id)
                .where(
                    _carrying(
                        "image",
                        [sha],
                        dense=counts.get(sha, 0) > DENSE_MATCHES and _dense_ok(connection, "date"),
                    )
                )
                .order_by(records.c.posted_at.desc(), records.c.id.desc())
                .limit(per_image)
            ).scalars()
        )
        rows = _rows_by_pk(connection, pks)
        out[sha] = ([_summary(rows[pk]) for pk in pks if pk in rows], int(counts.get(sha, 0)))
    return out


def image_rows(connection: Connection, shas: Sequence[str]) -> dict[str, ImageInfo]:
    if not shas:
        return {}
    rows = connection.execute(select(images).where(images.c.sha256.in_(list(shas)))).mappings()
    return {row["sha256"]: ImageInfo(**_image_info(dict(row), connection.engine)) for row in rows}


def image_media_type(connection: Connection, sha256: str) -> str | None:
    """The media type recorded at ingest: responses never guess it from the request or the bytes."""
    return connection.execute(
        select(images.c.media_type).where(images.c.sha256 == sha256)
    ).scalar_one_or_none()
