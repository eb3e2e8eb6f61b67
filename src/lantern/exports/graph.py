"""A network (or a case) as a graph of records and the evidence that ties them, for analysts' tools.

Nodes are the records and the pieces of evidence the linker kept between them (phones, e-mails, handles,
payment handles, pictures, text templates); each record is joined to the evidence it carries, with the kind
of link and its strength, and near-duplicate pictures are joined to each other with their distance. The
same graph is written as GraphML (Gephi, yEd, Cytoscape, networkx), GEXF (Gephi) and an entity-link table
(CSV) whose columns i2 Analyst's Notebook's and Maltego's table imports map directly: one row per link,
entity and type on each side, link type, strength, first and last seen, and the record's address.
GraphML and GEXF are written by networkx, the field's reference library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from lantern.exports.evidence import EvidenceLink
from lantern.networks.inputs import record_key
from lantern.networks.itinerary import first_place
from lantern.tabular import write_csv

MAX_TITLE = 200
ENTITY_TYPES = {
    "ad": "Ad",
    "post": "Post",
    "phone": "Phone",
    "email": "Email",
    "handle": "Handle",
    "payment": "Payment",
    "image": "Image",
    "template": "Template",
}
LINK_TYPES = {
    "phone": "uses phone",
    "email": "uses email",
    "handle": "uses handle",
    "payment": "uses payment handle",
    "image": "uses image",
    "text": "follows template",
    "near": "near-duplicate image",
}
ENTITY_LINK_COLUMNS = (
    "entity_1",
    "entity_1_type",
    "entity_2",
    "entity_2_type",
    "link_type",
    "strength",
    "first_seen",
    "last_seen",
    "record_url",
    "source_url",
)


@dataclass
class Node:
    id: str
    type: str
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    records: int = 0


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    strength: float
    record: str | None = None
    """The record node this link belongs to (None for picture-to-picture links)."""
    evidence: str = ""


@dataclass
class EvidenceGraph:
    """Records and kept evidence, as nodes and weighted, typed links."""

    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)

    def link(
        self, source: str, target: str, kind: str, strength: float, record: str | None, evidence: str
    ) -> None:
        key = (source, target)
        known = self.edges.get(key)
        if known is None or strength > known.strength:
            self.edges[key] = Edge(source, target, kind, strength, record, evidence)


def _record_node_id(key: str) -> str:
    return f"record:{key}"


def build_graph(
    title: str, rows: Iterable[dict[str, Any]], links: Iterable[EvidenceLink], record_href: Any
) -> EvidenceGraph:
    """The graph of ``rows`` (stored records) and the ``links`` among them; ``record_href(source, id)``
    gives the address of a record's page."""
    graph = EvidenceGraph(title)
    for row in rows:
        key = record_key(row["source"], row["record_id"])
        extracted = row.get("extracted") or {}
        place = first_place(extracted) or {}
        risk = extracted.get("risk") or {}
        attrs = {
            "source": row["source"],
            "record_id": row["record_id"],
            "title": (row.get("title") or "")[:MAX_TITLE],
            "url": row.get("url"),
            "lantern_url": record_href(row["source"], row["record_id"]),
            "posted_at": row.get("posted_at"),
            "collected_at": row.get("collected_at"),
            "location": row.get("location"),
            "city": place.get("name"),
            "lat": place.get("lat"),
            "lon": place.get("lon"),
            "minor": float(row.get("minor_score", risk.get("minor", 0.0))),
            "trafficking": float(row.get("trafficking_score", risk.get("trafficking", 0.0))),
            "network": row.get("network_id"),
        }
        graph.nodes[_record_node_id(key)] = Node(
            _record_node_id(key),
            ENTITY_TYPES.get(row.get("kind") or "ad", "Ad"),
            key,
            attrs,
            row.get("posted_at") or row.get("collected_at"),
            max((t for t in (row.get("posted_at"), row.get("collected_at")) if t is not None), default=None),
            1,
        )
    for link in links:
        a, b = _record_node_id(link.a), _record_node_id(link.b)
        if a not in graph.nodes or b not in graph.nodes:
            continue
        if link.kind == "image" and "~" in link.value:
            left, right = link.value.split("~", 1)
            ends = [(a, _evidence(graph, "image", f"phash:{left}", f"phash {left}")),
                    (b, _evidence(graph, "image", f"phash:{right}", f"phash {right}"))]  # fmt: skip
            for record, node in ends:
                graph.link(record, node, "image", 1.0, record, f"image phash {node.split(':')[-1]}")
            if left != right:
                graph.link(ends[0][1], ends[1][1], "near", link.strength, None, link.evidence)
            continue
        if link.kind == "image":
            node = _evidence(graph, "image", link.value, "sha256 " + link.value.removeprefix("sha256:")[:16])
        elif link.kind == "text":
            node = _evidence(graph, "template", link.value, link.value)
        else:
            node = _evidence(graph, link.kind, link.value, link.value)
        for record in (a, b):
            graph.link(record, node, link.kind, link.strength, record, link.evidence)
    _date_evidence(graph)
    return graph


