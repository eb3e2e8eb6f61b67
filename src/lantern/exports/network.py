"""``export network``: one network, or a case's records, in an analyst's format.

The command line, the network and case pages and the API all call :func:`write_subject`, so every way out
writes the same bytes. The records come from the store; the ties between them from the linker's kept
evidence (``lantern.exports.evidence``); the map from the places the extractor found.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from lantern.exports.evidence import EvidenceLink, evidence_links
from lantern.exports.geo import write_geojson, write_kml
from lantern.exports.graph import build_graph, write_entity_links, write_gexf, write_graphml
from lantern.link import LinkResult
from lantern.networks.inputs import record_key
from lantern.store.schema import case_records, records


class NetworkFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"
    geojson = "geojson"
    kml = "kml"


MEDIA_TYPES = {
    NetworkFormat.graphml: "application/graphml+xml",
    NetworkFormat.gexf: "application/gexf+xml",
    NetworkFormat.csv: "text/csv; charset=utf-8",
    NetworkFormat.geojson: "application/geo+json",
    NetworkFormat.kml: "application/vnd.google-earth.kml+xml",
}
GRAPH_FORMATS = frozenset({NetworkFormat.graphml, NetworkFormat.gexf, NetworkFormat.csv})
"""Formats that need the linker's evidence (the map formats need only the records)."""

COLUMNS = (
    records.c.source,
    records.c.record_id,
    records.c.kind,
    records.c.url,
    records.c.title,
    records.c.location,
    records.c.posted_at,
    records.c.collected_at,
    records.c.extracted,
    records.c.network_id,
    records.c.minor_score,
    records.c.trafficking_score,
)


@dataclass
class Subject:
    """What is exported: a title, the stored records, and their keys in the linker."""

    title: str
    rows: list[dict[str, Any]]

    @property
    def keys(self) -> list[str]:
        return [record_key(row["source"], row["record_id"]) for row in self.rows]


def _rows(connection: Connection, *where: Any) -> list[dict[str, Any]]:
    query = select(*COLUMNS).where(*where).order_by(records.c.posted_at, records.c.id)
    return [dict(row) for row in connection.execute(query).mappings()]


def network_subject(connection: Connection, network_id: str) -> Subject | None:
    """A network's records, or None when no record is in it."""
    rows = _rows(connection, records.c.network_id == network_id)
    return Subject(f"Network {network_id}", rows) if rows else None


def case_subject(connection: Connection, case_id: int, title: str) -> Subject:
    """The records a case holds (those attached one by one and those of its networks)."""
    held = select(case_records.c.record_pk).where(case_records.c.case_id == case_id)
    return Subject(f"Case {case_id}: {title}", _rows(connection, records.c.id.in_(held)))


def record_links(base_url: str | None) -> Callable[[str, str], str]:
    """Record page addresses: absolute under the configured public address, else paths."""
    from lantern.web.urls import record_url  # the web package imports the exports: not at module level

    prefix = (base_url or "").rstrip("/")
    return lambda source, record_id: prefix + record_url(source, record_id)


def subject_links(subject: Subject, fmt: NetworkFormat, result: LinkResult | None) -> list[EvidenceLink]:
    """The kept evidence among the subject's records when ``fmt`` draws it (none before anything is
    linked, when the graph has the records and no ties)."""
    if fmt not in GRAPH_FORMATS or result is None:
        return []
    return evidence_links(result, subject.keys)


def write_subject(
    subject: Subject,
    fmt: NetworkFormat,
    out: IO[bytes],
    *,
    links: list[EvidenceLink],
    record_href: Callable[[str, str], str],
) -> None:
    """Write ``subject`` in ``fmt`` to the binary stream ``out`` (``links``: :func:`subject_links`)."""
    if fmt is NetworkFormat.geojson:
        write_geojson(subject.title, subject.rows, record_href, out)
        return
    if fmt is NetworkFormat.kml:
        write_kml(subject.title, subject.rows, record_href, out)
        return
    graph = build_graph(subject.title, subject.rows, links, record_href)
    if fmt is NetworkFormat.graphml:
        write_graphml(graph, out)
    elif fmt is NetworkFormat.gexf:
        write_gexf(graph, out)
    else:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        write_entity_links(graph, text)
        text.detach()


def filename(subject_id: str, fmt: NetworkFormat) -> str:
    """A download name such as ``network-N-3f2a.graphml`` (only safe characters)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in subject_id)[:80]
    suffix = "csv" if fmt is NetworkFormat.csv else fmt.value
    return f"{safe}.{suffix}"
