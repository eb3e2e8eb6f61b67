"""``lantern link``: link new records incrementally (or everything with ``full``) and persist the result.

The linker's state lives in ``DATA_DIR/link-state.npz`` next to the database. It is written before the
database transaction commits; a record the state already holds but the database does not yet show as
linked (a crash between the two) is simply given its network on the next run, so the two converge.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.engine import Connection

from lantern.assess import Assessor
from lantern.config import Settings
from lantern.link import LinkConfig, Linker, LinkResult
from lantern.networks.inputs import group_member, link_doc, record_key
from lantern.store.dialect import update_rows
from lantern.store.schema import networks, records, suppressed_hubs

STATE_FILE = "link-state.npz"
CHUNK = 20_000


@dataclass
class LinkRunSummary:
    mode: str
    linked: int = 0
    already_linked: int = 0
    revised_not_relinked: int = 0
    networks_updated: int = 0
    networks_total: int = 0
    hubs: int = 0
    seconds: float = 0.0
    merges: list[tuple[str, list[str]]] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"linked {self.linked} records ({self.mode}): {self.networks_total} networks of 2+ records, "
            f"{self.networks_updated} updated, {self.hubs} suppressed hubs, {self.seconds:.1f} s"
        )
        if self.revised_not_relinked:
            text += (
                f"; {self.revised_not_relinked} revised records keep their links until `lantern link --full`"
            )
        return text


def state_path(settings: Settings) -> Path:
    return settings.data_dir / STATE_FILE


def load_linker(settings: Settings) -> Linker | None:
    path = state_path(settings)
    return Linker.from_state(path.read_bytes()) if path.exists() else None


def current_result(settings: Settings) -> LinkResult | None:
    """The linker's answers over everything linked so far (for explain and summaries)."""
    linker = load_linker(settings)
    return linker.add([]) if linker is not None else None


def _save_state(linker: Linker, settings: Settings) -> None:
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(linker.state())
    os.replace(temporary, path)


LINK_COLUMNS = (
    records.c.id,
    records.c.source,
    records.c.record_id,
    records.c.revision,
    records.c.posted_at,
    records.c.location,
    records.c.title,
    records.c.body,
    records.c.extracted,
)


def _rows_to_link(connection: Connection, full: bool) -> Iterator[list[dict[str, Any]]]:
    """Unlinked records in posting order (so network names match a full rerun), in bounded chunks."""
    query = select(*LINK_COLUMNS).order_by(records.c.posted_at.is_(None), records.c.posted_at, records.c.id)
    if not full:
        query = query.where(records.c.linked_revision.is_(None))
    result = connection.execution_options(yield_per=CHUNK).execute(query).mappings()
    for partition in result.partitions(CHUNK):
        yield [dict(row) for row in partition]


