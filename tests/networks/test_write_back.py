"""Writing a link run back to the store: in bounded chunks and transactions, with the same outcome.

Networks are rescored a bounded number of member rows at a time, each chunk committed on its own, and a
network's own indicators are stored once (on its row) rather than on every member. What an investigator
sees must not change: each record's network, queue scores and network indicators, every network row and
the hubs. A run stopped half-way through its writes must be finished by the next one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import Settings, load_settings
from lantern.link import LinkConfig, Linker
from lantern.networks import members, placement, runner
from lantern.store.db import open_database
from lantern.store.indexes import indexes_on, missing_indexes, restore_indexes
from lantern.store.queries import network_indicators
from lantern.store.schema import networks, records, suppressed_hubs
from lantern.synth import RECORDS_FILE, generate
from lantern.web.views.records import record_detail

pytestmark = pytest.mark.databases("sqlite", "postgresql")

PHONES_ONLY = LinkConfig(evidence=("phone",))
"""Links fewer records than the default, so relinking with it takes records out of their networks."""

MakeStore = Callable[..., tuple[Settings, Engine]]
"""``make_store(name, corpus=world)``: a fresh store holding a corpus, ingested but not linked."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    generate(folder, 600, seed=11)
    return folder / RECORDS_FILE


@pytest.fixture
def make_store(world: Path, tmp_path: Path, make_database_url: Callable[[str], str]) -> Iterator[MakeStore]:
    """Fresh stores holding the world's records, ingested but not linked."""
    engines: list[Engine] = []

    def make(name: str, corpus: Path = world) -> tuple[Settings, Engine]:
        folder, url = tmp_path / name, make_database_url(name)
        where = ["--data-dir", str(folder), "--database-url", url]
        result = CliRunner().invoke(app, [*where, "ingest", "-q", "--no-link", str(corpus)])
        assert result.exit_code == 0, result.output
        engines.append(open_database(url))
        return load_settings(folder, url), engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def snapshot(engine: Engine) -> dict[str, Any]:
    """What investigators see of a link: each record's network, scores and network indicators (the
    network's and the record's own part together), every network row but its write time, and the hubs."""
    with engine.connect() as connection:
        groups = dict(connection.execute(select(networks.c.id, networks.c.indicators)).all())
        rows = connection.execute(
            select(
                records.c.source,
                records.c.record_id,
                records.c.network_id,
                records.c.linked_revision,
                records.c.trafficking_score,
                records.c.minor_score,
                records.c.network_indicators,
            )
        ).all()
        network_rows = connection.execute(select(networks).order_by(networks.c.id)).mappings().all()
        hubs = connection.execute(select(suppressed_hubs).order_by(suppressed_hubs.c.value)).all()
    return {
        "records": {
            f"{row.source}:{row.record_id}": (
                row.network_id,
                row.linked_revision,
                row.trafficking_score,
                row.minor_score,
                network_indicators(groups[row.network_id], row.network_indicators)
                if row.network_id in groups
                else row.network_indicators,
            )
            for row in rows
        },
        "networks": [{k: v for k, v in row.items() if k != "updated_at"} for row in network_rows],
        "hubs": hubs,
    }


