"""The network page (figures, scores and indicators, itinerary, templates, graph, members and why each
belongs), one member's evidence path on demand, and the list of suppressed hubs.

``fetch_network`` reads the rows and asks the linker's state for the evidence paths and templates;
``network_view`` builds the page from them alone, so each part of the page (the graph, the itinerary,
the shared identifiers) can be tested, and grown, on hand-made rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from lantern.networks.inputs import city_of, record_key
from lantern.networks.itinerary import first_place
from lantern.networks.itinerary import stops as itinerary_stops
from lantern.store.schema import entities, images, networks, record_images, records, suppressed_hubs
from lantern.web.links import LinkCache, explain_many, key_href, templates_of
from lantern.web.models import (
    Graph,
    GraphEdge,
    GraphNode,
    HubInfo,
    HubsPage,
    ItineraryStop,
    NetworkDetail,
    NetworkFigures,
    NetworkMember,
    SharedIdentifier,
    TemplateView,
    WhyResponse,
)
from lantern.web.urls import entity_url, record_url
from lantern.web.views.cards import SUMMARY_COLUMNS, indicator_groups, summary, timeline, uses

MAX_NETWORK_MEMBERS = 500
MAX_GRAPH_IDENTIFIERS = 80
MAX_GRAPH_RECORDS = 300
MAX_HUBS = 2000
EXPLAIN_MEMBERS = 40  # evidence paths computed with the page; the rest on demand (/api/networks/…/why)
EXPLAIN_EXPANDED = 2000
"""Records the page's path search may expand: on a network of tens of thousands the members listed first
can be many hops from the founder; those not reached get their path on demand instead."""
TEMPLATES_SHOWN = 4
CONTACT_KINDS = ("phone", "email", "handle", "payment", "url")

Key = tuple[str, str]


@dataclass
class NetworkRows:
    """What the network page reads: the member count, the network row (None for a record in no scored
    network), the first members' card rows in posting order, their identifiers and images, the hubs, and
    what the linker's state answered (evidence paths by member key, expanded templates)."""

    network_id: str
    total: int
    network: dict[str, Any] | None
    rows: list[dict[str, Any]]
    entity_rows: list[tuple[int, str, str]] = field(default_factory=list)
    image_rows: list[tuple[int, str, str | None]] = field(default_factory=list)
    hubs: dict[Key, HubInfo] = field(default_factory=dict)
    paths: dict[str, Any] = field(default_factory=dict)
    templates: list[TemplateView] = field(default_factory=list)
    more_templates: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        net = self.network
        return net["summary"] if net is not None and isinstance(net["summary"], dict) else {}

    @property
    def founder(self) -> str:
        """Key of the network's first record (the linker's, else the earliest member listed)."""
        first = (self.summary.get("records") or [None])[0]
        return str(first or record_key(self.rows[0]["source"], self.rows[0]["record_id"]))


def fetch_network(
    connection: Connection, network_id: str, links: LinkCache | None = None
) -> NetworkRows | None:
    total = connection.execute(
        select(func.count()).select_from(records).where(records.c.network_id == network_id)
    ).scalar_one()
    if total == 0:
        return None
    net = connection.execute(select(networks).where(networks.c.id == network_id)).mappings().first()
    rows = [
        dict(r)
        for r in connection.execute(
            select(*SUMMARY_COLUMNS)
            .where(records.c.network_id == network_id)
            .order_by(records.c.posted_at, records.c.id)
            .limit(MAX_NETWORK_MEMBERS)
        ).mappings()
    ]
    pks = [row["id"] for row in rows]
    found = NetworkRows(network_id=network_id, total=total, network=dict(net) if net else None, rows=rows)
    found.entity_rows = [
        (pk, kind, value)
        for pk, kind, value in connection.execute(
            select(entities.c.record_pk, entities.c.kind, entities.c.value).where(
                entities.c.record_pk.in_(pks)
            )
        )
    ]
    found.image_rows = [
        (pk, sha, phash)
        for pk, sha, phash in connection.execute(
            select(record_images.c.record_pk, record_images.c.image_sha256, images.c.phash)
            .select_from(record_images.join(images, images.c.sha256 == record_images.c.image_sha256))
            .where(record_images.c.record_pk.in_(pks))
            .distinct()
        )
    ]
    found.hubs = hub_rows(connection)
    if links is not None:
        founder = found.founder
        explain_keys = [record_key(row["source"], row["record_id"]) for row in rows[:EXPLAIN_MEMBERS]]
        found.paths = links.call(
            lambda result: explain_many(result, founder, explain_keys, EXPLAIN_EXPANDED), {}
        )
    template_ids = [str(t) for t in found.summary.get("templates") or []]
    found.more_templates = template_ids
    if links is not None and template_ids:
        found.templates, found.more_templates = links.call(
            lambda result: templates_of(result, template_ids, TEMPLATES_SHOWN, network_id), ([], template_ids)
        )
    return found


