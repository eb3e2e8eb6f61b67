"""``lantern link``: link new records incrementally (or everything with ``full``) and persist the result.

The linker's state lives in ``DATA_DIR/link-state.npz`` next to the database. The result is written back
in bounded transactions (record assignments, then networks rescored a bounded number of member rows at a
time), so neither memory nor SQLite's write-ahead log grows with the corpus. Crash safety comes from a
marker, ``DATA_DIR/link-pending``: it is written before the state file and removed after the last write
commits. A run that finds it (the previous one stopped between the state and the end of its writes) links
everything again and writes everything back, which rewrites every record's network and scores, so the
state and the store converge. While a run writes, readers may see records already in their new networks
whose network rows are not rewritten yet, or (a full run, which writes its records last) network rows
whose members do not point at them yet.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np
import orjson
from sqlalchemy import Engine, Text, cast, delete, exists, func, insert, select
from sqlalchemy.engine import Connection

from lantern.assess import Assessor
from lantern.config import Settings
from lantern.gcpauses import collector_off
from lantern.link import LinkConfig, LinkDoc, Linker, LinkResult, load_state, write_state
from lantern.link.state import load_config
from lantern.networks.inputs import (
    LINK_FIELDS,
    group_member,
    link_doc,
    record_key,
    slim_extracted,
)
from lantern.networks.members import (
    EXTRACTED_TEXT,
    Members,
    MemberSpool,
    Placed,
    ScanSpool,
    spooled_row,
    stored_members,
)
from lantern.networks.placement import (
    SET_NETWORK,
    SET_SCORES,
    Placement,
    StagedMembers,
    write_full_run,
)
from lantern.store.dialect import update_rows
from lantern.store.schema import networks, records, suppressed_hubs

STATE_FILE = "link-state.npz"
PENDING_FILE = "link-pending"
CHUNK = 20_000
"""Records read per query page, the smallest linker batch, and record rows written per transaction."""

BATCH_SHARE = 5
"""A linker batch grows to a fifth of the records linked before it (``_linker_batches``)."""

BATCH_MAX = 100_000
"""... but no further: the batch's documents are held in memory (about 1.5 kB each)."""

T = TypeVar("T")


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
    resumed: bool = False
    """An earlier run stopped while writing its result, so this one relinked and rewrote everything."""

    def line(self) -> str:
        text = (
            f"linked {self.linked} records ({self.mode}): {self.networks_total} networks of 2+ records, "
            f"{self.networks_updated} updated, {self.hubs} suppressed hubs, {self.seconds:.1f} s"
        )
        if self.resumed:
            text += "; an earlier link stopped while writing, so everything was relinked"
        if self.revised_not_relinked:
            text += (
                f"; {self.revised_not_relinked} revised records keep their links until `lantern link --full`"
            )
        return text


def state_path(settings: Settings) -> Path:
    return settings.data_dir / STATE_FILE


def pending_path(settings: Settings) -> Path:
    return settings.data_dir / PENDING_FILE


def _mark_pending(settings: Settings) -> None:
    """Written (and synced) before the state file: from here until the last commit, a crash leaves the
    state ahead of the store, and the marker tells the next run to rewrite everything."""
    path = pending_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        handle.write("a link run is writing its result; the next run relinks everything\n")
        handle.flush()
        os.fsync(handle.fileno())


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _read_state(settings: Settings, read: Callable[[BinaryIO], T]) -> T | None:
    """``read`` applied to the saved link state, or None when nothing has been linked yet."""
    path = state_path(settings)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read(handle)


def load_linker(settings: Settings) -> Linker | None:
    return _read_state(settings, load_state)


def _saved_config(settings: Settings) -> LinkConfig | None:
    """The settings of the saved state, so relinking after an interrupted run links the same way."""
    return _read_state(settings, load_config)


def current_result(settings: Settings) -> LinkResult | None:
    """The linker's answers over everything linked so far (for explain and summaries)."""
    linker = load_linker(settings)
    return linker.add([]) if linker is not None else None


