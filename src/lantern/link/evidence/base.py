"""What every kind of evidence does for the linker, and the hub judgement they share.

An evidence kind (shared identifiers, near-duplicate images, template text) owns its indexes and its
groups: a *group* is one piece of evidence that joins records (an identifier, an image group, a text
group), named by an integer *label*. The linker asks each kind the same questions in the same order:
register the batch, link what is new, judge the groups the batch touched, and give the edges of the groups
it keeps. The decisions themselves are made in ``lantern.link.decide``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lantern.link import decide
from lantern.link.arrays import EMPTY, star
from lantern.link.config import LinkConfig
from lantern.link.doc import LinkDoc
from lantern.link.explain import Hop, Search
from lantern.link.hubs import SuppressedHub
from lantern.link.records import RecordTable
from lantern.link.report import BatchReport

Spread = Callable[[np.ndarray, int], int]
"""Distinct contact identifiers among some records, one identifier left out (``IdentifierEvidence.spread``)."""


class Evidence:
    """Base of the evidence kinds. Subclasses fill in the indexes and how groups are found and named."""

    name = ""
    """How the state file and reports name this kind's hubs (``ident``, ``image``, ``text``)."""
    exclude_self = False
    """Whether a group's own label is left out of its spread (an identifier is not its own "other")."""

    def __init__(self, config: LinkConfig, records: RecordTable) -> None:
        self.config = config
        self.records = records
        self.hubs: dict[int, SuppressedHub] = {}
        self.spread: Spread = lambda docs, exclude: 0

    # -- what each kind provides ---------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        """Whether this kind links under the configuration."""
        return True

    def register(self, docs: list[LinkDoc], new: np.ndarray) -> None:
        """Index the batch's records (``new`` are their record indexes)."""

    def link(self, docs: list[LinkDoc], new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Join the batch's near-duplicates into groups; the group union's (old, new) roots."""
        return EMPTY, EMPTY

    def touched(self, new: np.ndarray, merged: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Labels of the groups the batch's records are in, or that the batch formed by merging."""
        raise NotImplementedError

    def members(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(label, record) pairs of the given groups."""
        raise NotImplementedError

    def groups_of(self, docs: np.ndarray) -> np.ndarray:
        """Labels of every group touching ``docs``."""
        raise NotImplementedError

    def describe(self, label: int) -> tuple[str, str]:
        """(kind, value) as hubs and investigators name the group."""
        raise NotImplementedError

    def neighbours(self, doc: int, search: Search, out: list[tuple[int, Hop]]) -> None:
        """Append the records one hop of this kind's kept evidence away from ``doc`` (explanations)."""
        raise NotImplementedError

    def arrays(self) -> dict[str, np.ndarray]:
        """Arrays saved with the state (names are part of the state file format)."""
        return {}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Inverse of ``arrays``; rebuild indexes that are not saved."""

    # -- shared judgement ------------------------------------------------------------------------------
    def judge_batch(
        self,
        new: np.ndarray,
        merged: tuple[np.ndarray, np.ndarray],
        n0: int,
        split_docs: list[np.ndarray],
        report: BatchReport,
    ) -> np.ndarray:
        """Re-judge every group the batch touched; return their labels (their edges are (re)added).

        A group that merged with another is judged afresh."""
        if not self.enabled:
            return EMPTY
        old, new_roots = merged
        for label in set(old[old != new_roots].tolist()):
            self.hubs.pop(label, None)
        was = set(self.hubs)
        labels = self.touched(new, merged)
        self.judge_groups(*self.members(labels), was, n0, split_docs, report)
        return labels

    def judge_groups(
        self,
        labels: np.ndarray,
        docs: np.ndarray,
        was: set[int],
        n0: int,
        split_docs: list[np.ndarray],
        report: BatchReport,
    ) -> None:
        """Re-judge each labelled group; record new hubs and the old records a new hub must un-link."""
        if labels.size == 0:
            return
        order = np.argsort(labels, kind="stable")
        labels, docs = labels[order], docs[order]
        uniq, starts, counts = np.unique(labels, return_index=True, return_counts=True)
        # Largest first: boilerplate touches the most records, and once it is a hub it no longer counts
        # towards the spread of the smaller evidence judged after it (IdentifierEvidence.spread).
        by_size = np.argsort(-counts, kind="stable")
        uniq, starts, counts = uniq[by_size], starts[by_size], counts[by_size]
        for label, start, count in zip(uniq.tolist(), starts.tolist(), counts.tolist(), strict=True):
            if count < self.config.hub_min_records:
                self.hubs.pop(label, None)
                continue
            group_docs = docs[start : start + count]
            kind, value = self.describe(label)
            hub = decide.hub(self.config, kind, value, self.stats(group_docs, label))
            if hub is None:
                self.hubs.pop(label, None)
                continue
            self.hubs[label] = hub
            if label not in was:
                report.new_hubs.append(hub)
                old = group_docs[group_docs < n0]
                if old.size > 1:
                    split_docs.append(old)

    def stats(self, docs: np.ndarray, label: int) -> decide.EvidenceStats:
        """The figures the hub rule reads, for the group ``label`` touching ``docs``."""
        records = self.records
        totals = records.source_totals()
        cities = records.city_of[docs]
        return decide.evidence_stats(
            self.config,
            len(docs),
            self.spread(docs, label if self.exclude_self else -1),
            np.bincount(records.source_of[docs], minlength=len(totals)),
            totals,
            records.sources,
            int(np.unique(cities[cities >= 0]).size),
        )

    def release_stale(self, judged: np.ndarray, n: int, report: BatchReport) -> np.ndarray:
        """Re-judge the boilerplate hubs this batch did not touch; return those no longer hubs, to link
        through (see ``Linker.add``). Hubs of a kind the config does not use are never made, so this is
        then a no-op."""
        boilerplate = [label for label, hub in self.hubs.items() if hub.reason == "boilerplate"]
        stale = np.setdiff1d(np.array(boilerplate, dtype=np.int64), judged)
        if not stale.size:
            return EMPTY
        self.judge_groups(*self.members(stale), set(stale.tolist()), n, [], report)
        released = [label for label in stale.tolist() if label not in self.hubs]
        report.released_hubs.extend(self.describe(label) for label in released)
        return np.array(released, dtype=np.int64)

    def edges(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Star edges of every kept group among ``labels``."""
        if not labels.size:
            return EMPTY, EMPTY
        kept = np.array([label for label in labels.tolist() if label not in self.hubs], dtype=np.int64)
        return star(*self.members(kept))

    # -- state -----------------------------------------------------------------------------------------
    def hubs_json(self) -> list[dict[str, Any]]:
        return [{"group": group, **hub.to_dict()} for group, hub in self.hubs.items()]

    def load_hubs(self, rows: list[dict[str, Any]]) -> None:
        self.hubs = {}
        for row in rows:
            row = dict(row)
            group = int(row.pop("group"))
            self.hubs[group] = SuppressedHub(**row)
