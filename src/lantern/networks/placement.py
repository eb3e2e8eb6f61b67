"""A full relink's record writes: every record's network, revision and scores, written once, in key order.

A full run links every stored record, so each network's members are known from the linker (``Placement``)
rather than read back by ``network_id``. Their rows are written after every network has been rescored,
sorted by primary key, together with the records alone (``write_full_run``): rescoring visits networks,
and a network's members lie all over a table that, at a million records, outgrows every cache. On such
a SQLite store 100,000 rows updated at random keys took 77–107 µs a row against 44–48 µs for consecutive
keys, and a full relink went from 528.4 to 481.8 s (docs/benchmarks.md, session 8). What is held
meanwhile is a few numbers per member (``StagedMembers``), not rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine

from lantern.link import Linker, LinkResult
from lantern.store.dialect import update_rows
from lantern.store.indexes import indexes_set_aside
from lantern.store.schema import records

SET_NETWORK = {"network_id": "_network", "linked_revision": "_revision"}
SET_SCORES = {"trafficking_score": "_traff", "minor_score": "_minor", "network_indicators": "_indicators"}
"""Column → row parameter for ``lantern.store.dialect.update_rows``."""


@dataclass(frozen=True)
class Placement:
    """A full run's records by linker index (``Linker.index_of``): primary key and revision linked.

    With it a member's row is written once, network and scores together; writing the network first and
    the scores after rewrote every member row twice (at a million records, 54 s of a 557 s link)."""

    pks: np.ndarray
    revisions: np.ndarray

    @classmethod
    def of(cls, linker: Linker, assigned: dict[str, tuple[int, int]]) -> Placement:
        pks = np.full(linker.n, -1, dtype=np.int64)
        revisions = np.zeros(linker.n, dtype=np.int64)
        for key, (pk, revision) in assigned.items():
            index = linker.index_of(key)
            pks[index] = pk
            revisions[index] = revision
        return cls(pks, revisions)


@dataclass
class StagedMembers:
    """A full run's ``placement`` and its rescored members' rows (``_pk``, ``_network``, ``_revision``,
    ``_traff``, ``_minor``, ``_indicators``), kept as arrays until ``write_full_run``; indicators only where
    a network added some."""

    placement: Placement
    pks: list[np.ndarray] = field(default_factory=list)
    revisions: list[np.ndarray] = field(default_factory=list)
    scores: list[np.ndarray] = field(default_factory=list)
    networks: list[np.ndarray] = field(default_factory=list)
    network_names: list[str] = field(default_factory=list)
    in_network: list[np.ndarray] = field(default_factory=list)
    """False for a member whose group fell under two records (its indicators are ``None``, not ``[]``)."""
    indicators: dict[int, list] = field(default_factory=dict)
    _codes: dict[str, int] = field(default_factory=dict)

    def add(self, rows: list[dict[str, Any]]) -> None:
        if not rows:  # a chunk whose networks have no stored members left
            return
        codes = []
        for row in rows:
            code = self._codes.get(row["_network"])
            if code is None:
                code = self._codes[row["_network"]] = len(self.network_names)
                self.network_names.append(row["_network"])
            codes.append(code)
            if row["_indicators"]:
                self.indicators[row["_pk"]] = row["_indicators"]
        self.pks.append(np.fromiter((row["_pk"] for row in rows), dtype=np.int64, count=len(rows)))
        self.revisions.append(
            np.fromiter((row["_revision"] for row in rows), dtype=np.int64, count=len(rows))
        )
        self.scores.append(np.array([(row["_traff"], row["_minor"]) for row in rows], dtype=np.float64))
        self.networks.append(np.asarray(codes, dtype=np.int32))
        self.in_network.append(np.fromiter((row["_indicators"] is not None for row in rows), bool, len(rows)))


def _joined(parts: list[np.ndarray], dtype: Any, shape: tuple[int, ...] = ()) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty((0, *shape), dtype=dtype)


def write_full_run(engine: Engine, result: LinkResult, staged: StagedMembers, chunk: int) -> None:
    """Every placed record's row (``_write_rows``). Every record's network and scores change, so the
    indexes on those columns are built afresh after the writes rather than kept up to date through them
    (``lantern.store.indexes``)."""
    with indexes_set_aside(engine, records, [*SET_NETWORK, *SET_SCORES]):
        _write_rows(engine, result, staged, chunk)


def _write_rows(engine: Engine, result: LinkResult, staged: StagedMembers, chunk: int) -> None:
    """Every placed record's row, in primary-key order, ``chunk`` records per transaction: members with
    network, revision and scores, records alone with network and revision (their own scores stand)."""
    placement = staged.placement
    alone = np.flatnonzero((result.network_sizes() < 2) & (placement.pks >= 0))
    member_pks = _joined(staged.pks, np.int64)
    member_revisions = _joined(staged.revisions, np.int64)
    scores = _joined(staged.scores, np.float64, (2,))
    member_networks = _joined(staged.networks, np.int32)
    in_network = _joined(staged.in_network, bool)
    everyone = np.concatenate([member_pks, placement.pks[alone]])
    order = np.argsort(everyone, kind="stable")
    members = len(member_pks)
    for start in range(0, len(order), chunk):
        positions = order[start : start + chunk]
        member_at = positions[positions < members]
        alone_at = alone[positions[positions >= members] - members]
        member_rows = [
            {
                "_pk": pk,
                "_network": staged.network_names[code],
                "_revision": revision,
                "_traff": traff,
                "_minor": minor,
                "_indicators": staged.indicators.get(pk, []) if member else None,
            }
            for pk, code, revision, (traff, minor), member in zip(
                member_pks[member_at].tolist(),
                member_networks[member_at].tolist(),
                member_revisions[member_at].tolist(),
                scores[member_at].tolist(),
                in_network[member_at].tolist(),
                strict=True,
            )
        ]
        alone_rows = _alone_rows(alone_at, placement, result.network_at)
        with engine.begin() as connection:
            update_rows(connection, records, "id", member_rows, SET_SCORES | SET_NETWORK)
            update_rows(connection, records, "id", alone_rows, SET_NETWORK)


def _alone_rows(indexes: np.ndarray, placement: Placement, network_at: Callable[[int], str]) -> list[dict]:
    return [
        {"_pk": pk, "_network": network_at(index), "_revision": revision}
        for index, pk, revision in zip(
            indexes.tolist(),
            placement.pks[indexes].tolist(),
            placement.revisions[indexes].tolist(),
            strict=True,
        )
    ]