def _save_state(linker: Linker, settings: Settings) -> None:
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        write_state(linker, handle)
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
    EXTRACTED_TEXT,
    records.c.network_id,
)
"""What the linker reads of a record, and (a full run) what rescoring will read of it (``spooled_row``)."""


POSTING_ORDER = (records.c.posted_at.is_(None), records.c.posted_at, records.c.id)


def _docs_to_link(
    connection: Connection, full: bool, spool: ScanSpool | None = None
) -> Iterator[list[tuple[LinkDoc, int, int]]]:
    """(linker input, primary key, revision) of unlinked records in posting order (so network names match
    a full rerun), in bounded chunks; the rows themselves are not kept, but what rescoring will read of
    them goes to ``spool`` when there is one.

    A full run whose records were stored roughly in posting order (as crawls and archives arrive) reads
    them a key range at a time (``_rows_in_posting_order``); otherwise SQLite sorts every row, documents
    included, before the first one comes back (11 s of temporary B-tree and gigabytes of temporary files
    at a million records)."""
    if full:
        order = np.fromiter(
            connection.execute(select(records.c.id).order_by(*POSTING_ORDER)).scalars(), np.int64
        )
        batches = [order[start : start + CHUNK] for start in range(0, len(order), CHUNK)]
        if sum(_key_range_fits(batch) for batch in batches) * 2 >= len(batches):
            for batch in batches:
                yield [_link_input(row, spool) for row in _rows_in_posting_order(connection, batch)]
            return
    query = select(*LINK_COLUMNS).order_by(*POSTING_ORDER)
    if not full:
        query = query.where(records.c.linked_revision.is_(None))
    result = connection.execution_options(yield_per=CHUNK).execute(query).mappings()
    for partition in result.partitions(CHUNK):
        yield [_link_input(row, spool) for row in partition]


def _key_range_fits(batch: np.ndarray) -> bool:
    """Whether the keys of ``batch`` are dense enough to read as one key range (at most twice the rows)."""
    return int(batch.max()) - int(batch.min()) < 2 * len(batch)


def _rows_in_posting_order(connection: Connection, batch: np.ndarray) -> list[Any]:
    """The rows of ``batch`` (keys in posting order) in that order: one key-range scan when the keys are
    dense, ``IN`` lists otherwise."""
    keys = batch.tolist()
    if _key_range_fits(batch):
        wheres = [records.c.id.between(min(keys), max(keys))]
    else:
        wheres = [records.c.id.in_(part) for part in _batches(sorted(keys), ID_BATCH)]
    by_key = {
        row["id"]: row
        for where in wheres
        for row in connection.execute(select(*LINK_COLUMNS).where(where)).mappings()
    }
    return [by_key[key] for key in keys if key in by_key]