def run_link(
    engine: Engine,
    settings: Settings,
    *,
    full: bool = False,
    config: LinkConfig | None = None,
    assessor: Assessor | None = None,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> LinkRunSummary:
    """Link what is new (or everything), then write networks, scores and hubs back to the store."""
    started = time.perf_counter()
    linker = None if full else load_linker(settings)
    if linker is None:
        full = True
        linker = Linker(config or LinkConfig())
    summary = LinkRunSummary(mode="full" if full else "incremental")
    with engine.connect() as connection:
        pending = connection.execute(
            select(func.count()).select_from(records).where(records.c.linked_revision.is_(None))
        ).scalar_one()
        total = (
            connection.execute(select(func.count()).select_from(records)).scalar_one() if full else pending
        )
        summary.revised_not_relinked = (
            0
            if full
            else connection.execute(
                select(func.count())
                .select_from(records)
                .where(records.c.linked_revision < records.c.revision)
            ).scalar_one()
        )
        assigned: dict[str, tuple[int, int]] = {}
        changed_keys: set[str] = set()
        touched_networks: set[str] = set()
        result: LinkResult | None = None
        done = 0
        for chunk in _rows_to_link(connection, full):
            result = linker.add(link_doc(row) for row in chunk)
            for row in chunk:
                assigned[record_key(row["source"], row["record_id"])] = (row["id"], row["revision"])
            summary.already_linked += len(result.report.skipped)
            for key, old, new in result.report.changes:
                changed_keys.add(key)
                touched_networks.add(new)
                if old:
                    touched_networks.add(old)
            summary.merges.extend(result.report.merges)
            done += len(chunk)
            on_progress(done, total)
    if result is None:
        result = linker.add([])
    summary.linked = len(assigned) - summary.already_linked
    _save_state(linker, settings)
    with engine.begin() as connection:
        _write_assignments(connection, result, assigned, changed_keys)
        assessor = assessor or Assessor.load()
        summary.networks_updated = _rescore_networks(connection, result, assessor, touched_networks, full)
        summary.hubs = _write_hubs(connection, result)
        summary.networks_total = connection.execute(select(func.count()).select_from(networks)).scalar_one()
    summary.seconds = time.perf_counter() - started
    return summary


# Column → row parameter for the bulk updates (``lantern.store.dialect.update_rows``: one statement
# for all rows on PostgreSQL, executemany on SQLite).
_SET_NETWORK = {"network_id": "_network", "linked_revision": "_revision"}
_SET_NETWORK_ONLY = {"network_id": "_network"}


def _pks_for_keys(connection: Connection, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    by_source: dict[str, list[str]] = {}
    for key in keys:
        source, _, record_id = key.partition(":")
        by_source.setdefault(source, []).append(record_id)
    for source, ids in by_source.items():
        for start in range(0, len(ids), 900):
            rows = connection.execute(
                select(records.c.id, records.c.record_id).where(
                    records.c.source == source, records.c.record_id.in_(ids[start : start + 900])
                )
            )
            found.update({record_key(source, record_id): pk for pk, record_id in rows})
    return found


def _write_assignments(
    connection: Connection, result: LinkResult, assigned: dict[str, tuple[int, int]], changed: set[str]
) -> None:
    """Every record of this run gets its network and is marked linked; older records whose network was
    renamed by a merge or split get the new name."""
    rows = [
        {"_pk": pk, "_network": result.network_of(key), "_revision": revision}
        for key, (pk, revision) in assigned.items()
    ]
    for start in range(0, len(rows), CHUNK):
        update_rows(connection, records, "id", rows[start : start + CHUNK], _SET_NETWORK)
    others = [key for key in changed if key not in assigned]
    pks = _pks_for_keys(connection, others)
    renamed = [{"_pk": pks[key], "_network": result.network_of(key)} for key in others if key in pks]
    for start in range(0, len(renamed), CHUNK):
        update_rows(connection, records, "id", renamed[start : start + CHUNK], _SET_NETWORK_ONLY)


MEMBER_COLUMNS = (
    records.c.id,
    records.c.source,
    records.c.record_id,
    records.c.posted_at,
    records.c.location,
    records.c.extracted,
    records.c.network_id,
)

_SET_SCORES = {"trafficking_score": "_traff", "minor_score": "_minor", "network_indicators": "_indicators"}


def _own_risk(row: dict[str, Any]) -> dict[str, float]:
    return (row.get("extracted") or {}).get("risk") or {"trafficking": 0.0, "minor": 0.0}


RESCORE_CHUNK = 500


def _rescore_networks(
    connection: Connection, result: LinkResult, assessor: Assessor, touched: set[str], full: bool
) -> int:
    """Summaries, structural indicators and network-adjusted scores for every network that changed.

    A member's queue scores become the larger of its own and its network-adjusted risk, and the group's
    indicators (with any likely-minor propagation and its path) are stored beside the ad's own. Networks
    are read and written a chunk at a time (one query for the members of 500 networks, one insert, one
    bulk update), because one round trip per network dominated linking at 100,000 records.
    """
    if full:
        # Networks that no longer exist must hand their members back their own scores too.
        previous = set(connection.execute(select(networks.c.id)).scalars())
        touched = previous | {info.id for info in result.networks(min_size=2)}
    now = datetime.now(UTC)
    hubs = frozenset(hub.value for hub in result.suppressed_hubs)
    ordered = sorted(touched)
    updated = 0
    for start in range(0, len(ordered), RESCORE_CHUNK):
        chunk = ordered[start : start + RESCORE_CHUNK]
        members_of: dict[str, list[dict[str, Any]]] = {network_id: [] for network_id in chunk}
        rows = connection.execute(select(*MEMBER_COLUMNS).where(records.c.network_id.in_(chunk))).mappings()
        for row in rows:
            members_of[row["network_id"]].append(dict(row))
        connection.execute(delete(networks).where(networks.c.id.in_(chunk)))
        network_rows: list[dict[str, Any]] = []
        score_rows: list[dict[str, Any]] = []
        for network_id in chunk:
            group = members_of[network_id]
            if len(group) < 2:
                # No longer a network (split, or absorbed): members go back to their own scores.
                score_rows += [_score_row(row, _own_risk(row), None) for row in group]
                continue
            network_rows.append(_network_row(network_id, group, result, assessor, hubs, now, score_rows))
        if network_rows:
            connection.execute(insert(networks), network_rows)
        update_rows(connection, records, "id", score_rows, _SET_SCORES)
        updated += len(network_rows)
    return updated


def _score_row(row: dict[str, Any], risk: dict[str, float], indicators: list | None) -> dict[str, Any]:
    return {
        "_pk": row["id"],
        "_traff": risk["trafficking"],
        "_minor": risk["minor"],
        "_indicators": indicators,
    }


def _network_row(
    network_id: str,
    group: list[dict[str, Any]],
    result: LinkResult,
    assessor: Assessor,
    hubs: frozenset[str],
    now: datetime,
    score_rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """Assess one network; appends its members' adjusted scores to ``score_rows`` and returns its row."""
    assessment = assessor.assess_group([group_member(row, hubs=hubs) for row in group])
    summary = result.summary(network_id)
    for row in group:
        key = record_key(row["source"], row["record_id"])
        own = _own_risk(row)
        adjusted = assessment.members.get(key, own)
        best = {name: max(own[name], adjusted[name]) for name in ("trafficking", "minor")}
        score_rows.append(_score_row(row, best, assessment.indicators + assessment.propagated.get(key, [])))
    return {
        "id": network_id,
        "size": len(group),
        "first_seen": summary.first_seen,
        "last_seen": summary.last_seen,
        "trafficking_score": assessment.risk["trafficking"],
        "minor_score": assessment.risk["minor"],
        "summary": _summary_json(summary, hubs),
        "indicators": assessment.indicators,
        "updated_at": now,
    }


def _summary_json(summary: Any, hubs: frozenset[str]) -> dict[str, Any]:
    """The summary investigators read; suppressed hubs are listed apart, not as the network's contacts."""
    data = asdict(summary)
    data["hubs"] = []
    for kind in ("phones", "emails", "handles", "payments", "images"):
        data["hubs"] += [value for value in data[kind] if value in hubs or f"phash:{value}" in hubs]
        data[kind] = [value for value in data[kind] if value not in hubs and f"phash:{value}" not in hubs]
    data["record_count"] = len(data["records"])
    data["records"] = data["records"][:500]
    return data


def _write_hubs(connection: Connection, result: LinkResult) -> int:
    hubs = result.suppressed_hubs
    connection.execute(delete(suppressed_hubs))
    if hubs:
        connection.execute(
            insert(suppressed_hubs),
            [
                {
                    "kind": hub.kind,
                    "value": hub.value[:400],
                    "reason": hub.reason,
                    "records": hub.records,
                    "description": hub.describe(),
                    "detail": asdict(hub),
                }
                for hub in hubs
            ],
        )
    return len(hubs)