def test_networks_larger_than_a_chunk_score_as_in_one_pass(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_settings, one = make_store("one-pass")
    monkeypatch.setattr(runner, "RESCORE_ROWS", 10**9)
    monkeypatch.setattr(runner, "RESCORE_NETWORKS", 10**9)
    runner.run_link(one, one_settings, full=True)
    expected = snapshot(one)
    largest = max(expected["networks"], key=lambda row: row["size"])

    monkeypatch.setattr(runner, "RESCORE_ROWS", 5)
    monkeypatch.setattr(runner, "RESCORE_NETWORKS", 3)
    chunks: list[list[str]] = []
    rescore_chunk = runner.Rescoring.chunk

    def spy(self: runner.Rescoring, connection: Any, chunk: list[str], *args: Any) -> None:
        chunks.append(list(chunk))
        rescore_chunk(self, connection, chunk, *args)

    monkeypatch.setattr(runner.Rescoring, "chunk", spy)
    # Rows are spooled a few at a time: each chunk's rows come back from several blocks, written between
    # other chunks' blocks, and filed from several blocks of the linker's read.
    monkeypatch.setattr(members, "SPOOL_ROWS", 3)
    # Records are written after rescoring, in key order, a few per transaction: members and records
    # alone interleave in every transaction.
    write_full_run = runner.write_full_run
    monkeypatch.setattr(runner, "write_full_run", lambda *args: write_full_run(*args[:-1], 7))
    settings, chunked = make_store("chunked")
    runner.run_link(chunked, settings, full=True)

    assert largest["size"] > 5 and [largest["id"]] in chunks, "the largest network is rescored alone"
    assert len(chunks) > len(expected["networks"]) / 3
    assert snapshot(chunked) == expected
    # Its structural indicators are stored once, on the network, and a member's record page still shows them.
    assert largest["indicators"] and any(item["id"].startswith("S") for item in largest["indicators"])
    with chunked.connect() as connection:
        member = connection.execute(
            select(records.c.source, records.c.record_id, records.c.network_indicators)
            .where(records.c.network_id == largest["id"])
            .limit(1)
        ).one()
        detail = record_detail(connection, member.source, member.record_id)
    assert not any(item["id"].startswith("S") for item in member.network_indicators)
    assert detail is not None
    shown = {group.id: group.count for group in detail.network_indicators}
    key = f"{member.source}:{member.record_id}"
    assert sum(shown.values()) == len(expected["records"][key][4]) > 0
    assert {item["id"] for item in largest["indicators"]} <= set(shown)


def test_linker_batches_grow_with_the_corpus_and_link_every_record_once(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CHUNK", 40)
    monkeypatch.setattr(runner, "BATCH_SHARE", 3)
    monkeypatch.setattr(runner, "BATCH_MAX", 160)
    sizes: list[int] = []
    add = Linker.add

    def spy(self: Linker, docs: Any) -> Any:
        docs = list(docs)
        sizes.append(len(docs))
        return add(self, docs)

    monkeypatch.setattr(Linker, "add", spy)
    settings, engine = make_store("growing-batches")
    summary = runner.run_link(engine, settings, full=True)
    # A page until a third of the records linked exceeds it, then whole pages up to the cap.
    assert sizes == [40, 40, 40, 40, 80, 80, 120, 160]
    assert summary.linked == 600
    linked = snapshot(engine)["records"]
    assert len(linked) == 600 and all(network and revision == 1 for network, revision, *_ in linked.values())


def test_full_relink_gives_records_that_left_a_network_their_own_scores(make_store: MakeStore) -> None:
    settings, engine = make_store("relinked")
    runner.run_link(engine, settings, full=True)
    before = snapshot(engine)
    runner.run_link(engine, settings, full=True, config=PHONES_ONLY)
    reference_settings, reference = make_store("phones-only")
    runner.run_link(reference, reference_settings, full=True, config=PHONES_ONLY)
    expected = snapshot(reference)

    in_networks = {row["id"] for row in expected["networks"]}
    left = [
        key
        for key, (network, *_) in expected["records"].items()
        if network not in in_networks and before["records"][key][4] is not None
    ]
    assert left and any(before["records"][key][2:4] != expected["records"][key][2:4] for key in left)
    assert snapshot(engine) == expected


@pytest.mark.parametrize("shuffled", [0.02, 1.0], ids=["mostly-in-order", "shuffled"])
def test_records_stored_out_of_posting_order_link_as_if_stored_in_order(
    make_store: MakeStore, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shuffled: float
) -> None:
    """A full run reads records in posting order whatever order they were stored in: a key range at a
    time when storage roughly follows posting (a few stray batches read by key lists), sorted by the
    database otherwise."""
    monkeypatch.setattr(runner, "CHUNK", 40)  # many batches; the same for both stores
    settings, in_order = make_store("in-order")
    runner.run_link(in_order, settings, full=True)
    lines = world.read_text(encoding="utf-8").splitlines()
    rng = random.Random(5)
    moved = rng.sample(range(len(lines)), int(len(lines) * shuffled))
    for target, line in zip(moved, rng.sample([lines[index] for index in moved], len(moved)), strict=True):
        lines[target] = line
    corpus = tmp_path / "out-of-order.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings, out_of_order = make_store("out-of-order", corpus)
    runner.run_link(out_of_order, settings, full=True)
    assert snapshot(out_of_order) == snapshot(in_order)


def test_a_run_stopped_while_writing_is_finished_by_the_next(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, engine = make_store("interrupted")
    runner.run_link(engine, settings, full=True)
    before = snapshot(engine)
    monkeypatch.setattr(runner, "RESCORE_ROWS", 5)
    rescore_chunk, calls = runner.Rescoring.chunk, []

    def power_cut(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        rescore_chunk(*args)

    monkeypatch.setattr(runner.Rescoring, "chunk", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        runner.run_link(engine, settings, full=True, config=PHONES_ONLY)
    half_written = snapshot(engine)
    assert half_written != before and runner.pending_path(settings).exists()

    monkeypatch.setattr(runner.Rescoring, "chunk", rescore_chunk)
    summary = runner.run_link(engine, settings)  # what the next `lantern link` or `lantern ingest` runs
    assert summary.resumed and summary.mode == "full" and "stopped while writing" in summary.line()
    assert not runner.pending_path(settings).exists()
    reference_settings, reference = make_store("phones-only")
    runner.run_link(reference, reference_settings, full=True, config=PHONES_ONLY)
    expected = snapshot(reference)
    assert half_written != expected
    assert snapshot(engine) == expected


SET_ASIDE = {"ix_records_network_id", "ix_records_risk", "ix_records_trafficking_score"}
"""The indexes on the columns a full relink rewrites in every record (network and scores)."""


def test_a_full_relink_builds_the_indexes_on_what_it_rewrites_afresh(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, engine = make_store("indexes")
    missing_while_writing: list[set[str]] = []
    write = placement.update_rows

    def spy(connection: Any, *args: Any) -> None:
        missing_while_writing.append({str(index.name) for index in missing_indexes(connection, [records])})
        write(connection, *args)

    monkeypatch.setattr(placement, "update_rows", spy)
    runner.run_link(engine, settings, full=True)
    assert missing_while_writing and all(names == SET_ASIDE for names in missing_while_writing)
    with engine.connect() as connection:
        assert missing_indexes(connection, [records]) == []
        if engine.dialect.name == "sqlite":  # and the queue's and network page's queries use them again
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM records WHERE network_id = 'n'"
            ).all()
            assert "ix_records_network_id" in str(plan)


def test_indexes_set_aside_come_back_after_a_failed_write_and_after_a_crash(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, engine = make_store("crashed")

    def disk_full(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(placement, "update_rows", disk_full)
    with pytest.raises(OSError, match="disk full"):
        runner.run_link(engine, settings, full=True)
    with engine.connect() as connection:
        assert missing_indexes(connection, [records]) == []

    # A crash between the drop and the rebuild runs no clean-up: the next opening of the store rebuilds.
    with engine.begin() as connection:
        for index in indexes_on(records, ["network_id", "trafficking_score"]):
            index.drop(connection)
        assert {str(index.name) for index in missing_indexes(connection, [records])} == SET_ASIDE
    assert restore_indexes(open_database(settings.database_url), [records]) == []
    with engine.connect() as connection:
        assert missing_indexes(connection, [records]) == []


def test_a_full_relink_of_records_that_share_nothing_makes_no_networks(
    make_store: MakeStore, tmp_path: Path
) -> None:
    """Nothing to rescore: every record stays alone with its own scores (the member spools are empty)."""
    corpus = tmp_path / "apart.jsonl"
    lines = [
        (
            f'{{"id": "{n}", "source": "adhub", "kind": "ad", "posted_at": "2024-03-0{n}T10:00:00Z", '
            f'"title": "Ad {n}", "body": "Friendly company in town {n}. Call 1-214-555-01{n:02d}", '
            f'"location": "Houston, TX", "images": []}}'
        )
        for n in range(1, 4)
    ]
    corpus.write_text("\n".join(lines) + "\n")
    settings, engine = make_store("apart", corpus)
    summary = runner.run_link(engine, settings, full=True)
    assert summary.linked == 3 and summary.networks_total == 0
    linked = snapshot(engine)
    assert linked["networks"] == [] and len(linked["records"]) == 3
    for network, revision, _traff, _minor, indicators in linked["records"].values():
        assert network and revision == 1 and indicators is None