def _evidence(graph: EvidenceGraph, kind: str, value: str, label: str) -> str:
    node_id = f"{kind}:{value}"
    if node_id not in graph.nodes:
        graph.nodes[node_id] = Node(node_id, ENTITY_TYPES[kind], label, {"value": value})
    return node_id


def _date_evidence(graph: EvidenceGraph) -> None:
    """Each piece of evidence's first and last sighting and record count, from the records carrying it."""
    for edge in graph.edges.values():
        if edge.record is None:
            continue
        record, evidence = graph.nodes[edge.record], graph.nodes[edge.target]
        evidence.records += 1
        if record.first_seen is not None:
            evidence.first_seen = min(evidence.first_seen or record.first_seen, record.first_seen)
        if record.last_seen is not None:
            evidence.last_seen = max(evidence.last_seen or record.last_seen, record.last_seen)


# --- writers -----------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value GraphML and GEXF can carry (text, number, boolean), or None to leave the attribute out."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def to_networkx(graph: EvidenceGraph) -> Any:
    import networkx as nx

    made = nx.Graph(name=graph.title)
    for node in graph.nodes.values():
        attrs = {"label": node.label, "type": node.type, "records": node.records,
                 "first_seen": node.first_seen, "last_seen": node.last_seen, **node.attrs}  # fmt: skip
        made.add_node(node.id, **{k: _plain(v) for k, v in attrs.items() if _plain(v) is not None})
    for edge in graph.edges.values():
        attrs = {"link_type": LINK_TYPES[edge.kind], "kind": edge.kind, "strength": edge.strength,
                 "weight": edge.strength, "evidence": edge.evidence}  # fmt: skip
        made.add_edge(edge.source, edge.target, **attrs)
    return made


def write_graphml(graph: EvidenceGraph, out: IO[bytes]) -> None:
    import networkx as nx

    nx.write_graphml(to_networkx(graph), out, encoding="utf-8", prettyprint=True, named_key_ids=True)


def write_gexf(graph: EvidenceGraph, out: IO[bytes]) -> None:
    import networkx as nx

    nx.write_gexf(to_networkx(graph), out, encoding="utf-8", prettyprint=True)


def entity_link_rows(graph: EvidenceGraph) -> Iterable[list[Any]]:
    """One row per link, in :data:`ENTITY_LINK_COLUMNS` order."""
    for edge in graph.edges.values():
        left, right = graph.nodes[edge.source], graph.nodes[edge.target]
        record = graph.nodes[edge.record] if edge.record else None
        first = (
            record.first_seen
            if record
            else min((t for t in (left.first_seen, right.first_seen) if t), default=None)
        )
        last = (
            record.last_seen
            if record
            else max((t for t in (left.last_seen, right.last_seen) if t), default=None)
        )
        yield [
            _entity_name(left),
            left.type,
            _entity_name(right),
            right.type,
            LINK_TYPES[edge.kind],
            edge.strength,
            first,
            last,
            record.attrs.get("lantern_url") if record else None,
            record.attrs.get("url") if record else None,
        ]


def _entity_name(node: Node) -> str:
    """How the table names an entity: a record by ``source:id``, a picture by its full hash, the rest by
    their value."""
    return node.attrs["value"] if node.type == "Image" else node.label


def write_entity_links(graph: EvidenceGraph, out: IO[str]) -> int:
    """The entity-link table (UTF-8 with BOM, every cell formula-safe); returns the rows written."""
    return write_csv(out, ENTITY_LINK_COLUMNS, entity_link_rows(graph))
