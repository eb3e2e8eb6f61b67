"""What one ``Linker.add`` changed, for the store to persist incrementally."""

from __future__ import annotations

from dataclasses import dataclass, field

from lantern.link.hubs import SuppressedHub


@dataclass
class BatchReport:
    """What one ``add`` changed, for the store to persist incrementally."""

    added: int = 0
    skipped: list[str] = field(default_factory=list)
    """Keys already linked (or repeated within the batch); they were not added again."""
    changes: list[tuple[str, str | None, str]] = field(default_factory=list)
    """(record key, previous network id or None for a new record, network id) for every record whose
    network id is new or changed."""
    merges: list[tuple[str, list[str]]] = field(default_factory=list)
    """(surviving network id, absorbed network ids)."""
    splits: list[tuple[str, list[str]]] = field(default_factory=list)
    """(previous network id, network ids its records are now in) after newly found hubs."""
    new_hubs: list[SuppressedHub] = field(default_factory=list)
    """Hubs decided in this batch."""
    released_hubs: list[tuple[str, str]] = field(default_factory=list)
    """(kind, value) of earlier boilerplate hubs that, judged against their grown source, link again."""
