"""Today, the home page: what is new since the user's last visit, for them and their agency.

Records collected since (record ids grow with collection, ``lantern.cases.visits``), the networks that
gained records, the user's open cases and what changed in them, their unread alerts, and the top of the
likely-minor queue (what the agency has not reviewed or dismissed).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from lantern.cases.service import activity, list_cases
from lantern.cases.visits import Since, visit
from lantern.store import queries as store_queries
from lantern.store.queries import capped_count
from lantern.store.schema import alerts, networks, records
from lantern.watch.inbox import list_alerts
from lantern.web.models import RecordKey, TodayAlert, TodayCase, TodayNetwork, TodayPage, TriageFilters
from lantern.web.views.cards import SUMMARY_COLUMNS, summary
from lantern.web.views.cases import activity_item, case_summary
from lantern.web.views.triage import fetch_grouped_queue

NEWEST_SHOWN = 10
GROWTH_WINDOW = 5_000
"""New records read to find the networks that grew (the newest this many since the last visit)."""
NETWORKS_SHOWN = 10
QUEUE_SHOWN = 5
ALERTS_SHOWN = 10
CASES_SHOWN = 10
CHANGES_SHOWN = 5


@dataclass
class TodayRows:
    since: Since
    new_count: tuple[int, bool]
    newest: list[dict[str, Any]]
    gained: list[tuple[str, int]]
    networks: dict[str, dict[str, Any]]
    cases: list[dict[str, Any]]
    case_changes: dict[int, list[dict[str, Any]]]
    alerts: list[dict[str, Any]]
    unread: int
    queue: list[dict[str, Any]] = field(default_factory=list)


def fetch_today(
    connection: Connection,
    engine: Engine,
    since: Since,
    *,
    user_id: int,
    agency_id: int,
) -> TodayRows:
    mine = [
        c for c in list_cases(engine, agency_id=agency_id, assignee_id=user_id) if c["status"] != "closed"
    ]
    changes = {}
    for case in mine[:CASES_SHOWN]:
        entries = activity(connection, case, limit=CHANGES_SHOWN)
        changes[case["id"]] = [
            e
            for e in entries
            if e["action"] != "case.view" and (since.at is None or _utc(e["at"]) > _utc(since.at))
        ]
    new = records.c.id > since.mark
    new_count = capped_count(connection, select(records.c.id).where(new))
    newest = [
        dict(r)
        for r in connection.execute(
            select(*SUMMARY_COLUMNS).where(new).order_by(records.c.id.desc()).limit(NEWEST_SHOWN)
        ).mappings()
    ]
    recent = (
        select(records.c.network_id).where(new).order_by(records.c.id.desc()).limit(GROWTH_WINDOW).subquery()
    )
    gained = Counter(n for n in connection.execute(select(recent.c.network_id)).scalars() if n)
    top = gained.most_common(NETWORKS_SHOWN)
    nets = {
        row["id"]: dict(row)
        for row in connection.execute(
            select(
                networks.c.id, networks.c.size, networks.c.minor_score, networks.c.trafficking_score
            ).where(networks.c.id.in_([n for n, _ in top]))
        ).mappings()
    }
    unread_alerts = list_alerts(engine, user_id=user_id, unread_only=True, limit=ALERTS_SHOWN)
    unread = connection.execute(
        select(func.count())
        .select_from(alerts)
        .where(alerts.c.user_id == user_id, alerts.c.read_at.is_(None))
    ).scalar_one()
    queue = fetch_grouped_queue(
        connection, TriageFilters(min_minor=0.5), agency_id=agency_id, user_id=user_id, page_size=QUEUE_SHOWN
    )
    return TodayRows(
        since=since,
        new_count=new_count,
        newest=newest,
        gained=top,
        networks=nets,
        cases=mine[:CASES_SHOWN],
        case_changes=changes,
        alerts=unread_alerts,
        unread=int(unread),
        queue=[rows[0] for rows in queue.groups.values()],
    )


def today_view(found: TodayRows) -> TodayPage:
    since_at: datetime | None = found.since.at
    return TodayPage(
        since=since_at,
        new_records=found.new_count[0],
        new_records_cap=store_queries.TOTAL_CAP,
        newest=[summary(row, reasons=2) for row in found.newest],
        grown_networks=[
            TodayNetwork(
                id=network_id,
                gained=count,
                size=int(found.networks.get(network_id, {}).get("size") or 0),
                minor_score=float(found.networks.get(network_id, {}).get("minor_score") or 0),
                trafficking_score=float(found.networks.get(network_id, {}).get("trafficking_score") or 0),
            )
            for network_id, count in found.gained
        ],
        cases=[
            TodayCase(
                **case_summary(case).model_dump(),
                changes=[activity_item(a) for a in found.case_changes.get(case["id"], [])],
            )
            for case in found.cases
        ],
        alerts=[
            TodayAlert(
                id=a["id"],
                created_at=a["created_at"],
                entry=a.get("entry_label") or f"{a['entry_kind']} {a['entry_value']}",
                record=RecordKey(source=a["source"], id=a["record_id"]),
                title=a.get("title"),
            )
            for a in found.alerts
        ],
        unread_alerts=found.unread,
        minor_queue=[summary(row, reasons=2) for row in found.queue],
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def today(connection: Connection, engine: Engine, *, user_id: int, agency_id: int) -> TodayPage:
    """Record the user's visit and show what is new since the one before."""
    since = visit(engine, user_id)
    return today_view(fetch_today(connection, engine, since, user_id=user_id, agency_id=agency_id))
