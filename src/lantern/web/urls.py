"""Addresses of our own pages. Identifiers are percent-encoded so hostile values cannot change the path."""

from __future__ import annotations

from urllib.parse import quote


def record_url(source: str, record_id: str) -> str:
    return f"/records/{quote(source, safe='')}/{quote(record_id, safe='')}"


def entity_url(kind: str, value: str) -> str:
    return f"/entities/{quote(kind, safe='')}/{quote(value, safe='')}"


def network_url(network_id: str) -> str:
    return f"/networks/{quote(network_id, safe='')}"


def why_url(network_id: str, source: str, record_id: str) -> str:
    """The JSON answer of why one member belongs to its network."""
    return f"/api{network_url(network_id)}/why/{quote(source, safe='')}/{quote(record_id, safe='')}"
