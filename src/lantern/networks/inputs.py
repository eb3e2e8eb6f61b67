"""Building the linker's and the group assessor's inputs from stored record rows."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import orjson

from lantern.assess import GroupMember
from lantern.link import LinkDoc

TAG = re.compile(r"<[^>]{0,2000}>")

LINK_FIELDS = ("phones", "emails", "handles", "payments", "names", "images", "locations")
"""The parts of ``records.extracted`` that ``link_doc`` reads."""

GROUP_FIELDS = ("phones", "names", "images", "prices", "indicators", "ages", "locations", "risk")
"""The parts that ``group_member`` reads, and ``risk`` (the ad's own scores) for rescoring."""


def slim_extracted(stored: str | bytes | dict[str, Any] | None, fields: Iterable[str]) -> dict[str, Any]:
    """Only ``fields`` of a stored ``extracted`` document (JSON text, or already decoded).

    Linking and rescoring read the column as text and keep these parts alone: the mentions, with their
    spans and texts, are 60% of a document (1.3 of 2.1 kB in the synthetic world), and a chunk of
    20,000 decoded documents held about 200 MB that neither step reads.
    """
    if stored is None:
        return {}
    data = stored if isinstance(stored, dict) else orjson.loads(stored)
    return {name: data[name] for name in fields if name in data}


def record_key(source: str, record_id: str) -> str:
    return f"{source}:{record_id}"


def plain_text(*parts: str | None) -> str:
    """Title and body without markup, so templates compare words rather than HTML."""
    return html.unescape(TAG.sub(" ", " \n".join(part for part in parts if part)))


def city_of(row: dict[str, Any]) -> str | None:
    locations = (row.get("extracted") or {}).get("locations") or []
    if locations and locations[0].get("name"):
        first = locations[0]
        return ", ".join(part for part in (first["name"], first.get("admin1")) if part)
    return row.get("location")


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def link_doc(row: dict[str, Any]) -> LinkDoc:
    fields = row.get("extracted") or {}
    images = fields.get("images") or []
    return LinkDoc(
        key=record_key(row["source"], row["record_id"]),
        source=row["source"],
        posted_at=_iso(row.get("posted_at")),
        city=city_of(row),
        phones=list(fields.get("phones") or []),
        emails=list(fields.get("emails") or []),
        handles=[f"{h['platform']}:{h['handle']}" for h in fields.get("handles") or []],
        payments=[
            f"{p['platform']}:{p.get('handle') or p.get('address')}" for p in fields.get("payments") or []
        ],
        names=list(fields.get("names") or []),
        image_phashes=[image["phash"] for image in images if image.get("phash")],
        image_sha256=[image["sha256"] for image in images if image.get("sha256")],
        text=plain_text(row.get("title"), row.get("body")),
    )


def hourly_price(fields: dict[str, Any]) -> float | None:
    """The ad's price for an hour, from the first price that states a duration."""
    for price in fields.get("prices") or []:
        minutes = price.get("minutes")
        if minutes and price.get("amount"):
            return float(price["amount"]) * 60.0 / float(minutes)
    return None


def group_member(
    row: dict[str, Any], template_id: str | None = None, hubs: frozenset[str] = frozenset()
) -> GroupMember:
    """The ad as the structural rules see it, without suppressed hubs: a site's help line shared by
    every ad is not the operator's phone, and counting it would make every network look managed."""
    fields = row.get("extracted") or {}
    return GroupMember(
        key=record_key(row["source"], row["record_id"]),
        posted_at=row.get("posted_at"),
        city=city_of(row),
        phones=[phone for phone in fields.get("phones") or [] if phone not in hubs],
        names=list(fields.get("names") or []),
        image_hashes=[
            image["phash"]
            for image in fields.get("images") or []
            if image.get("phash") and f"phash:{image['phash']}" not in hubs
        ],
        price_per_hour=hourly_price(fields),
        source=row["source"],
        template_id=template_id,
        indicators=list(fields.get("indicators") or []),
        ages=[a for a in fields.get("ages") or [] if isinstance(a, int)],
    )