def network_view(found: NetworkRows) -> NetworkDetail:
    """A network as the linker and the assessor left it.

    The graph shows records as small nodes and the identifiers they share as labelled ones; suppressed
    hubs (site boilerplate, stock images) never link anything and are listed separately.
    """
    rows, net, summary_ = found.rows, found.network, found.summary
    holders, image_hubs = _holders(found)
    hub_keys = found.hubs

    def is_hub(key: Key) -> bool:
        return key in hub_keys or (key[0] == "image" and key[1] in image_hubs)

    shared = {
        key: pks for key, pks in holders.items() if len(pks) > 1 and key[0] != "name" and not is_hub(key)
    }
    template_ids = [str(t) for t in summary_.get("templates") or []]
    return NetworkDetail(
        network_id=found.network_id,
        member_count=found.total,
        truncated=found.total > len(rows),
        scored=net is not None,
        first_seen=net["first_seen"] if net is not None else None,
        last_seen=net["last_seen"] if net is not None else None,
        trafficking_score=float(net["trafficking_score"]) if net is not None else 0.0,
        minor_score=float(net["minor_score"]) if net is not None else 0.0,
        figures=_figures(summary_, found.total, len(template_ids)) if summary_ else None,
        sites=[str(s) for s in summary_.get("sites") or []],
        founder=found.founder,
        founder_href=key_href(found.founder),
        indicators=indicator_groups(net["indicators"]) if net is not None else [],
        templates=found.templates,
        more_templates=found.more_templates,
        hubs=sorted(_hubs_seen(found, holders).values(), key=lambda h: (-h.records, h.kind, h.value)),
        explained=len(found.paths),
        members=_members(found, holders, shared),
        graph=network_graph(rows[:MAX_GRAPH_RECORDS], shared),
        itinerary=stops(summary_, rows) if summary_ else itinerary(rows),
        timeline=timeline(row["posted_at"] for row in rows),
        **_uses_of(found, image_hubs),
    )


def network_detail(
    connection: Connection, network_id: str, links: LinkCache | None = None
) -> NetworkDetail | None:
    found = fetch_network(connection, network_id, links)
    return network_view(found) if found is not None else None


def _holders(found: NetworkRows) -> tuple[dict[Key, set[int]], set[str]]:
    """Which listed members carry each identifier and image, and the images whose pHash is a hub."""
    holders: dict[Key, set[int]] = defaultdict(set)
    for pk, kind, value in found.entity_rows:
        holders[(kind, value)].add(pk)
    image_hubs: set[str] = set()
    for pk, sha, phash in found.image_rows:
        holders[("image", sha)].add(pk)
        if phash and ("image", f"phash:{phash}") in found.hubs:
            image_hubs.add(sha)
    return holders, image_hubs


def _hubs_seen(found: NetworkRows, holders: dict[Key, set[int]]) -> dict[Key, HubInfo]:
    """The suppressed hubs the listed members carry (identifiers, image hashes, templates)."""
    seen = {key: found.hubs[key] for key in holders if key in found.hubs}
    for _, _, phash in found.image_rows:
        if phash and ("image", f"phash:{phash}") in found.hubs:
            seen[("image", f"phash:{phash}")] = found.hubs[("image", f"phash:{phash}")]
    for template_id in found.summary.get("templates") or []:
        if ("text", template_id) in found.hubs:
            seen[("text", template_id)] = found.hubs[("text", template_id)]
    return seen


def _members(
    found: NetworkRows, holders: dict[Key, set[int]], shared: dict[Key, set[int]]
) -> list[NetworkMember]:
    members = []
    for row in found.rows:
        mine = [
            SharedIdentifier(kind=k, value=v, shared_with=len(holders[(k, v)]) - 1)
            for (k, v) in shared
            if row["id"] in holders[(k, v)]
        ]
        mine.sort(key=lambda s: (-s.shared_with, s.kind, s.value))
        key = record_key(row["source"], row["record_id"])
        members.append(NetworkMember(**summary(row).model_dump(), shared=mine, why=found.paths.get(key)))
    return members


def network_graph(rows: list[dict[str, Any]], shared: dict[Key, set[int]]) -> Graph:
    """Records as small nodes and the identifiers most of them share as labelled ones."""
    graph_pks = {row["id"] for row in rows}
    nodes = [
        GraphNode(
            id=f"r{row['id']}",
            label=(row["title"] or row["record_id"])[:40],
            kind="record",
            href=record_url(row["source"], row["record_id"]),
        )
        for row in rows
    ]
    strongest = sorted(
        ((key, holder & graph_pks) for key, holder in shared.items()),
        key=lambda item: (-len(item[1]), item[0]),
    )
    edges = []
    for index, ((kind, value), holder_pks) in enumerate(
        [item for item in strongest if len(item[1]) > 1][:MAX_GRAPH_IDENTIFIERS]
    ):
        node_id = f"i{index}"
        nodes.append(
            GraphNode(
                id=node_id,
                label=value if kind != "image" else f"image {value[:10]}",
                kind=kind,
                href=entity_url(kind, value),
                count=len(holder_pks),
            )
        )
        edges.extend(GraphEdge(source=f"r{pk}", target=node_id) for pk in sorted(holder_pks))
    return Graph(nodes=nodes, edges=edges)