def _linker_batches(pages: Iterator[list[T]], linker: Linker) -> Iterator[list[T]]:
    """Pages joined into batches of a fifth of what the linker holds (at least a page, at most
    ``BATCH_MAX``), each formed after the previous one was added.

    Every batch re-judges each piece of evidence it touches over all of that evidence's records, and
    operators post across the whole period, so what a batch re-reads grows with the corpus (in the
    100,000-record world the groups re-judged by the first batch held 57,608 records, by the fifth
    241,274): with a fixed batch, linking cost n²/batch. Batches growing with the corpus take a
    logarithmic number of steps up to ``BATCH_MAX``. Batching is not quite neutral: a hub is judged on the
    records linked so far (``Evidence.release_stale`` re-judges boilerplate as sources grow, but a
    spread at the threshold depends on which other identifiers were hubs when it was last judged), and
    larger batches judge on more of the corpus.
    """
    batch: list[T] = []
    for page in pages:
        batch += page
        if len(batch) >= min(BATCH_MAX, max(CHUNK, linker.n // BATCH_SHARE)):
            yield batch
            batch = []
    if batch:
        yield batch


def _link_input(row: Any, spool: ScanSpool | None) -> tuple[LinkDoc, int, int]:
    extracted = orjson.loads(row["extracted"])
    if spool is not None:
        spool.add(spooled_row(row, extracted))
    doc = link_doc({**row, "extracted": slim_extracted(extracted, LINK_FIELDS)})
    return doc, row["id"], row["revision"]


@collector_off()
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
    resumed = pending_path(settings).exists()
    linker = None if full or resumed else load_linker(settings)
    if linker is None:
        if resumed and config is None:
            config = _saved_config(settings)
        full = True
        linker = Linker(config or LinkConfig())
    summary = LinkRunSummary(mode="full" if full else "incremental", resumed=resumed)
    with ScanSpool(settings.data_dir) if full else nullcontext() as scanned:
        result, assigned, changed_keys, touched_networks = _link_records(
            engine, linker, summary, scanned, on_progress
        )
        summary.linked = len(assigned) - summary.already_linked
        _mark_pending(settings)
        _save_state(linker, settings)
        full_run = None if scanned is None else (Placement.of(linker, assigned), scanned)
        if full_run is None:
            _write_assignments(engine, result, assigned, changed_keys)
        del assigned, changed_keys  # a million keys are not needed while rescoring
        assessor = assessor or Assessor.load()
        summary.networks_updated = _rescore_networks(engine, result, assessor, touched_networks, full_run)
    if full:
        _reset_outside_networks(engine)
    with engine.begin() as connection:
        summary.hubs = _write_hubs(connection, result)
        summary.networks_total = connection.execute(select(func.count()).select_from(networks)).scalar_one()
    pending_path(settings).unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - started
    _record_run(settings, summary)
    return summary


LAST_RUN_FILE = "link-last-run.json"


def _record_run(settings: Settings, summary: LinkRunSummary) -> None:
    """When the last link run finished, how long it took and what it linked (``/metrics`` reads it)."""
    path = settings.data_dir / LAST_RUN_FILE
    record = {"finished_at": time.time(), "seconds": round(summary.seconds, 3), "mode": summary.mode,
              "linked": summary.linked, "networks": summary.networks_total}  # fmt: skip
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record))
    os.replace(temporary, path)


def last_run(settings: Settings) -> dict[str, Any] | None:
    """What :func:`_record_run` wrote after the last link run, or None before the first."""
    try:
        return json.loads((settings.data_dir / LAST_RUN_FILE).read_text())
    except (OSError, ValueError):
        return None


def _link_records(
    engine: Engine,
    linker: Linker,
    summary: LinkRunSummary,
    scanned: ScanSpool | None,
    on_progress: Callable[[int, int], None],
) -> tuple[LinkResult, dict[str, tuple[int, int]], set[str], set[str]]:
    """Link the records still unlinked (every record when ``scanned``, a full run, which also spools
    what rescoring will read of them). Returns the result, each linked key's (primary key, revision),
    the keys whose network changed, and the networks touched."""
    full = scanned is not None
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
        for chunk in _linker_batches(_docs_to_link(connection, full, scanned), linker):
            result = linker.add(doc for doc, _, _ in chunk)
            for doc, pk, revision in chunk:
                assigned[doc.key] = (pk, revision)
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
    return result, assigned, changed_keys, touched_networks


# Column → row parameter for the bulk updates (``lantern.store.dialect.update_rows``: one statement
# for all rows on PostgreSQL, executemany on SQLite).
_SET_NETWORK_ONLY = {"network_id": "_network"}

ID_BATCH = 900
"""Primary keys per ``IN`` list when rows are read by key."""


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
    engine: Engine,
    result: LinkResult,
    assigned: dict[str, tuple[int, int]],
    changed: set[str],
) -> None:
    """Every record of this run gets its network and is marked linked; older records whose network was
    renamed by a merge or split get the new name. One transaction per ``CHUNK`` records, so the
    write-ahead log stays bounded (the pending marker covers a crash between two of them). A full run
    writes its records after rescoring instead (``lantern.networks.placement.write_full_run``)."""
    for batch in _batches(assigned.items(), CHUNK):
        rows = [
            {"_pk": pk, "_network": result.network_of(key), "_revision": revision}
            for key, (pk, revision) in batch
        ]
        with engine.begin() as connection:
            update_rows(connection, records, "id", rows, SET_NETWORK)
    others = (key for key in changed if key not in assigned)
    for batch in _batches(others, CHUNK):
        with engine.begin() as connection:
            pks = _pks_for_keys(connection, batch)
            renamed = [{"_pk": pks[key], "_network": result.network_of(key)} for key in batch if key in pks]
            update_rows(connection, records, "id", renamed, _SET_NETWORK_ONLY)


