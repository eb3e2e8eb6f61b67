"""Where a network (or a case) advertised, for QGIS, ArcGIS and Google Earth: GeoJSON and KML.

Both carry the same three things: the itinerary's stops (consecutive postings in one place, with first and
last seen and the number of ads), the route joining them in time order, and each located posting with its
time, so a GIS timeline can replay the movement. Coordinates are those the extractor found for the place an
ad names (an offline gazetteer), never a device location. GeoJSON follows RFC 7946 (longitude first,
WGS 84); KML 2.2 is written with the standard library's XML writer, which escapes every value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import IO, Any
from xml.etree import ElementTree as ET

import orjson

from lantern.instants import utc_iso
from lantern.networks.inputs import record_key
from lantern.networks.itinerary import Stop, first_place, stops

KML_NS = "http://www.opengis.net/kml/2.2"


def _iso(moment: datetime | None) -> str | None:
    return utc_iso(moment)  # the instant, with its zone: SQLite hands stored times back naive


def _postings(rows: list[dict[str, Any]], record_href: Callable[[str, str], str]) -> list[dict[str, Any]]:
    found = []
    for row in sorted(rows, key=lambda r: (r["posted_at"] is None, r["posted_at"] or datetime.min)):
        place = first_place(row.get("extracted") or {})
        if place is None:
            continue
        risk = (row.get("extracted") or {}).get("risk") or {}
        found.append(
            {
                "record": record_key(row["source"], row["record_id"]),
                "lon": float(place["lon"]),
                "lat": float(place["lat"]),
                "place": place.get("name"),
                "posted_at": _iso(row.get("posted_at")),
                "title": (row.get("title") or "")[:200],
                "url": row.get("url"),
                "lantern_url": record_href(row["source"], row["record_id"]),
                "minor": float(risk.get("minor", 0.0)),
                "trafficking": float(risk.get("trafficking", 0.0)),
            }
        )
    return found


def geojson(title: str, rows: list[dict[str, Any]], record_href: Callable[[str, str], str]) -> dict[str, Any]:
    """A FeatureCollection: the route (LineString), each stop and each located posting (Points)."""
    route = stops(rows)
    features: list[dict[str, Any]] = []
    if len(route) >= 2:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[s.lon, s.lat] for s in route]},
                "properties": {
                    "kind": "route",
                    "name": f"{title}: route",
                    "stops": len(route),
                    "first_seen": _iso(route[0].first_seen),
                    "last_seen": _iso(route[-1].last_seen),
                },
            }
        )
    for order, stop in enumerate(route, start=1):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
                "properties": {
                    "kind": "stop",
                    "order": order,
                    "name": stop.name,
                    "admin1": stop.admin1,
                    "country": stop.country,
                    "first_seen": _iso(stop.first_seen),
                    "last_seen": _iso(stop.last_seen),
                    "records": stop.count,
                },
            }
        )
    for posting in _postings(rows, record_href):
        lon, lat = posting.pop("lon"), posting.pop("lat")
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"kind": "posting", **posting},
            }
        )
    return {"type": "FeatureCollection", "name": title, "features": features}


def write_geojson(
    title: str, rows: list[dict[str, Any]], record_href: Callable[[str, str], str], out: IO[bytes]
) -> None:
    out.write(orjson.dumps(geojson(title, rows, record_href), option=orjson.OPT_INDENT_2))


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{KML_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _data(placemark: ET.Element, values: Iterable[tuple[str, Any]]) -> None:
    extended = _sub(placemark, "ExtendedData")
    for name, value in values:
        if value is not None:
            data = _sub(extended, "Data")
            data.set("name", name)
            _sub(data, "value", str(value))


def _stop_placemark(folder: ET.Element, order: int, stop: Stop) -> None:
    placemark = _sub(folder, "Placemark")
    _sub(placemark, "name", f"{order}. {stop.name}" + (f", {stop.admin1}" if stop.admin1 else ""))
    if stop.first_seen or stop.last_seen:
        span = _sub(placemark, "TimeSpan")
        if stop.first_seen:
            _sub(span, "begin", _iso(stop.first_seen))
        if stop.last_seen:
            _sub(span, "end", _iso(stop.last_seen))
    _data(placemark, [("order", order), ("records", stop.count), ("country", stop.country),
                      ("first_seen", _iso(stop.first_seen)), ("last_seen", _iso(stop.last_seen))])  # fmt: skip
    _sub(_sub(placemark, "Point"), "coordinates", f"{stop.lon},{stop.lat}")


def kml(title: str, rows: list[dict[str, Any]], record_href: Callable[[str, str], str]) -> bytes:
    """A KML 2.2 document: a folder of stops (with time spans), the route, and a folder of postings."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    document = _sub(root, "Document")
    _sub(document, "name", title)
    route = stops(rows)
    folder = _sub(document, "Folder")
    _sub(folder, "name", "Itinerary stops")
    for order, stop in enumerate(route, start=1):
        _stop_placemark(folder, order, stop)
    if len(route) >= 2:
        line = _sub(document, "Placemark")
        _sub(line, "name", f"{title}: route")
        _sub(_sub(line, "LineString"), "coordinates", " ".join(f"{s.lon},{s.lat}" for s in route))
    postings = _sub(document, "Folder")
    _sub(postings, "name", "Postings")
    for posting in _postings(rows, record_href):
        placemark = _sub(postings, "Placemark")
        _sub(placemark, "name", posting["record"])
        if posting["posted_at"]:
            _sub(_sub(placemark, "TimeStamp"), "when", posting["posted_at"])
        _data(
            placemark,
            [(k, posting[k]) for k in ("title", "url", "lantern_url", "place", "minor", "trafficking")],
        )
        _sub(_sub(placemark, "Point"), "coordinates", f"{posting['lon']},{posting['lat']}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_kml(
    title: str, rows: list[dict[str, Any]], record_href: Callable[[str, str], str], out: IO[bytes]
) -> None:
    out.write(kml(title, rows, record_href))
