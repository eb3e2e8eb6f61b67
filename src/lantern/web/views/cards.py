"""What several pages show the same way: a record's card (title, place, scores, snippet, reasons), the
reasons a score rose, indicator groups, timelines and identifier uses; and the two fetches every list of
cards makes (rows by primary key, records carrying an identifier).

Everything but the two fetches is a pure function of rows, so pages built from them can be tested with
hand-made rows and no database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from lantern.assess.breakdown import breakdown, rule_names
from lantern.store.filters import carrying
from lantern.store.fulltext import MARK_CLOSE, MARK_OPEN, full_text
from lantern.store.schema import records
from lantern.web.highlight import (
    Segment,
    plain,
    plain_marks,
    plain_segments,
    plain_text,
    split_markers,
    window,
)
from lantern.web.models import (
    Bucket,
    ContactUse,
    IndicatorGroup,
    PathStep,
    Reason,
    RecordSummary,
    ScoreBreakdown,
    ScoreTerm,
    Snippet,
)
from lantern.web.urls import record_url

PAGE_SIZE = 20
MAX_PAGE = 250  # bounded offset: 5,000 results deep is far past what anyone pages through
DENSE_MATCHES = 200  # above this, walk records newest-first and probe membership (FullText.dense_carrying)

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
"""The columns a record's card needs."""


def bounded_page(page: int) -> int:
    return min(max(page, 1), MAX_PAGE)


# ---------------------------------------------------------------------------------------------- fetches


def rows_by_pk(connection: Connection, pks: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The card rows of ``pks`` by primary key (records deleted meanwhile are missing)."""
    if not pks:
        return {}
    rows = connection.execute(select(*SUMMARY_COLUMNS).where(records.c.id.in_(list(pks)))).mappings()
    return {row["id"]: dict(row) for row in rows}


def carrying_planned(
    connection: Connection, mode: str, values: list[str], count: int, *, by_risk: bool = False
) -> Any:
    """Records carrying the identifier, planned for how many do: through the identifier index, or, for
    one thousands of records carry and a newest-first listing, as the database's dense plan."""
    if count > DENSE_MATCHES and not by_risk:
        dense = full_text(connection).dense_carrying(mode, values)
        if dense is not None:
            return dense
    return carrying(mode, values)


# ------------------------------------------------------------------------------------- reasons, cards


def reasons_of(extracted: dict[str, Any], limit: int | None = None) -> list[Reason]:
    """The indicators that fired for a record, heaviest first; malformed entries are skipped, not trusted."""
    return reasons_from(extracted.get("indicators"), limit)


def reasons_from(items: object, limit: int | None = None) -> list[Reason]:
    """Indicator firings (a stored JSON list) as reasons, heaviest first."""
    reasons: list[Reason] = []
    for item in items if isinstance(items, list) else []:
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
                source=str(item["source"])[:400] if item.get("source") else None,
                path=path_steps(item.get("path")),
            )
        )
    reasons.sort(key=lambda r: -r.weight)
    return reasons[:limit] if limit else reasons


def path_steps(path: object) -> list[PathStep]:
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


def score_breakdown(own: object, network: object, stored: dict[str, float]) -> list[ScoreBreakdown]:
    """How the weights of the rules that fired (the record's own, then its network's) become each score
    (``lantern.assess.breakdown``), beside the stored score."""
    out = []
    for b in breakdown(own, network):
        terms = [ScoreTerm.model_validate(t.__dict__) for t in b.terms]
        fields = {"score": b.score, "bias": b.bias, "terms": terms, "logit": round(b.logit, 4),
                  "computed": round(b.value, 4), "stored": float(stored.get(b.score) or 0.0)}  # fmt: skip
        out.append(ScoreBreakdown.model_validate(fields))
    return out


def indicator_groups(items: object, per_group: int = 25) -> list[IndicatorGroup]:
    """Firings grouped by rule (a network fires one rule for many phones), heaviest rule first."""
    reasons = reasons_from(items)
    groups: dict[str, list[Reason]] = defaultdict(list)
    for reason in reasons:
        groups[reason.id].append(reason)
    names = rule_names()
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


def summary(row: dict[str, Any], snippet: Snippet | None = None, reasons: int = 3) -> RecordSummary:
    """A record's card: what a list shows of it, with its top reasons."""
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


# ---------------------------------------------------------------------------------------------- snippets


def snippet_from_segments(field: str, segments: list[Segment]) -> Snippet:
    text_value, marks = plain_marks(segments)
    return Snippet(field=field, text=text_value, marks=marks)


def marked_snippet(title: str, body: str) -> Snippet:
    """A full-text snippet (matches between ``MARK_OPEN`` and ``MARK_CLOSE``): the body's when the match
    is in the body, else the title's."""
    field, text_value = ("body", body) if MARK_OPEN in body or not title else ("title", title)
    segments = split_markers(text_value, MARK_OPEN, MARK_CLOSE)
    return snippet_from_segments(field, plain_segments(segments, cut=text_value.startswith("…")))


def mention_snippet(row: dict[str, Any], kind: str, values: set[str]) -> Snippet | None:
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


# ------------------------------------------------------------------------------------- time and uses


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


def uses(pairs: Iterable[tuple[tuple[str, str], dict[str, Any]]]) -> list[ContactUse]:
    """How often and when each identifier was used, from (identifier, record row) pairs; most used first."""
    grouped: dict[tuple[str, str], list[datetime | None]] = defaultdict(list)
    for key, row in pairs:
        grouped[key].append(row["posted_at"])
    out = []
    for (kind, value), seen in grouped.items():
        dated = [d for d in seen if d is not None]
        out.append(
            ContactUse(
                kind=kind,
                value=value,
                count=len(seen),
                first_seen=min(dated) if dated else None,
                last_seen=max(dated) if dated else None,
            )
        )
    out.sort(key=lambda u: (-u.count, u.kind, u.value))
    return out
