"""Network members' rows as rescoring reads them: by stored network (an incremental run), or, for a full
run, from the rows it read for the linker, spooled to temporary files.

Why spool: a full run rescores every network, and a network's members lie anywhere in the table. Reading
each chunk's members by key fetched one random page per member: at a million records (a 5.8 GB SQLite
file whose pages the operating system does not keep cached) that was 101.6 s of a 320 s link, nearly
all of it waiting for pages. Reading them again in key order, a window of keys at a time, still scanned
the whole table a second time (27.9 s of a 239.5 s link). A full run reads every record for the linker
anyway, so the parts rescoring needs (about a seventh of a stored row) are spooled then (``ScanSpool``),
and once the networks are known they are filed by the rescoring chunk that needs them (``MemberSpool``).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, Self

import numpy as np
import orjson
from sqlalchemy import Text, cast, select
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

SPOOL_ROWS = 50_000
"""Rows held before they are written to a spool (about 1 kB each)."""

Members = dict[str, list[dict[str, Any]]]
"""Member rows by network, each list in key order."""

Placed = dict[int, tuple[str, int]]
"""A member's new (network, revision) by primary key."""


def spooled_row(row: Any, extracted: dict[str, Any]) -> SpooledRow:
    """``row`` (with at least ``MEMBER_COLUMNS``) as spooled, given its decoded ``extracted``."""
    slim = orjson.dumps(slim_extracted(extracted, GROUP_FIELDS))
    return tuple(slim if name == "extracted" else row[name] for name in MEMBER_NAMES)


class _Spool:
    """Pickled blocks of rows in an anonymous temporary file in ``directory`` (next to the store, since at
    tens of millions of records it holds gigabytes); the file disappears when closed or if the process
    dies."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)  # with PostgreSQL, nothing else may have made it
        # Open for the spool's life, closed by close() (or __exit__).
        self._file: BinaryIO = tempfile.TemporaryFile(dir=directory, prefix="lantern-members-")  # noqa: SIM115

    def _append(self, rows: list[SpooledRow]) -> tuple[int, int]:
        """Write a block at the end; its (offset, size)."""
        block = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(0, os.SEEK_END)
        offset = self._file.tell()
        self._file.write(block)
        return offset, len(block)

    def _read(self, offset: int, size: int) -> list[SpooledRow]:
        self._file.seek(offset)
        return pickle.loads(self._file.read(size))

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class ScanSpool(_Spool):
    """Every record's rescoring row (``spooled_row``), in the order a full run reads them for the linker."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self._blocks: list[tuple[int, int]] = []
        self._pending: list[SpooledRow] = []

    def add(self, row: SpooledRow) -> None:
        self._pending.append(row)
        if len(self._pending) >= SPOOL_ROWS:
            self._flush()

    def blocks(self) -> Iterator[list[SpooledRow]]:
        """The rows added, a block at a time, in the order they were added."""
        self._flush()
        for offset, size in self._blocks:
            yield self._read(offset, size)

    def _flush(self) -> None:
        if self._pending:
            self._blocks.append(self._append(self._pending))
            self._pending = []


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


class MemberSpool(_Spool):
    """A full run's member rows, taken from its ``ScanSpool`` and filed by the rescoring chunk that needs
    them.

    ``chunks`` are the networks of each rescoring chunk, in the order they will be asked for. The file
    lives beside the scan's.
    """

    def __init__(
        self, scanned: ScanSpool, chunks: Sequence[list[str]], result: LinkResult, placement: Placement
    ) -> None:
        super().__init__(scanned.directory)
        self._chunks, self._result, self._placement = chunks, result, placement
        self._blocks: list[list[tuple[int, int]]] = [[] for _ in chunks]
        try:
            self._fill(scanned, *_members_by_key(chunks, result, placement))
        except BaseException:
            self.close()
            raise

    def members(self, index: int) -> tuple[Members, Placed]:
        """Chunk ``index``'s member rows by the network the run gives them, each list in key order, and
        each member's (network, revision) (``placed_in``). Each chunk is read once: its blocks are
        forgotten."""
        chunk = self._chunks[index]
        placed = placed_in(chunk, self._result, self._placement)
        rows = [row for offset, size in self._blocks[index] for row in self._read(offset, size)]
        rows.sort(key=itemgetter(0))
        members_of: Members = {network_id: [] for network_id in chunk}
        for row in rows:
            member = dict(zip(MEMBER_NAMES, row, strict=True))
            member["extracted"] = orjson.loads(row[EXTRACTED])
            members_of[placed[member["id"]][0]].append(member)
        self._blocks[index] = []
        return members_of, placed

    def _fill(self, scanned: ScanSpool, pks: np.ndarray, chunk_of: np.ndarray) -> None:
        """File each member's row under its chunk (``pks`` ascending, ``chunk_of`` their chunks)."""
        if not len(pks):  # no networks of two or more: nothing to file
            return
        pending: dict[int, list[SpooledRow]] = {}
        held = 0
        for block in scanned.blocks():
            keys = np.fromiter((row[0] for row in block), dtype=np.int64, count=len(block))
            at = np.minimum(np.searchsorted(pks, keys), len(pks) - 1)
            member = pks[at] == keys
            for position, chunk in zip(
                np.flatnonzero(member).tolist(), chunk_of[at[member]].tolist(), strict=True
            ):
                pending.setdefault(chunk, []).append(block[position])
                held += 1
            if held >= SPOOL_ROWS:
                self._write(pending)
                pending, held = {}, 0
        self._write(pending)

    def _write(self, pending: dict[int, list[SpooledRow]]) -> None:
        for chunk, rows in pending.items():
            self._blocks[chunk].append(self._append(rows))


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