def _own_risk(row: dict[str, Any]) -> dict[str, float]:
    return (row.get("extracted") or {}).get("risk") or {"trafficking": 0.0, "minor": 0.0}


RESCORE_NETWORKS = 500
"""Networks per rescoring chunk at most (one ``IN`` list): one round trip per network dominated linking at
100,000 records."""

RESCORE_ROWS = 20_000
"""Member rows per rescoring chunk at most; a network larger than this is rescored alone."""


def _rescore_networks(
    engine: Engine,
    result: LinkResult,
    assessor: Assessor,
    touched: set[str],
    full_run: tuple[Placement, ScanSpool] | None,
) -> int:
    """Summaries, structural indicators and network-adjusted scores for every network that changed.

    A member's queue scores become the larger of its own and its network-adjusted risk. The group's
    indicators are stored once, in ``networks``; a member row keeps only what the group added to it (any
    likely-minor propagation and its path). Networks are read and written a chunk at a time, bounded by
    networks and by member rows (``_rescore_chunks``), each chunk in its own transaction.

    A full run (``full_run``: where it placed every record, and its records' rows spooled as the linker
    read them) rescores every network of the result and deletes the rows of networks that no longer
    exist: it has placed every record, so their former members are already elsewhere (and those now alone
    get their own scores back in ``_reset_outside_networks``). It files its members' rows by chunk
    (``MemberSpool``) and writes its record rows after the last chunk, all in key order
    (``write_full_run``).
    """
    if full_run is not None:
        sizes = {info.id: info.records for info in result.networks(min_size=2)}
        ordered = sorted(sizes)
        with engine.connect() as connection:
            vanished = sorted(set(connection.execute(select(networks.c.id)).scalars()) - sizes.keys())
        for batch in _batches(vanished, RESCORE_NETWORKS):
            with engine.begin() as connection:
                connection.execute(delete(networks).where(networks.c.id.in_(batch)))
    else:
        ordered = sorted(touched)
        sizes = _member_counts(engine, ordered)
    rescore = Rescoring(result, assessor, frozenset(hub.value for hub in result.suppressed_hubs))
    chunks = list(_rescore_chunks(ordered, sizes))
    if full_run is None:
        for chunk in chunks:
            with engine.begin() as connection:
                rescore.chunk(connection, chunk, stored_members(connection, chunk))
        return rescore.updated
    placement, scanned = full_run
    staged = StagedMembers(placement)
    with MemberSpool(scanned, chunks, result, placement) as spool:
        scanned.close()  # every member's row is filed by chunk: the scan's copy is not read again
        for index, chunk in enumerate(chunks):
            members_of, placed = spool.members(index)
            with engine.begin() as connection:
                rescore.chunk(connection, chunk, members_of, staged, placed)
    write_full_run(engine, result, staged, CHUNK)
    return rescore.updated


def _member_counts(engine: Engine, network_ids: list[str]) -> dict[str, int]:
    """Stored members of each network (networks without members are left out)."""
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for batch in _batches(network_ids, RESCORE_NETWORKS):
            rows = connection.execute(
                select(records.c.network_id, func.count())
                .where(records.c.network_id.in_(batch))
                .group_by(records.c.network_id)
            )
            counts.update({network_id: count for network_id, count in rows})
    return counts


def _rescore_chunks(ordered: list[str], counts: dict[str, int]) -> Iterator[list[str]]:
    """``ordered`` in consecutive chunks of at most ``RESCORE_NETWORKS`` networks and ``RESCORE_ROWS``
    member rows (``counts``). A chunk of 500 networks that held one very large network read hundreds of
    thousands of members, with their documents, at once."""
    chunk: list[str] = []
    rows = 0
    for network_id in ordered:
        size = counts.get(network_id, 0)
        if chunk and (len(chunk) == RESCORE_NETWORKS or rows + size > RESCORE_ROWS):
            yield chunk
            chunk, rows = [], 0
        chunk.append(network_id)
        rows += size
    if chunk:
        yield chunk


