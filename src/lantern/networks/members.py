"""Network members' rows as rescoring reads them: by stored network (an incremental run), or, for a full
run, in one pass over the records table in key order, spooled to a temporary file by rescoring chunk.

Why spool: a full run rescores every network, and a network's members lie anywhere in the table. Reading
each chunk's members by key fetched one random page per member: at a million records (a 5.8 GB SQLite
file whose pages the operating system does not keep cached) that was 101.6 s of a 320 s link, nearly
all of it waiting for pages. Reading the same rows in key order, a window of keys at a time, turns it
into a sequential scan; the slimmed rows (about a fifth of a stored row) go to the spool and each chunk
reads its own blocks back.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson
from sqlalchemy import Engine, Text, cast, select
from sqlalchemy.engine import Connection

from lantern.link import LinkResult
from lantern.networks.inputs import GROUP_FIELDS, slim_extracted
from lantern.networks.placement import Placement
from lantern.store.schema import records

EXTRACTED_TEXT = cast(records.c.extracted, Text).label("extracted")
"""``extracted`` as JSON text, so only the parts a step reads are decoded and kept (``slim_extracted``)."""

MEMBER_COLUMNS = (
    records.c.id,
    records.c.source,
    records.c.record_id,
    records.c.posted_at,
    records.c.location,
    EXTRACTED_TEXT,
    records.c.network_id,
)

MEMBER_NAMES = tuple(column.name for column in MEMBER_COLUMNS)
EXTRACTED = MEMBER_NAMES.index("extracted")

SpooledRow = tuple[Any, ...]
"""A member row as spooled: ``MEMBER_COLUMNS``, ``extracted`` slimmed and kept as JSON. Tuples of plain
values pickle about ten times faster than the same row as nested dicts (1M rows: 57 s to spool as dicts)."""

SCAN_KEYS = 20_000
"""Width of the key window a spooling query reads (rows read per query at most)."""

SPOOL_ROWS = 50_000
"""Member rows held before they are written to the spool (about 1 kB each)."""

Members = dict[str, list[dict[str, Any]]]
"""Member rows by network, each list in key order."""

Placed = dict[int, tuple[str, int]]
"""A member's new (network, revision) by primary key."""


def member_row(row: Any) -> dict[str, Any]:
    """A member as rescoring keeps it: its columns with only the parts of ``extracted`` it reads."""
    return {**row, "extracted": slim_extracted(row["extracted"], GROUP_FIELDS)}


def stored_members(connection: Connection, chunk: list[str]) -> Members:
    """Each network's member rows, found by the ``network_id`` they carry."""
    members_of: Members = {network_id: [] for network_id in chunk}
    rows = connection.execute(select(*MEMBER_COLUMNS).where(records.c.network_id.in_(chunk))).mappings()
    for row in rows:
        members_of[row["network_id"]].append(member_row(row))
    return members_of


def placed_in(chunk: list[str], result: LinkResult, placement: Placement) -> Placed:
    """Each stored member of ``chunk``'s networks with the network and revision the full run gives it."""
    placed: Placed = {}
    for network_id in chunk:
        indexes = result.member_indexes(network_id)
        for pk, revision in zip(
            placement.pks[indexes].tolist(), placement.revisions[indexes].tolist(), strict=True
        ):
            if pk >= 0:
                placed[pk] = (network_id, revision)
    return placed


class MemberSpool:
    """A full run's member rows, read once in key order and filed by the rescoring chunk that needs them.

    ``chunks`` are the networks of each rescoring chunk, in the order they will be asked for. The file is
    anonymous (it disappears when closed, or if the process dies) and lives in ``directory``, next to the
    store, since at tens of millions of records it holds gigabytes.
    """

    def __init__(
        self,
        engine: Engine,
        chunks: Sequence[list[str]],
        result: LinkResult,
        placement: Placement,
        directory: Path,
    ) -> None:
        # Open for the spool's life, closed by close() (or __exit__).
        self._file: BinaryIO = tempfile.TemporaryFile(dir=directory, prefix="lantern-members-")  # noqa: SIM115
        self._chunks, self._result, self._placement = chunks, result, placement
        self._blocks: list[list[tuple[int, int]]] = [[] for _ in chunks]
        try:
            self._fill(engine, *_members_by_key(chunks, result, placement))
        except BaseException:
            self._file.close()
            raise

    def members(self, index: int) -> tuple[Members, Placed]:
        """Chunk ``index``'s member rows by the network the run gives them, each list in key order, and
        each member's (network, revision) (``placed_in``). Each chunk is read once: its blocks are
        forgotten."""
        chunk = self._chunks[index]
        placed = placed_in(chunk, self._result, self._placement)
        members_of: Members = {network_id: [] for network_id in chunk}
        for offset, size in self._blocks[index]:
            self._file.seek(offset)
            for row in pickle.loads(self._file.read(size)):
                member = dict(zip(MEMBER_NAMES, row, strict=True))
                member["extracted"] = orjson.loads(row[EXTRACTED])
                members_of[placed[member["id"]][0]].append(member)
        self._blocks[index] = []
        return members_of, placed

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> MemberSpool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _fill(self, engine: Engine, pks: np.ndarray, chunk_of: np.ndarray) -> None:
        """Read the members a key window at a time (windows without members are skipped) and file them."""
        pending: dict[int, list[SpooledRow]] = {}
        held = 0
        with engine.connect() as connection:
            start = 0
            while start < len(pks):
                low = int(pks[start])
                end = int(np.searchsorted(pks, low + SCAN_KEYS, side="left"))
                wanted = dict(zip(pks[start:end].tolist(), chunk_of[start:end].tolist(), strict=True))
                query = (
                    select(*MEMBER_COLUMNS)
                    .where(records.c.id >= low, records.c.id < low + SCAN_KEYS)
                    .order_by(records.c.id)
                )
                for row in connection.execute(query):
                    chunk = wanted.get(row[0])
                    if chunk is not None:
                        slim = orjson.dumps(slim_extracted(row[EXTRACTED], GROUP_FIELDS))
                        pending.setdefault(chunk, []).append((*row[:EXTRACTED], slim, *row[EXTRACTED + 1 :]))
                        held += 1
                if held >= SPOOL_ROWS:
                    self._write(pending)
                    pending, held = {}, 0
                start = end
        self._write(pending)

    def _write(self, pending: dict[int, list[SpooledRow]]) -> None:
        for chunk, rows in pending.items():
            block = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
            self._blocks[chunk].append((self._file.tell(), len(block)))
            self._file.write(block)
        self._file.flush()


def _members_by_key(
    chunks: Sequence[list[str]], result: LinkResult, placement: Placement
) -> tuple[np.ndarray, np.ndarray]:
    """Every stored member's primary key, ascending, and the index of the chunk its network is in."""
    pks: list[np.ndarray] = []
    chunk_of: list[np.ndarray] = []
    for index, chunk in enumerate(chunks):
        for network_id in chunk:
            keys = placement.pks[result.member_indexes(network_id)]
            keys = keys[keys >= 0]
            pks.append(keys)
            chunk_of.append(np.full(len(keys), index, dtype=np.int32))
    if not pks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
    every_pk = np.concatenate(pks)
    order = np.argsort(every_pk, kind="stable")
    return every_pk[order], np.concatenate(chunk_of)[order]
