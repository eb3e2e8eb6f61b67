"""Where and when a group of records was posted: the places the extractor located, in time order.

The network page draws it on its map; the GeoJSON and KML exports give it to QGIS and Google Earth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class Stop:
    """Consecutive postings in one place: where, from when to when, and how many."""

    name: str
    admin1: str | None
    country: str | None
    lat: float
    lon: float
    first_seen: datetime | None
    last_seen: datetime | None
    count: int


def first_place(extracted: dict[str, Any]) -> dict[str, Any] | None:
    """The first place of a record's extraction that has usable coordinates, or None."""
    for place in extracted.get("locations") or []:
        if not isinstance(place, dict):
            continue
        lat, lon = place.get("lat"), place.get("lon")
        if (
            isinstance(lat, (int, float))
            and isinstance(lon, (int, float))
            and -90 <= lat <= 90
            and -180 <= lon <= 180
        ):
            return place
    return None


def stops(rows: list[dict[str, Any]]) -> list[Stop]:
    """Postings (rows with ``posted_at`` and ``extracted``) in time order, consecutive ones in the same
    place merged into one stop; undated postings come last, records with no located place are left out."""
    found: list[Stop] = []
    dated = sorted(rows, key=lambda r: (r["posted_at"] is None, r["posted_at"] or datetime.min))
    for row in dated:
        place = first_place(row["extracted"])
        if place is None:
            continue
        name = str(place.get("name") or "?")
        if found and found[-1].name == name and found[-1].admin1 == place.get("admin1"):
            found[-1].count += 1
            found[-1].last_seen = row["posted_at"] or found[-1].last_seen
            continue
        found.append(
            Stop(
                name=name,
                admin1=str(place["admin1"]) if place.get("admin1") else None,
                country=str(place["country"]) if place.get("country") else None,
                lat=float(place["lat"]),
                lon=float(place["lon"]),
                first_seen=row["posted_at"],
                last_seen=row["posted_at"],
                count=1,
            )
        )
    return found
