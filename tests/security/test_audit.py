"""The hash-chained audit log: verification catches edits, deletions and reordering; appends never fork."""

from __future__ import annotations

import itertools
import multiprocessing
import threading

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import IntegrityError

from lantern.security import audit
from lantern.store.db import open_database
from lantern.store.schema import audit_log

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def _fill(engine: Engine, clock, n: int = 5) -> None:
    for number in range(1, n + 1):
        clock.advance(seconds=1)
        audit.record(
            engine,
            "search",
            user_id=7,
            agency_id=2,
            target="records",
            detail={"query": f"new in town {number}", "filters": {"min_score": 0.5}, "ünï": "cödé"},
            clock=clock,
        )


def _verify(engine: Engine, anchor: str | None = None) -> audit.VerifyResult:
    with engine.connect() as connection:
        return audit.verify(connection, anchor)


def _sql(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement))


def test_intact_chain_verifies_and_links_each_entry(engine, clock) -> None:
    assert _verify(engine).ok and _verify(engine).entries == 0
    _fill(engine, clock)
    result = _verify(engine)
    assert (result.ok, result.entries, result.last_id) == (True, 5, 5)
    with engine.connect() as connection:
        rows = connection.execute(select(audit_log).order_by(audit_log.c.id)).all()
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_log SET target = 'something else' WHERE id = 3",
        "UPDATE audit_log SET user_id = 8 WHERE id = 3",
        "UPDATE audit_log SET action = 'login.success' WHERE id = 3",
    ],
)
def test_an_edited_entry_is_named(engine, clock, tamper: str) -> None:
    _fill(engine, clock)
    _sql(engine, tamper)
    result = _verify(engine)
    assert (result.ok, result.broken_id) == (False, 3) and "edited" in result.reason


def test_an_edited_detail_or_time_is_named(engine, clock) -> None:
    _fill(engine, clock)
    with engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.id == 2).values(detail={"query": "other"}))
    assert _verify(engine).broken_id == 2
    _fill(engine, clock)  # appending after tampering does not heal it
    assert _verify(engine).broken_id == 2


def test_a_deleted_entry_is_named(engine, clock) -> None:
    _fill(engine, clock)
    _sql(engine, "DELETE FROM audit_log WHERE id = 3")
    result = _verify(engine)
    assert (result.ok, result.broken_id) == (False, 4) and "entry 3 missing" in result.reason


def test_deleting_the_first_entry_is_caught(engine, clock) -> None:
    _fill(engine, clock)
    _sql(engine, "DELETE FROM audit_log WHERE id = 1")
    assert _verify(engine).broken_id == 2


def test_reordered_entries_are_caught(engine, clock) -> None:
    _fill(engine, clock)
    _sql(engine, "UPDATE audit_log SET id = 99 WHERE id = 2")
    _sql(engine, "UPDATE audit_log SET id = 2 WHERE id = 3")
    _sql(engine, "UPDATE audit_log SET id = 3 WHERE id = 99")
    result = _verify(engine)
    assert (result.ok, result.broken_id) == (False, 2) and "moved" in result.reason


def test_renumbering_to_hide_a_deletion_is_caught(engine, clock) -> None:
    _fill(engine, clock)
    _sql(engine, "DELETE FROM audit_log WHERE id = 3")
    _sql(engine, "UPDATE audit_log SET id = 3 WHERE id = 4")
    _sql(engine, "UPDATE audit_log SET id = 4 WHERE id = 5")
    assert _verify(engine).broken_id == 3


def test_truncation_and_full_rewrite_need_the_anchor(engine, clock) -> None:
    """What verify alone cannot prove: the anchor kept elsewhere catches both."""
    _fill(engine, clock)
    with engine.connect() as connection:
        anchor = audit.anchor(connection)
    assert anchor is not None and anchor.startswith("5:")
    assert _verify(engine, anchor).ok
    assert _verify(engine, anchor.split(":")[1]).ok  # a bare hash works too

    _sql(engine, "DELETE FROM audit_log WHERE id = 5")  # drop the newest entry
    assert _verify(engine).ok  # undetectable without an anchor
    result = _verify(engine, anchor)
    assert not result.ok and "gone" in result.reason

    # A database administrator rewrites the whole chain after an edit: consistent again...
    with engine.begin() as connection:
        rows = [row._asdict() for row in connection.execute(select(audit_log).order_by(audit_log.c.id))]
        connection.execute(audit_log.delete())
        rows[1]["target"] = "rewritten"
        prev = audit.GENESIS
        for row in rows:
            fields = {k: row[k] for k in ("id", "at", "user_id", "agency_id", "action", "target", "detail")}
            row["prev_hash"], row["hash"] = prev, audit.entry_hash(prev, **fields)
            prev = row["hash"]
            connection.execute(audit_log.insert().values(**row))
    assert _verify(engine).ok
    with engine.connect() as connection:
        middle_anchor = (
            f"3:{connection.execute(select(audit_log.c.hash).where(audit_log.c.id == 3)).scalar()}"
        )
    assert _verify(engine, middle_anchor).ok
    assert not _verify(engine, "4:" + "0" * 64).ok  # ...but not against an anchor taken before


def test_a_fork_cannot_be_committed(engine, clock) -> None:
    _fill(engine, clock, 2)
    with engine.connect() as connection:
        first = connection.execute(select(audit_log).where(audit_log.c.id == 2)).one()
    forked = first._asdict() | {"id": 3, "hash": "f" * 64}
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(audit_log.insert().values(**forked))


def test_hostile_detail_is_bounded_and_still_verifies(engine, clock) -> None:
    entry = audit.record(engine, "search", detail={"query": "x" * 100_000, 5: None}, clock=clock)
    assert len(entry.detail["query"]) < 2100 and entry.detail["5"] is None
    assert _verify(engine).ok


def _append_many(url: str, worker: int, count: int) -> None:
    engine = open_database(url)
    for number in range(count):
        audit.record(engine, "search", user_id=worker, detail={"n": number})
    engine.dispose()


def _assert_linear(engine: Engine, expected: int) -> None:
    result = _verify(engine)
    assert result.ok and result.entries == expected, result
    with engine.connect() as connection:
        ids = connection.execute(select(audit_log.c.id).order_by(audit_log.c.id)).scalars().all()
    assert ids == list(range(1, expected + 1))


def test_concurrent_threads_keep_the_chain_linear(engine, database_url) -> None:
    threads = [threading.Thread(target=_append_many, args=(database_url, worker, 25)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _assert_linear(engine, 100)


@pytest.mark.databases("sqlite")
def test_concurrent_processes_keep_the_chain_linear(engine, database_url) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(database_url, worker, 20)) for worker in range(3)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
        assert process.exitcode == 0
    _assert_linear(engine, 60)