@dataclass
class Rescoring:
    """What rescoring a chunk of networks needs besides its members, and the networks rescored so far."""

    result: LinkResult
    assessor: Assessor
    hubs: frozenset[str]
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated: int = 0

    def chunk(
        self,
        connection: Connection,
        chunk: list[str],
        members_of: Members,
        staged: StagedMembers | None = None,
        placed: Placed | None = None,
    ) -> None:
        """Rescore one chunk of networks (one delete, one insert, one bulk update); a full run's member
        rows, network (``placed``) included, are ``staged`` instead of updated."""
        connection.execute(delete(networks).where(networks.c.id.in_(chunk)))
        network_rows: list[dict[str, Any]] = []
        score_rows: list[dict[str, Any]] = []
        for network_id in chunk:
            group = members_of.pop(network_id)
            if len(group) < 2:
                # No longer a network (split, or absorbed): members go back to their own scores.
                score_rows += [_score_row(row, _own_risk(row), None) for row in group]
                continue
            network_rows.append(
                _network_row(network_id, group, self.result, self.assessor, self.hubs, self.now, score_rows)
            )
        if network_rows:
            connection.execute(insert(networks), network_rows)
        if staged is None or placed is None:
            update_rows(connection, records, "id", score_rows, SET_SCORES)
        else:
            for row in score_rows:
                row["_network"], row["_revision"] = placed[row["_pk"]]
            staged.add(score_rows)
        self.updated += len(network_rows)


def _reset_outside_networks(engine: Engine) -> int:
    """After a full rescoring: records that still carry network scores but are in no network of 2+
    records get their own scores back.

    A full run rescores the networks that exist before or after it, so a record whose network split away
    from it, or that an interrupted run had already moved, would otherwise keep its old network's
    scores. Members of a network always have a list in ``network_indicators`` (empty when the group added
    nothing to them); records outside one have none.
    """
    carries = func.coalesce(cast(records.c.network_indicators, Text), "null") != "null"
    outside = ~exists().where(networks.c.id == records.c.network_id)
    query = select(records.c.id, EXTRACTED_TEXT).where(carries, outside).order_by(records.c.id)
    reset = last = 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(query.where(records.c.id > last).limit(CHUNK)).mappings().all()
            if not rows:
                return reset
            update_rows(connection, records, "id", [_own_score_row(row) for row in rows], SET_SCORES)
        reset += len(rows)
        last = rows[-1]["id"]


def _own_score_row(row: Any) -> dict[str, Any]:
    """A record outside any network: its own scores and no network indicators."""
    own = {"id": row["id"], "extracted": slim_extracted(row["extracted"], ("risk",))}
    return _score_row(own, _own_risk(own), None)


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
    """Assess one network; appends its members' adjusted scores to ``score_rows`` and returns its row.

    The group's own indicators go on the network row only. Copied onto every member they cost members
    times indicators (246 MB of JSON for 100,000 records, against 3 MB once per network), and both grow
    with a network's size. Readers join them back (``lantern.store.queries.network_indicators``)."""
    assessment = assessor.assess_group([group_member(row, hubs=hubs) for row in group])
    summary = result.summary(network_id)
    for row in group:
        key = record_key(row["source"], row["record_id"])
        own = _own_risk(row)
        adjusted = assessment.members.get(key, own)
        best = {name: max(own[name], adjusted[name]) for name in ("trafficking", "minor")}
        score_rows.append(_score_row(row, best, assessment.propagated.get(key, [])))
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
    # Shallow: ``asdict`` deep-copied every list of every summary (6 % of rescoring at 100,000 records).
    data = {f.name: getattr(summary, f.name) for f in fields(summary)}
    data["itinerary"] = [asdict(stop) for stop in summary.itinerary]
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