def _figures(summary_: dict[str, Any], total: int, templates: int) -> NetworkFigures:
    return NetworkFigures(
        records=int(summary_.get("record_count") or total),
        phones=len(summary_.get("phones") or []),
        emails=len(summary_.get("emails") or []),
        handles=len(summary_.get("handles") or []),
        payments=len(summary_.get("payments") or []),
        names=len(summary_.get("names") or []),
        images=len(summary_.get("images") or []),
        sites=len(summary_.get("sites") or []),
        cities=len(summary_.get("itinerary") or []),
        templates=templates,
    )


def _uses_of(found: NetworkRows, image_hubs: set[str]) -> dict[str, Any]:
    """Contacts, personas and images with how often and when the listed members used them."""
    by_pk = {row["id"]: row for row in found.rows}
    contacts = uses(
        ((kind, value), by_pk[pk]) for pk, kind, value in found.entity_rows if kind in CONTACT_KINDS
    )
    for use in contacts:
        use.hub = (use.kind, use.value) in found.hubs
    personas = uses(((kind, value), by_pk[pk]) for pk, kind, value in found.entity_rows if kind == "name")
    image_uses = uses((("image", sha), by_pk[pk]) for pk, sha, _ in found.image_rows)
    for use in image_uses:
        use.hub = use.value in image_hubs
    return {"contacts": contacts, "personas": personas, "images": image_uses}


# ------------------------------------------------------------------------------------------- itinerary


def itinerary(rows: list[dict[str, Any]]) -> list[ItineraryStop]:
    """Postings in time order, consecutive ones in the same place merged into one stop."""
    return [ItineraryStop(**vars(stop)) for stop in itinerary_stops(rows)]


def stops(summary_: dict[str, Any], rows: list[dict[str, Any]]) -> list[ItineraryStop]:
    """The linker's itinerary (one stop per city, ordered by first seen), placed with the coordinates
    the extractor found for that city in the members' ads."""
    places: dict[str, dict[str, Any]] = {}
    for row in rows:
        place = first_place(row["extracted"])
        if place is not None:
            places.setdefault(city_of(row) or "", place)
    out = []
    for stop in summary_.get("itinerary") or []:
        if not isinstance(stop, dict) or not stop.get("city"):
            continue
        city = str(stop["city"])
        place = places.get(city)
        name, _, admin1 = city.partition(", ")
        out.append(
            ItineraryStop(
                name=str(place.get("name") or name) if place else name,
                admin1=(str(place["admin1"]) if place.get("admin1") else None) if place else (admin1 or None),
                country=str(place["country"]) if place and place.get("country") else None,
                lat=float(place["lat"]) if place else None,
                lon=float(place["lon"]) if place else None,
                first_seen=parse_time(stop.get("first_seen")),
                last_seen=parse_time(stop.get("last_seen")),
                count=int(stop.get("records") or 0),
            )
        )
    return out


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------ why, hubs


def why(connection: Connection, network_id: str, key: str, links: LinkCache) -> WhyResponse | None:
    """The evidence path from the network's first record to one member (for members beyond the first
    ones the network page explains)."""
    source, _, record_id = key.partition(":")
    member = connection.execute(
        select(records.c.id).where(
            records.c.source == source, records.c.record_id == record_id, records.c.network_id == network_id
        )
    ).first()
    if member is None:
        return None
    summary_ = connection.execute(select(networks.c.summary).where(networks.c.id == network_id)).scalar()
    founder = (summary_ or {}).get("records", [None])[0] if isinstance(summary_, dict) else None
    if not founder:
        return None
    hops = links.call(lambda result: explain_many(result, founder, [key]).get(key), None)
    return WhyResponse(network_id=network_id, founder=founder, record=key, hops=hops)


def hub_rows(connection: Connection) -> dict[Key, HubInfo]:
    """Suppressed hubs by (kind, value); the table is small (one row per hub)."""
    return {
        (row["kind"], row["value"]): hub_info(dict(row))
        for row in connection.execute(select(suppressed_hubs).limit(MAX_HUBS)).mappings()
    }


def hub_info(row: dict[str, Any]) -> HubInfo:
    kind, value = str(row["kind"]), str(row["value"])
    linkable = kind in ("phone", "email", "handle", "payment")
    return HubInfo(
        kind=kind,
        value=value,
        reason=str(row["reason"]),
        records=int(row["records"] or 0),
        description=str(row["description"] or ""),
        href=entity_url(kind, value) if linkable else None,
    )


def hubs(connection: Connection, kind: str | None = None) -> HubsPage:
    """Identifiers the linker does not link through (site boilerplate, stock images), largest first."""
    stmt = select(suppressed_hubs)
    count = select(func.count()).select_from(suppressed_hubs)
    if kind:
        stmt = stmt.where(suppressed_hubs.c.kind == kind)
        count = count.where(suppressed_hubs.c.kind == kind)
    rows = connection.execute(
        stmt.order_by(
            suppressed_hubs.c.records.desc(), suppressed_hubs.c.kind, suppressed_hubs.c.value
        ).limit(MAX_HUBS)
    ).mappings()
    return HubsPage(total=connection.execute(count).scalar_one(), hubs=[hub_info(dict(r)) for r in rows])
